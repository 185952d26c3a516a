"""A chip instance for scripts: program reservoirs onto it, run them, price what they did.

:class:`Chip` is what a task does at its start, as an object: the reservoir for ``n``
input channels is programmed on chip instance ``k`` of the run seed
(:func:`neurosim.seeds.chip_rng`), exactly the network a task's pipeline builds for the
run's dataset; :meth:`Chip.energy` prices spike activity with the chip's energy model
(:func:`neurosim.energy.count_operations`, :func:`neurosim.energy.estimate_energy`).
:func:`simulate` runs any reservoir on an engine, with its background noise when it has one.
"""

from __future__ import annotations

import numpy as np

from neurosim import seeds
from neurosim.config import Config
from neurosim.energy import (
    EnergyEstimate,
    Tally,
    count_operations,
    estimate_energy,
)
from neurosim.engines import Activity, get_engine, stepping_engines
from neurosim.errors import ConfigError
from neurosim.networks import LSM, build_lsm
from neurosim.networks.background import check_engine, with_background

__all__ = ["Chip", "simulate"]


def simulate(network: LSM, raster: np.ndarray, engine: str = "auto", *, seed: int = 0, instance: int = 0,
             first_sample: int = 0, progress=None) -> Activity:
    """Run ``network`` over an input raster; its spikes as an :class:`~neurosim.engines.Activity`.

    ``raster``: bool ``[samples, bins, inputs]``, one engine step per bin (``inputs`` =
    ``network.inputs``; :func:`neurosim.to_raster` makes one from events). Returns spikes bool
    ``[samples, bins, neurons]``. ``engine``: a name of :func:`neurosim.engine_names` or
    ``"auto"``. A network with background noise (the Izhikevich model's thalamic input) gets it
    from stream ``("background", instance, first_sample + sample)`` of ``seed``, as in a task
    run, and needs an engine that steps a hook (``auto`` picks one). ``first_sample``: position
    of the raster's first sample in a longer stream (per-sample random streams then do not
    depend on how the stream is cut). ``progress``: an optional ``callback(done, total)``.
    """
    noise = with_background(network, seed, instance, first_sample)
    if noise is None:
        return get_engine(engine).run(network, raster, progress=progress, first_sample=first_sample)
    check_engine(engine, stepping_engines())
    return get_engine(engine).run(network, raster, progress=progress, hook=noise, first_sample=first_sample)


class Chip:
    """Chip instance ``instance`` of ``config``'s chip, on which reservoirs are programmed.

    ``config``: a :class:`~neurosim.config.Config` (its chip sections model the device,
    crossbar and energy; ``[network]`` the reservoir; ``run.seed`` the manufacturing seed).
    ``instance``: which manufactured chip (an integer ≥ 0; default ``config.run.instance``),
    stream ``("chip", instance)`` of the run seed: instances differ in their random
    conductances as chips off one wafer do.
    """

    def __init__(self, config: Config, instance: int | None = None):
        instance = config.run.instance if instance is None else instance
        if isinstance(instance, bool) or not isinstance(instance, (int, np.integer)) or instance < 0:
            raise ConfigError(f"Chip: instance must be an integer >= 0 (a chip instance index), got {instance!r}")
        self.config = config
        self.instance = int(instance)
        self._reservoirs: dict[int, LSM] = {}

    @property
    def name(self) -> str:
        """The chip's name (``config.chip.name``, e.g. ``rram-40nm-256kb``)."""
        return self.config.chip.name

    def __repr__(self) -> str:
        return f"Chip({self.name!r}, instance={self.instance}, seed={self.config.run.seed})"

    def reservoir(self, n_inputs: int) -> LSM:
        """The reservoir for ``n_inputs`` input channels, programmed on this chip once per width.

        Its weight matrix, ``(n_inputs + neurons) × neurons`` cells (inputs above the recurrent
        rows), is read from the programmed conductances: ``lsm.programmed``; ``lsm.w_in``
        float64 ``(n_inputs, neurons)`` and ``lsm.w_rec`` ``(neurons, neurons)`` in membrane units.
        """
        if n_inputs not in self._reservoirs:
            rng = seeds.chip_rng(self.config.run.seed, self.instance)
            self._reservoirs[n_inputs] = build_lsm(self.config, int(n_inputs), rng)
        return self._reservoirs[n_inputs]

    def simulate(self, raster: np.ndarray, engine: str = "auto", *, first_sample: int = 0,
                 progress=None) -> Activity:
        """Run ``raster`` (bool ``[samples, bins, inputs]``) through :meth:`reservoir` of its
        width on ``engine``: :func:`simulate` with this chip's seed and instance."""
        network = self.reservoir(np.shape(raster)[2])
        return simulate(network, raster, engine, seed=self.config.run.seed, instance=self.instance,
                        first_sample=first_sample, progress=progress)

    def operations(self, raster: np.ndarray, activity: Activity | np.ndarray, n_classes: int = 0,
                   first_sample: int = 0) -> Tally:
        """What the chip did to run ``raster`` (bool ``[samples, bins, inputs]``) into ``activity``
        (an :class:`~neurosim.engines.Activity` or its bool spike raster ``[samples, bins, neurons]``):
        rows driven, array reads, ADC conversions, neuron updates, and ``n_classes`` readout MACs per
        neuron that spiked (:func:`neurosim.energy.count_operations`)."""
        spikes = np.asarray(getattr(activity, "spike_raster", activity))
        network = self.reservoir(np.shape(raster)[2])
        return count_operations(np.asarray(raster), spikes, network.programmed.tiling, n_classes,
                                network=network, first_sample=first_sample)

    def energy(self, activity: Activity | Tally, raster: np.ndarray | None = None, *,
               n_classes: int = 0, sample_s: float | None = None) -> EnergyEstimate:
        """Energy per inference (J), latency (s) and the digital baselines of some activity.

        ``activity``: :class:`~neurosim.energy.Tally` (e.g. from :meth:`operations`,
        summed over chunks), or an :class:`~neurosim.engines.Activity` together with the
        ``raster`` that drove it (counted with :meth:`operations`). ``n_classes``: outputs of a
        linear readout priced with it (0 = none). ``sample_s``: mean sample duration (s), the time
        the chip is on per inference (static power); None = the compute latency only.
        The dynamic energy is ``per_inference_J - breakdown_J["static"]``.
        """
        if isinstance(activity, Tally):
            counts = activity
        elif raster is None:
            raise ConfigError("Chip.energy: give the input raster that drove the activity, "
                              "or a Tally (Chip.operations)")
        else:
            counts = self.operations(raster, activity, n_classes)
        neurons = self.config.network.neurons
        if counts.row_activations_per_row is None:
            raise ConfigError("Chip.energy: the Tally has no per-row activations (it did not come from "
                              "Chip.operations or count_operations)")
        rows = counts.row_activations_per_row.shape[0]
        n_inputs = rows - neurons
        if counts.samples < 1 or n_inputs < 1:
            raise ConfigError(f"Chip.energy: counts of {counts.samples} samples over {rows} rows do not fit "
                              f"this chip's {neurons}-neuron reservoir")
        steps = counts.time_steps // counts.samples
        return estimate_energy(self.config, counts, self.reservoir(n_inputs).programmed, n_inputs=n_inputs,
                               n_classes=n_classes, steps=steps, sample_s=sample_s)
