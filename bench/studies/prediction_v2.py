"""The prediction study, version 2, as its protocol (bench/studies/prediction_v2.md) says.

    python bench/studies/prediction_v2.py [--deadline 2026-12-07T07:40] [--workers 3] [--work DIR]
                                          [--json PATH] [--smoke] [--continue PRIOR_JSON]
    python bench/studies/prediction_v2.py --table [--json PATH]
    python bench/studies/prediction_v2.py --merge bench/studies/prediction_v2.json [--json CONTINUED_JSON]

Runs the task ``prediction`` (ideal chip, 200 Izhikevich neurons, every other setting at its default) as
jobs of one seed and one experiment each: first the tuning of FORCE's forgetting factor λ on the
development seed, then, seed by seed in the order 6, 7, …, 15, the probability sweep and the switches
(three-factor, classic FORCE, FORCE with a P reset, FORCE with the tuned λ; 5 and 3 blocks before the
switch). Up to ``--workers`` jobs run at once; at ``--deadline`` (UTC) the jobs still running are
stopped and left out. Each finished job's figures are kept under ``--work`` (a rerun skips them), and
bench/studies/prediction_v2.json gets the date, the commit, the machine, every job's figures and the
summary over the confirmation seeds. ``--table`` prints the README's table from that JSON, running
nothing. ``--smoke``: tiny settings and seeds (a check of the script, written with ``--json`` elsewhere).
``--continue PRIOR_JSON``: run only the jobs a previous run left unstarted (its ``not_run`` list, in its
order) with the λ that run chose (no tuning job runs), as bench/studies/prediction_v2_continued.md says;
``--merge`` then adds to that run's JSON the figures merged with version 2's (:func:`merge`), which
``--table`` prints (by default from bench/studies/prediction_v2_continued.json where it exists) and
:func:`figures` draws.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing as mp
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

REPO = Path(__file__).resolve().parents[2]
RESULT = Path(__file__).with_suffix(".json")
CONTINUED = RESULT.with_name("prediction_v2_continued.json")
PROTOCOL = "bench/studies/prediction_v2.md"
ADDENDUM = "bench/studies/prediction_v2_continued.md"

CHIP = "ideal"
NETWORK = ["network.model=izhikevich", "network.neurons=200", "crossbar.adc_mode=ideal", "prediction.seeds=1"]
DEV_SEEDS = (0,)
CONFIRMATION_SEEDS = tuple(range(6, 16))
LAMBDAS = (0.999, 0.9995, 0.9998)          # memory ≈ 10, 20, 50 trials (100 RLS updates per trial)
PRE_BLOCKS = (5, 3)
METHODS = ("three-factor", "force", "force-reset", "force-lambda")
TUNE_PRE = 5
TARGETS = {"r_a": 0.97, "r_b": -0.97, "retrack": 30}
SMOKE = ["network.neurons=30", "prediction.trial_duration=0.4", "prediction.t_a=0.2", "prediction.t_b=0.3",
         "prediction.what_window=0.1", "prediction.block_trials=6", "prediction.sweep_warmup_trials=2",
         "prediction.p_levels=3", "prediction.test_every=3", "prediction.test_trials=2",
         "prediction.channels_per_stimulus=4", "prediction.recover_smooth=2"]


def jobs(dev_seeds, confirmation_seeds) -> list[dict]:
    """Every job in the order they start: λ's tuning first, then seed by seed."""
    out = [{"kind": "tune", "seed": s, "pre": TUNE_PRE, "method": "force", "lam": lam}
           for s in dev_seeds for lam in LAMBDAS]
    for s in confirmation_seeds:
        out.append({"kind": "sweep", "seed": s})
        out += [{"kind": "switch", "seed": s, "pre": pre, "method": m} for pre in PRE_BLOCKS for m in METHODS]
    return out


def name(job: dict) -> str:
    if job["kind"] == "sweep":
        return f"sweep-seed{job['seed']}"
    lam = f"-lam{job['lam']}" if job.get("lam") is not None else ""
    return f"{job['kind']}-seed{job['seed']}-pre{job['pre']}-{job['method']}{lam}"


def overrides(job: dict, lam: float | None, smoke: bool) -> list[str]:
    """The ``--set`` keys of a job (``lam``: the tuned λ, for ``force-lambda``)."""
    keys = NETWORK + [f"run.seed={job['seed']}"] + (SMOKE if smoke else [])
    if job["kind"] == "sweep":
        return keys + ["prediction.sweep=true", "prediction.switch_methods=''"]
    method = job["method"]
    forgetting = job["lam"] if job["kind"] == "tune" else (lam if method == "force-lambda" else 1.0)
    rls_method = "force" if method == "force-lambda" else method
    return keys + ["prediction.sweep=false", f"prediction.switch_methods='{rls_method}'",
                   f"prediction.switch_pre_blocks={job['pre']}", f"prediction.force_forgetting={forgetting}"]


def extract(job: dict, report: dict) -> dict:
    """The figures of one job from its report."""
    p = report["prediction"]
    if job["kind"] == "sweep":
        end, half = p["sweep"]["block_end"]["per_seed"][0], p["sweep"]["per_seed"][0]
        return {"r_a": end["r_a"], "r_b": end["r_b"], "r_a_second_half": half["r_a"],
                "r_b_second_half": half["r_b"], "p_a": end["p_a"], "amp_a": end["amp_a"], "amp_b": end["amp_b"],
                "amp_a_second_half": half["amp_a"], "amp_b_second_half": half["amp_b"],
                "test_error_first_last": [p["sweep"]["learning_curve"]["first"], p["sweep"]["learning_curve"]["last"]]}
    m = "force" if job["method"] == "force-lambda" else job["method"]
    v = p["switch"][m]
    return {"trials_to_recover": v["trials_to_recover"][0], "off": v["off_after_block_fraction_of_step"][0],
            "amp_before_switch": v["amp_before_switch"][0], "force_forgetting": v["force_forgetting"]}


def run_job(job: dict, lam: float | None, smoke: bool, path: str) -> None:
    """Run one job and write its figures to ``path`` (atomically)."""
    from neurosim.config import load_config
    from neurosim.tasks.prediction import Prediction, prediction_report
    from neurosim.tasks.registry import RunContext
    keys = overrides(job, lam, smoke)
    config = load_config(CHIP, overrides=keys)
    start = time.time()
    report = prediction_report(Prediction().run(config, RunContext("cpu")))
    out = {"job": job, "overrides": keys, "seconds": round(time.time() - start, 1), **extract(job, report)}
    tmp = path + ".tmp"
    Path(tmp).write_text(json.dumps(out, indent=1))
    os.replace(tmp, path)


def choose_lambda(tuned: list[dict]) -> dict:
    """The protocol's rule: fewest trials to re-track on the development seeds (mean; a seed that never
    re-tracks counts as the post-switch block's length + 1), then the smallest mean 'off' after the
    block, then the larger λ (the longer memory)."""
    scores = {}
    for lam in LAMBDAS:
        rows = [t for t in tuned if t["job"]["lam"] == lam]
        never = rows[0]["block_trials"] + 1 if rows else 0
        rec = sum(never if t["trials_to_recover"] is None else t["trials_to_recover"] for t in rows) / len(rows)
        off = sum(float("inf") if t["off"] is None else t["off"] for t in rows) / len(rows)
        scores[lam] = (rec, off, -lam)
    best = min(scores, key=lambda k: scores[k])
    return {"lambda": best, "scores": {str(k): {"trials_to_recover_mean": v[0], "off_mean": v[1]}
                                       for k, v in scores.items()}}


def schedule(all_jobs: list[dict], work: Path, workers: int, deadline: dt.datetime, smoke: bool,
             lam: dict | None = None) -> dict:
    """Run the jobs, up to ``workers`` at once, the first startable in order; stop at ``deadline``.
    ``lam``: λ already chosen (``choose_lambda``'s dict); else the tuning jobs among ``all_jobs`` choose it."""
    ctx = mp.get_context("fork")
    running: dict[str, tuple[dict, mp.Process]] = {}
    stopped: list[str] = []
    block_trials = 6 if smoke else 100

    def done(job):
        return (work / f"{name(job)}.json").exists()

    def load(job):
        return {**json.loads((work / f"{name(job)}.json").read_text()), "block_trials": block_trials}
    while True:
        for key, (job, proc) in list(running.items()):
            if not proc.is_alive():
                proc.join()
                del running[key]
                if proc.exitcode != 0:
                    raise SystemExit(f"job {key} failed (exit code {proc.exitcode}); see its traceback above")
        tune = [j for j in all_jobs if j["kind"] == "tune"]
        if lam is None and tune and all(done(j) for j in tune):
            lam = choose_lambda([load(j) for j in tune])
            print(f"λ chosen on the development seed(s): {lam['lambda']} {lam['scores']}", flush=True)
        todo = [j for j in all_jobs if not done(j) and name(j) not in running]
        if not todo and not running:
            break
        if dt.datetime.now(dt.timezone.utc) >= deadline:
            for key, (_, proc) in running.items():
                proc.terminate()
                proc.join()
                stopped.append(key)
            print(f"deadline reached: stopped {', '.join(stopped) or 'nothing'}; "
                  f"not started: {len(todo) - len(stopped)} job(s)", flush=True)
            break
        startable = [j for j in todo if j.get("method") != "force-lambda" or lam is not None]
        while startable and len(running) < workers:
            job = startable.pop(0)
            proc = ctx.Process(target=run_job, args=(job, lam and lam["lambda"], smoke,
                                                     str(work / f"{name(job)}.json")))
            proc.start()
            running[name(job)] = (job, proc)
            print(f"{time.strftime('%H:%M:%S')} started {name(job)}", flush=True)
        time.sleep(0.5 if smoke else 5)
    return {"lambda": lam, "stopped_at_deadline": stopped,
            "not_run": [name(j) for j in all_jobs if not done(j) and name(j) not in stopped]}


def describe(values: list[float]) -> dict:
    """Mean, sample std and the two-sided 95 % t interval of the mean (None where n < 2)."""
    from scipy import stats
    n = len(values)
    if n == 0:
        return {"n": 0, "mean": None, "std": None, "ci95": None}
    mean = sum(values) / n
    if n < 2:
        return {"n": 1, "mean": mean, "std": None, "ci95": None}
    sd = (sum((v - mean) ** 2 for v in values) / (n - 1)) ** 0.5
    half = float(stats.t.ppf(0.975, n - 1)) * sd / n ** 0.5
    return {"n": n, "mean": mean, "std": sd, "ci95": [mean - half, mean + half]}


def summarise(results: list[dict], confirmation_seeds) -> dict:
    """Per figure over the confirmation seeds whose job finished: per-seed values, mean and t interval."""
    out: dict = {}
    sweeps = [r for r in results if r["job"]["kind"] == "sweep" and r["job"]["seed"] in confirmation_seeds]
    for key in ("r_a", "r_b", "r_a_second_half", "r_b_second_half"):
        per = {r["job"]["seed"]: r[key] for r in sweeps}
        out[key] = {"per_seed": per, **describe([v for v in per.values() if v is not None])}
    for pre in PRE_BLOCKS:
        for m in METHODS:
            rows = [r for r in results if r["job"]["kind"] == "switch" and r["job"]["pre"] == pre
                    and r["job"]["method"] == m and r["job"]["seed"] in confirmation_seeds]
            rec = {r["job"]["seed"]: r["trials_to_recover"] for r in rows}
            off = {r["job"]["seed"]: r["off"] for r in rows}
            out[f"switch_pre{pre}_{m}"] = {
                "trials_to_recover": {"per_seed": rec, "never": sum(v is None for v in rec.values()),
                                      **describe([v for v in rec.values() if v is not None])},
                "off": {"per_seed": off, **describe([v for v in off.values() if v is not None])},
                "force_forgetting": sorted({r["force_forgetting"] for r in rows})}
    ra, rb, tf = out["r_a"], out["r_b"], out[f"switch_pre{PRE_BLOCKS[0]}_three-factor"]["trials_to_recover"]
    out["targets"] = {
        "r_a >= 0.97": _verdict(ra, lambda x: x >= TARGETS["r_a"], lower=True),
        "r_b <= -0.97": _verdict(rb, lambda x: x <= TARGETS["r_b"], lower=False),
        "three-factor re-tracks within 30 trials (5 blocks before)": (
            "no seeds" if tf["n"] == 0 and tf["never"] == 0 else
            "missed: a seed never re-tracked" if tf["never"] else _verdict(tf, lambda x: x <= TARGETS["retrack"],
                                                                           lower=False)),
    }
    return out


def _verdict(d: dict, ok, lower: bool) -> str:
    """'met (interval too)', 'met on the mean', 'missed' or 'no seeds'; ``lower``: the target bounds from
    below (the interval's lower end must clear it), else from above."""
    if d["mean"] is None:
        return "no seeds"
    if not ok(d["mean"]):
        return "missed"
    if d["ci95"] is not None and ok(d["ci95"][0] if lower else d["ci95"][1]):
        return "met (the 95 % t interval clears the target)"
    return "met on the mean (the 95 % t interval does not clear the target)"


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True).stdout.strip()


def fmt(x, spec="{:.3f}") -> str:
    return "n/a" if x is None else spec.format(x)


def cell(d: dict, spec="{:.3f}", seeds=None) -> str:
    per = " / ".join("never" if v is None else fmt(v, spec) for v in d["per_seed"].values())
    ci = "" if d.get("ci95") is None else f" [{fmt(d['ci95'][0], spec)}, {fmt(d['ci95'][1], spec)}]"
    return f"{per} ({fmt(d['mean'], spec)}{ci}; n = {d['n']})"


def table(data: dict) -> str:
    """The README's table (markdown) from one run's JSON: its own jobs' summary and its notes."""
    return summary_rows(data["summary"], data["tuning"]["lambda"]) + "\n\n" + notes(data)


def summary_rows(s: dict, lam: dict | None) -> str:
    """The table's rows (markdown) of a summary (:func:`summarise`), with λ's value in the force-λ rows."""
    rows = ["| figure | confirmation seeds, per seed in order (mean [95 % t interval]; n seeds) | target | verdict |",
            "|---|---|---|---|",
            f"| r_A, end-of-block amplitude vs p(A) (primary) | {cell(s['r_a'])} | ≥ 0.97 | "
            f"{s['targets']['r_a >= 0.97']} |",
            f"| r_B, end-of-block (primary) | {cell(s['r_b'])} | ≤ −0.97 | {s['targets']['r_b <= -0.97']} |",
            f"| r_A, block's second-half mean (beside) | {cell(s['r_a_second_half'])} | | |",
            f"| r_B, block's second-half mean (beside) | {cell(s['r_b_second_half'])} | | |"]
    labels = {"three-factor": "three-factor rule", "force": "classic FORCE (λ = 1, no reset)",
              "force-reset": "FORCE with a P reset at the switch",
              "force-lambda": f"FORCE with forgetting (λ = {fmt(lam and lam['lambda'], '{:g}')}, no reset)"}
    for pre in PRE_BLOCKS:
        for m in METHODS:
            v = s[f"switch_pre{pre}_{m}"]
            target, verdict = "", ""
            if m == "three-factor" and pre == PRE_BLOCKS[0]:
                target = "≤ 30"
                verdict = s["targets"]["three-factor re-tracks within 30 trials (5 blocks before)"]
            rows.append(f"| {pre} blocks before the switch: {labels[m]}, trials to re-track (never: "
                        f"{v['trials_to_recover']['never']}) | {cell(v['trials_to_recover'], '{:.0f}')} | "
                        f"{target} | {verdict} |")
            rows.append(f"| … its lag: off after the first post-switch block (× step) | "
                        f"{cell(v['off'], '{:.2f}')} | | |")
    return "\n".join(rows)


def notes(data: dict) -> str:
    """The lines under the table: λ's tuning on the development seed(s), and what the deadline left out."""
    lam = data["tuning"]["lambda"]
    if lam is None:
        tuning = "λ: its tuning jobs did not finish before the deadline, so no force-λ job ran."
    else:
        grid = "; ".join(f"λ = {k}: re-tracks in {fmt(v['trials_to_recover_mean'], '{:.0f}')} trials (never = 101), "
                         f"lag {fmt(v['off_mean'], '{:.2f}')} of the step" for k, v in lam["scores"].items())
        tuning = (f"λ chosen on development seed(s) {', '.join(map(str, data['development_seeds']))} by the "
                  f"protocol's rule (classic FORCE, 5 blocks before the switch): **λ = {lam['lambda']:g}** ({grid}).")
    ran = ", ".join(map(str, sorted({j["job"]["seed"] for j in data["jobs"]}))) or "none"
    stopped = ", ".join(data["stopped_at_deadline"]) or "none"
    return (f"{tuning} Confirmation seeds with at least one finished job: {ran}; "
            f"stopped at the deadline ({data['deadline_utc']} UTC): {stopped}; "
            f"not started: {len(data['not_run'])} job(s). Run {data['started_utc']} → {data['finished_utc']} on "
            f"{data['machine']['cpus']} CPUs (load average {data['machine']['loadavg_at_start'][0]:.0f} at the "
            f"start), commit {data['commit'][:7]}; protocol commit {data['protocol_commit'][:7]}.")


def merge(first: dict, cont: dict) -> dict:
    """Version 2's run (``first``) and its continuation (``cont``, run with ``--continue``) as one
    confirmation result (bench/studies/prediction_v2_continued.md, "Merging with version 2"): every
    finished job of both, in seed order, summarised per figure over the seeds whose job for it finished.

    Raises ValueError if a job is in both runs (the addendum reruns none) or the λ differ."""
    if cont["tuning"]["lambda"] != first["tuning"]["lambda"]:
        raise ValueError("the continuation's λ is not version 2's; it does not continue that run")
    both = {name(r["job"]) for r in first["jobs"]} & {name(r["job"]) for r in cont["jobs"]}
    if both:
        raise ValueError(f"jobs in both runs (no job is rerun): {', '.join(sorted(both))}")
    jobs_ = sorted(first["jobs"] + cont["jobs"], key=lambda r: r["job"]["seed"])   # stable: each run's order
    runs = {}
    for label, d in (("version 2", first), ("continuation", cont)):
        runs[label] = {"protocol": d["protocol"], "protocol_commit": d["protocol_commit"], "commit": d["commit"],
                       "started_utc": d["started_utc"], "finished_utc": d["finished_utc"],
                       "deadline_utc": d["deadline_utc"], "workers": d["machine"]["workers"],
                       "loadavg_at_start": d["machine"]["loadavg_at_start"],
                       "finished_jobs": [name(r["job"]) for r in d["jobs"]],
                       "stopped_at_deadline": d["stopped_at_deadline"], "not_run": d["not_run"]}
    return {"runs": runs, "summary": summarise(jobs_, set(first["confirmation_seeds"]))}


def merged_table(cont: dict) -> str:
    """The merged confirmation table (markdown) from the continuation's JSON (its ``merged``)."""
    m = cont["merged"]
    return summary_rows(m["summary"], cont["tuning"]["lambda"]) + "\n\n" + merged_notes(cont)


def merged_notes(cont: dict) -> str:
    """The lines under the merged table: λ, and what each run finished, stopped and left unstarted."""
    lam = cont["tuning"]["lambda"]
    parts = [f"λ = {lam['lambda']:g}, chosen on development seed(s) {', '.join(map(str, cont['development_seeds']))} "
             f"by version 2's rule (not retuned; read from `{cont['tuning']['from']}`)."]
    for label, r in cont["merged"]["runs"].items():
        seeds = ", ".join(map(str, sorted({int(n.split("seed")[1].split("-")[0]) for n in r["finished_jobs"]})))
        parts.append(f"{label.capitalize()} (protocol `{r['protocol']}`, commit {r['protocol_commit'][:7]}; "
                     f"code {r['commit'][:7]}; {r['workers']} worker(s), load average "
                     f"{r['loadavg_at_start'][0]:.0f} at the start; {r['started_utc']} → {r['finished_utc']}): "
                     f"{len(r['finished_jobs'])} job(s) finished (seeds {seeds or 'none'}); stopped at its deadline "
                     f"({r['deadline_utc']} UTC): {', '.join(r['stopped_at_deadline']) or 'none'}; "
                     f"not started: {len(r['not_run'])} job(s).")
    return " ".join(parts)


#: Trials to re-track drawn for "never" (the post-switch block's 100 trials + 1, as λ's rule counts it).
NEVER = 101


def figures(data: dict) -> dict[str, Figure]:
    """The study's figures from one loaded JSON (the merged summary where the JSON holds one, else its own):
    ``"r"``, end-of-block r_A and r_B per confirmation seed (second-half mean beside) with the target
    lines; ``"retrack"``, trials to re-track per method and seed at 5 and 3 blocks before the switch,
    "never" drawn at :data:`NEVER`, the three-factor target line at 5 blocks. Returns
    ``{key: matplotlib.figure.Figure}``; each plotted series carries its figure's name as its label."""
    from matplotlib.figure import Figure

    s = data["merged"]["summary"] if "merged" in data else data["summary"]
    out = {}
    fig = Figure(figsize=(8, 3.6), layout="constrained")
    for ax, key, target in zip(fig.subplots(1, 2), ("r_a", "r_b"), (TARGETS["r_a"], TARGETS["r_b"])):
        for measure, marker in ((key, "o"), (f"{key}_second_half", "^")):
            seeds_, values = _series(s[measure]["per_seed"])
            ax.plot(seeds_, values, linestyle="none", marker=marker, color="C0" if key == "r_a" else "C3",
                    fillstyle="full" if marker == "o" else "none", label=measure)
        ax.axhline(target, color="0.4", linestyle="--", linewidth=0.8, label=f"target {target:g}")
        ax.set_xlabel("confirmation seed")
        ax.set_title(f"{'r_A' if key == 'r_a' else 'r_B'}, amplitude of {key[-1].upper()} vs p(A)", fontsize=9)
        ax.legend(fontsize=7)
    fig.axes[0].set_ylabel("Pearson r")
    fig.suptitle("filled: end-of-block test trials (target-bearing); open: block's second-half mean", fontsize=9)
    out["r"] = fig
    fig = Figure(figsize=(8, 3.6), layout="constrained")
    axes = fig.subplots(1, len(PRE_BLOCKS), sharey=True)
    for ax, pre in zip(axes, PRE_BLOCKS):
        for i, m in enumerate(METHODS):
            seeds_, values = _series(s[f"switch_pre{pre}_{m}"]["trials_to_recover"]["per_seed"])
            x = [i + 0.04 * (seed - 10.5) for seed in seeds_]   # seeds side by side within a method
            y = [NEVER if v is None else v for v in values]
            ax.plot(x, y, linestyle="none", marker="o", color=f"C{i}", label=f"switch_pre{pre}_{m}")
        if pre == PRE_BLOCKS[0]:
            ax.axhline(TARGETS["retrack"], color="0.4", linestyle="--", linewidth=0.8, label="target 30")
        ax.axhline(NEVER, color="0.8", linewidth=0.8, label=f"never (drawn at {NEVER})")
        ax.set_xticks(range(len(METHODS)), METHODS, fontsize=8)
        ax.set_title(f"{pre} blocks before the switch", fontsize=9)
    axes[0].set_ylabel(f"trials to re-track per seed (never: at {NEVER})")
    out["retrack"] = fig
    return out


def _series(per_seed: dict) -> tuple[list[int], list]:
    """A summary's ``per_seed`` (keys strings in the JSON) as seeds and values in seed order."""
    pairs = sorted((int(k), v) for k, v in per_seed.items())
    return [k for k, _ in pairs], [v for _, v in pairs]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--table", action="store_true",
                    help="print the table from the JSON and stop (the merged one where the JSON holds it)")
    ap.add_argument("--json", type=Path, default=None,
                    help=f"default: {RESULT.name}; with --table, {CONTINUED.name} where it exists")
    ap.add_argument("--merge", type=Path, default=None, metavar="FIRST_JSON",
                    help="add to --json (a --continue run's result) the figures merged with FIRST_JSON's and stop")
    ap.add_argument("--work", type=Path, default=Path("/tmp/prediction_v2"))
    ap.add_argument("--workers", type=int, default=3)
    ap.add_argument("--deadline", default="2026-12-07T07:40", help="UTC; running jobs stop then")
    ap.add_argument("--smoke", action="store_true", help="tiny settings and seeds (checks the script)")
    ap.add_argument("--continue", dest="prior", type=Path, default=None, metavar="PRIOR_JSON",
                    help="run only PRIOR_JSON's not_run jobs, in order, with its λ")
    args = ap.parse_args()
    if args.table:
        path = args.json or (CONTINUED if CONTINUED.exists() else RESULT)
        data = json.loads(path.read_text())
        print(merged_table(data) if "merged" in data else table(data))
        return
    if args.merge:
        path = args.json or CONTINUED
        data = json.loads(path.read_text())
        data["merged"] = merge(json.loads(args.merge.read_text()), data)
        _write(path, data)
        print(merged_table(data))
        return
    args.json = args.json or RESULT
    dev, conf = ((0,), (6, 7)) if args.smoke else (DEV_SEEDS, CONFIRMATION_SEEDS)
    args.work.mkdir(parents=True, exist_ok=True)
    deadline = dt.datetime.fromisoformat(args.deadline).replace(tzinfo=dt.timezone.utc)
    started = dt.datetime.now(dt.timezone.utc)
    load_start = os.getloadavg()
    all_jobs = jobs(dev, conf)
    prior = json.loads(args.prior.read_text()) if args.prior else None
    if prior is not None:
        by_name = {name(j): j for j in all_jobs}
        all_jobs = [by_name[n] for n in prior["not_run"]]
    protocol = ADDENDUM if prior is not None else PROTOCOL
    run = schedule(all_jobs, args.work, args.workers, deadline, args.smoke,
                   prior and prior["tuning"]["lambda"])
    results = [json.loads((args.work / f"{name(j)}.json").read_text()) for j in all_jobs
               if (args.work / f"{name(j)}.json").exists()]
    data = {
        "study": "prediction_v2", "protocol": protocol,
        "protocol_commit": _git("log", "-1", "--all", "--format=%H %cI", "--", protocol),
        "commit": _git("rev-parse", "HEAD"), "tree_dirty": bool(_git("status", "--porcelain", "--", "neurosim")),
        "script_diff": _git("diff", "HEAD", "--", "bench/studies/prediction_v2.py"),
        "continues": prior and f"bench/studies/{args.prior.name}",
        "started_utc": started.isoformat(timespec="seconds"),
        "finished_utc": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "deadline_utc": deadline.isoformat(timespec="minutes"),
        "machine": {"node": platform.node(), "cpus": os.cpu_count(), "python": sys.version.split()[0],
                    "loadavg_at_start": load_start, "loadavg_at_end": os.getloadavg(), "workers": args.workers},
        "smoke": args.smoke, "chip": CHIP, "settings": NETWORK, "development_seeds": list(dev),
        "confirmation_seeds": list(conf), "lambda_grid": list(LAMBDAS), "tuning": {
            "lambda": run["lambda"], "jobs": [r for r in results if r["job"]["kind"] == "tune"],
            "from": prior and f"bench/studies/{args.prior.name}"},
        "stopped_at_deadline": run["stopped_at_deadline"], "not_run": run["not_run"],
        "jobs": [r for r in results if r["job"]["kind"] != "tune"],
        "summary": summarise(results, set(conf)),
    }
    _write(args.json, data)
    print(table(data))


def _write(path: Path, data: dict) -> None:
    """``data`` as indented JSON at ``path``, atomically."""
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1))
    os.replace(tmp, path)


if __name__ == "__main__":
    main()
