"""Report sections that several tasks write the same way (energy and latency of the chip)."""

from __future__ import annotations

from neurosim.energy import EnergyEstimate
from neurosim.report import format_quantity, format_ratio

__all__ = ["energy_sections", "energy_summary"]


def energy_sections(e: EnergyEstimate) -> dict:
    """The report's ``energy`` and ``latency`` sections for an energy estimate."""
    return {"energy": {"per_inference_J": e.per_inference_J, "breakdown_J": e.breakdown_J,
                       "baseline": {"name": e.baseline_name, "per_inference_J": e.baseline_per_inference_J},
                       "improvement_vs_baseline": e.improvement_vs_baseline,
                       "programming_J": e.programming_J},
            "latency": {"per_inference_s": e.latency_s}}


def energy_summary(report: dict) -> list[tuple[str, str]]:
    """CLI summary lines of a report's energy and latency."""
    e = report["energy"]
    return [
        ("energy / inference", format_quantity(e["per_inference_J"], "J")),
        ("baseline", f"{format_quantity(e['baseline']['per_inference_J'], 'J')} ({e['baseline']['name']})"),
        ("improvement", f"{format_ratio(e['improvement_vs_baseline'])} less energy than the baseline"),
        ("latency / inference", format_quantity(report["latency"]["per_inference_s"], "s")),
    ]
