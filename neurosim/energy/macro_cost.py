"""Energy, latency and efficiency of what a :class:`~neurosim.crossbar.CrossbarMacro` computed.

The macro only counts its operations (``macro.tally``, a :class:`~neurosim.crossbar.tally.Tally`);
these functions price that tally with the chip's one pricing function
(:func:`~neurosim.energy.model.price`, the same prices as the network path), so the energy
package depends on the crossbar package and never the reverse.
"""

from __future__ import annotations

from neurosim.crossbar.macro import CrossbarMacro
from neurosim.crossbar.tally import Tally
from neurosim.energy.model import array_read_time, digital_weight_fetch_J, price, static_power

__all__ = ["macro_energy_J", "macro_energy_breakdown", "macro_latency_s", "macro_tops_per_watt",
           "tally_energy_breakdown"]


def macro_energy_breakdown(macro: CrossbarMacro) -> dict[str, float]:
    """Energy (J) of everything ``macro`` computed so far, by component (``static``: static
    power of its arrays over the time they were read).

    An ideal (digital-weight) macro pays ``synapse_op`` plus a read from a weight memory of its
    size per weight read; an analog one the cell read energy its tally measured (Σ V² G t).
    """
    p = macro.programmed
    ideal = p.g_pos is None
    return tally_energy_breakdown(macro.config, macro.tally, ideal, p.tiling.cells_per_weight,
                                  weight_fetch_J=digital_weight_fetch_J(p.weights.size) if ideal else 0.0,
                                  arrays=p.tiling.arrays)


def tally_energy_breakdown(config, tally: Tally, ideal: bool = False, cells_per_weight: int = 2,
                           weight_fetch_J: float = 0.0, arrays: int = 1) -> dict[str, float]:
    """Energy (J) by component of what a :class:`~neurosim.crossbar.tally.Tally` counted on arrays of
    the chip ``config`` (for a tally that several macros of one chip share, e.g. on-chip training:
    its reads and its ``writes``), static power of ``arrays`` arrays over the time they were read
    (:func:`~neurosim.energy.model.static_power` while on)."""
    out = price(config, tally, ideal=ideal, cells_per_weight=cells_per_weight, weight_fetch_J=weight_fetch_J)
    # on only while its arrays are read (an all-zero vector wakes nothing)
    out["static"] = static_power(config, arrays).on_W * tally.serial_reads * array_read_time(config)
    return out


def macro_energy_J(macro: CrossbarMacro) -> float:
    """Total energy (J) of everything ``macro`` computed so far."""
    return float(sum(macro_energy_breakdown(macro).values()))


def macro_latency_s(macro: CrossbarMacro) -> float:
    """Time (s) the vectors so far took, one after another: every bit plane that drove
    the array costs one array read (read pulse plus ``columns_per_adc`` conversions at the
    ADC's resolution; all arrays work in parallel), plus one digital clock cycle per vector
    for the shift-and-add."""
    e = macro.config.energy
    return macro.tally.serial_reads * array_read_time(macro.config) + macro.tally.vectors / e.clock_hz


def macro_tops_per_watt(macro: CrossbarMacro) -> float:
    """Energy efficiency so far, in TOPS/W: 2 operations per MAC over the energy (ops/J) / 1e12."""
    return 2.0 * macro.tally.macs / macro_energy_J(macro) / 1e12
