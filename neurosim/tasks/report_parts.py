"""Report sections that several tasks write the same way (energy and latency of the chip)."""

from __future__ import annotations

from neurosim.energy import EnergyEstimate
from neurosim.report import format_quantity, format_ratio

__all__ = ["energy_sections", "energy_summary"]


def energy_sections(e: EnergyEstimate) -> dict:
    """The report's ``energy`` and ``latency`` sections for an energy estimate.

    ``energy.improvement_vs_baseline`` is the headline: the dynamic-energy ratio against
    ``energy.baseline``, the strongest fair digital baseline by dynamic energy (same spikes);
    ``energy.standby_W`` gives each side's static power in W, ``energy.rate_curve`` the ratio
    as a function of the inference rate, ``energy.sensitivity`` the headline with each per-operation
    term × 0.5 and × 2; ``energy.baselines`` lists every baseline with its source, node and ratios;
    ``energy.envelope`` says whether the run stayed inside the macro's operating envelope.
    ``latency.decision`` is what the chip decides (:func:`~neurosim.energy.model.decision_timing`).
    """
    return {"energy": {"per_inference_J": e.per_inference_J, "breakdown_J": e.breakdown_J,
                       "dynamic_J": e.dynamic_J,
                       "baseline": {"name": e.baseline_name, "per_inference_J": e.baseline_per_inference_J,
                                    "dynamic_J": e.baseline_dynamic_J, "static_W": e.baseline_static_W},
                       "improvement_vs_baseline": e.improvement_vs_baseline,
                       "headline": "dynamic energy, same spikes, vs the strongest fair baseline by dynamic energy",
                       "standby_W": {"chip": e.standby_W, "baseline": e.baseline_static_W},
                       "total_ratio_one_per_sample": e.total_ratio,
                       "rate_curve": e.rate_curve(),
                       "sensitivity": e.sensitivity_table(),
                       "baselines": [dict(b) for b in e.baselines],
                       "envelope": dict(e.envelope),
                       "programming_J": e.programming_J},
            "latency": {"per_inference_s": e.latency_s, "sensor_to_decision_s": e.sensor_to_decision_s,
                        "stream_s": e.sample_s, "decision": dict(e.timing)}}


def energy_summary(report: dict) -> list[tuple[str, str]]:
    """CLI summary lines of a report's energy and latency: the dynamic-energy ratio first, the standby
    power of both sides (W) second, then the chip's energy and every other baseline with its ratio."""
    e = report["energy"]
    base = e["baseline"]
    lines = []
    if "dynamic_J" in base:
        lines.append(("energy (dynamic)", f"{format_ratio(e['improvement_vs_baseline'])} less dynamic energy than "
                      f"{base['name']} (strongest fair baseline by dynamic energy, same spikes): "
                      f"{format_quantity(e['dynamic_J'], 'J')} vs {format_quantity(base['dynamic_J'], 'J')} "
                      "per inference"))
        standby = e.get("standby_W", {})
        lines.append(("standby power", f"chip {format_quantity(standby.get('chip', 0.0), 'W')}, baseline "
                      f"{format_quantity(standby.get('baseline', 0.0), 'W')} (retention between inferences); at "
                      f"one inference per sample the total ratio is {format_ratio(e['total_ratio_one_per_sample'])}"
                      " (curve in the report)"))
    lines.append(("energy / inference", f"{format_quantity(e['per_inference_J'], 'J')}: the chip model's energy "
                  "for one inference, static included, the mean over the run's samples (breakdown in the report)"))
    if "dynamic_J" not in base:  # a report written before the dynamic headline
        lines += [("baseline", f"{format_quantity(base['per_inference_J'], 'J')} ({base['name']}, strongest fair "
                               "baseline given the chip's event sparsity)"),
                  ("improvement", f"{format_ratio(e['improvement_vs_baseline'])} less energy than that baseline"
                                  + _dynamic_note(e))]
    others = [b for b in e.get("baselines", []) if b["name"] != base["name"]]
    for b in sorted(others, key=lambda b: b.get("dynamic_J", b["per_inference_J"])):
        tag = "" if b["fair"] else "; not fair: it is not given the events' sparsity"
        ratio = b.get("dynamic_ratio") if "dynamic_J" in base else b.get("ratio")
        lines.append(("  also vs", f"{format_ratio(ratio) if ratio is not None else 'n/a'} {b['name']}{tag}"))
    lat = report["latency"]
    lines.append(("latency / inference", format_quantity(lat["per_inference_s"], "s") + " compute: the chip's "
                  "processing time per inference, mean over the run's samples"))
    decision = lat.get("decision") or {}
    if decision.get("bin_s"):
        lines.append(("decision delay", f"{format_quantity(decision['decision_delay_s'], 's')} from the end of the "
                      f"stream to the decision; a {format_quantity(decision['bin_s'], 's')} bin needs at most "
                      f"{format_quantity(decision['step_worst_s'], 's')} of compute (margin "
                      f"{format_ratio(decision['margin'])}); the stream's "
                      f"{format_quantity(lat.get('stream_s', 0.0), 's')} is the data's, not the chip's"))
    elif lat.get("sensor_to_decision_s"):  # 0 or absent: not measured for this task
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
