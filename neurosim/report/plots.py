"""The plots of the HTML report, each returned as a matplotlib ``Figure`` in the house style
(:mod:`neurosim.report.style`); the page embeds it as PNG (:func:`png_data_uri`) and writes it as SVG
and PDF (:class:`neurosim.report.figures.PageFigures`).

Drawn with ``matplotlib.figure.Figure`` on a ``FigureCanvasAgg`` directly: pyplot is
never imported and no process-wide matplotlib backend is chosen as a side effect
(matplotlib is imported only when a plot is drawn). Energies are in J, scaled to a
readable prefix on the axis.
"""

from __future__ import annotations

import base64
import io
import math
import textwrap

import numpy as np

from neurosim.report.format import format_number, format_percent, format_quantity, prefix_scale
from neurosim.report.style import PALETTE, house_style, series_colors, styled

__all__ = ["integer_ticks", "log_ticks", "new_figure", "plot_bars_vs_chance", "plot_breakdown", "plot_confusion",
           "plot_curves", "plot_heatmap", "plot_learning_curve", "plot_spike_counts", "plot_vs_baseline",
           "png_data_uri"]


def _new_figure(width_in: float, height_in: float):
    """A matplotlib Figure on an Agg canvas, without pyplot or any global backend switch."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width_in, height_in), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _png_data_uri(fig) -> str:
    buf = io.BytesIO()
    with house_style():
        fig.savefig(buf, format="png", metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


#: Public names of the two helpers, for other pages' plots (the sweep comparison page).
new_figure = _new_figure
png_data_uri = _png_data_uri


def _log_axis(axis, values: list[float]) -> None:
    """Ticks for a log-scaled ``axis``: over at most ~2 decades of ``values``, 1-2-5 steps
    labelled as plain numbers (``0.2, 0.5, 1, 2``) rather than ``2×10⁻¹``; wider ranges keep ``10ⁿ``."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    positive = [v for v in values if v > 0]
    if positive and max(positive) / min(positive) <= 150.0:
        axis.set_major_locator(LogLocator(base=10.0, subs=(1.0, 2.0, 5.0)))
        axis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
        axis.set_minor_formatter(NullFormatter())


#: Public name of the log-axis ticks, for the sweep page's log-scaled improvement axis.
log_ticks = _log_axis


def _wrap(label: str, width: int = 22) -> str:
    return "\n".join(textwrap.wrap(label, width)) or label


@styled
def plot_breakdown(breakdown: dict[str, float]):
    """Each component's share (%) of the energy per inference, on a linear axis, its energy written
    beside its bar; components at zero are left out of the plot (the page's table lists them)."""
    items = [(str(k).replace("_", " "), float(v)) for k, v in breakdown.items() if float(v) > 0]
    total = sum(v for _, v in items)
    fig = _new_figure(7.0, 0.4 * max(1, len(items)) + 1.4)
    ax = fig.add_subplot()
    y = np.arange(len(items))
    shares = [100.0 * v / total if total > 0 else 0.0 for _, v in items]
    ax.barh(y, shares, color=PALETTE[0])
    ax.set_yticks(y, [name for name, _ in items])
    ax.invert_yaxis()
    ax.set_xlabel("share of the energy per inference (%)")
    ax.set_title(f"Energy breakdown per inference (total {format_quantity(total, 'J')})")
    for yi, (_, v), s in zip(y, items, shares):
        ax.annotate(f"{format_percent(v / total, 1)} · {format_quantity(v, 'J')}", (s, yi), xytext=(3, 0),
                    textcoords="offset points", va="center", fontsize=8)
    ax.set_xlim(0, max(shares, default=1.0) * 1.45)
    ax.grid(axis="x")
    return fig


@styled
def plot_vs_baseline(chip_name: str, chip_j: float, base_name: str, base_j: float):
    values = [chip_j, base_j]
    positive = [v for v in values if v > 0]
    log = len(positive) == 2 and max(positive) / min(positive) > 10.0
    div, prefix = prefix_scale(values)
    fig = _new_figure(5.5, 3.8)
    ax = fig.add_subplot()
    labels = [_wrap(f"neurosim chip: {chip_name}"), _wrap(f"baseline: {base_name}")]
    ax.bar([0, 1], [v / div for v in values], color=[PALETTE[0], PALETTE[1]], width=0.55)
    ax.set_xticks([0, 1], labels)
    if log:
        ax.set_yscale("log")
        _log_axis(ax.yaxis, values)
    ax.set_ylabel(f"energy per inference ({prefix}J)")
    ax.set_title("Chip vs baseline" + (" (log scale)" if log else ""))
    for x, v in enumerate(values):
        if v > 0:
            ax.annotate(format_quantity(v, "J"), (x, v / div), xytext=(0, 3),
                        textcoords="offset points", ha="center", va="bottom")
    ax.margins(y=0.2)
    return fig


@styled
def plot_spike_counts(counts: np.ndarray):
    fig = _new_figure(6.0, 3.4)
    ax = fig.add_subplot()
    bins = int(min(40, max(5, round(math.sqrt(counts.size)))))
    ax.hist(counts, bins=bins, color=PALETTE[0], edgecolor="white")
    ax.set_xlabel("spikes per neuron per sample (mean over samples)")
    ax.set_ylabel("neurons")
    ax.yaxis.set_major_locator(_integer_locator())
    ax.set_title("Firing per neuron")
    return fig


def _integer_locator():
    from matplotlib.ticker import MaxNLocator

    return MaxNLocator(integer=True)


@styled
def plot_confusion(cm: np.ndarray, labels: list[str]):
    """True × predicted counts; the title gives how many predictions the matrix holds (test split or
    cross-validation folds: whatever the task counted)."""
    n_true, n_pred = cm.shape
    size = min(9.0, max(4.0, 0.45 * max(n_true, n_pred) + 2.0))
    fig = _new_figure(size + 1.0, size)
    ax = fig.add_subplot()
    im = ax.imshow(cm, cmap="Blues", interpolation="nearest")
    ax.set_xticks(np.arange(n_pred), labels if n_pred == len(labels) else range(n_pred))
    ax.set_yticks(np.arange(n_true), labels if n_true == len(labels) else range(n_true))
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(f"Confusion matrix ({format_number(float(cm.sum()))} predictions)")
    fig.colorbar(im, ax=ax, label="predictions")
    if max(n_true, n_pred) <= 20:
        top = cm.max() if cm.size else 0
        for i in range(n_true):
            for j in range(n_pred):
                v = cm[i, j]
                ax.text(j, i, format_number(int(v) if float(v).is_integer() else v),
                        ha="center", va="center", fontsize=8,
                        color="white" if top and cm[i, j] > top / 2 else "black")
    return fig


@styled
def plot_learning_curve(curves: dict[str, list[dict]]):
    """Accuracy (%) against training samples, one line per feature set with its 95 % interval as a band.

    ``curves``: name → points ``{"n_train", "value", "low", "high"}`` (accuracies as fractions).
    """
    fig = _new_figure(6.0, 3.8)
    ax = fig.add_subplot()
    for color, (name, points) in zip(series_colors(len(curves)), curves.items()):
        n = [float(p["n_train"]) for p in points]
        ax.plot(n, [100 * p["value"] for p in points], marker="o", label=name, color=color)
        ax.fill_between(n, [100 * p["low"] for p in points], [100 * p["high"] for p in points], alpha=0.2,
                        color=color)
    ax.set_xscale("log")
    _log_axis(ax.xaxis, [float(p["n_train"]) for pts in curves.values() for p in pts])
    ax.set_xlabel("training samples per fold (log scale)")
    ax.set_ylabel("cross-validated accuracy (%)")
    ax.set_title("Learning curve")
    ax.grid()
    ax.legend()
    return fig


@styled
def plot_heatmap(matrix: np.ndarray, title: str, xticks: list[str], yticks: list[str], xlabel: str,
                 ylabel: str, cbar: str):
    """A labelled matrix (e.g. a retrieval matrix or a similarity map), values written in small cells."""
    n_rows, n_cols = matrix.shape
    size = min(9.0, max(4.0, 0.45 * max(n_rows, n_cols) + 2.0))
    fig = _new_figure(size + 1.0, size)
    ax = fig.add_subplot()
    im = ax.imshow(matrix, cmap="viridis", interpolation="nearest")
    ax.set_xticks(np.arange(n_cols), xticks if len(xticks) == n_cols else range(n_cols))
    ax.set_yticks(np.arange(n_rows), yticks if len(yticks) == n_rows else range(n_rows))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(_wrap(title, 50))
    fig.colorbar(im, ax=ax, label=cbar)
    if max(n_rows, n_cols) <= 12:
        lo, hi = float(np.min(matrix)), float(np.max(matrix))
        for i in range(n_rows):
            for j in range(n_cols):
                v = float(matrix[i, j])
                ax.text(j, i, format_number(int(v) if v.is_integer() else round(v, 2)), ha="center",
                        va="center", fontsize=8, color="black" if v > (lo + hi) / 2 else "white")
    return fig


def integer_ticks(axis, values: list[float]) -> None:
    """Integer-valued ``values`` (e.g. ADC bits, epochs) ticked at integers only: at the values
    themselves when there are at most 12, else at integer steps."""
    finite = [float(v) for v in values if np.isfinite(v)]
    if not finite or not all(v.is_integer() for v in finite):
        return
    distinct = sorted(set(finite))
    if len(distinct) <= 12:
        axis.set_ticks(distinct, [format_number(int(v)) for v in distinct])
    else:
        axis.set_major_locator(_integer_locator())


@styled
def plot_curves(x: list[float], series: dict[str, list[float]], title: str, xlabel: str, ylabel: str,
                markers: bool = False):
    """Lines ``series[name]`` over ``x`` (e.g. accuracy per epoch); ``markers``: points only (a scatter)."""
    fig = _new_figure(7.0, 3.8)
    ax = fig.add_subplot()
    for color, (name, values) in zip(series_colors(len(series)), series.items()):
        if markers:
            ax.plot(x, values, "o", label=name, markersize=4, color=color)
        else:
            ax.plot(x, values, "-o" if len(x) <= 30 else "-", label=name, markersize=3, color=color)
    integer_ticks(ax.xaxis, [float(v) for v in x])
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(_wrap(title, 60))
    ax.legend(ncols=2)
    return fig


@styled
def plot_bars_vs_chance(names: list[str], values: list[float], errors: list[float], chance: list[float],
                        title: str, ylabel: str):
    """Bars with error bars, each with its chance level drawn as a short black line."""
    fig = _new_figure(max(5.0, 0.7 * len(names) + 2.0), 4.0)
    ax = fig.add_subplot()
    pos = np.arange(len(names))
    ax.bar(pos, values, yerr=errors, color=PALETTE[0], capsize=3, label="measured (bars: error)")
    for i, (p, c) in enumerate(zip(pos, chance)):
        ax.hlines(c, p - 0.4, p + 0.4, colors="black", linewidth=2, label="chance" if i == 0 else None)
    ax.set_xticks(pos, [_wrap(n, 14) for n in names], fontsize=8)
    ax.set_ylabel(ylabel)
    ax.set_title(_wrap(title, 60))
    ax.legend()
    return fig
