"""The one plotting style of every neurosim page: palette, fonts, axes, vector output.

Every plot of the run report (:mod:`neurosim.report.plots`, :mod:`neurosim.report.continual_plots`) and
of the sweep comparison page (:mod:`neurosim.sweep.page`) is drawn inside :func:`styled`, so they share
one look. The palette is Okabe & Ito's (2008) colour-blind-safe set; a figure with more series than it
has colours takes evenly spaced colours of ``viridis`` (perceptually uniform, colour-blind safe), so no
colour is reused within a figure.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["OTHER", "PALETTE", "RC", "house_style", "series_colors", "styled"]

#: Okabe–Ito colours, in the order series take them (black last: it is kept for reference lines).
PALETTE: tuple[str, ...] = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
                            "#000000")

#: The colour of a group of minor components ("other"), never one of :data:`PALETTE`.
OTHER = "#BBBBBB"

#: matplotlib rc settings of every figure: readable sizes at the figures' print width (6–8 in), text
#: kept as text in SVG and as embedded TrueType in PDF (editable in a vector editor).
RC: dict[str, Any] = {
    "font.size": 10.0,
    "axes.titlesize": 11.0,
    "axes.labelsize": 10.0,
    "xtick.labelsize": 9.0,
    "ytick.labelsize": 9.0,
    "legend.fontsize": 9.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "grid.alpha": 0.3,
    "legend.frameon": False,
    "lines.linewidth": 1.5,
    "lines.markersize": 5.0,
    "errorbar.capsize": 3.0,
    "image.cmap": "viridis",
    "svg.fonttype": "none",
    "pdf.fonttype": 42,
    "savefig.dpi": 150,
}

F = TypeVar("F", bound=Callable[..., Any])


def series_colors(n: int) -> list[str]:
    """``n`` distinct colours, one per series: the palette's first ``n``, else ``n`` steps of viridis."""
    if n <= len(PALETTE):
        return list(PALETTE[:n])
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    cmap = colormaps["viridis"]
    return [to_hex(cmap(i / max(1, n - 1))) for i in range(n)]


def house_style():
    """A context in which matplotlib uses :data:`RC` (restored on exit)."""
    import matplotlib

    return matplotlib.rc_context(RC)  # type: ignore[arg-type]  # RC's keys are valid rc names


def styled(func: F) -> F:
    """``func`` (a function that draws a figure) run under :data:`RC` (matplotlib reads most rc
    settings when an artist is created, so the whole drawing runs inside the context)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with house_style():
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
