"""A single self-contained HTML page for one report: page assembly.

The page has inline CSS and its plots (:mod:`neurosim.report.plots`) embedded as
base64 PNG images, so it can be mailed or archived as one file; :func:`write_html_report`
also writes each plot as SVG and PDF into the run folder's ``figures/``. Every number is shown
in readable units (:mod:`neurosim.report.format`) and every string taken from the
report is HTML-escaped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from neurosim.errors import NeurosimError
from neurosim.report.atomic import prepare_output_dir, write_atomic
from neurosim.report.energy_section import energy_headline_rows, energy_headline_section
from neurosim.report.format import (NA, format_interval, format_number, format_percent, format_quantity, format_ratio,
                                    is_number)
from neurosim.report.headline import report_headlines
from neurosim.report.figures import FIGURES_DIR, PageFigures
from neurosim.report.html_page import escape, figure, header_row, page, row
from neurosim.report.json_report import dataset_counts_text, dumps_report, validate_report
from neurosim.report.plots import (plot_bars_vs_chance, plot_breakdown, plot_confusion, plot_curves, plot_heatmap,
                                   plot_learning_curve,
                                   plot_spike_counts, plot_vs_baseline)

__all__ = ["REPORT_HTML", "build_html", "render_html", "write_html_report"]

#: File name of the HTML report inside an output folder.
REPORT_HTML = "report.html"


def _as_numpy(value: Any, name: str) -> np.ndarray:
    if hasattr(value, "get") and not isinstance(value, (dict, np.ndarray)):  # cupy array
        value = value.get()
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise NeurosimError(f"figures[{name!r}] must be a numeric array: {exc}") from exc
    if not np.all(np.isfinite(arr)):
        raise NeurosimError(f"figures[{name!r}] holds NaN or infinity")
    return arr


_ACTIVITY_LABELS = {
    "mean_rate_hz": ("Mean firing rate", lambda v: format_quantity(v, "Hz")),
    "silent_fraction": ("Silent neurons", format_percent),
    "input_events_per_sample": ("Input events per sample", format_number),
    "spikes_per_sample": ("Spikes per sample", format_number),
}


def _display(value: Any) -> str:
    """Readable, escaped text for an arbitrary report value."""
    if is_number(value):
        return escape(format_number(value))
    return escape(value)


def render_html(report: dict, figures: dict | None = None, *, draw: bool = True) -> str:
    """The report page as a string (see :func:`write_html_report`); ``draw=False``: without its
    figures (their captions stay; on a small classify run, ~3 ms instead of ~1 s of CPU)."""
    return build_html(report, figures, draw=draw)[0]


def build_html(report: dict, figures: dict | None = None, *, draw: bool = True) -> tuple[str, PageFigures]:
    """The report page and the matplotlib figures it embeds (see :func:`write_html_report`);
    ``draw=False``: the page without figures (see :class:`~neurosim.report.figures.PageFigures`)."""
    validate_report(report)
    figs = PageFigures(draw=draw)
    figures = figures or {}
    dataset, chip, energy = report["dataset"], report["chip"], report["energy"]
    baseline, accuracy = energy["baseline"], report.get("accuracy", {})
    prov = report["provenance"]
    chip_j = float(energy["per_inference_J"])
    base_j = float(baseline["per_inference_J"])

    title = f"{report['task']} · {dataset['name']} · {chip['name']}"
    header = (f"<h1>{escape(title)}</h1>\n"
              f'<p class="sub">neurosim report · run <code>{escape(report["run"]["id"])}</code> · '
              f"engine {escape(report['engine'])} · created {escape(prov['created'])}</p>")
    if not draw:
        header += ("\n<p class=\"note\">Figures not drawn (--no-figures, or a sweep's --no-unit-figures); "
                   "<code>neurosim run</code> with this run's config and seed draws them (same run id).</p>")
    parts: list[str] = []

    # Summary
    ds_text = escape(dataset_counts_text(dataset))
    rows = [
        row("Task", escape(report["task"]), num=False),
        row("Dataset", ds_text, num=False),
        row("Chip", escape(chip["name"] + (f" (instance {chip['instance']})" if chip.get("instance") else "")),
             num=False),
        row("Engine", escape(report["engine"]), num=False),
    ]
    if isinstance(accuracy.get("cv"), dict):
        rows.append(row(f"Cross-validated accuracy ({escape(accuracy['cv'].get('folds', ''))}-fold)",
                         escape(format_interval(accuracy["cv"]))))
    for headline in report_headlines(report):  # the task's headline metrics, as it declares them
        value = headline.value(report)
        if value is not None:
            rows.append(row(headline.title, escape(headline.format(value))))
    if "train" in accuracy:
        rows.append(row("Train accuracy", escape(format_percent(accuracy["train"]))))
    rows += energy_headline_rows(energy, report["latency"])  # the dynamic headline first
    rows += [
        row("Energy per inference", escape(format_quantity(chip_j, "J"))),
        row(f"Baseline energy per inference ({baseline['name']}, strongest fair baseline)",
             escape(format_quantity(base_j, "J"))),
    ]
    if "dynamic_J" not in baseline:  # a report written before the dynamic headline
        rows.append(row("Improvement vs baseline", escape(format_ratio(energy["improvement_vs_baseline"]))))
    for other in energy.get("baselines", []):
        if other["name"] == baseline["name"] or not is_number(other.get("ratio")):
            continue
        node = f"{other['technology_nm']} nm"
        notes = [n for n in (node if node not in other["name"] else "",  # most names carry their node
                             "" if other.get("fair") else "not fair", other["source"]) if n]
        if is_number(other.get("dynamic_ratio")):  # the headline's measure: dynamic energy, same spikes
            cell = (f"{format_quantity(other['dynamic_J'], 'J')} dynamic · {format_ratio(other['dynamic_ratio'])}"
                    f" (total with static power {format_quantity(other['per_inference_J'], 'J')} · "
                    f"{format_ratio(other['ratio'])})")
        else:  # a report written before the dynamic headline
            cell = f"{format_quantity(other['per_inference_J'], 'J')} · {format_ratio(other['ratio'])}"
        rows.append(row(f"vs {other['name']} ({'; '.join(notes)})", escape(cell)))
    rows.append(row("Latency per inference (compute)",
                     escape(format_quantity(report["latency"]["per_inference_s"], "s"))))
    if is_number(report["latency"].get("sensor_to_decision_s")):
        rows.append(row("Latency, sensor to decision",
                         escape(format_quantity(report["latency"]["sensor_to_decision_s"], "s"))))
    if is_number(energy.get("programming_J")):
        rows.append(row("Programming the chip (once)", escape(format_quantity(energy["programming_J"], "J"))))
    if is_number(report.get("area", {}).get("total_m2")):
        rows.append(row("Area", escape(f"{report['area']['total_m2'] * 1e6:.3g} mm²")))
    parts += ["<section><h2>Summary</h2><table>", *rows, "</table></section>"]

    # Energy breakdown
    breakdown = {str(k): float(v) for k, v in energy["breakdown_J"].items()}
    total = sum(breakdown.values())
    parts.append("<section><h2>Energy breakdown per inference</h2>")
    if breakdown:
        parts.append("<table>" + header_row(["Component", "Energy", "Share"]))
        for name, value in breakdown.items():
            share = format_percent(value / total, 1) if total > 0 else NA
            parts.append(f"<tr><td>{escape(name.replace('_', ' '))}</td>"
                         f'<td class="num">{escape(format_quantity(value, "J"))}</td>'
                         f'<td class="num">{escape(share)}</td></tr>')
        parts.append(f'<tr class="total"><td>total</td><td class="num">'
                     f'{escape(format_quantity(total, "J"))}</td><td class="num">'
                     f'{escape(format_percent(1.0, 1) if total > 0 else NA)}</td></tr></table>')
        if chip_j > 0 and abs(total - chip_j) > 0.01 * chip_j:
            parts.append(f'<p class="note">The components sum to {escape(format_quantity(total, "J"))}; '
                         f"the reported energy per inference is {escape(format_quantity(chip_j, 'J'))}.</p>")
        zero = [name.replace("_", " ") for name, value in breakdown.items() if value <= 0]
        parts.append(figs.add(lambda: plot_breakdown(breakdown), "bar chart of the energy breakdown",
                              "Share of each chip component in the energy per inference (linear axis)"
                              + (f"; at zero, not drawn: {', '.join(zero)}." if zero else "."), "energy-breakdown"))
    else:
        parts.append("<p>No energy breakdown was recorded.</p>")
    parts.append(figs.add(
        lambda: plot_vs_baseline(chip["name"], chip_j, baseline["name"], base_j),
        "bar chart of chip vs baseline energy per inference",
        f"Energy per inference: neurosim chip {format_quantity(chip_j, 'J')} vs "
        f"{baseline['name']} {format_quantity(base_j, 'J')} "
        f"({format_ratio(base_j / chip_j if chip_j else None)} at one inference per sample, static included).",
        "chip-vs-baseline"))
    parts.append("</section>")
    parts += energy_headline_section(energy, figs)

    # Activity (optional)
    activity = report.get("activity")
    spike_counts = figures.get("spike_counts")
    if isinstance(activity, dict) or spike_counts is not None:
        parts.append("<section><h2>Network activity</h2>")
        if isinstance(activity, dict) and activity:
            parts.append("<table>")
            for key, value in activity.items():
                label, fmt = _ACTIVITY_LABELS.get(key, (str(key).replace("_", " "), None))
                text = escape(fmt(value)) if fmt is not None and is_number(value) else _display(value)
                parts.append(row(label, text))
            parts.append("</table>")
        if spike_counts is not None:
            arr = _as_numpy(spike_counts, "spike_counts")
            if arr.ndim != 1:
                raise NeurosimError(
                    f"figures['spike_counts'] must be 1-D (one value per neuron), got shape {arr.shape}"
                )
            if arr.size:
                silent = float(np.mean(arr == 0))
                parts.append(figs.add(
                    lambda: plot_spike_counts(arr), "histogram of spike counts per neuron",
                    f"Firing per neuron: {format_number(arr.size)} neurons, mean "
                    f"{format_number(float(arr.mean()))} spikes per neuron per sample, "
                    f"{format_percent(silent, 1)} silent.", "firing-per-neuron"))
        parts.append("</section>")

    parts += _baselines_html(report, figs)

    # The task's own metrics (optional): the section named after the task
    metrics = report.get(report["task"])
    if isinstance(metrics, dict) and metrics:
        parts.append(f"<section><h2>{escape(str(report['task']).capitalize())} metrics</h2><table>")
        for name, value in metrics.items():
            if isinstance(value, dict):
                shown = {k: v for k, v in value.items() if not isinstance(v, (list, dict))}
                text = ", ".join(f"{escape(k)} {_display(v)}" for k, v in shown.items())
            else:
                text = _display(value)
            parts.append(row(str(name).replace("_", " "), text, num=False))
        parts.append("</table></section>")

    # Confusion matrix (optional)
    if figures.get("confusion") is not None:
        cm = _as_numpy(figures["confusion"], "confusion")
        if cm.ndim != 2 or cm.size == 0:
            raise NeurosimError(
                f"figures['confusion'] must be a non-empty 2-D array (true × predicted), got shape {cm.shape}"
            )
        class_labels = figures.get("class_labels")
        if class_labels is None:
            class_labels = range(max(cm.shape))
        labels = [str(x) for x in class_labels]
        parts.append("<section><h2>Confusion matrix</h2>")
        parts.append(figs.add(lambda: plot_confusion(cm, labels), "confusion matrix heatmap",
                              f"Rows: true class; columns: predicted class; cells: predictions "
                              f"({format_number(float(cm.sum()))} in all).", "confusion-matrix"))
        parts.append("</section>")

    parts += _panels_html(figures.get("panels") or [], figs)

    # Provenance
    prov_rows = [
        row("Run id", f"<code>{escape(report['run']['id'])}</code>", num=False),
        row("Config hash", f"<code>{escape(prov['config_hash'])}</code>", num=False),
    ]
    if "config_hash" in chip and chip["config_hash"] != prov["config_hash"]:
        prov_rows.append(row("Chip config hash", f"<code>{escape(chip['config_hash'])}</code>", num=False))
    prov_rows += [
        row("Seed", escape(report["seed"]), num=False),
        row("Engine", escape(report["engine"]), num=False),
        row("Created", escape(prov["created"]), num=False),
    ]
    if "python" in prov:
        prov_rows.append(row("Python", escape(prov["python"]), num=False))
    for pkg, version in prov["versions"].items():
        prov_rows.append(row(f"{pkg} version", escape(version), num=False))
    parts += ["<section><h2>Provenance</h2><table>", *prov_rows, "</table>",
              "<details><summary>Full report (JSON)</summary>",
              f"<pre><code>{escape(dumps_report(report))}</code></pre></details></section>"]
    return page(f"neurosim report — {title}", header, parts), figs


def _baselines_html(report: dict, figs: PageFigures) -> list[str]:
    """The reservoir against the no-reservoir baselines (same folds, same readout) and the learning
    curve, where the report has them (``baselines``, ``comparison``, ``learning_curve``)."""
    baselines, cv = report.get("baselines"), report.get("accuracy", {}).get("cv")
    curves = report.get("learning_curve")
    if not (isinstance(baselines, dict) and isinstance(cv, dict)) and not isinstance(curves, dict):
        return []
    parts = ["<section><h2>Reservoir against no-reservoir baselines</h2>"]
    if isinstance(baselines, dict) and isinstance(cv, dict):
        parts.append("<table>" + header_row(["Features", "Cross-validated accuracy"]))
        controls = report.get("controls") or {}
        for name, result in {"reservoir": cv, **baselines, **controls}.items():  # registry-name: a feature set
            parts.append(f"<tr><td>{escape(name)}</td><td class=\"num\">{escape(format_interval(result))}</td></tr>")
        parts.append("</table>")
        comparison = report.get("comparison", {})
        if comparison.get("verdict"):
            strongest = escape(comparison["strongest_baseline"])
            parts.append(f'<p class="note">Against the strongest baseline ({strongest}): '
                         f"{escape(comparison['verdict'])}. Every feature set is classified by the same readout on "
                         "the same folds.</p>")
        if comparison.get("control_verdict"):
            parts.append(f'<p class="note">Against the strongest of all controls (input baselines, random '
                         f'features, feed-forward network: {escape(comparison["strongest_control"])}): '
                         f'{escape(comparison["control_verdict"])}.</p>')
    if isinstance(curves, dict) and curves:
        parts.append(figs.add(lambda: plot_learning_curve(curves), "learning curve: accuracy against training samples",
                              "Cross-validated accuracy against the number of training samples per fold "
                              "(bands: 95 % intervals).", "learning-curve"))
    parts.append("</section>")
    return parts


def _panels_html(panels: list[dict], figs: PageFigures | None = None) -> list[str]:
    """A task's own plots: ``figures["panels"]``, a list of dicts with ``kind`` ``"heatmap"``
    (``matrix``, ``xticks``, ``yticks``, ``xlabel``, ``ylabel``, ``cbar``), ``"curves"`` (``x``,
    ``series``, ``xlabel``, ``ylabel``, optional ``markers``), ``"bars"`` (``names``, ``values``,
    ``errors``, ``chance``, ``ylabel``), ``"figure"`` (``figure``: a matplotlib Figure the task drew
    itself) or ``"image"`` (``uri``: a pre-drawn ``data:image/...`` URI, embedded only: it has no vector
    file), each with a ``title`` and a ``caption``. ``figs`` collects the drawn figures (for their
    vector files)."""
    if not panels:
        return []
    figs = figs if figs is not None else PageFigures()
    parts = ["<section><h2>Figures</h2>"]
    for i, panel in enumerate(panels):
        kind, title = panel.get("kind"), str(panel.get("title", ""))
        fig, uri = None, ""
        if kind == "heatmap":
            fig = plot_heatmap(_as_numpy(panel["matrix"], f"panels[{i}].matrix"), title, panel["xticks"],
                               panel["yticks"], panel["xlabel"], panel["ylabel"], panel["cbar"])
        elif kind == "curves":
            fig = plot_curves(list(panel["x"]), {k: list(v) for k, v in panel["series"].items()}, title,
                              panel["xlabel"], panel["ylabel"], bool(panel.get("markers")))
        elif kind == "bars":
            fig = plot_bars_vs_chance(list(panel["names"]), list(panel["values"]), list(panel["errors"]),
                                      list(panel["chance"]), title, panel["ylabel"])
        elif kind == "figure":
            fig = panel["figure"]
        elif kind == "image":
            uri = str(panel["uri"])
            if not uri.startswith("data:image/"):
                raise NeurosimError(f"figures['panels'][{i}]: an image panel needs a data:image/ URI")
        else:
            raise NeurosimError(f"figures['panels'][{i}]: unknown kind {kind!r} (heatmap, curves, bars, figure, "
                                "image)")
        parts.append(f"<h3>{escape(title)}</h3>")
        caption = str(panel.get("caption", ""))
        parts.append(figure(uri, title, caption) if fig is None else figs.add(fig, title, caption, title))
    parts.append("</section>")
    return parts


def write_html_report(report: dict, out_dir: Path | str, figures: dict | None = None, *,
                      draw: bool = True) -> Path:
    """Write ``out_dir/report.html`` atomically and return its path.

    ``report`` follows the ``neurosim.report/1`` schema (energies in J, latency
    in s, accuracy as fractions; see :mod:`neurosim.report.json_report`).
    ``figures`` is optional; recognised keys (others are ignored):

    * ``"spike_counts"``: 1-D array, mean spike count per neuron per sample →
      "firing per neuron" histogram.
    * ``"confusion"``: 2-D integer array, rows true class, columns predicted →
      heatmap; ``"class_labels"`` (sequence of str) names the classes.
    * ``"panels"``: a task's own plots (heatmaps, curves, bars vs chance, pre-drawn images; see
      :func:`_panels_html`).

    The page shows a summary table, the energy breakdown (table + bar plot), a
    chip-vs-baseline bar plot, the optional activity plots, provenance and the
    full report JSON in a collapsible block. Every plot is also written as
    ``out_dir/figures/<name>.svg`` and ``.pdf``. ``out_dir`` follows the same
    no-overwrite rule as the JSON report. ``draw=False``: the page without its figures (their
    captions stay) and no ``figures/`` files.
    """
    text, figs = build_html(report, figures, draw=draw)
    out_dir = prepare_output_dir(out_dir, report["run"]["id"])
    if draw:
        figs.write(out_dir / FIGURES_DIR)
    path = out_dir / REPORT_HTML
    write_atomic(path, text)
    return path
