"""The README's ADC-resolution table is the study JSON's table (bench/studies/adc_dvs_digits.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_the_readme_adc_table_is_generated_from_the_study_json():
    table = subprocess.run([sys.executable, str(REPO / "bench/studies/adc_dvs_digits.py"), "--table"],
                           capture_output=True, text=True, check=True).stdout.strip()
    assert table.count("\n") >= 7, table
    assert table in (REPO / "README.md").read_text()
