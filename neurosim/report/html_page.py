"""The shell every neurosim HTML page shares: stylesheet, escaping, figures, tables.

The run report (:mod:`neurosim.report.html_report`) and the sweep comparison page
(:mod:`neurosim.sweep.page`) are built from these pieces, so both pages look alike and
escape the same way. Tables wrap their cells (long numbers, hashes and labels break) so that
they fit the page's width rather than scroll sideways. A page is one self-contained file: inline CSS, plots embedded as
``data:`` URIs (:mod:`neurosim.report.plots`), no script and nothing fetched. Every text
taken from a report goes through :func:`escape`.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

__all__ = ["escape", "figure", "header_row", "page", "row", "table"]

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2733;
 max-width:%(width)dpx;margin:2em auto;padding:0 1em;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.2em;border-bottom:1px solid #d5dbe1;
 padding-bottom:.2em;margin-top:1.8em}.sub{color:#5b6773;margin-top:0}
table{border-collapse:collapse;margin:.6em 0;font-size:%(table_font)s;max-width:100%%}
th,td{padding:.25em .6em;text-align:left;border-bottom:1px solid #e6eaee;vertical-align:top;
 overflow-wrap:anywhere}th{font-weight:600;color:#3b4754}
td.num{text-align:right;font-variant-numeric:tabular-nums}td code{word-break:break-all}
tr.total td{font-weight:600;border-top:2px solid #b9c2cb}tr.front td:first-child{font-weight:600}
section{overflow-x:auto}figure{margin:1em 0}figure img{max-width:100%%;height:auto}
figcaption{color:#5b6773;font-size:.9em}.note{color:#8a5a00}
pre{background:#f5f7f9;padding:1em;overflow:auto;font-size:.82em}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
"""


def escape(value: Any) -> str:
    """``str(value)`` with ``& < > " '`` escaped, safe inside elements and quoted attributes."""
    return html.escape(str(value), quote=True)


def figure(uri: str, alt: str, caption: str, name: str = "") -> str:
    """A ``<figure>`` of the image ``uri`` (a ``data:image/...`` URI) with its caption; ``name``,
    when given, is its ``data-figure`` attribute (how tests and scripts find a figure)."""
    tag = f'<figure data-figure="{escape(name)}">' if name else "<figure>"
    return f'{tag}<img src="{uri}" alt="{escape(alt)}"><figcaption>{escape(caption)}</figcaption></figure>'


def row(label: str, value_html: str, num: bool = True) -> str:
    """A two-cell row of a key–value table: the escaped ``label`` and ``value_html`` (already HTML),
    right-aligned as a number when ``num``."""
    cls = ' class="num"' if num else ""
    return f"<tr><th>{escape(label)}</th><td{cls}>{value_html}</td></tr>"


def header_row(names: Iterable[str]) -> str:
    """The header row ``<tr><th>…</th>…</tr>`` of a table with columns ``names`` (escaped)."""
    return "<tr>" + "".join(f"<th>{escape(n)}</th>" for n in names) + "</tr>"


def table(rows: Iterable[str], header: Iterable[str] = ()) -> str:
    """A ``<table>`` of ``rows`` (each an HTML ``<tr>``), under ``header``'s column names if any."""
    head = list(header)
    return "<table>" + (header_row(head) if head else "") + "".join(rows) + "</table>"


def page(title: str, header_html: str, body: Iterable[str], *, width_px: int = 980,
         table_font: str = "1em") -> str:
    """A whole page: doctype, head (``title`` escaped, the shared stylesheet ``width_px`` wide, its
    tables at ``table_font``), ``<header>`` holding ``header_html`` (HTML), the ``body`` parts one
    per line, the closing tags and a final newline."""
    css = _CSS % {"width": width_px, "table_font": table_font}
    head = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{escape(title)}</title>", f"<style>{css}</style></head><body>",
            f"<header>{header_html}</header>"]
    return "\n".join([*head, *body, "</body></html>", ""])
