"""The table ``neurosim sweep`` prints at the end: each configuration of the sweep, its units done,
its headline metrics (the task's: for classify the CV accuracy when CV ran, and the test split
beside it with its sample count) and energy per inference over chip instances, then the failed
units with their reasons. Warnings (a test split of fewer than 100 samples) go to stderr."""

from __future__ import annotations

import sys

from neurosim.report.format import format_quantity
from neurosim.sweep.compare import ENERGY, UnitResult, aggregate, headlines, unit_metrics
from neurosim.sweep.store import SweepStore

__all__ = ["summary_table"]


def _text_table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  " + "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)


def summary_table(outcome) -> str:
    """Text summary of a :class:`~neurosim.sweep.execute.SweepOutcome`."""
    store = SweepStore(outcome.folder)
    done = store.finished()
    units = []
    for u in outcome.units:
        if u.id in done:
            record, report = store.read_unit(u.id)
            metrics, names = unit_metrics(report)
            units.append(UnitResult(store.unit_dir(u.id), record, metrics, names, report))
    asked: dict[str, int] = {}
    for u in outcome.units:
        asked[u.configuration] = asked.get(u.configuration, 0) + 1
    lines = [f"sweep {outcome.folder}: {len(units)}/{len(outcome.units)} units finished "
             f"({len(outcome.computed)} now, {len(outcome.skipped)} before, {len(outcome.failed)} failed)"
             + (f" on {outcome.cluster}" if outcome.cluster else "")]
    if units:
        data = aggregate(units)
        heads = headlines(data)
        head = heads[0]
        rows = [["configuration", "units", *(f"{h.label} (mean ± sd, 95 % CI)" for h in heads[:2]),
                 "energy / inference (mean ± sd)"]]
        for c in data["configurations"]:
            en = c["metrics"].get(ENERGY)
            rows.append([
                c["label"] + (" *" if c["pareto"] else ""), f"{len(c['units'])}/{asked.get(c['id'], 0)}",
                *(_headline_cell(c, h) for h in heads[:2]),
                f"{format_quantity(en['mean'], 'J')} ± {format_quantity(en['std'], 'J')}" if en else "-"])
        lines.append(_text_table(rows))
        if data["pareto_front"]:
            lines.append(f"  (* on the {head.label}–energy Pareto front: {data['pareto_test']})")
        for warning in data["warnings"]:
            print(f"neurosim: warning: {warning}", file=sys.stderr)
    if outcome.failed:
        by_id = {u.id: u for u in outcome.units}
        lines.append(f"failed units ({len(outcome.failed)}; rerun the same command to retry them):")
        for uid, reason in outcome.failed.items():
            u = by_id.get(uid)
            where = f"{dict(u.point)}, instance {u.instance}, seed {u.seed}" if u else uid
            lines.append(f"  {where}: {reason}")
    lines.append(f"compare: neurosim report {outcome.folder} --out {outcome.folder / 'comparison.html'}")
    return "\n".join(lines)



def _headline_cell(config: dict, head) -> str:
    """``"83.3 % ± 5.5 % [69.8 %, 96.9 %]"`` over the configuration's units, with ``(n = 28)``
    when the metric has a sample count (the test split's size)."""
    stat = config["metrics"].get(head.key)
    if not stat:
        return "-"
    f = lambda v: head.format(v, 1)  # noqa: E731
    counts = config.get("headline_samples", {}).get(head.key)
    n = f" (n = {', '.join(map(str, counts))})" if counts else ""
    return f"{f(stat['mean'])} ± {f(stat['std'])} [{f(stat['ci95_low'])}, {f(stat['ci95_high'])}]{n}"
