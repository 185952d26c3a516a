"""What a sweep ran, for the header of its comparison page and ``comparison.json``: dataset,
samples (train / test / folds), network model and size, chip, readout, engine, seeds, chip
instances, the fixed ``--set`` overrides and the commit of the package checkout.

Each field lists the distinct values over the finished units (one value when all agree; several
when a grid key changes it). :func:`package_commit` is ``git describe`` of the checkout the
package runs from, "unknown" when it is not a git checkout (an installed wheel) or git is absent.
"""

from __future__ import annotations

import json
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["MIN_TEST_SAMPLES", "package_commit", "small_split_warnings", "what_ran"]

#: A test split smaller than this gives an accuracy that swings by several points (±5 points at
#: 80 % for 64 samples, 95 % Wilson interval): the page and the CLI warn.
MIN_TEST_SAMPLES = 100


@cache
def package_commit() -> str:
    """``git describe --always --dirty --tags`` of the neurosim checkout, else ``"unknown"``."""
    root = Path(__file__).resolve().parents[2]
    try:
        out = subprocess.run(["git", "-C", str(root), "describe", "--always", "--dirty", "--tags"],
                             capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.stdout.strip() if out.returncode == 0 and out.stdout.strip() else "unknown"


def _distinct(values, ordered: bool = True) -> list:
    """The distinct values, numbers in numeric order then the rest by their JSON text; with
    ``ordered`` False, in first-seen order (``--set`` texts: a later one wins)."""
    out: dict[str, Any] = {}
    for v in values:
        out.setdefault(json.dumps(v, sort_keys=True, default=str), v)
    if not ordered:
        return list(out.values())

    def order(text: str) -> tuple:
        v = out[text]
        return (0, v, "") if isinstance(v, (int, float)) and not isinstance(v, bool) else (1, 0, text)

    return [out[k] for k in sorted(out, key=order)]


def _at(report: dict, key: str) -> Any:
    node: Any = report
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def what_ran(units: list) -> dict:
    """The header block's data from finished units (:class:`~neurosim.sweep.compare.UnitResult`):
    each field a list of the distinct values over the units (``None`` where a report lacks one)."""
    reports = [u.report for u in units]
    records = [u.record for u in units]
    return {
        "dataset": _distinct(_at(r, "dataset.name") for r in reports),
        "samples": {"train": _distinct(_at(r, "dataset.n_train") for r in reports),
                    "test": _distinct(_at(r, "dataset.n_test") for r in reports),
                    "folds": _distinct(_at(r, "accuracy.cv.folds") for r in reports)},
        "network": {"model": _distinct(_at(r, "config.network.model") for r in reports),
                    "neurons": _distinct(_at(r, "config.network.neurons") for r in reports)},
        "chip": _distinct(rec["chip"]["name"] for rec in records),
        "readout": _distinct({k: _at(r, f"config.readout.{k}") for k in ("model", "feature", "windows")}
                             for r in reports),
        "engine": _distinct(str(rec.get("engine")) for rec in records),
        "seeds": _distinct(rec["seed"] for rec in records),
        "instances": _distinct(rec["instance"] for rec in records),
        "overrides": _distinct((o for rec in records for o in rec.get("overrides", [])), ordered=False),
        "commit": _distinct(rec.get("commit", "unknown") for rec in records),
    }


def small_split_warnings(units: list, heads: list) -> list[str]:
    """One warning per headline metric with a sample count (``Headline.count``) that some unit
    measured on fewer than :data:`MIN_TEST_SAMPLES` samples."""
    out = []
    for head in heads:
        counts = [n for u in units if (n := head.samples(u.report)) is not None]
        small = [n for n in counts if n < MIN_TEST_SAMPLES]
        if small:
            out.append(f"{len(small)} of {len(units)} units measure {head.label} on fewer than "
                       f"{MIN_TEST_SAMPLES} samples (as few as {min(small)}): it can swing by several "
                       "points between runs; raise --samples, or judge by cross-validation")
    return out
