"""A single self-contained HTML page for one report.

The page has inline CSS and its plots embedded as base64 PNG images, so it can
be mailed or archived as one file. Plots are drawn with
``matplotlib.figure.Figure`` on a ``FigureCanvasAgg`` directly: pyplot is never
imported and no process-wide matplotlib backend is chosen as a side effect.

Every number is shown in readable units (:func:`format_quantity` for SI
quantities, :func:`format_percent`, :func:`format_ratio`, :func:`format_number`)
and every string taken from the report is HTML-escaped.
"""

from __future__ import annotations

import base64
import html
import io
import math
import numbers
import textwrap
from pathlib import Path
from typing import Any

import numpy as np

from neurosim.errors import NeurosimError
from neurosim.report.atomic import prepare_output_dir, write_atomic
from neurosim.report.json_report import dataset_counts_text, dumps_report, validate_report

__all__ = [
    "REPORT_HTML",
    "format_quantity",
    "format_percent",
    "format_ratio",
    "format_number",
    "render_html",
    "write_html_report",
]

#: File name of the HTML report inside an output folder.
REPORT_HTML = "report.html"

# (exponent of ten, prefix); format_quantity picks among these.
_PREFIXES: tuple[tuple[int, str], ...] = (
    (-15, "f"), (-12, "p"), (-9, "n"), (-6, "µ"), (-3, "m"), (0, ""), (3, "k"), (6, "M"), (9, "G"),
)
_MIN_EXP, _MAX_EXP = _PREFIXES[0][0], _PREFIXES[-1][0]
_PREFIX_OF = dict(_PREFIXES)

NA = "n/a"


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _sig(x: float, digits: int) -> str:
    """``x`` (> 0) with ``digits`` significant figures in fixed-point notation."""
    decimals = max(digits - 1 - _decimal_exponent(x, digits), 0)
    return f"{x:.{decimals}f}"


def _decimal_exponent(magnitude: float, digits: int = 3) -> int:
    """Power of ten of ``magnitude`` (> 0) after rounding to ``digits`` significant figures."""
    return int(f"{magnitude:.{digits - 1}e}".split("e")[1])


def _prefix_exponent(magnitude: float, digits: int = 3) -> int:
    """Exponent (multiple of 3, clamped to the prefix table) that puts the rounded
    ``magnitude`` (> 0) in [1, 1000)."""
    exp = 3 * (_decimal_exponent(magnitude, digits) // 3)
    return min(max(exp, _MIN_EXP), _MAX_EXP)


def format_quantity(value: Any, unit: str, digits: int = 3) -> str:
    """Format an SI quantity with a prefix and ``digits`` significant figures.

    ``value`` is in base SI units of ``unit`` (J, s, Hz, ...). The prefix is
    chosen so the number lies in [1, 1000): f, p, n, µ, m, (none), k, M, G.
    Examples: ``format_quantity(2.3e-6, "J") == "2.30 µJ"``,
    ``format_quantity(1.2e-4, "s") == "120 µs"``, ``format_quantity(0, "J") == "0 J"``.
    Values outside the prefix range use scientific notation (``"1.00e-18 J"``);
    ``None``, NaN and non-numbers give ``"n/a"``, infinities ``"∞ J"``.
    """
    if not _is_number(value) or digits < 1:
        return NA
    v = float(value)
    if math.isnan(v):
        return NA
    sign = "-" if v < 0 else ""
    mag = abs(v)
    if math.isinf(mag):
        return f"{sign}∞ {unit}".rstrip()
    if mag == 0.0:
        return f"0 {unit}".rstrip()
    e10 = _decimal_exponent(mag, digits)  # exponent after rounding: 999.96e-9 -> -6
    if not _MIN_EXP <= e10 < _MAX_EXP + 3:  # beyond the prefix table
        return f"{sign}{mag:.{digits - 1}e} {unit}".rstrip()
    exp = _prefix_exponent(mag, digits)
    decimals = max(digits - 1 - (e10 - exp), 0)
    return f"{sign}{mag / 10.0**exp:.{decimals}f} {_PREFIX_OF[exp]}{unit}".rstrip()


def format_percent(fraction: Any, decimals: int = 2) -> str:
    """A fraction (0.81) as a percentage (``"81.00 %"``); ``"n/a"`` if not a finite number."""
    if not _is_number(fraction) or not math.isfinite(fraction):
        return NA
    return f"{100.0 * float(fraction):.{decimals}f} %"


def format_ratio(ratio: Any) -> str:
    """A dimensionless factor with 3 significant figures and a ×: ``23.8×``, ``160×``, ``1,234×``."""
    if not _is_number(ratio) or math.isnan(ratio):
        return NA
    r = float(ratio)
    if math.isinf(r):
        return "∞×"
    if r == 0.0:
        return "0×"
    if abs(r) >= 1000.0:
        return f"{r:,.0f}×"
    sign = "-" if r < 0 else ""
    return f"{sign}{_sig(abs(r), 3)}×"


def format_number(value: Any) -> str:
    """A plain count or number: ``4,012`` from 100 up, else 3 significant figures (``12.3``)."""
    if not _is_number(value) or math.isnan(value):
        return NA
    v = float(value)
    if math.isinf(v):
        return "∞" if v > 0 else "-∞"
    if v == 0.0:
        return "0"
    if abs(v) >= 100.0 or (isinstance(value, numbers.Integral)):
        return f"{v:,.0f}"
    sign = "-" if v < 0 else ""
    return f"{sign}{_sig(abs(v), 3)}"


# --------------------------------------------------------------------------- plots


def _new_figure(width_in: float, height_in: float):
    """A matplotlib Figure on an Agg canvas, without pyplot or any global backend switch."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width_in, height_in), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _png_data_uri(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _unit_scale(values: list[float]) -> tuple[float, str]:
    """(divisor, prefix) that puts the largest of ``values`` in [1, 1000)."""
    positive = [abs(v) for v in values if v]
    if not positive:
        return 1.0, ""
    exp = _prefix_exponent(max(positive))
    return 10.0**exp, _PREFIX_OF[exp]


def _log_axis(axis, values: list[float]) -> None:
    """Ticks for a log-scaled ``axis``: over at most ~2 decades of ``values``, 1-2-5 steps
    labelled as plain numbers (``0.2, 0.5, 1, 2``) rather than ``2×10⁻¹``; wider ranges keep ``10ⁿ``."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    positive = [v for v in values if v > 0]
    if positive and max(positive) / min(positive) <= 150.0:
        axis.set_major_locator(LogLocator(base=10.0, subs=(1.0, 2.0, 5.0)))
        axis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
        axis.set_minor_formatter(NullFormatter())


def _wrap(label: str, width: int = 22) -> str:
    return "\n".join(textwrap.wrap(label, width)) or label


def _plot_breakdown(breakdown: dict[str, float]) -> str:
    names = [str(k).replace("_", " ") for k in breakdown]
    values = [float(v) for v in breakdown.values()]
    positive = [v for v in values if v > 0]
    log = bool(positive) and max(positive) / min(positive) > 100.0
    div, prefix = _unit_scale(values)
    fig = _new_figure(7.0, 0.45 * len(names) + 1.4)
    ax = fig.add_subplot()
    y = np.arange(len(names))
    shown = [v / div if (v > 0 or not log) else np.nan for v in values]
    ax.barh(y, shown, color="#2a7ab9")
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    if log:
        ax.set_xscale("log")
        _log_axis(ax.xaxis, values)
    ax.set_xlabel(f"energy per inference ({prefix}J){', log scale' if log else ''}")
    ax.set_title("Energy breakdown per inference")
    for yi, v, s in zip(y, values, shown):
        if np.isfinite(s) and s > 0:
            ax.annotate(format_quantity(v, "J"), (s, yi), xytext=(3, 0),
                        textcoords="offset points", va="center", fontsize=8)
    ax.margins(x=0.25)
    return _png_data_uri(fig)


def _plot_vs_baseline(chip_name: str, chip_j: float, base_name: str, base_j: float) -> str:
    values = [chip_j, base_j]
    positive = [v for v in values if v > 0]
    log = len(positive) == 2 and max(positive) / min(positive) > 10.0
    div, prefix = _unit_scale(values)
    fig = _new_figure(5.5, 3.6)
    ax = fig.add_subplot()
    labels = [_wrap(f"neurosim chip: {chip_name}"), _wrap(f"baseline: {base_name}")]
    ax.bar([0, 1], [v / div for v in values], color=["#2a7ab9", "#9a9a9a"], width=0.55)
    ax.set_xticks([0, 1], labels, fontsize=8)
    if log:
        ax.set_yscale("log")
        _log_axis(ax.yaxis, values)
    ax.set_ylabel(f"energy per inference ({prefix}J){', log scale' if log else ''}")
    ax.set_title("Chip vs baseline")
    for x, v in enumerate(values):
        if v > 0:
            ax.annotate(format_quantity(v, "J"), (x, v / div), xytext=(0, 3),
                        textcoords="offset points", ha="center", va="bottom", fontsize=9)
    ax.margins(y=0.2)
    return _png_data_uri(fig)


def _plot_spike_counts(counts: np.ndarray) -> str:
    fig = _new_figure(6.0, 3.4)
    ax = fig.add_subplot()
    bins = int(min(40, max(5, round(math.sqrt(counts.size)))))
    ax.hist(counts, bins=bins, color="#2a7ab9", edgecolor="white")
    ax.set_xlabel("spikes per neuron per sample (mean over samples)")
    ax.set_ylabel("neurons")
    ax.set_title("Firing per neuron")
    return _png_data_uri(fig)


def _plot_confusion(cm: np.ndarray, labels: list[str]) -> str:
    n_true, n_pred = cm.shape
    size = min(9.0, max(4.0, 0.45 * max(n_true, n_pred) + 2.0))
    fig = _new_figure(size + 1.0, size)
    ax = fig.add_subplot()
    im = ax.imshow(cm, cmap="Blues", interpolation="nearest")
    ax.set_xticks(np.arange(n_pred), labels if n_pred == len(labels) else range(n_pred))
    ax.set_yticks(np.arange(n_true), labels if n_true == len(labels) else range(n_true))
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title("Confusion matrix (test samples)")
    fig.colorbar(im, ax=ax, label="samples")
    if max(n_true, n_pred) <= 20:
        top = cm.max() if cm.size else 0
        for i in range(n_true):
            for j in range(n_pred):
                v = cm[i, j]
                ax.text(j, i, format_number(int(v) if float(v).is_integer() else v),
                        ha="center", va="center", fontsize=8,
                        color="white" if top and cm[i, j] > top / 2 else "black")
    return _png_data_uri(fig)


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


# --------------------------------------------------------------------------- page

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2733;
 max-width:980px;margin:2em auto;padding:0 1em;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.2em;border-bottom:1px solid #d5dbe1;
 padding-bottom:.2em;margin-top:1.8em}.sub{color:#5b6773;margin-top:0}
table{border-collapse:collapse;margin:.6em 0}th,td{padding:.25em .8em;text-align:left;
 border-bottom:1px solid #e6eaee;vertical-align:top}th{font-weight:600;color:#3b4754}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.total td{font-weight:600;border-top:2px solid #b9c2cb}
figure{margin:1em 0}figure img{max-width:100%;height:auto}
figcaption{color:#5b6773;font-size:.9em}.note{color:#8a5a00}
pre{background:#f5f7f9;padding:1em;overflow:auto;font-size:.82em}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
"""


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _row(label: str, value_html: str, num: bool = True) -> str:
    cls = ' class="num"' if num else ""
    return f"<tr><th>{_e(label)}</th><td{cls}>{value_html}</td></tr>"


def _figure_html(uri: str, alt: str, caption: str) -> str:
    return (f'<figure><img src="{uri}" alt="{_e(alt)}">'
            f"<figcaption>{_e(caption)}</figcaption></figure>")


_ACTIVITY_LABELS = {
    "mean_rate_hz": ("Mean firing rate", lambda v: format_quantity(v, "Hz")),
    "silent_fraction": ("Silent neurons", format_percent),
    "input_events_per_sample": ("Input events per sample", format_number),
    "spikes_per_sample": ("Spikes per sample", format_number),
}


def _display(value: Any) -> str:
    """Readable, escaped text for an arbitrary report value."""
    if _is_number(value):
        return _e(format_number(value))
    return _e(value)


def render_html(report: dict, figures: dict | None = None) -> str:
    """The report page as a string (see :func:`write_html_report`)."""
    validate_report(report)
    figures = figures or {}
    dataset, chip, energy = report["dataset"], report["chip"], report["energy"]
    baseline, accuracy = energy["baseline"], report.get("accuracy", {})
    prov = report["provenance"]
    chip_j = float(energy["per_inference_J"])
    base_j = float(baseline["per_inference_J"])

    title = f"{report['task']} · {dataset['name']} · {chip['name']}"
    parts: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>neurosim report — {_e(title)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<header><h1>{_e(title)}</h1>",
        f'<p class="sub">neurosim report · run <code>{_e(report["run"]["id"])}</code> · '
        f"engine {_e(report['engine'])} · created {_e(prov['created'])}</p></header>",
    ]

    # Summary
    ds_text = _e(dataset_counts_text(dataset))
    rows = [
        _row("Task", _e(report["task"]), num=False),
        _row("Dataset", ds_text, num=False),
        _row("Chip", _e(chip["name"] + (f" (instance {chip['instance']})" if chip.get("instance") else "")),
             num=False),
        _row("Engine", _e(report["engine"]), num=False),
    ]
    if "test" in accuracy:
        rows.append(_row("Test accuracy", _e(format_percent(accuracy["test"]))))
    if "train" in accuracy:
        rows.append(_row("Train accuracy", _e(format_percent(accuracy["train"]))))
    rows += [
        _row("Energy per inference", _e(format_quantity(chip_j, "J"))),
        _row(f"Baseline energy per inference ({baseline['name']})",
             _e(format_quantity(base_j, "J"))),
        _row("Improvement vs baseline", _e(format_ratio(energy["improvement_vs_baseline"]))),
        _row("Latency per inference", _e(format_quantity(report["latency"]["per_inference_s"], "s"))),
    ]
    if _is_number(energy.get("programming_J")):
        rows.append(_row("Programming the chip (once)", _e(format_quantity(energy["programming_J"], "J"))))
    if _is_number(report.get("area", {}).get("total_m2")):
        rows.append(_row("Area", _e(f"{report['area']['total_m2'] * 1e6:.3g} mm²")))
    parts += ["<section><h2>Summary</h2><table>", *rows, "</table></section>"]

    # Energy breakdown
    breakdown = {str(k): float(v) for k, v in energy["breakdown_J"].items()}
    total = sum(breakdown.values())
    parts.append("<section><h2>Energy breakdown per inference</h2>")
    if breakdown:
        parts.append("<table><tr><th>Component</th><th>Energy</th><th>Share</th></tr>")
        for name, value in breakdown.items():
            share = format_percent(value / total, 1) if total > 0 else NA
            parts.append(f"<tr><td>{_e(name.replace('_', ' '))}</td>"
                         f'<td class="num">{_e(format_quantity(value, "J"))}</td>'
                         f'<td class="num">{_e(share)}</td></tr>')
        parts.append(f'<tr class="total"><td>total</td><td class="num">'
                     f'{_e(format_quantity(total, "J"))}</td><td class="num">'
                     f'{_e(format_percent(1.0, 1) if total > 0 else NA)}</td></tr></table>')
        if chip_j > 0 and abs(total - chip_j) > 0.01 * chip_j:
            parts.append(f'<p class="note">The components sum to {_e(format_quantity(total, "J"))}; '
                         f"the reported energy per inference is {_e(format_quantity(chip_j, 'J'))}.</p>")
        parts.append(_figure_html(_plot_breakdown(breakdown), "bar chart of the energy breakdown",
                                  "Energy of each chip component per inference."))
    else:
        parts.append("<p>No energy breakdown was recorded.</p>")
    parts.append(_figure_html(
        _plot_vs_baseline(chip["name"], chip_j, baseline["name"], base_j),
        "bar chart of chip vs baseline energy per inference",
        f"Energy per inference: neurosim chip {format_quantity(chip_j, 'J')} vs "
        f"{baseline['name']} {format_quantity(base_j, 'J')} "
        f"({format_ratio(energy['improvement_vs_baseline'])} improvement)."))
    parts.append("</section>")

    # Activity (optional)
    activity = report.get("activity")
    spike_counts = figures.get("spike_counts")
    if isinstance(activity, dict) or spike_counts is not None:
        parts.append("<section><h2>Network activity</h2>")
        if isinstance(activity, dict) and activity:
            parts.append("<table>")
            for key, value in activity.items():
                label, fmt = _ACTIVITY_LABELS.get(key, (str(key).replace("_", " "), None))
                text = _e(fmt(value)) if fmt is not None and _is_number(value) else _display(value)
                parts.append(_row(label, text))
            parts.append("</table>")
        if spike_counts is not None:
            arr = _as_numpy(spike_counts, "spike_counts")
            if arr.ndim != 1:
                raise NeurosimError(
                    f"figures['spike_counts'] must be 1-D (one value per neuron), got shape {arr.shape}"
                )
            if arr.size:
                silent = float(np.mean(arr == 0))
                parts.append(_figure_html(
                    _plot_spike_counts(arr), "histogram of spike counts per neuron",
                    f"Firing per neuron: {format_number(arr.size)} neurons, mean "
                    f"{format_number(float(arr.mean()))} spikes per neuron per sample, "
                    f"{format_percent(silent, 1)} silent."))
        parts.append("</section>")

    # The task's own metrics (optional): the section named after the task
    metrics = report.get(report["task"])
    if isinstance(metrics, dict) and metrics:
        parts.append(f"<section><h2>{_e(str(report['task']).capitalize())} metrics</h2><table>")
        for name, value in metrics.items():
            if isinstance(value, dict):
                shown = {k: v for k, v in value.items() if not isinstance(v, (list, dict))}
                text = ", ".join(f"{_e(k)} {_display(v)}" for k, v in shown.items())
            else:
                text = _display(value)
            parts.append(_row(str(name).replace("_", " "), text, num=False))
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
        parts.append(_figure_html(_plot_confusion(cm, labels), "confusion matrix heatmap",
                                  "Rows: true class; columns: predicted class; cells: test samples."))
        parts.append("</section>")

    # Provenance
    prov_rows = [
        _row("Run id", f"<code>{_e(report['run']['id'])}</code>", num=False),
        _row("Config hash", f"<code>{_e(prov['config_hash'])}</code>", num=False),
    ]
    if "config_hash" in chip and chip["config_hash"] != prov["config_hash"]:
        prov_rows.append(_row("Chip config hash", f"<code>{_e(chip['config_hash'])}</code>", num=False))
    prov_rows += [
        _row("Seed", _e(report["seed"]), num=False),
        _row("Engine", _e(report["engine"]), num=False),
        _row("Created", _e(prov["created"]), num=False),
    ]
    if "python" in prov:
        prov_rows.append(_row("Python", _e(prov["python"]), num=False))
    for pkg, version in prov["versions"].items():
        prov_rows.append(_row(f"{pkg} version", _e(version), num=False))
    parts += ["<section><h2>Provenance</h2><table>", *prov_rows, "</table>",
              "<details><summary>Full report (JSON)</summary>",
              f"<pre><code>{_e(dumps_report(report))}</code></pre></details></section>",
              "</body></html>", ""]
    return "\n".join(parts)


def write_html_report(report: dict, out_dir: Path | str, figures: dict | None = None) -> Path:
    """Write ``out_dir/report.html`` atomically and return its path.

    ``report`` follows the ``neurosim.report/1`` schema (energies in J, latency
    in s, accuracy as fractions; see :mod:`neurosim.report.json_report`).
    ``figures`` is optional; recognised keys (others are ignored):

    * ``"spike_counts"``: 1-D array, mean spike count per neuron per sample →
      "firing per neuron" histogram.
    * ``"confusion"``: 2-D integer array, rows true class, columns predicted →
      heatmap; ``"class_labels"`` (sequence of str) names the classes.

    The page shows a summary table, the energy breakdown (table + bar plot), a
    chip-vs-baseline bar plot, the optional activity plots, provenance and the
    full report JSON in a collapsible block. ``out_dir`` follows the same
    no-overwrite rule as the JSON report.
    """
    text = render_html(report, figures)
    out_dir = prepare_output_dir(out_dir, report["run"]["id"])
    path = out_dir / REPORT_HTML
    write_atomic(path, text)
    return path
