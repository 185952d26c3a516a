"""The reference engine: the LSM as an explicit ``brian2.Network``.

One network is built per chip instance and runs a whole batch as one long
simulation: sample ``j`` occupies time steps ``[j*P, (j+1)*P)`` with
``P = n_bins + 1``. Brian2's schedule is set to
``groups → resets → synapses → thresholds`` so that, in step ``k``, the membrane
decays, neurons that spiked in step ``k-1`` are reset, the input spikes of bin
``k-1`` and the reservoir spikes of step ``k-1`` arrive, and the threshold is
tested: exactly ``mem_b = decay*mem_{b-1}*(1-s_{b-1}) + W_in x_b + W_rec s_{b-1}``
for bin ``b = (k mod P) - 1``. The first step of every slot is a separator: its
threshold is disabled and the next step starts from ``mem = 0``, so no state or
spike crosses from one sample to the next and results do not depend on how the
batch is chunked.
"""

from __future__ import annotations

import logging
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from neurosim.engines.activity import Activity
from neurosim.errors import EngineError
from neurosim.networks import LSM

log = logging.getLogger(__name__)

SCHEDULE = ["start", "groups", "resets", "synapses", "thresholds", "end"]
NEURON_MODEL = """
v : 1
decay : 1 (shared, constant)
vth : 1 (shared, constant)
period : integer (shared, constant)
"""


def cache_dir() -> Path:
    """Where compiled Brian2 code is kept between runs (``$NEUROSIM_CACHE_DIR``)."""
    root = os.environ.get("NEUROSIM_CACHE_DIR") or Path.home() / ".cache" / "neurosim"
    return Path(root) / "brian2-cython"


_target_choice: str | None = None


def choose_target() -> str:
    """'cython' when Cython and a C compiler work, else 'numpy' (logged once)."""
    global _target_choice
    if _target_choice is None:
        import brian2
        with brian2_prefs("cython"):
            from brian2.codegen.runtime.cython_rt import CythonCodeObject
            ok = CythonCodeObject.is_available()
        _target_choice = "cython" if ok else "numpy"
        if not ok:
            log.warning("brian2: Cython target unavailable (no compiler?); using the slower numpy target")
        del brian2
    return _target_choice


@contextmanager
def brian2_prefs(target: str) -> Iterator[None]:
    """Set Brian2's code-generation preferences for one run and restore them after."""
    from brian2 import prefs
    keys = ["codegen.target", "codegen.runtime.cython.cache_dir"]
    old = {k: prefs[k] for k in keys}
    prefs["codegen.target"] = target
    prefs["codegen.runtime.cython.cache_dir"] = str(cache_dir())
    try:
        yield
    finally:
        for k, v in old.items():
            prefs[k] = v


def _dense_synapses(brian2, source, target, weights: np.ndarray, name: str, dt):
    """All-to-all synapses ``v_post += w`` with ``w[i, j] = weights[i, j]``."""
    n_pre, n_post = weights.shape
    syn = brian2.Synapses(source, target, "w : 1", on_pre="v_post += w", dt=dt, name=name)
    pre = np.repeat(np.arange(n_pre), n_post)
    post = np.tile(np.arange(n_post), n_pre)
    syn.connect(i=pre, j=post)
    syn.w[:] = weights[pre, post]
    return syn


class Brian2Engine:
    """Runs an :class:`LSM` on Brian2 (runtime mode, Cython or numpy target)."""

    name = "brian2"

    def __init__(self, target: str = "auto", chunk_samples: int = 200):
        if target not in ("auto", "cython", "numpy"):
            raise EngineError(f"brian2 target {target!r}: choose auto, cython or numpy")
        self.target = target
        self.chunk_samples = chunk_samples

    def run(self, lsm: LSM, raster: np.ndarray,
            progress: Callable[[int, int], None] | None = None) -> Activity:
        """Simulate every sample of ``raster`` (bool ``[samples, bins, inputs]``)."""
        try:
            import brian2
        except ImportError as exc:  # pragma: no cover - brian2 is a hard dependency
            raise EngineError(f"the brian2 engine needs brian2: {exc}") from None
        samples, bins, inputs = raster.shape
        if inputs != lsm.inputs:
            raise EngineError(f"input raster has {inputs} channels, the network {lsm.inputs} inputs")
        target = choose_target() if self.target == "auto" else self.target
        period = bins + 1
        with brian2_prefs(target):
            dt = 1 * brian2.ms
            neurons = brian2.NeuronGroup(
                lsm.neurons, NEURON_MODEL, dt=dt, name="lsm_neurons",
                threshold="v > vth and timestep(t, dt) % period != 0", reset="v = 0")
            neurons.decay = lsm.decay
            neurons.vth = lsm.threshold
            neurons.period = period
            neurons.run_regularly("v = decay * v * int(timestep(t, dt) % period != 1)",
                                  when="groups", name="lsm_decay")
            source = brian2.SpikeGeneratorGroup(inputs, [], [] * brian2.second, dt=dt,
                                                name="lsm_input")
            s_in = _dense_synapses(brian2, source, neurons, lsm.w_in, "lsm_w_in", dt)
            s_rec = _dense_synapses(brian2, neurons, neurons, lsm.w_rec, "lsm_w_rec", dt)
            monitor = brian2.SpikeMonitor(neurons, name="lsm_spikes")
            net = brian2.Network(neurons, source, s_in, s_rec, monitor)
            net.schedule = SCHEDULE
            spike_raster = np.zeros((samples, bins, lsm.neurons), dtype=bool)
            seen = 0
            for start in range(0, samples, self.chunk_samples):
                chunk = raster[start:start + self.chunk_samples]
                base = int(round(float(net.t / dt)))
                sample, b, channel = np.nonzero(chunk)
                steps = base + sample * period + b
                source.set_spikes(channel, steps * dt)
                net.run(len(chunk) * period * dt, namespace={})
                idx = np.asarray(monitor.i[seen:])
                step = np.rint(np.asarray(monitor.t[seen:] / dt)).astype(np.int64) - base
                seen = monitor.num_spikes
                spike_raster[start + step // period, step % period - 1, idx] = True
                if progress is not None:
                    progress(min(start + len(chunk), samples), samples)
        return Activity(spike_raster=spike_raster)
