"""The report page's energy headline: the dynamic-energy ratio, both sides' standby power, the ratio
as a function of the inference rate, and the sensitivity of the headline to each per-operation term.

Reads the ``energy`` and ``latency`` sections that :func:`neurosim.tasks.report_parts.energy_sections`
writes; a report without them (written before the dynamic headline) gets nothing here.
"""

from __future__ import annotations

from neurosim.report.figures import PageFigures
from neurosim.report.format import format_quantity, format_ratio, is_number
from neurosim.report.html_page import escape, header_row, row
from neurosim.report.plots import log_ticks, new_figure
from neurosim.report.style import styled

__all__ = ["energy_headline_rows", "energy_headline_section", "plot_rate_curve"]


def energy_headline_rows(energy: dict, latency: dict) -> list[str]:
    """Summary-table rows: the dynamic ratio first, standby power of both sides second, then the
    decision timing (empty for a report without the dynamic headline)."""
    base = energy["baseline"]
    if "dynamic_J" not in base:
        return []
    standby = energy.get("standby_W", {})
    rows = [
        row(f"Dynamic energy vs {base['name']} (strongest fair baseline by dynamic energy, same spikes)",
            escape(f"{format_ratio(energy['improvement_vs_baseline'])} less · "
                   f"{format_quantity(energy['dynamic_J'], 'J')} vs {format_quantity(base['dynamic_J'], 'J')}")),
        row("Standby power: chip · baseline",
            escape(f"{format_quantity(standby.get('chip', 0.0), 'W')} · "
                   f"{format_quantity(standby.get('baseline', 0.0), 'W')}")),
    ]
    decision = latency.get("decision") or {}
    if decision.get("bin_s"):
        rows.append(row("End of stream → decision", escape(format_quantity(decision["decision_delay_s"], "s"))))
        rows.append(row("Bin to keep up with · worst-case step · margin",
                        escape(f"{format_quantity(decision['bin_s'], 's')} · "
                               f"{format_quantity(decision['step_worst_s'], 's')} · "
                               f"{format_ratio(decision['margin'])}")))
    return rows


def energy_headline_section(energy: dict, figs: PageFigures) -> list[str]:
    """The page section of the ratio-vs-inference-rate curve and the sensitivity table."""
    curve = energy.get("rate_curve") or []
    sensitivity = energy.get("sensitivity") or []
    if not curve and not sensitivity:
        return []
    parts = ["<section><h2>Energy headline: dynamic energy, static power apart</h2>",
             "<p>The headline compares dynamic energy for the same spikes. Static power is what the two "
             "sides draw between inferences; the table shows the ratio with it included, from "
             "back-to-back inferences (one per compute latency) to one per sample length.</p>"]
    if curve:
        parts.append("<table>" + header_row(["Inferences per second", "Period", "Chip", "Baseline", "Ratio"]))
        for p in curve:
            rate = f"{p['rate_Hz']:.4g}"
            parts.append(f'<tr><td class="num">{escape(rate)}</td>'
                         f'<td class="num">{escape(format_quantity(p["period_s"], "s"))}</td>'
                         f'<td class="num">{escape(format_quantity(p["chip_J"], "J"))}</td>'
                         f'<td class="num">{escape(format_quantity(p["baseline_J"], "J"))}</td>'
                         f'<td class="num">{escape(format_ratio(p["ratio"]))}</td></tr>')
        parts.append("</table>")
        if len(curve) > 1:
            parts.append(figs.add(lambda: plot_rate_curve(curve),
                                  "line chart of the energy ratio against inference rate",
                                  "Baseline / chip energy per inference, static power included, against the "
                                  "inference rate (log axes).", "ratio-vs-rate"))
    if sensitivity:
        parts.append("<h3>Sensitivity of the headline</h3><p>Each per-operation term of the chip × 0.5 and × 2, "
                     "same spikes, same baseline.</p><table>"
                     + header_row(["Term", "Headline at × 0.5", "Headline at × 2"]))
        for s in sensitivity:
            parts.append(f"<tr><td>{escape(s['term'])}</td>"
                         f'<td class="num">{escape(format_ratio(s["ratio_half"]))}</td>'
                         f'<td class="num">{escape(format_ratio(s["ratio_double"]))}</td></tr>')
        parts.append("</table>")
    parts.append("</section>")
    return parts


@styled
def plot_rate_curve(curve: list[dict]):
    """Ratio (baseline / chip, static included) against inferences per second, log-log."""
    fig = new_figure(7.0, 3.6)
    ax = fig.add_subplot()
    rates = [p["rate_Hz"] for p in curve]
    ratios = [p["ratio"] if is_number(p["ratio"]) else float("nan") for p in curve]
    ax.plot(rates, ratios, "-o", markersize=3)
    ax.set_xscale("log")
    ax.set_yscale("log")
    log_ticks(ax.yaxis, [r for r in ratios if r == r])
    ax.set_xlabel("inferences per second")
    ax.set_ylabel("baseline / chip energy")
    return fig
