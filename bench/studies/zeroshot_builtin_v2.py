"""Zero-shot retrieval on the built-in dvs-digits + spoken-digits, version 2, as its protocol
(bench/studies/zeroshot_builtin_v2.md) says: speaker-held-out validation and the bootstrap p-values.

    python bench/studies/zeroshot_builtin_v2.py [--out DIR] [--table-only] [--json PATH] [--set KEY=VALUE ...]

Runs version 1's two commands (``neurosim run --task zeroshot --samples 0 --chip CHIP --set zeroshot.seeds=10``)
with ``--set zeroshot.val_split=groups``, writes bench/studies/zeroshot_builtin_v2.json (date, commit, machine,
commands and the figures the README shows, as bench/studies/zeroshot_nmnist_fsdd.py extracts them) and prints
the table. ``--table-only``: print it from the JSON already written. ``--set``: extra keys for both runs (a smoke
test at small settings, written with ``--json`` elsewhere; the study itself sets none).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from zeroshot_nmnist_fsdd import extract, table  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
RESULT = Path(__file__).with_suffix(".json")
CHIPS = ("ideal", "rram-40nm-256kb")
SETTINGS = ["zeroshot.seeds=10", "zeroshot.val_split=groups"]


def command(chip: str, out: Path, extra: list[str]) -> list[str]:
    sets = [arg for key in [*SETTINGS, *extra] for arg in ("--set", key)]
    return [sys.executable, "-m", "neurosim", "run", "--task", "zeroshot", "--samples", "0", "--chip", chip,
            *sets, "--out", str(out)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("/tmp/zeroshot-builtin-v2"))
    parser.add_argument("--table-only", action="store_true")
    parser.add_argument("--json", type=Path, default=RESULT)
    parser.add_argument("--set", dest="extra", action="append", default=[])
    args = parser.parse_args(argv)
    if not args.table_only:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True,
                                check=True).stdout.strip()
        result: dict = {"commit": commit, "protocol": "bench/studies/zeroshot_builtin_v2.md", "version": 2,
                        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                        "machine": {"node": platform.node(), "cpus": os.cpu_count(),
                                    "python": platform.python_version()},
                        "extra": args.extra, "runs": {}, "commands": {}, "wall_s": {}}
        for chip in CHIPS:
            out = args.out / chip
            cmd = command(chip, out, args.extra)
            start = time.perf_counter()
            subprocess.run(cmd, cwd=REPO, check=True)
            result["wall_s"][chip] = round(time.perf_counter() - start, 1)
            result["commands"][chip] = " ".join(["neurosim", *cmd[3:]])
            result["runs"][chip] = extract(json.loads((out / "report.json").read_text()))
            args.json.write_text(json.dumps(result, indent=1) + "\n")
    print(table(json.loads(args.json.read_text())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
