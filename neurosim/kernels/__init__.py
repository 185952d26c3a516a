"""The neuron models' compiled kernels for the fast engines, and what they share.

A neuron model (:class:`neurosim.networks.models.NeuronModel`) supplies its own kernels; the
engines only drive them (chunks of samples, weight layouts, batches, matrix products, hooks):

- :class:`CpuKernel` (numba), from :meth:`NeuronModel.cpu_kernel`, run by the ``cpu`` engine;
- a GPU kernel from :meth:`NeuronModel.gpu_kernel`, run by the ``gpu`` engine: a
  :class:`BinGpuKernel` (one step per input bin: the model's fused neuron update, CUDA with its
  numpy twin, e.g. the discrete LIF's ``discrete_lif.cu``) or a :class:`ContinuousGpuKernel` (a
  CUDA source with two kernels per dtype and their numpy twins, bins plus separator steps).
  The engine drives either layout (batches, matrix products, the ADC in the loop, read noise)
  and never looks at which model supplied it.

The built-in models' kernels are the modules :mod:`~neurosim.kernels.discrete_lif`,
:mod:`~neurosim.kernels.lif` and :mod:`~neurosim.kernels.izhikevich`, imported only when an
engine asks (numba and CuPy stay unimported until then); their building blocks are
:mod:`~neurosim.kernels.cpu_common` (numba), :mod:`~neurosim.kernels.continuous` (the
continuous models' synapse phase) and the headers ``rounding.cuh`` and ``continuous.cuh``.
A plugin model writes its kernels from the same blocks, in its own module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from neurosim.backend import cuda_source

__all__ = ["KERNEL_DIR", "BinGpuKernel", "ContinuousGpuKernel", "CpuKernel", "source"]

#: Folder holding the built-in ``.cu`` files and headers.
KERNEL_DIR = Path(__file__).resolve().parent


def source(name: str, folder: Path = KERNEL_DIR) -> str:
    """The CUDA source text of ``name`` (e.g. ``"lif.cu"``) in ``folder``, local headers inlined
    (what CuPy's NVRTC compiles: it is given no include path)."""
    return cuda_source(folder, name)


@dataclass(frozen=True)
class CpuKernel:
    """A neuron model's numba kernels for the ``cpu`` engine. ``args`` is the model's
    :meth:`~neurosim.networks.models.NeuronModel.kernel_args` tuple; weight layouts ``in_rows``,
    ``rec_rows`` and ``noisy``/``keys`` as in :mod:`neurosim.kernels.cpu_common`.

    - ``chunk(raster, args, in_rows, rec_rows, noisy, keys, spikes, traces)``: simulate a chunk
      of samples in float64, parallel over samples (``prange``). ``raster`` bool ``[S, bins,
      inputs]``, ``keys`` uint64 ``(S,)``; writes ``spikes`` bool ``[S, bins, N]`` and ``traces``
      float64 ``[S, bins, k]`` (``v`` of the first ``k`` neurons after each bin; ``k`` may be 0).
    - ``start(neurons, inputs, args) -> state``: a tuple of arrays, one sample's initial state;
      ``state[0]`` is ``v`` float64 ``(N,)``.
    - ``step(k, raster_s, state, args, in_rows, rec_rows, noisy, key, fb, spikes_s, traces_s)``:
      slot step ``k`` of one sample (``raster_s`` ``[bins, inputs]``; ``fb`` float64 ``(N,)``
      feedback added after the synaptic input, or empty), bit-identical to ``chunk``'s.
    - ``slot_steps(bins, args) -> int``: steps of a sample's slot (``bins`` plus separators);
      step ``k < bins`` is bin ``k``.
    - ``synaptic_current(state, args)``: the ``I_syn`` array a step hook reads, or None.
    - ``adc_chunk(raster, args, in_rows, rec_rows, noisy, keys, adc, spikes, traces)``: ``chunk`` with
      the chip's column ADC in the loop (``adc``: :func:`neurosim.kernels.continuous.adc_tuple`), or
      None: the ``cpu`` engine refuses the model on a chip whose ADC quantizes.
    - ``adc_step(k, raster_s, state, args, in_rows, rec_rows, noisy, key, fb, adc, scratch, spikes_s,
      traces_s)``: ``step`` with the ADC in the loop (``scratch`` float64 ``(3, N)``), or None: the
      ``cpu`` engine refuses a step hook on a chip whose ADC quantizes.
    """

    chunk: Callable[..., None]
    start: Callable[..., tuple]
    step: Callable[..., Any]
    slot_steps: Callable[[int, tuple], int]
    synaptic_current: Callable[[tuple, tuple], Any] = lambda state, args: None
    adc_chunk: Callable[..., None] | None = None
    adc_step: Callable[..., None] | None = None


@dataclass(frozen=True)
class ContinuousGpuKernel:
    """A continuous model's per-step kernels for the ``gpu`` engine (see
    :mod:`neurosim.engines.continuous_step` for the step they make up).

    ``source``: the ``.cu`` file (in ``folder``) defining ``extern "C"`` kernels
    ``<prefix>_update_f32/_f64`` and ``<prefix>_deliver_f32/_f64`` (usually through the
    ``NS_CONTINUOUS_KERNELS`` macro of ``continuous.cuh``); ``update``, ``deliver``: their
    numpy twins (the kernels' arguments, minus the element counts, plus ``xp``), which must
    round every product and sum as the CUDA code does; ``rest(args, rows, dtype, xp)``:
    the initial ``(v, u)`` ``[rows, N]`` of a batch.
    """

    source: str
    prefix: str
    update: Callable[..., None]
    deliver: Callable[..., None]
    rest: Callable[..., tuple]
    folder: Path = KERNEL_DIR


@dataclass(frozen=True)
class BinGpuKernel:
    """A one-step-per-bin model's neuron update for the ``gpu`` engine (see
    :mod:`neurosim.engines.lsm_step` for the step it completes).

    State of a batch: ``mem`` and ``spikes`` ``[B, N]`` of one float dtype (``spikes`` 0/1, the
    previous step's in, this step's out), both zero at a sample's start; the engine computes the
    step's input and recurrent drives ``inp``, ``rec`` ``[B, N]`` (matrix products, the chip's ADC,
    read noise) and calls ``update(mem, spikes, inp, rec, *args, xp)`` with ``args`` the model's
    :meth:`~neurosim.networks.models.NeuronModel.kernel_args`: in place, on CuPy the model's CUDA
    kernel (``source`` in ``folder``), on numpy its twin, which rounds every product and sum as
    the CUDA code does (bit-identical given the same drives).
    """

    source: str
    update: Callable[..., None]
    folder: Path = KERNEL_DIR
