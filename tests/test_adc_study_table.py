"""The README's ADC-resolution table is the study JSON's table (bench/studies/adc_dvs_digits.py)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
STUDY = REPO / "bench" / "studies" / "adc_dvs_digits.py"


def test_the_readme_adc_table_is_generated_from_the_study_json():
    spec = importlib.util.spec_from_file_location("adc_dvs_digits", STUDY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    study = json.loads(STUDY.with_suffix(".json").read_text())
    assert study["protocol"] == "bench/studies/adc_dvs_digits.md" and len(study["rows"]) == len(module.ROWS)
    table = module.table(study)
    assert table in (REPO / "README.md").read_text()
