"""The page shell shared by the run report and the sweep comparison page."""

from __future__ import annotations

import neurosim.sweep.page as sweep_page
from neurosim.report import html_report
from neurosim.report.html_page import escape, figure, header_row, page, row, table


def test_escape_and_the_pieces():
    assert escape('<a href="x">&\'') == "&lt;a href=&quot;x&quot;&gt;&amp;&#x27;"
    assert figure("data:image/png;base64,AA", "a <plot>", "cap & more", name="vs:x") == (
        '<figure data-figure="vs:x"><img src="data:image/png;base64,AA" alt="a &lt;plot&gt;">'
        "<figcaption>cap &amp; more</figcaption></figure>")
    assert figure("data:,", "alt", "cap").startswith("<figure><img")
    assert row("<k>", "1", num=True) == '<tr><th>&lt;k&gt;</th><td class="num">1</td></tr>'
    assert header_row(["a", "<b>"]) == "<tr><th>a</th><th>&lt;b&gt;</th></tr>"
    assert table([row("k", "v", num=False)], ["K", "V"]) == \
        "<table><tr><th>K</th><th>V</th></tr><tr><th>k</th><td>v</td></tr></table>"


def test_a_page_is_whole_and_self_contained():
    text = page("t <1>", "<h1>T</h1>", ["<section>x</section>"], width_px=1100, table_font=".92em")
    assert text.startswith("<!DOCTYPE html>") and text.endswith("</body></html>\n")
    assert "<title>t &lt;1&gt;</title>" in text and "max-width:1100px" in text and "font-size:.92em" in text
    assert "<header><h1>T</h1></header>\n<section>x</section>" in text
    assert "<script" not in text and "http" not in text.replace("http-equiv", "")


def test_both_pages_use_the_shell_and_copy_no_styles():
    for module in (html_report, sweep_page):
        assert not hasattr(module, "_CSS"), f"{module.__name__} keeps its own stylesheet"
        assert module.page is page and module.escape is escape
