"""Report sections that several tasks write the same way (energy and latency of the chip)."""

from __future__ import annotations

from neurosim.energy import EnergyEstimate
from neurosim.report import format_quantity, format_ratio

__all__ = ["energy_sections", "energy_summary"]


def energy_sections(e: EnergyEstimate) -> dict:
    """The report's ``energy`` and ``latency`` sections for an energy estimate.

    ``energy.baseline`` is the strongest fair digital baseline (the headline);
    ``energy.baselines`` lists every baseline with its source, node and ratio;
    ``energy.envelope`` says whether the run stayed inside the macro's operating envelope.
    """
    return {"energy": {"per_inference_J": e.per_inference_J, "breakdown_J": e.breakdown_J,
                       "baseline": {"name": e.baseline_name, "per_inference_J": e.baseline_per_inference_J},
                       "improvement_vs_baseline": e.improvement_vs_baseline,
                       "baselines": [dict(b) for b in e.baselines],
                       "envelope": dict(e.envelope),
                       "programming_J": e.programming_J},
            "latency": {"per_inference_s": e.latency_s, "sensor_to_decision_s": e.sensor_to_decision_s}}


def energy_summary(report: dict) -> list[tuple[str, str]]:
    """CLI summary lines of a report's energy and latency: the strongest fair baseline first,
    then every other baseline with its ratio."""
    e = report["energy"]
    lines = [
        ("energy / inference", f"{format_quantity(e['per_inference_J'], 'J')}: the chip model's energy for one "
                               "inference, the mean over the run's samples (breakdown in the report)"),
        ("baseline", f"{format_quantity(e['baseline']['per_inference_J'], 'J')} ({e['baseline']['name']}, "
                     "strongest fair baseline: least energy among the digital baselines given the chip's "
                     "event sparsity)"),
        ("improvement", f"{format_ratio(e['improvement_vs_baseline'])} less energy than that baseline"
                        + _dynamic_note(e)),
    ]
    others = [b for b in e.get("baselines", []) if b["name"] != e["baseline"]["name"]]
    for b in sorted(others, key=lambda b: b["per_inference_J"]):
        tag = "" if b["fair"] else "; not fair: it is not given the events' sparsity"
        ratio = format_ratio(b["ratio"]) if b.get("ratio") is not None else "n/a"
        lines.append(("  also vs", f"{ratio} {b['name']}{tag}"))
    lat = report["latency"]
    lines.append(("latency / inference", format_quantity(lat["per_inference_s"], "s") + " compute: the chip's "
                  "processing time per inference, mean over the run's samples"))
    if lat.get("sensor_to_decision_s"):  # 0 or absent: not measured for this task
        lines.append(("sensor→decision", format_quantity(lat["sensor_to_decision_s"], "s") + ": from a sample's "
                      "first event to the readout's decision, mean over the run's samples"))
    env = e.get("envelope") or {}
    if env.get("outside"):
        rated = env.get("rated_active_rows") or "any number"
        lines.append(("envelope", f"OUTSIDE: up to {env['max_active_rows']} active rows (rated for {rated}), "
                                  f"{100 * env['clipped_fraction']:.2f} % of conversions clipped"))
    return lines


def _dynamic_note(e: dict) -> str:
    """`` (N× without static power and leakage)`` for the headline baseline, when known."""
    for b in e.get("baselines", []):
        if b["name"] == e["baseline"]["name"] and b.get("dynamic_ratio") is not None:
            return f" ({format_ratio(b['dynamic_ratio'])} without static power and leakage)"
    return ""
