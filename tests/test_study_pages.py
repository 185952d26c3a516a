"""Each table a study page carries as text is what its study script prints from the committed JSON
(``--table-only`` / ``--table``); the pages' other study tables are checked in tests/test_study_tables.py
and the tests of their tasks."""

from __future__ import annotations

import importlib.util
import json

import pytest
from docpages import DOCS, page
from studies import STUDIES, load_study_script

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
    spec = importlib.util.spec_from_file_location("optimize_study", DOCS.parent / "bench" / "optimize_study.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    tables = module.markdown(json.loads((STUDIES / result).read_text()))
    missing = [block for block in tables.split("\n\n") if block not in page("studies/codesign.md")]
    assert not missing, f"docs/studies/codesign.md differs from `python bench/optimize_study.py --table` of {result}"
