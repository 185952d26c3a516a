"""``python -m neurosim.engines.warm`` (run by tests/conftest.py before ``pytest -n``'s workers start) compiles every
cpu-engine kernel of a model, with the argument types that real runs pass: a run afterwards compiles
nothing new."""

from __future__ import annotations

import numpy as np
import pytest

from neurosim.config import load_config
from neurosim.engines.cpu_engine import CpuEngine
from neurosim.engines import warm
from neurosim.networks import build_lsm

#: The numba dispatchers of each model's cpu-engine paths (module, function names).
DISPATCHERS = {
    "discrete-lif": [("neurosim.kernels.discrete_lif", ["chunk", "step"]),
                     ("neurosim.engines.cpu_adc_kernel", ["discrete_lif_adc_chunk"])],
    "lif": [("neurosim.kernels.lif", ["chunk", "adc_chunk", "start", "step", "adc_step"])],
    "izhikevich": [("neurosim.kernels.izhikevich", ["chunk", "adc_chunk", "start", "step", "adc_step"])],
}


def signatures(model: str) -> dict[str, int]:
    import importlib

    return {f"{module}.{name}": len(getattr(importlib.import_module(module), name).signatures)
            for module, names in DISPATCHERS[model] for name in names}


class Reader:
    def step(self, sample, b, spikes, v):
        return np.zeros(v.shape)


@pytest.mark.slow
@pytest.mark.parametrize("model", list(DISPATCHERS))
def test_warm_compiles_every_path_that_a_run_takes(model):
    warm.warm(model)
    after_warm = signatures(model)
    assert all(n == 1 for n in after_warm.values()), after_warm
    raster = np.random.default_rng(2).random((3, 6, 12)) < 0.3
    for adc_mode in ("ideal", "quantize"):
        lsm = build_lsm(load_config("rram-40nm-256kb", overrides=[
            f"network.model={model}", "network.neurons=9", "network.recurrent_p=0.2", f"crossbar.adc_mode={adc_mode}"]),
            12, np.random.default_rng(0))
        CpuEngine(trace_neurons=3, chunk_samples=2).run(lsm, raster)
        if model != "discrete-lif" or adc_mode == "ideal":    # the discrete LIF's ADC path takes no hook
            CpuEngine().run(lsm, raster, hook=Reader())
    assert signatures(model) == after_warm


def test_warm_refuses_a_model_without_a_cpu_kernel(capsys):
    with pytest.raises(SystemExit):
        warm.main(["no-such-model"])
    assert "no cpu kernel for no-such-model" in capsys.readouterr().err
