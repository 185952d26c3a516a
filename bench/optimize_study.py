"""The co-design search study and its throughput, from the frozen protocol bench/studies/optimize_vs_grid.toml.

    python bench/optimize_study.py [--protocol bench/studies/optimize_vs_grid.toml] [--work DIR]
                                   [--json bench/studies/optimize_vs_grid.json]

1. The full grid of the protocol's space runs once as a sweep into ``WORK/pool`` (reused when there).
2. Every (arm, search seed) search runs in its own folder whose ``units`` is the pool: it computes
   nothing, reads its trials' units from disk. From its trials in order: distinct units used and the
   normalised hypervolume so far; at each unit budget U, the hypervolume of the trials run by the
   time U distinct units were used. Per arm: mean, standard deviation, min, max over seeds.
3. Throughput: a fresh random search (no units on disk) on a warm LocalCluster of 1, then 2, workers;
   units/s, the driver's ask + tell seconds per trial, dask overhead per unit; and the projection to a
   100-node cluster stated in the JSON.

Writes one JSON (commit, machine, load, every number) and prints it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
import tomllib
from dataclasses import replace
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from neurosim.optimize.driver import run_search  # noqa: E402
from neurosim.optimize.pareto import hypervolume  # noqa: E402
from neurosim.optimize.space import spec_from_table  # noqa: E402
from neurosim.sweep import SweepSpec, run_sweep  # noqa: E402


def commit() -> str:
    out = subprocess.run(["git", "-C", str(REPO), "describe", "--always", "--dirty"], capture_output=True, text=True)
    return out.stdout.strip() or "unknown"


def machine() -> dict:
    return {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
            "load_average_1_5_15": list(os.getloadavg()),
            "note": "shared 2-core machine: other engineers' jobs ran at the same time"}


def full_grid(spec) -> SweepSpec:
    return SweepSpec(chip=spec.chip, task=spec.task, grid=tuple((p.key, tuple(p.levels(spec.grid_levels)))
                                                                 for p in spec.space),
                     instances=spec.instances, seeds=(spec.run_seed,), overrides=spec.overrides, engine=spec.engine,
                     data_dir=spec.data_dir)


def grid_ceiling(spec, pool: Path) -> dict:
    """Hypervolume of every point of the grid (all its units)."""
    from neurosim.optimize.objectives import directions, score
    from neurosim.sweep import plan_units
    from neurosim.sweep.store import SweepStore

    store = SweepStore(pool)
    by_point: dict[tuple, list[dict]] = {}
    for unit in plan_units(full_grid(spec)):
        by_point.setdefault(unit.point, []).append(store.read_unit(unit.id)[1])
    values = np.array([score(spec, reports).values for reports in by_point.values()])
    ref = np.array([dict(spec.reference)[o.metric] for o in spec.objectives])
    return {"points": len(by_point), "units": sum(len(r) for r in by_point.values()),
            "hypervolume": hypervolume(values, directions(spec), ref)}


def hv_at_budgets(data: dict, budgets: list[int]) -> dict:
    """Per unit budget U: the hypervolume once the search had used at most U distinct units."""
    seen: set[str] = set()
    used = []
    for t in data["trials"]:
        seen.update(t["units"])
        used.append(len(seen))
    out = {}
    for u in budgets:
        n = max((i + 1 for i, k in enumerate(used) if k <= u), default=0)
        out[str(u)] = data["hypervolume"][n - 1] if n else 0.0
    return {"by_budget": out, "units_used": used, "hypervolume": data["hypervolume"]}


def study(protocol: dict, work: Path) -> dict:
    table = protocol["study"]
    base = spec_from_table(table["optimize"])
    pool = work / "pool"
    start = time.perf_counter()
    sweep = run_sweep(full_grid(base), pool, workers=2, progress=True)
    pool_s = time.perf_counter() - start
    if not sweep.complete:
        raise SystemExit(f"grid units failed: {sweep.failed}")
    runs: dict[str, list[dict]] = {}
    for arm in table["arms"]:
        for seed in table["search_seeds"]:
            folder = work / f"{arm}-{seed}"
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            (folder / "units").symlink_to((pool / "units").resolve())
            spec = replace(base, sampler=arm, seed=seed, trials=table["trials"])
            outcome = run_search(spec, folder, progress=False, page=False)
            if outcome.computed:
                raise SystemExit(f"{arm} seed {seed} computed units outside the grid: {outcome.computed}")
            data = json.loads((folder / "search.json").read_text())
            runs.setdefault(arm, []).append({"seed": seed, **hv_at_budgets(data, table["unit_budgets"]),
                                             "front": data["front"]})
    summary = {}
    for arm, rs in runs.items():
        summary[arm] = {}
        for u in table["unit_budgets"]:
            v = np.array([r["by_budget"][str(u)] for r in rs])
            summary[arm][str(u)] = {"mean": float(v.mean()), "std": float(v.std(ddof=1)) if len(v) > 1 else 0.0,
                                    "min": float(v.min()), "max": float(v.max()), "n": len(v)}
    return {"grid_sweep": {"units_computed": len(sweep.computed), "units_reused": len(sweep.skipped),
                           "seconds": pool_s},
            "ceiling": grid_ceiling(base, pool), "summary": summary, "runs": runs}


def warm(address: str, spec) -> None:
    """One unit (another run seed) on each worker: imports and compiled code loaded."""
    from distributed import Client

    from neurosim.optimize.driver import _units
    from neurosim.sweep.execute import UnitJob, run_unit

    unit = _units(replace(spec, run_seed=999, instances=1), {p.key: p.levels(2)[0] for p in spec.space})[0]
    with Client(address) as client:
        workers = list(client.scheduler_info(n_workers=-1)["workers"])
        client.gather([client.submit(run_unit, UnitJob(unit.id, spec.task, unit.config, spec.engine, spec.data_dir),
                                     workers=[w],
                                     pure=False, key=f"warm-{i}") for i, w in enumerate(workers)])


def throughput(protocol: dict, work: Path) -> dict:
    import dask
    from distributed import LocalCluster

    conf = protocol["throughput"]
    base = spec_from_table(protocol["study"]["optimize"])
    out = {}
    for n in conf["workers"]:
        folder = work / f"throughput-{n}"
        shutil.rmtree(folder, ignore_errors=True)
        spec = replace(base, sampler="random", seed=conf["seed"], trials=conf["trials"], run_seed=conf["seed"])
        env = {**dask.config.get("distributed.nanny.pre-spawn-environ", {}), "NUMBA_NUM_THREADS": 1}
        with dask.config.set({"distributed.nanny.pre-spawn-environ": env}):
            with LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
                warm(cluster.scheduler_address, spec)
                load = list(os.getloadavg())
                start = time.perf_counter()
                outcome = run_search(spec, folder, scheduler=cluster.scheduler_address, progress=False, page=False)
                wall = time.perf_counter() - start
        rounds = json.loads((folder / "search.json").read_text())["rounds"]
        units = sum(r["computed"] for r in rounds)
        compute_wall = sum(r["compute_wall_s"] for r in rounds)
        unit_s = sum(r["unit_seconds"] for r in rounds)
        trials = sum(len(r["trials"]) for r in rounds)
        out[str(n)] = {"units": units, "trials": trials, "units_per_s": units / compute_wall,
                       "unit_compute_s_mean": unit_s / units, "search_wall_s": wall,
                       "driver_s_per_trial": sum(r["ask_s"] + r["tell_s"] for r in rounds) / trials,
                       "dask_overhead_s_per_unit": (compute_wall - unit_s / n) / units,
                       "computed_now": len(outcome.computed), "load_average_before": load}
    one, two = out["1"], out["2"]
    efficiency = two["units_per_s"] / (2 * one["units_per_s"])
    t_unit = one["unit_compute_s_mean"]
    overhead = one["driver_s_per_trial"]
    trials, instances, workers = 1000, 10, 200
    rounds = trials // workers
    projection = {
        "assumption": f"{trials} trials × {instances} chip instances of this protocol's unit, batch = {workers} "
                      f"trials per round, on 100 nodes like this one (2 cores, one single-threaded worker per core: "
                      f"{workers} workers) at the measured parallel efficiency; the driver asks and tells serially",
        "units": trials * instances, "unit_s": t_unit, "efficiency": efficiency,
        "compute_s": trials * instances * t_unit / (workers * min(1.0, efficiency)),
        "driver_s": trials * overhead, "rounds": rounds}
    projection["total_s"] = projection["compute_s"] + projection["driver_s"]
    return {"workers": out, "parallel_efficiency": efficiency, "projection_100_nodes": projection}


def markdown(result: dict) -> str:
    """The tables of docs/studies/codesign.md from a result JSON."""
    study, budgets = result["study"], None
    lines = []
    arms = list(study["summary"])
    budgets = list(study["summary"][arms[0]])
    n = study["summary"][arms[0]][budgets[0]]["n"]
    lines.append("| method | " + " | ".join(f"{u} units" for u in budgets) + " |")
    lines.append("|---|" + "---|" * len(budgets))
    for arm in arms:
        cells = [f"{s['mean']:.3f} ± {s['std']:.3f} ({s['min']:.3f}–{s['max']:.3f})"
                 for s in (study["summary"][arm][u] for u in budgets)]
        lines.append(f"| {arm} | " + " | ".join(cells) + " |")
    c = study["ceiling"]
    lines.append(f"| whole grid ({c['points']} points, {c['units']} units) | {c['hypervolume']:.3f} |"
                 + " |" * (len(budgets) - 1))
    lines.append("")
    lines.append(f"Hypervolume: mean ± standard deviation (min–max) over {n} search seeds.")
    if "throughput" in result:
        t = result["throughput"]
        lines += ["", "| workers | units/s | compute per unit (s) | driver per trial (s) | dask overhead per "
                  "unit (s) |", "|---|---|---|---|---|"]
        for w, r in t["workers"].items():
            lines.append(f"| {w} | {r['units_per_s']:.3f} | {r['unit_compute_s_mean']:.2f} | "
                         f"{r['driver_s_per_trial']:.3f} | {r['dask_overhead_s_per_unit']:.2f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--protocol", type=Path, default=REPO / "bench" / "studies" / "optimize_vs_grid.toml")
    parser.add_argument("--work", type=Path, default=Path("neurosim-out/optimize-study"))
    parser.add_argument("--json", type=Path, default=REPO / "bench" / "studies" / "optimize_vs_grid.json")
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--table", action="store_true", help="print the docs page's tables of --json and stop")
    args = parser.parse_args()
    if args.table:
        print(markdown(json.loads(args.json.read_text())))
        return
    protocol = tomllib.loads(args.protocol.read_text())
    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    result = {"protocol": str(args.protocol.resolve().relative_to(REPO)), "commit": commit(), "started": started,
              "machine": machine(), "study": study(protocol, args.work)}
    if not args.skip_throughput:
        result["throughput"] = throughput(protocol, args.work)
    result["machine_after"] = {"load_average_1_5_15": list(os.getloadavg())}
    result["command"] = "python bench/optimize_study.py"
    args.json.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "study"} | {"summary": result["study"]["summary"],
                                                                          "ceiling": result["study"]["ceiling"]},
                     indent=1))


if __name__ == "__main__":
    main()
