"""Online stepping: a hook that reads the reservoir at every step and feeds a current back.

``engine.run(lsm, raster, progress=None, hook=None)``. Without a hook an engine runs
its frozen fast path. With a hook (the ``brian2`` engine on the runtime device, and the
``cpu`` engine) the samples of ``raster`` run one after the other, in order, each from
the resting state as without a hook, and for every sample ``j``:

1. ``hook.trial_start(j)`` (if the hook has it);
2. after the step of every bin ``b = 0 … bins−1``:
   ``fb = hook.step(j, b, spikes, v)`` with ``spikes`` bool ``(neurons,)`` the spikes of
   bin ``b`` and ``v`` float64 ``(neurons,)`` the membrane potential at the end of that
   step (the value a membrane trace records: for the continuous models after the reset;
   membrane units, mV for Izhikevich). Both are read-only copies. A hook whose ``step``
   takes a parameter named ``i_syn`` is called as ``hook.step(j, b, spikes, v, i_syn=…)``
   with the synaptic current float64 ``(neurons,)`` at the end of the step (exponential
   synapses, membrane units; read-only copy), or ``None`` where the model has none.
   ``fb`` is ``None`` (no feedback) or float64-like ``(neurons,)``: a feedback input that
   enters the **next** step (bin ``b + 1``) of the same sample; the value returned after
   the last bin is discarded (the trial is over);
3. ``hook.trial_end(j)`` (if the hook has it).

Where the feedback enters (the same place and order in both engines, so float64 results
are bit-identical): it is added once, after the synaptic additions of the step, like one
more synapse that transmits at every step without delay:

- ``discrete-lif``: ``mem_b = decay*mem_{b-1}*(1-s_{b-1}) + W_in x_b + W_rec s_{b-1} + fb_{b-1}``
  (each term added in that order), then ``s_b = mem_b > threshold``: the feedback of bin
  ``b−1`` can make bin ``b`` spike;
- ``lif`` and ``izhikevich`` (schedule groups → thresholds → synapses → resets → end): in
  the synapses phase of step ``b``, after the input and recurrent additions, ``v += fb``
  (delta synapse; dropped for a refractory LIF neuron, as Brian2 drops its synaptic input)
  or ``I_syn += fb`` (exponential synapse). As any synaptic input it is seen by the
  threshold from step ``b + 1`` on, and a neuron reset in step ``b`` loses a delta input.

Feedback is in membrane units (the unit of ``W_in``), per step. Learning (readout weights,
RLS state) lives in the hook; the engine never looks inside it.
"""

from __future__ import annotations

import inspect
from typing import Protocol, runtime_checkable

import numpy as np

from neurosim.errors import EngineError

__all__ = ["StepHook", "HookDriver"]


@runtime_checkable
class StepHook(Protocol):
    """What an engine calls during a run (see the module docstring for the exact timing).

    ``trial_start(sample)`` and ``trial_end(sample)`` are optional: an engine calls them
    only if the hook defines them. ``step`` may also take a keyword ``i_syn`` (the
    synaptic current, see the module docstring).
    """

    def step(self, sample: int, b: int, spikes: np.ndarray, v: np.ndarray) -> np.ndarray | None:
        """Read bin ``b`` of ``sample`` (``spikes`` bool ``(neurons,)``, ``v`` float64 ``(neurons,)``,
        read-only) and return the feedback float64 ``(neurons,)`` for bin ``b + 1``, or None."""
        ...


class HookDriver:
    """The engine side of a hook: calls it in order and checks what it returns.

    One driver per run; both engines use it, so the calling sequence and the feedback's
    shape, dtype and zeroing are the same whatever the engine. ``neurons`` and ``bins`` are
    the network's and the raster's sizes.
    """

    def __init__(self, hook: StepHook, neurons: int, bins: int):
        if not callable(getattr(hook, "step", None)):
            raise EngineError(f"hook {type(hook).__name__} has no step(sample, b, spikes, v) method; "
                              "see neurosim.engines.online.StepHook")
        self.hook = hook
        self.neurons = neurons
        self.bins = bins
        self.feedback = np.zeros(neurons)    # the driver's buffer: what step() returns, zeros at first
        try:
            self.wants_current = "i_syn" in inspect.signature(hook.step).parameters
        except (TypeError, ValueError):      # a builtin or C callable without a signature
            self.wants_current = False

    def trial_start(self, sample: int) -> None:
        """Call ``hook.trial_start(sample)`` if the hook has it."""
        start = getattr(self.hook, "trial_start", None)
        if start is not None:
            start(sample)

    def trial_end(self, sample: int) -> None:
        """Call ``hook.trial_end(sample)`` if the hook has it."""
        end = getattr(self.hook, "trial_end", None)
        if end is not None:
            end(sample)

    def step(self, sample: int, b: int, spikes: np.ndarray, v: np.ndarray,
             i_syn: np.ndarray | None = None) -> np.ndarray:
        """Hand bin ``b``'s state to the hook; the feedback float64 ``(neurons,)`` for the next step.

        ``spikes`` (bool), ``v`` and ``i_syn`` (float64, ``None`` without a synaptic
        current) ``(neurons,)`` are copied and made read-only here; ``i_syn`` goes only to
        a hook whose ``step`` takes it. The feedback is checked and copied into :attr:`feedback` (one writable
        buffer, returned every time: valid until the next call), zeros when the hook
        returns None and after the last bin.
        """
        spikes, v = _frozen(spikes, bool), _frozen(v, np.float64)
        if self.wants_current:
            fb = self.hook.step(sample, b, spikes, v, i_syn=None if i_syn is None else _frozen(i_syn, np.float64))
        else:
            fb = self.hook.step(sample, b, spikes, v)
        if fb is not None:
            fb = np.asarray(fb)
            if fb.shape != (self.neurons,) or not (np.issubdtype(fb.dtype, np.floating)
                                                  or np.issubdtype(fb.dtype, np.integer)):
                raise EngineError(f"hook.step returned feedback of shape {fb.shape} and dtype {fb.dtype} at "
                                  f"sample {sample}, bin {b}; expected None or real numbers of shape "
                                  f"({self.neurons},), one per reservoir neuron")
        if fb is None or b == self.bins - 1:
            self.feedback[:] = 0.0
        else:
            self.feedback[:] = fb
        return self.feedback


def _frozen(a: np.ndarray, dtype) -> np.ndarray:
    """A read-only copy of ``a`` as ``dtype``."""
    out = np.array(a, dtype=dtype)
    out.flags.writeable = False
    return out
