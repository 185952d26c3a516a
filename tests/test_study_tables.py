"""README tables that a study JSON owns are that JSON's tables, as the study script prints them."""

from __future__ import annotations

import json
from pathlib import Path

from studies import STUDIES, load_study_script

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_readme_adc_table_is_generated_from_the_study_json():
    module = load_study_script("adc_dvs_digits")
    study = json.loads((STUDIES / "adc_dvs_digits.json").read_text())
    assert study["protocol"] == "bench/studies/adc_dvs_digits.md" and len(study["rows"]) == len(module.ROWS)
    assert module.table(study) in README.read_text()


def test_the_readme_zeroshot_v2_table_is_generated_from_the_study_json():
    module = load_study_script("zeroshot_builtin_v2")
    study = json.loads((STUDIES / "zeroshot_builtin_v2.json").read_text())
    assert study["version"] == 2 and set(study["runs"]) == set(module.CHIPS)
    assert module.table(study) in README.read_text()
