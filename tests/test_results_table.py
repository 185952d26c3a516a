"""The results page (docs/studies/results.md) against study ``results v1``'s JSON and its addendum's
(``results_v1_continued.json``): the page's table is the rendering of both JSONs, every row holds both
controls and the verdict against the strongest of them, the page names both parts and each row its JSON,
the addendum's rows are its protocol's rows in its order and have left the earlier measurements, and the
page's hand-written prose quotes no result figure (those are all in the generated block, read from the
JSONs), except in its section of earlier measurements."""

from __future__ import annotations

import argparse
import copy
import json
import re
import subprocess
from pathlib import Path

import pytest
from conftest import skip_or_fail
from docpages import page
from studies import load_bench_script

REPO = Path(__file__).resolve().parents[1]
#: The page's section of rows not from a study JSON (the last section; it may quote its own figures).
EARLIER = "## Earlier measurements, not from a study JSON"
#: A row of a protocol's table of rows: | order | row | data | chip | neurons | `command` |
PLANNED = re.compile(r"^\| (\d+) \| (\d+) \| [^|]+ \| [^|]+ \| [^|]+ \| `([^`]+)` \|$", re.M)
#: A result figure: a percentage with decimals, a ratio, a margin in points, a p-value.
FIGURE = re.compile(r"\d+\.\d+ ?%|\d+(?:\.\d+)? ?×|[+−-]\d+(?:\.\d+)? points?|\bp = \d")


@pytest.fixture(scope="module")
def results():
    """bench/readme_results.py as a module."""
    return load_bench_script("readme_results.py")


@pytest.fixture(scope="module")
def study(results):
    return json.loads(results.RESULT.read_text())


@pytest.fixture(scope="module")
def continued(results):
    """The addendum's JSON (its protocol is committed, so its JSON must be too)."""
    assert (REPO / results.CONTINUED_PROTOCOL).exists()
    assert results.CONTINUED.exists(), f"{results.CONTINUED_PROTOCOL} is committed but not its JSON"
    return json.loads(results.CONTINUED.read_text())


def test_the_page_is_the_rendering_of_both_study_jsons(results, study, continued):
    shown = page("studies/results.md")
    assert shown == results.write_page(study, continued), (
        "docs/studies/results.md differs from study results v1's JSONs: run `python bench/readme_results.py --page`")
    assert f"**`{study['study']} v{study['version']}`**" in shown and study["version"] == results.VERSION
    assert f"**`{continued['study']} v{continued['version']} continued`**" in shown
    assert continued["version"] == results.VERSION and continued["part"] == "continued"
    for path in (results.RESULT, results.CONTINUED):
        assert f"`bench/studies/{path.name}`" in shown.split(results.END, 1)[0], f"the page does not name {path.name}"


def test_each_row_names_the_json_it_comes_from(results, study, continued):
    shown = page("studies/results.md")
    origins = shown.split("Where each row comes from:", 1)[1].split("What the figures say:", 1)[0]
    for part, path in ((study, results.RESULT), (continued, results.CONTINUED)):
        for row in part["rows"]:
            line = next(line for line in origins.splitlines() if line.startswith(f"| {results._name(row)} |"))
            assert f"| `bench/studies/{path.name}` | {row['source']}:" in line


def test_a_row_in_both_jsons_is_refused(results, study, continued):
    twice = copy.deepcopy(continued)
    twice["rows"].append(study["rows"][0])
    with pytest.raises(SystemExit, match="in both"):
        results.render(study, twice)


def test_every_row_holds_both_controls_and_the_verdict_the_table_shows(results, study, continued):
    shown = page("studies/results.md")
    assert study["rows"], "the study JSON holds no row"
    for row in study["rows"] + continued["rows"]:
        report = row["report"]
        assert set(results.CONTROLS) <= set(report["controls"]), f"row {row['row']} lacks a control"
        comparison = report["comparison"]
        everything = {**report["baselines"], **report["controls"]}
        strongest = max(everything, key=lambda name: everything[name]["value"])
        assert comparison["strongest_control"] == strongest
        line = next(line for line in shown.splitlines() if f"`{row['command']}`" in line and line.startswith("|"))
        assert f"{strongest} " in line and comparison["control_verdict"] in line


def test_a_row_without_the_controls_is_refused(results, study):
    for key in ("controls", "comparison"):
        broken = copy.deepcopy(study)
        if key == "controls":
            del broken["rows"][0]["report"]["controls"][results.CONTROLS[1]]
        else:
            del broken["rows"][0]["report"]["comparison"]["control_verdict"]
        with pytest.raises(SystemExit, match="lacks the controls"):
            results.render(broken)


def test_rows_are_the_protocol_s_and_each_row_is_in_the_json_or_labelled_earlier(results, study, continued):
    protocol = (REPO / study["protocol"]).read_text()
    shown = page("studies/results.md")
    earlier = shown.split(EARLIER, 1)[1]
    in_json = {row["row"] for row in study["rows"] + continued["rows"]}
    for row in study["rows"]:
        if row["source"] == f"{results.STUDY} v{results.VERSION}":
            assert f"| {row['row']} | {row['data']} | {row['chip']} |" in protocol, f"row {row['row']} is not planned"
            assert f"`{row['command']}` |" in protocol, f"row {row['row']} ran another command than planned"
    for k, (_, command) in enumerate(results.ROWS):
        typed = f"neurosim run {command}".strip()
        if k not in in_json:
            assert f"`{typed}`" in earlier, f"row {k} is neither in the study JSON nor among the earlier measurements"
    assert {n["row"] for n in study["not_run"]}.isdisjoint(in_json)
    carried = {row["row"]: row for row in study["rows"] if row["source"] != f"{results.STUDY} v{results.VERSION}"}
    assert set(carried) == set(results.STUDIES)
    for k, row in carried.items():
        path, run = results.STUDIES[k]
        assert row["report"] == json.loads(path.read_text())["runs"][run]["report"]


def test_the_addendum_s_rows_are_its_protocol_s_rows_in_its_order(results, continued):
    """The addendum's JSON holds the rows its protocol plans, in the protocol's order, each run with the
    row's command (run, then not run by the stop rule; while the run goes on, the rows done so far)."""
    assert continued["protocol"] == results.CONTINUED_PROTOCOL
    planned = [(int(row), command) for order, row, command in
               sorted(PLANNED.findall((REPO / results.CONTINUED_PROTOCOL).read_text()), key=lambda m: int(m[0]))]
    assert [row for row, _ in planned] == [11, 12, 4, 5]
    assert all(command == f"neurosim run {results.ROWS[row][1]}" for row, command in planned)
    got = [(r["row"], r["command"]) for r in continued["rows"] + continued["not_run"]]
    assert got == planned[:len(got)], f"the addendum's JSON holds {got}, not its protocol's rows in order"
    assert all(r["source"] == results.CONTINUED_SOURCE for r in continued["rows"])


def test_the_addendum_s_run_takes_its_rows_in_the_order_rows_names_them_and_copies_none(results):
    """``--continued --rows 11 12 4 5`` plans the rows in that order (not the table's), copies no frozen
    study's row, and names the addendum's protocol (a stop time already past: nothing runs)."""
    argv = ["--continued", "--rows", "11", "12", "4", "5", "--stop-at", "00:00"]
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", type=Path)
    parser.add_argument("--stop-at")
    parser.add_argument("--continued", action="store_true")
    args, rows = results.selected_rows("", argv, parser)
    planned = results.run_study(rows, args, argv)
    assert planned["rows"] == [] and [n["row"] for n in planned["not_run"]] == [11, 12, 4, 5]
    assert planned["protocol"] == results.CONTINUED_PROTOCOL and planned["part"] == "continued"


def test_the_json_s_rows_have_left_the_earlier_measurements(results, study, continued):
    earlier = page("studies/results.md").split(EARLIER, 1)[1]
    for row in study["rows"] + continued["rows"]:
        assert f"`{row['command']}`" not in earlier, f"row {row['row']} is in a JSON and among the earlier measurements"


def test_prune_earlier_drops_a_row_s_lines_and_its_paragraph_with_the_last_of_its_rows(results):
    """On a made-up earlier section of two rows and a paragraph marked as about both: a row in a JSON
    loses its line, the paragraph goes with the last of its rows, the table with its last row, and the
    text's final newline stays."""
    a, b = (f"neurosim run {results.ROWS[k][1]}" for k in (11, 12))
    text = (f"\n\n## Before\n\nkept\n\n{results.EARLIER}\n\nIntro.\n\n| data | command |\n|---|---|\n"
            f"| FSDD | `{a}` |\n| FSDD | `{b}` |\n\nAbout both. <!-- earlier rows: 11 12 -->\n")
    one = results.prune_earlier(text, [{"row": 11, "command": a}])
    assert f"`{a}`" not in one and f"| FSDD | `{b}` |" in one and "About both." in one
    both = results.prune_earlier(text, [{"row": 11, "command": a}, {"row": 12, "command": b}])
    assert both == f"\n\n## Before\n\nkept\n\n{results.EARLIER}\n\nIntro.\n"
    assert results.prune_earlier(text, []) == text


@pytest.mark.parametrize("which", ["RESULT", "CONTINUED"])
def test_the_protocol_was_committed_before_the_run(results, which):
    study = json.loads(getattr(results, which).read_text())
    done = subprocess.run(["git", "cat-file", "-e", f"{study['commit']}:{study['protocol']}"], cwd=REPO,
                          capture_output=True)
    if done.returncode != 0 and subprocess.run(["git", "cat-file", "-e", study["commit"]], cwd=REPO,
                                               capture_output=True).returncode != 0:
        skip_or_fail("the run's commit is not in this clone (shallow)")
    assert done.returncode == 0, f"{study['protocol']} is not in the run's commit {study['commit']}"
    source = results.CONTINUED_SOURCE if which == "CONTINUED" else "results v1"
    assert all(row["commit"] == study["commit"] for row in study["rows"] if row["source"] == source)


def test_the_hand_written_prose_quotes_no_result_figure(results):
    shown = page("studies/results.md")
    head, rest = shown.split(results.BEGIN, 1)
    prose = head + rest.split(results.END, 1)[1].split(EARLIER, 1)[0]
    assert EARLIER in shown
    assert not FIGURE.findall(prose), "a figure outside the results page's generated block: render it from the JSON"


def _rows(study, data=None, chip=None, neurons=None):
    """The study's rows of that dataset label, chip and size (None: any)."""
    return [r for r in study["rows"] if data in (None, r["data"]) and chip in (None, r["chip"])
            and neurons in (None, r["neurons"])]


def _significant(row) -> bool:
    return row["report"]["comparison"]["control_corrected_t_p"] < 0.05


def _margin(row) -> float:
    return row["report"]["comparison"]["control_repeated_margin_points"]


def _all(v1: dict, continued: dict) -> dict:
    """Both JSONs' rows as one study (the table's rows)."""
    return {"rows": v1["rows"] + continued["rows"]}


#: Each claim of the page's hand-written reading ("What it means"), and what must hold for it in the JSON
#: it speaks of (``"v1"``: results v1's; ``"continued"``: its addendum's; ``"table"``: the rows of both JSONs,
#: the table's).
CLAIMS = {
    "On none of version 1's nine rows does the reservoir beat the strongest of its baselines and controls":
        ("v1", lambda s: len(s["rows"]) == 9 and not any(r["report"]["comparison"]["reservoir_beats_all_controls"]
                                                         for r in s["rows"])),
    "random features of the reservoir's width score higher than the reservoir on all three":
        ("v1", lambda s: len(_rows(s, "dvs-digits")) == 3 and all(
            r["report"]["comparison"]["strongest_control"] == "random features" and _margin(r) < 0
            for r in _rows(s, "dvs-digits"))),
    "significantly on `rram-40nm-256kb` and `pcm-14nm-hermes`, not significantly on `ideal`":
        ("v1", lambda s: all(_significant(r) for c in ("rram-40nm-256kb", "pcm-14nm-hermes")
                             for r in _rows(s, "dvs-digits", c))
         and not _significant(_rows(s, "dvs-digits", "ideal")[0])),
    "no difference between the reservoir and its strongest\ncontrol is significant, either way":
        ("v1", lambda s: all(not _significant(r)
                             for r in _rows(s, "spoken-digits") + _rows(s, "N-MNIST", neurons=200))),
    "the strongest is the random features on some rows and the\nfeed-forward network":
        ("v1", lambda s: {r["report"]["comparison"]["strongest_control"]
                          for r in _rows(s, "spoken-digits") + _rows(s, "N-MNIST", neurons=200)}
         == {"random features", "feed-forward spiking"}),
    "Of version 1's rows, the one where the reservoir\nbeats its strongest input baseline, N-MNIST at 2,000 neurons":
        ("v1", lambda s: [(r["data"], r["chip"], r["neurons"]) for r in s["rows"]
                          if r["report"]["comparison"]["reservoir_beats_strongest"]]
         == [("N-MNIST", "rram-40nm-256kb", 2000)]),
    "The addendum's two FSDD rows (real recorded speech) do not change that: on both chips random\nfeatures of "
    "the reservoir's width score higher than the reservoir, not significantly by the verdict's\ntest":
        ("continued", lambda s: len(_rows(s, "FSDD")) == 2 and all(
            r["report"]["comparison"]["strongest_control"] == "random features" and _margin(r) < 0
            and not _significant(r) for r in _rows(s, "FSDD"))),
    "folds hold out whole speakers on spoken-digits, as its official split does, and on FSDD, whose official\n"
    "  split's test takes come from the training speakers, so that on FSDD the test split scores far higher\n"
    "  than CV":
        ("table", lambda s: all(r["report"]["accuracy"]["cv"]["grouped_by"] == "speaker"
                                and r["report"]["accuracy"]["test"] - r["report"]["accuracy"]["cv"]["value"] > 0.2
                                for r in _rows(s, "FSDD"))),
    "since the\naddendum's run every row of the table is in one of the two JSONs":
        ("table", lambda s: {r["row"] for r in s["rows"]} == set(range(13))),
    "The addendum's two N-MNIST rows at 2,000 neurons, on `ideal` and `pcm-14nm-hermes`, are like\nthe carried "
    "one: the reservoir beats its strongest input baseline, but not random features of its\nwidth":
        ("continued", lambda s: sorted(r["chip"] for r in _rows(s, "N-MNIST", neurons=2000))
         == ["ideal", "pcm-14nm-hermes"] and all(
            r["report"]["comparison"]["reservoir_beats_strongest"]
            and r["report"]["comparison"]["strongest_control"] == "random features"
            and not r["report"]["comparison"]["reservoir_beats_all_controls"]
            for r in _rows(s, "N-MNIST", neurons=2000))),
    "but less on the addendum's N-MNIST row at 2,000 neurons":
        ("continued", lambda s: [r["report"]["energy"]["improvement_vs_baseline"] > 1
                                 for r in _rows(s, "N-MNIST", "pcm-14nm-hermes", 2000)] == [True]),
    "`rram-40nm-256kb` chip\nneeds less dynamic energy than the digital baseline on every row of the table":
        ("table", lambda s: all(r["report"]["energy"]["improvement_vs_baseline"] > 1
                                for r in _rows(s, chip="rram-40nm-256kb"))),
    "the `pcm-14nm-hermes` core, on version 1's rows,\nslightly more":
        ("v1", lambda s: all(0.8 < r["report"]["energy"]["improvement_vs_baseline"] < 1
                                for r in _rows(s, chip="pcm-14nm-hermes"))),
    "the `ideal` chip (a\n16-bit digital reference) several times more":
        ("table", lambda s: all(r["report"]["energy"]["improvement_vs_baseline"] < 0.5
                                for r in _rows(s, chip="ideal"))),
}


@pytest.mark.parametrize("claim", CLAIMS, ids=range(len(CLAIMS)))
def test_each_claim_of_the_hand_written_reading_holds_in_the_json(study, continued, claim):
    assert claim in page("studies/results.md"), "the claim is no longer on the page: update CLAIMS"
    scope, holds = CLAIMS[claim]
    rows = {"v1": study, "continued": continued, "table": _all(study, continued)}[scope]
    assert holds(rows), f"the page says {claim!r}, which the rows of {scope} do not hold"
