"""The table ``neurosim sweep`` prints at the end: each configuration of the sweep, its units done,
its headline metric (the task's first, e.g. test accuracy) and energy per inference over chip
instances, then the failed units with their reasons."""

from __future__ import annotations

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
        head = headlines(data)[0]
        f = lambda v: head.format(v, 1)  # noqa: E731
        rows = [["configuration", "units", f"{head.label} (mean ± sd, 95 % CI)", "energy / inference (mean ± sd)"]]
        for c in data["configurations"]:
            acc, en = c["metrics"].get(head.key), c["metrics"].get(ENERGY)
            rows.append([
                c["label"] + (" *" if c["pareto"] else ""), f"{len(c['units'])}/{asked.get(c['id'], 0)}",
                (f"{f(acc['mean'])} ± {f(acc['std'])} [{f(acc['ci95_low'])}, {f(acc['ci95_high'])}]") if acc else "-",
                f"{format_quantity(en['mean'], 'J')} ± {format_quantity(en['std'], 'J')}" if en else "-"])
        lines.append(_text_table(rows))
        if data["pareto_front"]:
            lines.append(f"  (* on the {head.label}–energy Pareto front)")
    if outcome.failed:
        by_id = {u.id: u for u in outcome.units}
        lines.append(f"failed units ({len(outcome.failed)}; rerun the same command to retry them):")
        for uid, reason in outcome.failed.items():
            u = by_id.get(uid)
            where = f"{dict(u.point)}, instance {u.instance}, seed {u.seed}" if u else uid
            lines.append(f"  {where}: {reason}")
    lines.append(f"compare: neurosim report {outcome.folder} --out {outcome.folder / 'comparison.html'}")
    return "\n".join(lines)
