"""Each table a study page carries as text is what its study script prints from the committed JSON
(``--table-only`` / ``--table``); the pages' other study tables are checked in tests/test_study_tables.py
and the tests of their tasks."""

from __future__ import annotations

import json
import re

import docpages
import pytest
from docpages import page
from studies import STUDIES, load_bench_script, load_study_script

#: (study script of bench/studies/, its JSON, the docs page that shows the table)
PAGE_TABLES = [
    ("ir_drop", "ir_drop.json", "studies/ir-drop.md"),
    ("ir_drop", "ir_drop_v2.json", "studies/ir-drop.md"),
    ("zeroshot_nmnist_fsdd", "zeroshot_nmnist_fsdd.json", "studies/zeroshot.md"),
    ("continual_nmnist_v2", "continual_nmnist_v2.json", "studies/continual.md"),
    ("continual_fsdd", "continual_fsdd.json", "studies/continual.md"),
    ("continual_fsdd", "continual_fsdd_class_split.json", "studies/continual.md"),
]


@pytest.mark.parametrize("script, result, shown_on", PAGE_TABLES, ids=[r for _, r, _ in PAGE_TABLES])
def test_the_page_table_is_the_study_script_output(script, result, shown_on):
    table = load_study_script(script).table(json.loads((STUDIES / result).read_text()))
    assert table in page(shown_on), f"docs/{shown_on} differs from bench/studies/{script}.py's table of {result}"


@pytest.mark.parametrize("result", ["optimize_vs_grid.json", "optimize_vs_grid_nmnist.json"])
def test_the_codesign_page_tables_are_the_study_output(result):
    module = load_bench_script("optimize_study.py")
    tables = module.markdown(json.loads((STUDIES / result).read_text()))
    missing = [block for block in tables.split("\n\n") if block not in page("studies/codesign.md")]
    assert not missing, f"docs/studies/codesign.md differs from `python bench/optimize_study.py --table` of {result}"


# the study figures: drawn by the study scripts' figures(data) from the JSON, built into the site ----------

def _json(name: str) -> dict:
    return json.loads((STUDIES / name).read_text())


def drawn(fig) -> list[dict]:
    """What each axes of ``fig`` plots, read back from its artists: bar values per bar series, the
    (low, high) ends of each interval per errorbar series, the (x, y) of each line, horizontal lines' y."""
    from matplotlib.container import BarContainer, ErrorbarContainer

    out = []
    for ax in fig.axes:
        bars = [list(c.datavalues) for c in ax.containers if isinstance(c, BarContainer)]
        intervals, lines = [], []
        for c in ax.containers:
            if isinstance(c, ErrorbarContainer):
                axis = 0 if c.has_xerr else 1
                intervals.append([(seg[0][axis], seg[1][axis]) for seg in c.lines[2][0].get_segments()])
                if c.lines[0] is not None:  # fmt="o-": the points themselves are a line
                    lines.append((list(c.lines[0].get_xdata()), list(c.lines[0].get_ydata())))
        in_containers = {id(line) for c in ax.containers if isinstance(c, ErrorbarContainer)
                         for line in (c.lines[0], *c.lines[1])}  # its points and its caps
        hlines = []
        for line in ax.lines:
            x, y = list(line.get_xdata()), list(line.get_ydata())
            if id(line) in in_containers:
                continue
            if line.get_transform() != ax.transData:  # axhline: x in axes units, y in data
                hlines.append(y[0])
            else:
                lines.append((x, y))
        out.append({"bars": bars, "intervals": intervals, "lines": lines, "hlines": sorted(hlines)})
    return out


def _pct(c: dict) -> tuple[float, list[tuple[float, float]]]:
    return 100 * c["value"], [(100 * c["low"], 100 * c["high"])]


def _bars(cells: list[dict], scale: float = 100) -> dict:
    """One axes' expected bars and intervals from cells {value, low, high}."""
    return {"bars": [[scale * c["value"] for c in cells]],
            "intervals": [[(scale * c["low"], scale * c["high"]) for c in cells]], "lines": [], "hlines": []}


def expected_classify(data: dict) -> dict:
    out = {}
    for readout, run in data["runs"].items():
        sets = list(run["feature_sets"].values())
        cv, test = [s["repeated_cv"] for s in sets], [s["test"] for s in sets]
        out[f"accuracy-{readout}"] = [{
            "bars": [[100 * c["value"] for c in cv], [100 * c["value"] for c in test]],
            "intervals": [[(100 * c["low"], 100 * c["high"]) for c in cells] for cells in (cv, test)],
            "lines": [], "hlines": []}]
    return out


def expected_adc(data: dict) -> dict:
    rows = data["rows"]
    return {"accuracy-energy": [
        {"bars": [[100 * r["cv"]["value"] for r in rows], [100 * r["test"] for r in rows]],
         "intervals": [[(100 * r["cv"]["low"], 100 * r["cv"]["high"]) for r in rows]], "lines": [], "hlines": []},
        {"bars": [[1e9 * r["adc_J"] for r in rows], [1e9 * r["dynamic_J"] for r in rows]],
         "intervals": [], "lines": [], "hlines": []}]}


def expected_ir_drop(data: dict) -> dict:
    runs = data["runs"]
    r = [run["wire_resistance_ohm"] for run in runs]
    energy = [(r, [1e9 * run["dynamic_J"] for run in runs])]
    if data.get("version", 1) >= 2:
        energy.append((r, [1e9 * run["cell_reads_J"] for run in runs]))
    return {"accuracy-energy": [
        {"bars": [], "intervals": [[(100 * run["cv"]["low"], 100 * run["cv"]["high"]) for run in runs]],
         "lines": [(r, [100 * run["cv"]["value"] for run in runs]), (r, [100 * run["test"] for run in runs])],
         "hlines": []},
        {"bars": [], "intervals": [], "lines": energy, "hlines": []}]}


def expected_continual_nmnist(data: dict) -> dict:
    r = data["result"]
    return {key: [dict(_bars([cells[name][measure] for name in cells]), hlines=[0.0]) for measure in ("acc", "bwt")]
            for key, cells in (("methods", r["methods"]), ("paired", r["paired"]))}


def expected_continual_fsdd(data: dict) -> dict:
    out = {}
    for stream, runs in data["streams"].items():
        assert len(runs) == 1, "one seed per stream in the committed JSON: no interval"
        methods = runs[0]["methods"]
        out[stream] = [{"bars": [[100 * m[measure] for m in methods.values()]], "intervals": [], "lines": [],
                        "hlines": [0.0]} for measure in ("acc", "bwt")]
    return out


def expected_zeroshot(data: dict) -> dict:
    axes = []
    for split in ("seen", "unseen"):
        cells = {chip: list(run["results"]["honest"][split].values()) for chip, run in data["runs"].items()}
        axes.append({"bars": [[100 * c["mean"] for c in cs] for cs in cells.values()],
                     "intervals": [[(100 * c["ci95"][0], 100 * c["ci95"][1]) for c in cs] for cs in cells.values()],
                     "lines": [], "hlines": sorted({100 * c["chance"] for cs in cells.values() for c in cs})})
    return {"retrieval": axes}


#: study JSON -> what its figures must plot, computed here from the JSON (independently of the script)
FIGURES = {
    "classify_nmnist_v1.json": expected_classify,
    "adc_dvs_digits.json": expected_adc,
    "ir_drop.json": expected_ir_drop,
    "ir_drop_v2.json": expected_ir_drop,
    "continual_nmnist_v2.json": expected_continual_nmnist,
    "continual_fsdd.json": expected_continual_fsdd,
    "zeroshot_nmnist_fsdd.json": expected_zeroshot,
    "zeroshot_builtin_v2.json": expected_zeroshot,
}


def _scaled(value, factor: float):
    """``value`` (a study JSON) with every float times ``factor`` (counts and names kept)."""
    if isinstance(value, dict):
        return {k: _scaled(v, factor) for k, v in value.items()}
    if isinstance(value, list):
        return [_scaled(v, factor) for v in value]
    return value * factor if isinstance(value, float) else value


def _assert_same(got, want, where: str) -> None:
    import numpy as np

    if isinstance(want, dict):
        assert set(got) == set(want), f"{where}: {sorted(got)} != {sorted(want)}"
        for k in want:
            _assert_same(got[k], want[k], f"{where}.{k}")
    elif isinstance(want, (list, tuple)) and want and isinstance(want[0], (list, tuple, dict)):
        assert len(got) == len(want), f"{where}: {len(got)} items drawn, {len(want)} in the JSON"
        for k, (g, w) in enumerate(zip(got, want)):
            _assert_same(g, w, f"{where}[{k}]")
    else:
        assert np.allclose(np.asarray(got, float), np.asarray(want, float), rtol=1e-9, atol=1e-9), \
            f"{where}: drawn {got}, JSON {want}"


@pytest.mark.parametrize("result", sorted(FIGURES))
def test_study_figures_plot_the_json_numbers(result):
    """Every bar, interval and line of the study's figures is the JSON's number (in the axis' unit), also
    for a JSON whose numbers all differ (×0.9): the figures are drawn from the data, nothing typed in."""
    hooks = docpages.hooks()
    path = STUDIES / result
    draw = hooks.load_script(hooks.study_script(path)).figures
    for data in (_json(result), _scaled(_json(result), 0.9)):
        figures = draw(data)
        want = FIGURES[result](data)
        assert set(figures) == set(want), result
        for key, fig in figures.items():
            _assert_same(drawn(fig), want[key], f"{result} {key}")
            for ax in fig.axes:  # the value axis states its unit
                labels = ax.get_xlabel() + ax.get_ylabel()
                assert re.search(r"\(.+\)", labels), f"{result} {key}: no unit in the axis labels {labels!r}"


def test_every_study_with_a_figures_function_is_checked():
    hooks = docpages.hooks()
    with_figures = {p.name for p in hooks.study_files()
                    if (s := hooks.study_script(p)) and s.parent == STUDIES and not s.stem.startswith("prediction")
                    and hasattr(hooks.load_script(s), "figures")}
    assert with_figures == set(FIGURES)


def test_study_scripts_are_found_as_the_convention_says():
    hooks = docpages.hooks()
    assert hooks.study_script(STUDIES / "classify_nmnist_v1.json") == STUDIES / "classify_nmnist.py"  # _v1 dropped
    assert hooks.study_script(STUDIES / "ir_drop_v2.json") == STUDIES / "ir_drop.py"
    assert hooks.study_script(STUDIES / "adc_dvs_digits.json") == STUDIES / "adc_dvs_digits.py"
    assert hooks.study_script(STUDIES / "optimize_vs_grid.json") == STUDIES.parents[0] / "optimize_study.py"
    assert hooks.study_script(STUDIES / "continual_fsdd_class_split.json") is None  # its command names none


def test_study_svgs_are_deterministic_and_embedded_on_the_study_page():
    hooks = docpages.hooks()
    path = STUDIES / "ir_drop_v2.json"
    first = hooks.study_svgs(path)
    hooks._svgs.cache_clear()
    again = hooks.study_svgs(path)
    assert first == again and list(first) == ["studies/figures/ir_drop_v2-accuracy-energy.svg"]
    svg = first["studies/figures/ir_drop_v2-accuracy-energy.svg"].decode()
    assert "<dc:date>" not in svg and "wire resistance (Ω per segment)" in svg  # no date; the axis label
    assert "](figures/ir_drop_v2-accuracy-energy.svg)" in hooks.study_page(path)
