"""The neuron-model registry: one module per model declares everything about it.

A model is a :class:`NeuronModel` instance registered with :func:`register_model`
by its own module in this package (found by :func:`discover`, no list elsewhere)
or by a plugin. It declares

- ``name`` (``network.model``) and ``section``: the frozen dataclass of its
  ``[network.<name>]`` config subsection (fields made with
  :func:`neurosim.config.param`), registered with the model;
- :meth:`NeuronModel.params`: its per-neuron parameters, built from the config
  and the chip's random stream (the :attr:`LSM.params <neurosim.networks.LSM>`);
- :meth:`NeuronModel.separator_steps` and :meth:`NeuronModel.brian2_neurons`: its
  Brian2 definition, which the reference engine runs for **any** registered model;
- its fast-engine kernels, which it owns: :meth:`NeuronModel.cpu_kernel` (numba, the ``cpu``
  engine), :meth:`NeuronModel.gpu_kernel` (CUDA and numpy twins, the ``gpu`` engine) and
  :meth:`NeuronModel.kernel_args` (their arguments); ``kernel`` names the family of batched
  driver the gpu engine runs them in (``None`` and no kernels: only Brian2 runs it). The
  built-in models' kernels are in :mod:`neurosim.kernels`, imported only when an engine asks.

Continuous-time models share their slot layout through
:class:`neurosim.networks.models.continuous.ContinuousModel`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from neurosim.config import discover_members, register_section, unregister_section
from neurosim.errors import ConfigError
from neurosim.networks.scaling import recurrent_std
from neurosim.submodules import import_submodules

__all__ = ["NeuronModel", "Brian2Neurons", "register_model", "unregister_model", "get_model", "model_names",
           "kernel_models", "discover", "time_step",
           "steps", "SLOT"]

#: Brian2 expression of the slot step (``0 … period − 1``) of the current time step.
SLOT = "timestep(t, dt) % period"


def steps(seconds: float, dt: float) -> int:
    """Whole time steps in ``seconds`` (rounded to the nearest step)."""
    return int(round(seconds / dt))


@dataclass
class Brian2Neurons:
    """A model's Brian2 neuron group and where it sits in a slot.

    ``group``: the ``NeuronGroup`` named ``lsm_neurons`` (one neuron per reservoir
    neuron); ``dt``: its clock step (a Brian2 quantity); ``target``: the variable a
    synapse adds its weight to (``v`` or ``I_syn``); ``delay_steps``: synaptic delay
    in steps; ``schedule``: Brian2's network schedule; ``first_bin``: slot step of
    bin 0; ``input_lead``: input bin ``b`` is emitted at slot step
    ``first_bin + b − input_lead``.
    """

    group: Any
    dt: Any
    target: str
    delay_steps: int
    schedule: list[str]
    first_bin: int
    input_lead: int


class NeuronModel:
    """One neuron flavour of the reservoir (subclass it and :func:`register_model` an instance).

    Class attributes: ``name`` (the ``network.model`` value), ``section`` (the frozen
    dataclass of ``[network.<name>]``), ``description`` (one line for docs),
    ``dale`` (True when the model always applies Dale's law) and ``kernel`` (its kernel
    family: ``"discrete"``, one step per bin with the ADC in the loop; ``"continuous"``,
    bins plus separator steps with delays; ``None``: no fast kernels; the gpu engine runs whichever
    :meth:`gpu_kernel` the model supplies),
    ``threshold_decay_keys`` (the keys of its section holding a firing threshold and a per-step
    membrane decay, which tasks that tune the reservoir per input set use, e.g. zero-shot's
    per-modality reservoirs; ``None`` when the model has no such pair).
    """

    name: ClassVar[str]
    section: ClassVar[type]
    description: ClassVar[str] = ""
    dale: ClassVar[bool] = False
    kernel: ClassVar[str | None] = None
    threshold_decay_keys: ClassVar[tuple[str, str] | None] = None

    def params(self, config, excitatory, rng) -> Any:
        """Per-neuron parameters of a network of this model (stored as ``LSM.params``).

        ``config``: the run's :class:`~neurosim.config.Config`; ``excitatory``: bool
        ``(neurons,)`` neuron types or None; ``rng``: the chip's generator (draw from it
        only what the model needs: every draw shifts the streams after it). The default
        is the model's config subsection itself.
        """
        return config.section(f"network.{self.name}")

    def weight_scales(self, config) -> tuple[float, float, float]:
        """``(input_scale, recurrent_scale, inhibitory_gain)`` of a network of this model: by default
        ``[network]``'s (the recurrent std normalised by size, :func:`neurosim.networks.scaling.recurrent_std`);
        a model whose regime needs its own scales overrides this (documented keys)."""
        net = config.network
        return net.input_scale, recurrent_std(net), net.inhibitory_gain

    def timing(self, config) -> tuple[float, str, float, float]:
        """``(dt s, synapse kind, tau_syn s, delay s)`` of a network of this model (``LSM.dt``,
        ``LSM.synapse``): by default one 1 ms step per input bin and delta synapses without delay
        (a continuous model reads them from its section,
        :class:`~neurosim.networks.models.continuous.ContinuousConfig`)."""
        return 1e-3, "delta", 5e-3, 0.0

    def separator_steps(self, lsm) -> int:
        """Steps per sample slot, besides the ``bins`` input steps, in which no neuron fires."""
        raise NotImplementedError(f"neuron model {self.name!r} does not define separator_steps")

    def brian2_neurons(self, brian2, lsm, period: int, bins: int, extra: str = "") -> Brian2Neurons:
        """The Brian2 neuron group of ``lsm`` for slots of ``period`` steps (``bins`` input steps).

        ``extra``: more equation lines the engine needs in the group (e.g. ``fb : 1``, the
        feedback input of a run with a step hook); append them to the model's equations.
        """
        raise NotImplementedError(f"neuron model {self.name!r} does not define brian2_neurons")

    def cpu_kernel(self):
        """The model's :class:`neurosim.kernels.CpuKernel` (numba), or None: the ``cpu`` engine
        does not run it."""

    def gpu_kernel(self):
        """The model's GPU kernel for the ``gpu`` engine: a :class:`neurosim.kernels.BinGpuKernel`
        (family ``discrete``) or :class:`neurosim.kernels.ContinuousGpuKernel` (family
        ``continuous``), or None: the ``gpu`` engine does not run it."""

    def kernel_args(self, lsm) -> tuple:
        """The argument tuple of the model's kernels for network ``lsm`` (its parameters as
        numbers and float64 arrays; the layout is the model's, e.g. the continuous family's
        ``(exp_syn, consts, a, b, c, d, vth, delay, refr, n_sep)``)."""
        raise NotImplementedError(f"neuron model {self.name!r} has no fast-engine kernels")


_MODELS: dict[str, NeuronModel] = {}


def register_model(model: NeuronModel) -> NeuronModel:
    """Add ``model`` to the registry and its ``[network.<name>]`` section to the config; returns it.

    Registering the same name again with a model of the same class is a no-op.
    """
    known = _MODELS.get(model.name)
    if known is not None and type(known) is not type(model):
        raise ValueError(f"neuron model {model.name!r} is already registered by {type(known).__qualname__}")
    register_section(f"network.{model.name}", model.section)
    _MODELS[model.name] = model
    return model


def unregister_model(name: str) -> None:
    """Remove model ``name`` and its config section (for tests and plugins)."""
    _MODELS.pop(name, None)
    unregister_section(f"network.{name}")


def model_names() -> list[str]:
    """Registered model names: the built-in ones (by module name), then plugins in registration order."""
    discover()
    return list(_MODELS)


def get_model(name: str) -> NeuronModel:
    """The registered model ``name``; :class:`ConfigError` listing the known ones if none."""
    discover()
    if name not in _MODELS:
        raise ConfigError(f"unknown neuron model network.model = {name!r}; choose one of "
                          f"{', '.join(map(repr, _MODELS))}")
    return _MODELS[name]


def kernel_models(runs) -> list[str]:
    """Names of the registered models for which ``runs(model)`` is true (e.g. an engine's
    check that the model supplies its kernels)."""
    return [name for name in model_names() if runs(_MODELS[name])]


def time_step(config) -> float:
    """Seconds per simulation step (one input bin) of ``config``'s network model."""
    return get_model(config.network.model).timing(config)[0]


def discover() -> None:
    """Import every module of this package once, so that the built-in models register themselves
    (and the plugins' models: :func:`neurosim.config.discover_members`)."""
    import_submodules(__name__)
    discover_members()
