"""Drawing helpers for the study scripts' ``figures(data)``: grouped bars with their intervals.

A study script's ``figures(data: dict) -> dict[str, Figure]`` draws only from its loaded study JSON;
docs/hooks.py calls it at build time and saves each figure as ``studies/figures/<stem>-<key>.svg``.
Figures are built without pyplot (no global figure state, no backend choice), so a build or a test
can make them in any process.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure


def new_figure(panels: int = 1, width: float = 6.4, height: float = 3.6) -> tuple[Figure, list[Axes]]:
    """A figure of ``panels`` side-by-side axes; ``width``/``height`` in inches for the whole figure."""
    fig = Figure(figsize=(width, height), layout="constrained")
    return fig, list(fig.subplots(1, panels, squeeze=False)[0])


def grouped_bars(ax: Axes, categories: Sequence[str], series: dict[str, dict[str, Sequence[float | None]]],
                 *, value_label: str, horizontal: bool = False) -> None:
    """One group of bars per category, one bar per series, each with its interval if it has one.

    ``series`` maps a legend label to ``{"value": [...], "low": [...], "high": [...]}``, one entry per
    category, in the units the axis states (``value_label``, e.g. ``"accuracy (%)"``); ``low``/``high``
    may be missing, or ``None`` for a category without an interval (a single seed). Bars are drawn in
    the series' order, so a test can read them back (``ax.containers``) in the order of the JSON.
    """
    n = len(series)
    width = 0.8 / n
    positions = np.arange(len(categories), dtype=float)
    for k, (label, s) in enumerate(series.items()):
        at = positions - 0.4 + width * (k + 0.5)
        value = np.asarray(s["value"], dtype=float)
        bar = ax.barh if horizontal else ax.bar
        bar(at, value, width * 0.95, label=label)
        low, high = s.get("low"), s.get("high")
        if low is None or high is None:
            continue
        has = np.array([lo is not None and hi is not None for lo, hi in zip(low, high)])
        if not has.any():
            continue
        lo = np.array([x for x, h in zip(low, has) if h], dtype=float)
        hi = np.array([x for x, h in zip(high, has) if h], dtype=float)
        err = [value[has] - lo, hi - value[has]]
        if horizontal:
            ax.errorbar(value[has], at[has], xerr=err, fmt="none", ecolor="black", capsize=2, lw=0.8)
        else:
            ax.errorbar(at[has], value[has], yerr=err, fmt="none", ecolor="black", capsize=2, lw=0.8)
    if horizontal:
        ax.set_yticks(positions, categories)
        ax.invert_yaxis()  # the first category on top, as in the page's table
        ax.set_xlabel(value_label)
        ax.grid(axis="x", alpha=0.3)
    else:
        ax.set_xticks(positions, categories)
        ax.set_ylabel(value_label)
        ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    if n > 1:
        legend_beside(ax)


def legend_beside(ax: Axes) -> None:
    """The axes' legend to its right, outside the data (constrained layout makes room)."""
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)


def interval_series(cells: Sequence[dict], scale: float = 100.0) -> dict[str, list[float]]:
    """``{"value", "low", "high"}`` lists from cells ``{"value", "low", "high", ...}``, times ``scale``."""
    return {key: [scale * c[key] for c in cells] for key in ("value", "low", "high")}
