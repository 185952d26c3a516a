"""Zero-shot retrieval on the built-in dvs-digits + spoken-digits, version 2, as its protocol
(bench/studies/zeroshot_builtin_v2.md) says: speaker-held-out validation and the bootstrap p-values.

    python bench/studies/zeroshot_builtin_v2.py [--out DIR] [--table-only] [--json PATH] [--set KEY=VALUE ...]

Runs version 1's two commands (``neurosim run --task zeroshot --samples 0 --chip CHIP --set zeroshot.seeds=10``)
with ``--set zeroshot.val_split=groups``, writes bench/studies/zeroshot_builtin_v2.json (date, commit, machine,
commands and the figures the study page shows, as bench/studies/zeroshot_nmnist_fsdd.py extracts them) and prints
the table. ``--table-only``: print it from the JSON already written. ``--set``: extra keys for both runs (a smoke
test at small settings, written with ``--json`` elsewhere; the study itself sets none).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from provenance import git_commit, machine, run_chips, utc_now  # noqa: E402
from zeroshot_nmnist_fsdd import extract, figures, table  # noqa: E402, F401 (figures: the docs' hook)

RESULT = Path(__file__).with_suffix(".json")
CHIPS = ("ideal", "rram-40nm-256kb")
SETTINGS = ["zeroshot.seeds=10", "zeroshot.val_split=groups"]


def command(chip: str, extra: list[str]) -> list[str]:
    """The ``neurosim`` arguments of one chip's run (``--out`` apart)."""
    sets = [arg for key in [*SETTINGS, *extra] for arg in ("--set", key)]
    return ["run", "--task", "zeroshot", "--samples", "0", "--chip", chip, *sets]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("/tmp/zeroshot-builtin-v2"))
    parser.add_argument("--table-only", action="store_true")
    parser.add_argument("--json", type=Path, default=RESULT)
    parser.add_argument("--set", dest="extra", action="append", default=[])
    args = parser.parse_args(argv)
    if not args.table_only:
        result: dict = {"commit": git_commit(), "protocol": "bench/studies/zeroshot_builtin_v2.md", "version": 2,
                        "date": utc_now(), "machine": machine(), "extra": args.extra, "runs": {}, "commands": {},
                        "wall_s": {}}
        run_chips({chip: command(chip, args.extra) for chip in CHIPS}, args.out, result, args.json, extract)
    print(table(json.loads(args.json.read_text())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
