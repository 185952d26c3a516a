"""The co-design search end to end on tiny units: trials run as the sweep's units (a sweep's finished
units are reused, not recomputed), a SIGKILLed search resumes without losing or repeating work and
ends as an uninterrupted one, the page renders in Chromium, and a front point's files run."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO, skip_or_fail
from tiny import READOUT_EXTRAS_OFF, TINY

from neurosim.errors import ConfigError
from neurosim.optimize import optimize, spec_from_file
from neurosim.optimize.driver import COMPUTED_LOG, JOURNAL, run_search
from neurosim.sweep import SweepSpec, plan_units, run_sweep

#: A 2 × 2 space of tiny classify units (no CV: min_test_samples 0 lets the tiny test split through).
SEARCH = """
[optimize]
instances = 1
trials = {trials}
batch = 2
population = 2
sampler = "{sampler}"
seed = 3
engine = "cpu"
min_test_samples = 0
set = {overrides}
[optimize.space]
"crossbar.adc_bits" = {{ choices = [4, 8] }}
"crossbar.rows" = {{ choices = [64, 128] }}
"""
OVERRIDES = [*TINY, *READOUT_EXTRAS_OFF]


def search_file(folder: Path, trials: int = 4, sampler: str = "nsga2") -> Path:
    path = folder / f"search-{sampler}-{trials}.toml"
    path.write_text(SEARCH.format(trials=trials, sampler=sampler, overrides=json.dumps(OVERRIDES)))
    return path


@pytest.fixture(scope="module")
def scheduler():
    """A 2-worker dask cluster every search of this module runs on (``--scheduler``)."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        yield cluster.scheduler_address


@pytest.fixture(scope="module")
def searched(tmp_path_factory, scheduler):
    """An uninterrupted tiny NSGA-II search: (search file, folder, outcome); its units' report pages
    without figures (the search reads their JSON reports)."""
    root = tmp_path_factory.mktemp("opt")
    path = search_file(root)
    outcome = optimize(path, root / "a", scheduler=scheduler, unit_figures=False)
    return path, root / "a", outcome


def trials_of(folder: Path) -> list[dict]:
    data = json.loads((folder / "search.json").read_text())
    return [{k: t[k] for k in ("number", "state", "params", "values", "units")} for t in data["trials"]]


@pytest.mark.e2e
def test_a_search_runs_its_trials_as_units_and_writes_page_and_front(searched):
    path, folder, outcome = searched
    data = json.loads((folder / "search.json").read_text())
    assert len(data["trials"]) == 4 and all(t["state"] == "COMPLETE" for t in data["trials"])
    assert data["front"] == outcome.front and outcome.front
    assert len(data["hypervolume"]) == 4 and data["hypervolume"] == sorted(data["hypervolume"])
    # each trial's unit is the unit a sweep of its point runs (same id)
    spec = spec_from_file(path)
    for t in data["trials"]:
        point = tuple((k, (v,)) for k, v in t["params"].items())
        sweep = SweepSpec(task=spec.task, grid=point, instances=1, overrides=tuple(OVERRIDES), engine="cpu")
        assert t["units"] == [u.id for u in plan_units(sweep)]
    # a unit shared by two trials (a point asked twice) was computed once
    computed = (folder / COMPUTED_LOG).read_text().split()
    assert len(computed) == len(set(computed)) == len({u for t in data["trials"] for u in t["units"]})
    assert outcome.page.is_file() and len(outcome.front_files) == 2 * len(outcome.front)
    # rerunning a finished search computes nothing and starts no cluster
    before = trials_of(folder)
    again = optimize(path, folder)
    assert again.computed == [] and again.cluster == "" and trials_of(folder) == before
    # a resumed search must ask for the same trials: another seed is refused
    with pytest.raises(ConfigError, match="seed"):
        optimize(path, folder, seed=4)


@pytest.mark.e2e
def test_a_sweeps_finished_units_are_reused(tmp_path, scheduler):
    """A grid sweep of the space first; the grid search in the same folder then computes nothing."""
    sweep = SweepSpec(task="classify", grid=(("crossbar.adc_bits", (4, 8)), ("crossbar.rows", (64, 128))),
                      instances=1, overrides=tuple(OVERRIDES), engine="cpu")
    done = run_sweep(sweep, tmp_path / "s", scheduler=scheduler, progress=False, unit_figures=False)
    assert len(done.computed) == 4
    outcome = run_search(spec_from_file(search_file(tmp_path, sampler="grid")), tmp_path / "s", scheduler=scheduler,
                         progress=False, page=False)
    assert outcome.computed == [] and outcome.reused == 4 and not (tmp_path / "s" / COMPUTED_LOG).exists()
    units = {u for t in outcome.trials for u in t["units"]}
    assert units == set(done.computed)  # every sweep unit is a trial's unit, and the other way round
    assert sorted(tuple(sorted(t["params"].items())) for t in outcome.trials) == sorted(
        (("crossbar.adc_bits", a), ("crossbar.rows", r)) for a in (4, 8) for r in (64, 128))


def _told(folder: Path) -> dict[int, tuple]:
    """Trials told (complete or failed) in a search folder's journal: number → (params, values)."""
    import optuna
    from optuna.storages.journal import JournalFileBackend, JournalStorage

    study = optuna.load_study(study_name="neurosim-optimize",
                              storage=JournalStorage(JournalFileBackend(str(folder / JOURNAL))))
    return {t.number: (t.params, t.values) for t in study.get_trials() if t.state.is_finished()}


@pytest.mark.slow
@pytest.mark.e2e
def test_a_sigkilled_search_resumes_losing_and_repeating_nothing(searched, tmp_path, scheduler):
    path, reference, _ = searched
    folder = tmp_path / "b"
    seed = int(os.environ.get("NEUROSIM_KILL_SEED", time.time_ns() % 10_000))
    rng = random.Random(seed)
    units_before_kill, extra_delay = 1, rng.uniform(0.0, 1.5)
    proc = subprocess.Popen([sys.executable, "-m", "neurosim", "optimize", "--config", str(path), "--out", str(folder),
                             "--scheduler", scheduler, "--quiet"], cwd=REPO, start_new_session=True,
                            env={**os.environ, "PYTHONPATH": str(REPO)}, stderr=subprocess.PIPE)
    log = folder / COMPUTED_LOG
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and proc.poll() is None:
        if log.is_file() and len(log.read_text().split()) >= units_before_kill:
            break
        time.sleep(0.1)
    time.sleep(extra_delay)
    assert proc.poll() is None, f"the search ended before the kill (seed {seed}): {proc.stderr.read()[-2000:]}"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    told_before = _told(folder)
    computed_before = log.read_text().split()
    assert len(told_before) < 4, f"kill seed {seed}: nothing left to resume"
    run_search(spec_from_file(path), folder, scheduler=scheduler, progress=False, page=False)
    after = _told(folder)
    assert all(after[n] == v for n, v in told_before.items()), f"kill seed {seed}: a told trial changed"
    computed = log.read_text().split()
    assert computed[:len(computed_before)] == computed_before
    assert len(computed) == len(set(computed)), f"kill seed {seed}: a unit was computed twice"
    # the same trials, values and front as the uninterrupted search of the same seed
    assert trials_of(folder) == trials_of(reference), f"kill seed {seed}"
    assert json.loads((folder / "search.json").read_text())["front"] == \
        json.loads((reference / "search.json").read_text())["front"]


@pytest.mark.e2e
def test_the_page_renders_in_chromium_with_every_figure(searched, tmp_path):
    _, folder, _ = searched
    text = (folder / "optimize.html").read_text()
    assert {s.split('"')[0] for s in text.split('data-figure="')[1:]} == {"front", "hypervolume", "importance"}
    assert "http://" not in text and "https://" not in text
    assert {p.name for p in (folder / "optimize_figures").iterdir()} == {
        f"{n}.{x}" for n in ("front", "hypervolume", "importance") for x in ("svg", "pdf")}
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        skip_or_fail("chromium is not installed (apt-get install chromium; .ci/run installs it)")
    probe = tmp_path / "probe.html"
    probe.write_text(text.replace("</body>", "<script>window.addEventListener('load',()=>{const bad=[...document"
                                  ".images].filter(i=>!(i.complete&&i.naturalWidth>0)).map(i=>i.alt);document.body"
                                  ".setAttribute('data-probe',JSON.stringify({n:document.images.length,bad}));"
                                  "});</script></body>"))
    run = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr",
                          "--v=0", "--virtual-time-budget=5000", "--dump-dom", probe.as_uri()],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    probe_json = run.stdout.split("data-probe=\"")[1].split('"')[0].replace("&quot;", '"')
    assert json.loads(probe_json) == {"n": 3, "bad": []}
    console = [line for line in run.stderr.splitlines() if "CONSOLE" in line or "Failed to load" in line
               or "net::ERR" in line]
    assert console == []


@pytest.mark.e2e
def test_neurosim_run_takes_a_front_points_files(searched, tmp_path):
    """``neurosim run --chip trial-N.chip.toml --config trial-N.toml`` runs that trial's unit: same run id
    (``--no-figures``: the report page's figures are not what is checked)."""
    _, folder, outcome = searched
    best = outcome.front_trials()[0]
    chip, config = (folder / "front" / f"trial-{best['number']}{x}.toml" for x in (".chip", ""))
    done = subprocess.run([sys.executable, "-m", "neurosim", "run", "--task", "classify", "--engine", "cpu",
                           "--chip", str(chip), "--config", str(config), "--out", str(tmp_path / "run"), "--quiet",
                           "--no-figures"],
                          cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads((tmp_path / "run" / "report.json").read_text())
    assert report["run"]["id"] == best["units"][0]
    assert report["accuracy"]["test"] == best["per_instance"]["accuracy"][0]


def test_the_shipped_example_parses_and_plans(tmp_path):
    spec = spec_from_file(REPO / "examples" / "optimize.toml")
    assert spec.task == "classify" and spec.instances == 3 and spec.min_test_samples == 100
    from neurosim.optimize.driver import _units

    point = {p.key: p.levels(2)[0] for p in spec.space}
    units = _units(spec, point)
    assert len(units) == 3 and all(u.error is None for u in units)
    assert units[0].config.run.samples >= spec.min_test_samples  # the example's headline is not refused


@pytest.mark.slow
@pytest.mark.e2e
def test_the_shipped_example_runs_from_the_command_line(tmp_path):
    """``neurosim optimize --config examples/optimize.toml`` (one round of 2 trials here, 6 units, whose
    report pages ``--no-unit-figures`` leaves without figures) prints the front and writes the page and
    the front's files, which ``neurosim run --chip`` takes. ``--workers 1``: the CLI's own LocalCluster
    (the number of its workers is not the claim here; each one more is a process start, imports and JIT)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = tmp_path / "opt"
    done = subprocess.run([sys.executable, "-m", "neurosim", "optimize", "--config", "examples/optimize.toml",
                           "--out", str(out), "--trials", "2", "--workers", "1", "--no-unit-figures"], cwd=REPO,
                          env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "on the front" in done.stdout and "trial 2/2" in done.stderr
    assert (out / "optimize.html").is_file()
    pages = [(d / "report.html").read_text() for d in (out / "units").iterdir()]
    assert len(pages) == 6 and not any("<img" in p for p in pages)
    chip = sorted((out / "front").glob("trial-*.chip.toml"))[0]
    experiment = chip.with_name(chip.name.replace(".chip", ""))
    assert "--engine cpu" in experiment.read_text()  # the comment says how to run it as the search did
    run = subprocess.run([sys.executable, "-m", "neurosim", "run", "--task", "classify", "--engine", "cpu",
                          "--chip", str(chip), "--config", str(experiment), "--out", str(tmp_path / "r"), "--quiet",
                          "--no-figures"],
                         cwd=REPO, env=env, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr[-2000:]
    number = int(chip.name.split("-")[1].split(".")[0])
    trial = next(t for t in json.loads((out / "search.json").read_text())["trials"] if t["number"] == number)
    assert json.loads((tmp_path / "r" / "report.json").read_text())["run"]["id"] == trial["units"][0]
