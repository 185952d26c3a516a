"""Brian2 compiles each neuron flavour once: the code it generates for a model's neuron group does not
depend on the number of input bins, so runs (and tests) with different ``input.n_bins`` reuse the
Cython code compiled for the first (kept in ``$NEUROSIM_CACHE_DIR/brian2-cython``, keyed by the code)."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import skip_or_fail

from neurosim.config import load_config
from neurosim.networks import build_lsm
from neurosim.networks.models import get_model


def group_code(model: str, bins: int, trailing_separator: bool) -> tuple:
    """The code strings of the neuron group a model builds for ``bins`` input bins: its event
    conditions, its reset and its regular operations (what Brian2 generates Cython code from)."""
    import brian2

    lsm = build_lsm(load_config("ideal", overrides=[f"network.model={model!r}", "network.neurons=5"]), 3,
                    np.random.default_rng(0))
    spec = get_model(lsm.model)
    period = spec.separator_steps(lsm) + bins + (1 if trailing_separator else 0)
    group = spec.brian2_neurons(brian2, lsm, period, bins).group
    group._network = 0  # built only to read its code: no "never included in a network" warning
    regular = sorted(o.abstract_code for o in group.contained_objects if hasattr(o, "abstract_code"))
    return dict(group.events), dict(group.event_codes), regular


@pytest.mark.parametrize("model", ["discrete-lif", "lif", "izhikevich"])
@pytest.mark.parametrize("trailing_separator", [False, True])
def test_generated_code_does_not_depend_on_the_number_of_bins(model, trailing_separator):
    assert group_code(model, 20, trailing_separator) == group_code(model, 50, trailing_separator)


def test_cython_modules_compile_without_debug_information_and_the_code_shaping_flags_stay():
    """A run compiles its Cython modules with ``-g0`` after Brian2's flags (the machine code is the same; the
    compiler takes about a third less CPU time per module), and leaves Brian2's flags as it found them."""
    from brian2 import prefs
    from brian2.codegen.cpp_prefs import get_compiler_and_args

    from neurosim.engines.brian2_engine import NO_DEBUG_INFO, brian2_prefs

    before = list(prefs["codegen.cpp.extra_compile_args_gcc"])
    with brian2_prefs("cython"):
        compiler, args = get_compiler_and_args()
    if compiler not in ("gcc", "unix"):
        skip_or_fail(f"compiler {compiler!r}: Brian2 passes its GCC flags only to GCC-like compilers")
    assert NO_DEBUG_INFO == "-g0" and args[-1] == "-g0", args
    assert args[:-1] == [a for a in before if a in args] and "-O3" in args, "Brian2's own flags stay, in order"
    assert prefs["codegen.cpp.extra_compile_args_gcc"] == before
