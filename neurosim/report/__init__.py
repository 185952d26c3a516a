"""Reports: the versioned JSON report, the self-contained HTML page, atomic output.

Public API::

    write_json_report(report, out_dir) -> Path     # out_dir/report.json (schema neurosim.report/1)
    read_json_report(path) -> dict
    validate_report(report)                        # NeurosimError naming a missing/bad key
    write_html_report(report, out_dir, figures=None) -> Path   # out_dir/report.html
    check_output_dir(out_dir, run_id) -> Path      # refuses another run's report folder (writes nothing)
    prepare_output_dir(out_dir, run_id) -> Path    # the same check, then creates the folder
    write_atomic(path, data)                       # temp file + fsync + os.replace
    format_quantity(2.3e-6, "J") == "2.30 µJ"   # also format_percent, format_ratio, format_number

Modules: ``json_report`` (schema), ``html_report`` (page assembly), ``plots`` (its
figures), ``format`` (numbers in readable units), ``atomic`` (output files).

Importing this package does not import matplotlib; the HTML writer imports it
when it draws (Agg canvas, never pyplot).
"""

from neurosim.report.atomic import REPORT_JSON, check_output_dir, prepare_output_dir, write_atomic
from neurosim.report.format import format_interval, format_number, format_percent, format_quantity, format_ratio
from neurosim.report.html_report import REPORT_HTML, render_html, write_html_report
from neurosim.report.json_report import (
    REQUIRED_KEYS,
    SCHEMA,
    dumps_report,
    make_run_id,
    read_json_report,
    to_jsonable,
    validate_report,
    write_json_report,
)

__all__ = [
    "REPORT_HTML",
    "REPORT_JSON",
    "REQUIRED_KEYS",
    "SCHEMA",
    "check_output_dir",
    "dumps_report",
    "format_interval",
    "format_number",
    "format_percent",
    "format_quantity",
    "format_ratio",
    "make_run_id",
    "prepare_output_dir",
    "read_json_report",
    "render_html",
    "to_jsonable",
    "validate_report",
    "write_atomic",
    "write_html_report",
    "write_json_report",
]
