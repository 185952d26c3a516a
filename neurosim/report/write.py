"""Write a run's reports into one folder: JSON, HTML (with its figures as SVG and PDF) and the tidy CSV."""

from __future__ import annotations

from pathlib import Path

from neurosim.report.atomic import prepare_output_dir
from neurosim.report.html_report import write_html_report
from neurosim.report.json_report import write_json_report
from neurosim.report.tidy import REPORT_CSV, RUN_COLUMNS, run_rows, write_tidy_csv


def write_reports(report: dict, figures: dict, out_dir: Path, run_id: str, *,
                  draw: bool = True) -> tuple[Path, Path]:
    """``out_dir/report.json``, ``out_dir/report.html`` (its figures in ``out_dir/figures/`` as SVG and
    PDF) and ``out_dir/report.csv`` (the tidy table, :mod:`neurosim.report.tidy`), each written atomically;
    returns the JSON and HTML paths. ``draw=False``: the HTML page without its figures, and no
    ``figures/`` files (drawing them is most of a small run's time).

    Refuses a folder that holds a different run's report (see
    :func:`~neurosim.report.atomic.prepare_output_dir`).
    """
    folder = prepare_output_dir(out_dir, run_id)
    json_path = write_json_report(report, folder)
    write_tidy_csv(run_rows(report), RUN_COLUMNS, folder / REPORT_CSV)
    return json_path, write_html_report(report, folder, figures, draw=draw)
