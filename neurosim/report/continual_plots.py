"""Plots of the ``continual`` task: accuracy-matrix heat maps, accuracy curves per task, and the
capacity trade-off (ACC and BWT against lateral neurons). Each is a ``(matplotlib Figure, alt, caption)``
for a ``"figure"`` panel of the HTML report (``figures["panels"]``), drawn in the house style."""

from __future__ import annotations

import numpy as np

from neurosim.report.plots import _new_figure, integer_ticks
from neurosim.report.style import series_colors, styled

__all__ = ["continual_plots"]


@styled
def _heatmaps(methods: dict) -> tuple:
    names = list(methods)
    fig = _new_figure(2.6 * len(names) + 0.6, 2.9)
    axes = fig.subplots(1, len(names), squeeze=False)[0]
    for ax, m in zip(axes, names):
        R = np.array(methods[m]["R"], dtype=float)  # null → nan * 100
        shown = np.ma.masked_invalid(R)
        ax.imshow(shown, vmin=0, vmax=100, cmap="viridis")
        T = R.shape[0]
        for j in range(T):
            for i in range(T):
                if np.isfinite(R[j, i]) and T <= 10:
                    ax.text(i, j, f"{R[j, i]:.0f}", ha="center", va="center", fontsize=7,
                            color="white" if R[j, i] < 60 else "black")
        ax.set_title(m)
        ax.set_xlabel("task tested i")
        ax.set_ylabel("after training task j")
        ax.set_xticks(range(T), [str(t + 1) for t in range(T)])
        ax.set_yticks(range(T), [str(t + 1) for t in range(T)])
    return (fig, "accuracy matrix heat maps per method",
            "Accuracy matrix R[j, i] (%): test accuracy on task i after training task j, per method "
            "(mean over seeds).")


@styled
def _curves(methods: dict) -> tuple:
    fig = _new_figure(6.4, 3.2)
    ax = fig.subplots()
    for color, (m, e) in zip(series_colors(len(methods)), methods.items()):
        R = np.array(e["R"], dtype=float)  # null → nan
        T = R.shape[0]
        mean_seen = [np.nanmean(R[j, :j + 1]) * 100 for j in range(T)]
        ax.plot(range(1, T + 1), mean_seen, marker="o", label=m, color=color)
        integer_ticks(ax.xaxis, list(range(1, T + 1)))
    ax.set_xlabel("tasks trained")
    ax.set_ylabel("mean accuracy on tasks seen (%)")
    ax.legend()
    ax.grid()
    return (fig, "mean accuracy on the tasks seen so far, per method",
            "Mean test accuracy over the tasks trained so far, after each task.")


@styled
def _tradeoff(sweep: list) -> tuple:
    fig = _new_figure(6.4, 3.2)
    ax_acc, ax_bwt = fig.subplots(1, 2)
    for m, color in zip(("hlop", "exact"), series_colors(2)):
        es = sorted((e for e in sweep if e["method"] == m), key=lambda e: e["k"])
        if not es:
            continue
        x = [e["lateral_neurons"] for e in es]
        ax_acc.plot(x, [100 * e["acc"] for e in es], marker="o", label=m, color=color)
        ax_bwt.plot(x, [100 * e["bwt"] for e in es], marker="o", label=m, color=color)
    for ax, name in ((ax_acc, "ACC (%)"), (ax_bwt, "BWT (points)")):
        ax.set_xlabel("lateral neurons in all")
        ax.set_ylabel(name)
        ax.grid()
        ax.legend()
    return (fig, "ACC and BWT against lateral neurons",
            "Capacity trade-off: ACC and BWT against the lateral neurons of all layers after the "
            "stream (fixed k per task and layer; lateral RRAM cells = neurons × layer width).")


def continual_plots(section: dict) -> list[tuple]:
    """The plots for a report's ``continual`` section."""
    plots = [_heatmaps(section["methods"]), _curves(section["methods"])]
    if section.get("k_sweep"):
        plots.append(_tradeoff(section["k_sweep"]))
    return plots
