"""The ``gpu`` engine: the reservoir on CuPy, many samples at once.

Every neuron model brings its own GPU kernel (:meth:`~neurosim.networks.models.NeuronModel.gpu_kernel`,
:mod:`neurosim.kernels`); the engine drives the kernel's layout and never asks which model it runs.
Samples run in batches of ``batch_size``. A :class:`~neurosim.kernels.BinGpuKernel` (one step per
input bin, e.g. the discrete LIF's) keeps the state of a batch on the device as ``mem``/``spikes``
``[batch, neurons]``, and every input bin is one call of :func:`neurosim.engines.lsm_step.lsm_step`:
two dense matrix products on the device (input ``x_b @ W_in`` and recurrent ``s @ W_rec``, cuBLAS)
and the model's fused neuron update (for the discrete LIF ``neurosim/kernels/discrete_lif.cu``).
The same code runs on numpy with ``device="cpu"`` (the kernels' numpy twins), which is how it is
tested on machines without a GPU.

Every sample starts from ``mem = 0, s = 0`` (the Brian2 engine's separator step), so no
state crosses samples. Every batch, including the last one (padded with silent samples),
has the same number of rows, so a sample's spikes do not depend on where it falls in the
dataset; matrix products of another batch size may round differently (see
``tests/test_gpu_engine.py``).

Accuracy: matrix products sum the weights in the BLAS library's order, not Brian2's
synapse order, so float64 spikes agree with the Brian2 engine almost everywhere but not
by construction; float32 (the default) is held to statistical tolerances (spike-count
correlation with float64 ≥ 0.99 per neuron). Use the ``cpu`` engine for spike-exact runs.

A chip whose ADC quantizes (``lsm.drive_adc``) reads each array segment's partial sum through
:class:`neurosim.crossbar.periphery.DriveAdc` inside :func:`~neurosim.engines.lsm_step.lsm_step`
(the same function the ``cpu`` engine calls on numpy); a value within rounding of an ADC code
boundary may round the other way in float32 or with cuBLAS's summation order. With IR drop
(``crossbar.wire_resistance`` > 0) the same DriveAdc computes each segment's partial sums from the
cells through :func:`~neurosim.crossbar.periphery.line_sums` (the macro's IR-drop model), for every model.

A :class:`~neurosim.kernels.ContinuousGpuKernel` (the continuous models ``lif``, ``izhikevich``, or a
plugin's) runs the same way, the model's two fused kernels per step around the two matrix products
(:mod:`neurosim.engines.continuous_step`), over the slot of ``bins`` plus separator steps that
the other engines use.

Read noise per step (``network.read_noise_per_step``): each transmission adds ``w_std · z``;
the sum over a step's spiking sources is drawn at once as ``sqrt(x @ w_std²) · z`` per
target (:func:`neurosim.engines.lsm_step.synaptic_drive`), the same distribution. The
generator (``cupy.random.RandomState``; numpy ``default_rng`` on ``device="cpu"``) is
seeded per batch from ``lsm.noise_seed`` and the batch's first sample: the same seed and
``batch_size`` give the same run, but the numbers are neither Brian2's nor the cpu engine's.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from neurosim import backend
from neurosim.crossbar.periphery import ir_drop_refusal
from neurosim.engines import EngineEntry, register_engine
from neurosim.engines.activity import Activity, check_input_raster
from neurosim.engines.continuous_step import continuous_deliver, continuous_update
from neurosim.engines.lsm_step import _segment_noise, lsm_step, noise_generator, synaptic_drive
from neurosim.errors import EngineError
from neurosim.kernels import BinGpuKernel, ContinuousGpuKernel
from neurosim.networks import LSM, get_model
from neurosim.networks.models import kernel_models

log = logging.getLogger(__name__)

__all__ = ["GpuEngine", "INSTALL_HINT"]

DTYPES = ("float32", "float64")
DEVICES = ("gpu", "cpu")  # registry-name: array devices, not engines

#: What to tell a user whose machine lacks CuPy or a CUDA device.
INSTALL_HINT = ("pip install neurosim[gpu] (cupy-cuda13x; cupy-cuda12x for CUDA 12 drivers), "
                "or choose --engine cpu")


class GpuEngine:
    """Runs an :class:`LSM` (of a model that supplies a ``gpu_kernel``) batched on a CUDA GPU through CuPy.

    Args:
        dtype: ``"float32"`` (default, fast) or ``"float64"`` for state, weights and drives.
        batch_size: samples simulated together (state ``[batch_size, neurons]``); device
            memory is about ``batch_size * (bins * (neurons + inputs * itemsize)
            + 6 * neurons * itemsize)`` bytes plus the weights (≈ 130 MB at 1,024 samples,
            1,000 neurons, 256 inputs, 50 bins, float32); the continuous models add about
            ``batch_size * neurons * (delay steps + 8) * itemsize``, read noise doubles the
            weights.
        device: ``"gpu"`` (CuPy; default) or ``"cpu"`` (the same code on numpy: the
            kernel's twin, for tests and machines without a GPU).
        trace_neurons: record the membrane potential of the first that many neurons at the
            end of every bin (0 = off) as :attr:`Activity.traces` (float64).

    Construction never imports CuPy; :meth:`run` on ``device="gpu"`` raises
    :class:`EngineError` naming the install command when CuPy or a CUDA device is missing.
    """

    name = "gpu"
    #: Rank in ``auto`` (:mod:`neurosim.engines`): first wherever CuPy sees a GPU.
    auto_priority = 30

    def __init__(self, dtype: str = "float32", batch_size: int = 1024, device: str = "gpu",
                 trace_neurons: int = 0):
        if dtype not in DTYPES:
            raise EngineError(f"gpu engine dtype {dtype!r}: choose {' or '.join(DTYPES)}")
        if device not in DEVICES:
            raise EngineError(f"gpu engine device {device!r}: choose {' or '.join(DEVICES)}")
        if (isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer))
                or batch_size < 1):
            raise EngineError(f"gpu engine: batch_size must be a positive integer, got {batch_size!r}")
        if trace_neurons < 0:
            raise EngineError("gpu engine: trace_neurons must be ≥ 0")
        self.dtype = dtype
        self.batch_size = int(batch_size)
        self.device = device
        self.trace_neurons = int(trace_neurons)

    def supports(self, lsm: LSM) -> bool:
        """Whether this engine simulates ``lsm`` (:func:`_runs_here` for its model)."""
        return _unsupported(lsm) is None

    def namespace(self) -> Any:
        """The array module this engine computes on: numpy (``device="cpu"``) or cupy.

        Raises:
            EngineError: ``device="gpu"`` and CuPy is not installed or sees no CUDA device.
        """
        if self.device == "cpu":  # registry-name: array devices, not engines
            return np
        ok, reason = backend.gpu_available()
        if not ok:
            raise EngineError(f"the gpu engine needs CuPy and a CUDA GPU, but {reason}. "
                              f"Install it with: {INSTALL_HINT}")
        return backend.cupy_module()

    def run(self, lsm: LSM, raster: np.ndarray,
            progress: Callable[[int, int], None] | None = None, hook: Any = None, *,
            first_sample: int = 0) -> Activity:
        """Simulate every sample of ``raster``.

        Args:
            lsm: the network (:meth:`supports`).
            raster: bool (or 0/1) ``[samples, bins, inputs]`` input spikes on the host, one
                time step per bin.
            progress: called as ``progress(done, total)`` after each batch.
            first_sample: position of ``raster[0]`` in a longer, chunked stream (read-noise
                batches are seeded by their absolute first sample).
            hook: must be None: this engine runs whole batches on the device and has no
                stepping path for a :class:`~neurosim.engines.online.StepHook` (use the
                ``cpu`` or ``brian2`` engine for online learning).

        Returns:
            :class:`Activity` whose ``spike_raster`` is a numpy bool array
            ``[samples, bins, neurons]``.
        """
        if hook is not None:
            raise EngineError("the gpu engine does not take a step hook (online learning, feedback); "
                              "use --engine cpu (same spikes as brian2, float64) or brian2")
        _check_network(lsm)
        raster = check_input_raster(raster, lsm.inputs)
        samples, bins, inputs = raster.shape
        xp = self.namespace()
        n = lsm.neurons
        n_trace = min(self.trace_neurons, n)
        out = np.zeros((samples, bins, n), dtype=bool)
        traces = np.zeros((samples, bins, n_trace)) if n_trace else None
        if samples == 0 or bins == 0:
            return Activity(spike_raster=out, traces=traces)
        dtype = np.dtype(self.dtype)
        weights = _device_weights(lsm, dtype, xp)
        rows = min(self.batch_size, samples)
        x_dev = xp.zeros((bins, rows, inputs), dtype=dtype)
        spk_dev = xp.zeros((bins, rows, n), dtype=bool)
        tr_dev = xp.zeros((bins, rows, n_trace), dtype=dtype) if n_trace else None
        model = get_model(lsm.model)
        kernel, args = model.gpu_kernel(), model.kernel_args(lsm)
        simulate = _DRIVERS[type(kernel)]
        for start in range(0, samples, rows):
            stop = min(start + rows, samples)
            used = stop - start
            # [used, bins, inputs] (host) -> [bins, rows, inputs] (device), silent padding rows
            chunk = xp.asarray(np.ascontiguousarray(raster[start:stop], dtype=bool))
            x_dev[:, :used] = chunk.transpose(1, 0, 2)
            if used < rows:
                x_dev[:, used:] = 0
            rng = noise_generator(_batch_seed(lsm.noise_seed, first_sample + start), xp) if weights.noisy else None
            simulate(kernel, args, lsm, x_dev, weights, rng, spk_dev, tr_dev, xp)
            _samples_first(spk_dev, used, xp, out[start:stop])
            if n_trace:
                _samples_first(tr_dev, used, xp, traces[start:stop])
            if progress is not None:
                progress(stop, samples)
        return Activity(spike_raster=out, traces=traces)


def _bin_batch(kernel: BinGpuKernel, args: tuple, lsm: LSM, x_dev: Any, weights: "_Weights", rng: Any,
               spk_dev: Any, tr_dev: Any | None, xp: Any) -> None:
    """A one-step-per-bin model on one batch, with its ``kernel`` and ``kernel_args`` ``args``:
    ``x_dev`` ``[bins, rows, inputs]`` in, ``spk_dev`` ``[bins, rows, N]`` (bool) and ``tr_dev``
    ``[bins, rows, k]`` (or None) out; ``rng`` draws the read noise (None when noiseless); the
    chip's ADC (``lsm.drive_adc``) converts each array segment's partial sum."""
    bins, rows, _ = x_dev.shape
    mem = xp.zeros((rows, lsm.neurons), dtype=x_dev.dtype)
    spikes = xp.zeros((rows, lsm.neurons), dtype=x_dev.dtype)
    for b in range(bins):
        lsm_step(kernel, args, mem, spikes, x_dev[b], weights.w_in, weights.w_rec, xp, weights.var_in,
                 weights.var_rec, rng, lsm.drive_adc)
        spk_dev[b] = spikes != 0
        if tr_dev is not None:
            tr_dev[b] = mem[:, :tr_dev.shape[2]]


def _continuous_batch(kernel: ContinuousGpuKernel, args: tuple, lsm: LSM, x_dev: Any, weights: "_Weights",
                      rng: Any, spk_dev: Any, tr_dev: Any | None, xp: Any) -> None:
    """A continuous model on one batch, with its ``gpu_kernel`` (arguments as :func:`_bin_batch`).

    Steps ``k = 0 … bins + n_sep − 1`` of a slot (see :mod:`neurosim.engines.continuous_step`);
    spikes of step ``k`` reach their targets at step ``k + delay`` through a ring of
    ``delay + 1`` spike buffers.
    """
    bins, rows, _ = x_dev.shape
    dtype = x_dev.dtype
    exp_syn, consts, a, b, c, d, vth, delay, refr, n_sep = args
    gated = refr > 0 and not exp_syn
    p = xp.asarray(consts.astype(dtype))
    a, b, c, d = (xp.asarray(x.astype(dtype)) for x in (a, b, c, d))
    shape = (rows, lsm.neurons)
    v, u = kernel.rest(args, shape, dtype, xp)
    cur = xp.zeros(shape, dtype=dtype)
    last = xp.full(shape, -(1 << 40), dtype=np.int64)
    notref = xp.ones(shape, dtype=dtype)
    ring = xp.zeros((delay + 1,) + shape, dtype=dtype)
    no_input = xp.zeros(shape, dtype=dtype)
    for k in range(bins + n_sep):
        fired = ring[k % (delay + 1)]
        continuous_update(kernel, v, u, cur, last, notref, fired, a, b, p, k, bins, exp_syn, refr, vth, xp)
        src = k - delay
        inp = rec = no_input
        if src >= 0:
            if src < bins:
                inp = _drive(lsm, x_dev[src], weights.w_in, weights.var_in, 0, rng, xp)
            rec = _drive(lsm, ring[src % (delay + 1)], weights.w_rec, weights.var_rec, 1, rng, xp)
        continuous_deliver(kernel, v, u, cur, notref, fired, inp, rec, b, c, d, p, exp_syn, src >= 0,
                           gated, k >= bins, xp)
        if k < bins:
            spk_dev[k] = fired != 0
            if tr_dev is not None:
                tr_dev[k] = v[:, :tr_dev.shape[2]]


def _drive(lsm: LSM, x: Any, w: Any, var: Any | None, group: int, rng: Any, xp: Any) -> Any:
    """A continuous model's drive ``[B, N]`` of pathway ``group``: ``x @ w``, or with the chip's ADC
    (``lsm.drive_adc``) the sum of each array segment's quantized partial sums (as :func:`lsm_step`)."""
    if lsm.drive_adc is None:
        return synaptic_drive(x, w, var, rng, xp)
    return lsm.drive_adc.drive(x, w, group, xp, _segment_noise(var, rng, xp))


def _samples_first(a: Any, used: int, xp: Any, dest: np.ndarray) -> None:
    """Copy the first ``used`` samples of ``a`` ``[bins, rows, k]`` (on ``xp``) into host ``dest``.

    ``dest`` is a C-contiguous numpy ``[used, bins, k]`` slice of the result; on CuPy the
    transpose runs on the device and the copy lands in ``dest`` directly.
    """
    part = xp.ascontiguousarray(a[:, :used].transpose(1, 0, 2)).astype(dest.dtype, copy=False)
    if backend.is_cupy(xp):
        part.get(out=dest)
    else:
        dest[...] = part


@dataclass(frozen=True)
class _Weights:
    """Weights on the device in the state's dtype, and read-noise variances (None when noiseless)."""

    w_in: Any
    w_rec: Any
    var_in: Any | None
    var_rec: Any | None

    @property
    def noisy(self) -> bool:
        return self.var_in is not None or self.var_rec is not None


def _device_weights(lsm: LSM, dtype: np.dtype, xp: Any) -> _Weights:
    """:class:`_Weights` of ``lsm`` on ``xp`` (variances ``w_std²`` for read noise per step)."""
    def put(a):
        return None if a is None else xp.asarray(np.ascontiguousarray(a, dtype=dtype))

    var = [None if std is None else np.square(std) for std in (lsm.w_in_std, lsm.w_rec_std)]
    return _Weights(put(lsm.w_in), put(lsm.w_rec), put(var[0]), put(var[1]))


def _batch_seed(noise_seed: int | None, start: int) -> int:
    """Seed of the read noise of the batch starting at sample ``start`` (from ``lsm.noise_seed``)."""
    sequence = np.random.SeedSequence(noise_seed or 0, spawn_key=(start,))
    return int(sequence.generate_state(1, np.uint32)[0])


#: How the engine drives each layout of GPU kernel a model may supply.
_DRIVERS: dict[type, Callable[..., None]] = {BinGpuKernel: _bin_batch, ContinuousGpuKernel: _continuous_batch}


def _runs_here(model) -> bool:
    """Whether the gpu engine runs ``model``: it supplies a GPU kernel of a layout the engine drives."""
    return type(model.gpu_kernel()) in _DRIVERS


def _unsupported(lsm: LSM) -> str | None:
    """Why the gpu engine cannot simulate ``lsm`` (a user-facing sentence), or None."""
    if lsm.model not in kernel_models(_runs_here):
        return (f"the gpu engine simulates network.model = {', '.join(map(repr, kernel_models(_runs_here)))}, "
                f"not {lsm.model!r}; use --engine brian2 (or auto) for it")
    return None


def _check_network(lsm: LSM) -> None:
    """Raise EngineError for networks the gpu engine cannot simulate (before any work)."""
    why = _unsupported(lsm) or ir_drop_refusal(lsm, "gpu")
    if why is not None:
        raise EngineError(why)


def _gpu_here() -> tuple[bool, str]:
    """Whether CuPy sees a GPU, with advice when it does not."""
    ok, why = backend.gpu_available()
    if ok:
        return True, why
    return False, (f"{why}; install the gpu extra (pip install 'neurosim[gpu]') on a machine with a CUDA "
                   "GPU, or use --engine cpu")


register_engine(EngineEntry("gpu", GpuEngine, available=_gpu_here))
