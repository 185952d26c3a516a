"""The figures of one page: each embedded in the HTML as a PNG and written beside it as SVG and PDF.

A page builder hands every matplotlib figure it draws to :meth:`PageFigures.add`, which returns the
page's ``<figure>`` element; :meth:`PageFigures.write` then writes ``<name>.svg`` and ``<name>.pdf`` of
each into a folder (the run folder's ``figures/``, or ``PAGE_figures/`` beside a sweep page), so a
figure can go into a paper as a vector file. A page built with ``PageFigures(draw=False)`` (``neurosim run
--no-figures``, a sweep's unit pages under ``--no-unit-figures``) makes and renders no figure: drawing
them is most of a tiny run's time.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from neurosim.report.atomic import write_atomic
from neurosim.report.html_page import escape, figure
from neurosim.report.style import house_style

__all__ = ["FIGURES_DIR", "PageFigures"]

#: Folder of a run report's vector figures, inside the run folder.
FIGURES_DIR = "figures"

#: Vector formats every figure is written in; metadata that would change from run to run is left out.
_FORMATS = {"svg": {"Date": None}, "pdf": {"CreationDate": None}}


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name)[:60].strip("-.").lower() or "figure"


class PageFigures:
    """The figures of one page, in page order: ``items`` is a list of ``(file stem, Figure)``.

    ``draw=False``: :meth:`add` renders nothing and keeps nothing; the page shows each figure's
    caption as a note in its place (and :meth:`write` writes no file).
    """

    def __init__(self, draw: bool = True) -> None:
        self.items: list[tuple[str, Any]] = []
        self.draw = draw

    def add(self, fig: Any, alt: str, caption: str, name: str) -> str:
        """The HTML ``<figure>`` of ``fig`` (PNG inline, ``alt`` text, ``caption``; ``data-figure`` =
        ``name``), as :func:`~neurosim.report.html_page.figure` makes it; ``fig`` is kept for export
        under a file stem made from ``name`` (unique within the page). ``fig`` may be a function that
        makes the figure, called only when the page draws its figures."""
        from neurosim.report.plots import png_data_uri

        if not self.draw:
            return f'<p class="note">Figure not drawn: {escape(caption)}</p>'
        if callable(fig):
            fig = fig()
        stem, taken = _slug(name), {s for s, _ in self.items}
        n = 2
        while stem in taken:
            stem, n = f"{_slug(name)}-{n}", n + 1
        self.items.append((stem, fig))
        return figure(png_data_uri(fig), alt, caption, name)

    def write(self, folder: Path | str) -> list[Path]:
        """Write ``folder/<stem>.svg`` and ``folder/<stem>.pdf`` of every figure (atomically; the
        folder is created); returns the paths."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        with house_style():
            for stem, fig in self.items:
                for fmt, metadata in _FORMATS.items():
                    buf = io.BytesIO()
                    fig.savefig(buf, format=fmt, metadata=metadata)
                    path = folder / f"{stem}.{fmt}"
                    write_atomic(path, buf.getvalue())
                    paths.append(path)
        return paths
