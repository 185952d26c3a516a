"""Digital baselines: chip-like files of sourced per-operation energies, run on the chip's own activity.

Each file ``hardware_models/baselines/<key>.toml`` holds one ``[baseline]`` table (see
:class:`DigitalBaseline`). The preset's own ``[baseline]`` section (dense fp32, every
weight from a 1 MB SRAM) is kept as the *naive* baseline. Energies in J, power in W.

* ``kind = "event"``: cost per synaptic event (``synaptic_op`` × synaptic operations),
  per event in the buffer (``event`` × input events and spikes), per neuron update
  (``neuron_update``, in active steps or in every step, ``updates``), per spike
  (``spike``), readout MACs, and static power over the sample: ``static_power`` plus
  ``leakage_per_bit`` × the bits of weight memory it must retain (``weight_bits`` per
  weight of the network, when ``weights_volatile``) and of the neuron states
  (``state_bits`` per neuron), both × ``retention_fraction`` (1 = the SRAM held at its
  operating voltage; < 1 = a retention-voltage mode between steps), charged over the whole
  sample (volatile SRAM cannot be power-gated without losing what it holds). A baseline whose
  weights sit in a non-volatile memory read digitally (``weights_volatile = false``) retains
  only its neuron states;
* ``kind = "dense"``: every weight fetched and multiplied in every step, every neuron
  updated in every step.

``fair = true`` marks baselines that get the same event sparsity as the chip; the report's
headline compares with the *strongest* fair baseline (least dynamic energy on this run, for the
same spikes); static power is reported beside it in watts.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass, fields

from neurosim.config import BaselineConfig, presets_dir
from neurosim.crossbar.tally import Tally
from neurosim.errors import ConfigError

__all__ = ["DigitalBaseline", "baseline_energy", "baseline_static_power", "load_baselines", "naive_baseline"]


@dataclass(frozen=True)
class DigitalBaseline:
    """One digital processor the chip is compared with (energies in J, power in W)."""

    key: str
    name: str
    technology_nm: int
    kind: str
    fair: bool
    status: str
    source: str
    synaptic_op: float = 0.0
    neuron_update: float = 0.0
    updates: str = "active-steps"
    spike: float = 0.0
    event: float = 0.0
    readout_mac: float = 0.0
    mac: float = 0.0
    weight_fetch: float = 0.0
    static_power: float = 0.0
    leakage_per_bit: float = 0.0
    weight_bits: int = 0
    weights_volatile: bool = True
    state_bits: int = 0
    retention_fraction: float = 1.0


_REQUIRED = ("name", "technology_nm", "kind", "fair", "status", "source")


def _parse(key: str, table: dict, where: str) -> DigitalBaseline:
    known = {f.name for f in fields(DigitalBaseline)} - {"key"}
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    missing = [k for k in _REQUIRED if k not in table]
    if missing:
        raise ConfigError(f"{where}: missing key(s) {', '.join(missing)}")
    if table["kind"] not in ("event", "dense"):
        raise ConfigError(f"{where}: kind must be 'event' or 'dense', got {table['kind']!r}")
    if table.get("updates", "active-steps") not in ("active-steps", "every-step"):
        raise ConfigError(f"{where}: updates must be 'active-steps' or 'every-step'")
    for name, value in table.items():
        if isinstance(value, float) and not 0.0 <= value <= 1.0:
            raise ConfigError(f"{where}: {name} = {value} is outside 0 … 1 (J or W)")
    return DigitalBaseline(key=key, **table)


@functools.lru_cache(maxsize=1)
def load_baselines() -> tuple[DigitalBaseline, ...]:
    """Every baseline file shipped in ``hardware_models/baselines/`` (sorted by key)."""
    out = []
    for path in sorted((presets_dir() / "baselines").glob("*.toml")):
        with path.open("rb") as fh:
            data = tomllib.load(fh)
        if set(data) != {"baseline"}:
            raise ConfigError(f"{path}: a baseline file holds one [baseline] table")
        out.append(_parse(path.stem, data["baseline"], str(path)))
    return tuple(out)


def naive_baseline(b: BaselineConfig) -> DigitalBaseline:
    """The chip preset's own ``[baseline]`` (dense fp32 with a 1 MB weight SRAM), labelled naive."""
    return DigitalBaseline(key="naive-dense-fp32", name=f"naive {b.name}", technology_nm=45, kind="dense",
                           fair=False, status="estimate from per-operation energies", source=b.source,
                           mac=b.mac, weight_fetch=b.weight_fetch, neuron_update=b.neuron_update,
                           readout_mac=b.mac + b.weight_fetch)


def baseline_static_power(b: DigitalBaseline, n_inputs: int, n_neurons: int) -> float:
    """Power (W) baseline ``b`` draws whether it computes or not: ``static_power`` plus the retention
    leakage of its weight memory (``weight_bits`` per weight, if ``weights_volatile``) and its neuron
    states (``state_bits`` per neuron), × ``retention_fraction``."""
    weight_bits = b.weight_bits * (n_inputs + n_neurons) * n_neurons if b.weights_volatile else 0
    retained = weight_bits + b.state_bits * n_neurons
    return b.static_power + b.leakage_per_bit * b.retention_fraction * retained


def baseline_energy(b: DigitalBaseline, counts: Tally, n_inputs: int, n_neurons: int,
                    n_classes: int, steps: int, sample_s: float) -> tuple[float, float, float]:
    """``(total, dynamic, static_W)`` per inference of baseline ``b`` on the run's activity (``counts``
    over a batch): energies in J, ``static_W`` the power it draws all the time
    (:func:`baseline_static_power`, W).

    ``sample_s``: mean time a sample lasts (s), over which the static power is charged.
    """
    per = 1.0 / counts.samples
    if b.kind == "dense":
        dense_macs = steps * (n_inputs + n_neurons) * n_neurons + n_neurons * n_classes
        dynamic = dense_macs * (b.mac + b.weight_fetch) + steps * n_neurons * b.neuron_update
    else:
        updates = (counts.time_steps * n_neurons if b.updates == "every-step" else counts.neuron_updates)
        dynamic = per * (counts.synapse_ops * b.synaptic_op + updates * b.neuron_update
                         + counts.spikes * b.spike + counts.row_activations * b.event
                         + counts.readout_macs * b.readout_mac)
    static_w = baseline_static_power(b, n_inputs, n_neurons)
    return float(dynamic + static_w * sample_s), float(dynamic), float(static_w)
