"""Write a run's JSON and HTML reports into one folder."""

from __future__ import annotations

from pathlib import Path

from neurosim.report.atomic import prepare_output_dir
from neurosim.report.html_report import write_html_report
from neurosim.report.json_report import write_json_report


def write_reports(report: dict, figures: dict, out_dir: Path, run_id: str) -> tuple[Path, Path]:
    """``out_dir/report.json`` and ``out_dir/report.html``, each written atomically.

    Refuses a folder that holds a different run's report (see
    :func:`~neurosim.report.atomic.prepare_output_dir`).
    """
    folder = prepare_output_dir(out_dir, run_id)
    return write_json_report(report, folder), write_html_report(report, folder, figures)
