"""What every study JSON records about how it was made: the commit, the date, the machine; and the one
way a study runs ``neurosim run`` as a separate process and reads its report.

Imported by the study scripts beside it (``sys.path`` holds this folder when a script runs).
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def git_commit() -> str:
    """The checked-out commit (40 hex digits), read before a study runs so it names the code that ran."""
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True,
                          check=True).stdout.strip()


def utc_now() -> str:
    """The date and time in UTC, ISO 8601 to the second."""
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def machine() -> dict:
    """The machine: node name, CPU count, Python version, load average (1, 5, 15 min) when asked."""
    return {"node": platform.node(), "cpus": os.cpu_count(), "python": platform.python_version(),
            "load_average": list(os.getloadavg())}


def run_neurosim(args: list[str], out: Path) -> tuple[dict, float, str]:
    """Run ``neurosim ARGS --out OUT`` in a separate process from the repository root (this checkout's
    code first on the path); returns (its report.json, wall seconds, the command as a user types it)."""
    cmd = [sys.executable, "-m", "neurosim", *args, "--out", str(out)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    start = time.perf_counter()
    subprocess.run(cmd, cwd=REPO, check=True, env=env)
    wall = round(time.perf_counter() - start, 1)
    return json.loads((out / "report.json").read_text()), wall, " ".join(["neurosim", *args])


def run_chips(commands: dict[str, list[str]], out: Path, result: dict, json_path: Path, extract) -> None:
    """Run one ``neurosim`` command per chip (``commands``: chip → arguments) into ``out/<chip>``, and after
    each run record in ``result`` its wall time, command and ``extract(report)``, rewriting ``json_path``
    so a run that stops part-way keeps the chips already finished."""
    for key in ("runs", "commands", "wall_s"):
        result.setdefault(key, {})
    for chip, args in commands.items():
        report, result["wall_s"][chip], result["commands"][chip] = run_neurosim(args, out / chip)
        result["runs"][chip] = extract(report)
        json_path.write_text(json.dumps(result, indent=1) + "\n")
