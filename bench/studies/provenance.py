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
