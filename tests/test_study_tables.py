"""Study pages' tables that a study JSON owns are that JSON's tables, as the study script prints them."""

from __future__ import annotations

import json

from docpages import page
from studies import STUDIES, load_study_script


def test_the_adc_page_table_is_generated_from_the_study_json():
    module = load_study_script("adc_dvs_digits")
    study = json.loads((STUDIES / "adc_dvs_digits.json").read_text())
    assert study["protocol"] == "bench/studies/adc_dvs_digits.md" and len(study["rows"]) == len(module.ROWS)
    assert module.table(study) in page("studies/adc-in-the-loop.md")


def test_the_zeroshot_page_v2_table_is_generated_from_the_study_json():
    module = load_study_script("zeroshot_builtin_v2")
    study = json.loads((STUDIES / "zeroshot_builtin_v2.json").read_text())
    assert study["version"] == 2 and set(study["runs"]) == set(module.CHIPS)
    assert module.table(study) in page("studies/zeroshot.md")
