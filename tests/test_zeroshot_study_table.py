"""The README's zero-shot version 2 table is the study JSON's (bench/studies/zeroshot_builtin_v2.py)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
STUDY = REPO / "bench" / "studies" / "zeroshot_builtin_v2.py"


def test_the_readme_zeroshot_v2_table_is_generated_from_the_study_json():
    spec = importlib.util.spec_from_file_location("zeroshot_builtin_v2", STUDY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    study = json.loads(STUDY.with_suffix(".json").read_text())
    assert study["version"] == 2 and set(study["runs"]) == {"ideal", "rram-40nm-256kb"}
    assert module.table(study) in (REPO / "README.md").read_text()
