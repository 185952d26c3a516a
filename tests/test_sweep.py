"""Sweeps: the grid and its units, atomic unit folders, dask execution that survives a killed
worker and a SIGKILL'd sweep, per-unit failures, and the comparison page rendered in Chromium."""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import h5py
import numpy as np
import pytest
from conftest import REPO, skip_or_fail
from tiny import READOUT_EXTRAS_OFF, TINY, cli

from neurosim.cli import main
from neurosim.errors import ConfigError
from neurosim.sweep import SweepStore, plan_units, run_sweep, spec_from_sources
from neurosim.sweep.compare import aggregate, load_units, pareto_front
from neurosim.sweep.execute import UnitJob, run_unit
from neurosim.sweep.page import write_report

# the classify readout's extra work off: these tests are about sweeping, not about the readout
SETS = [*TINY, *READOUT_EXTRAS_OFF]
GRID = ["crossbar.adc_bits=4,8,99"]  # 99 is out of range: those units fail, the others run


def tiny_spec(grid=GRID, instances=2, **kw):
    return spec_from_sources(grid=grid, instances=instances, overrides=SETS, **kw)


def check_folder(folder: Path, figures: bool | None = None) -> set[str]:
    """Every finished unit folder is whole and parses; returns the finished ids. ``figures``: whether
    each unit's report.html must have its figures drawn (None: either)."""
    units = SweepStore(folder).units
    done = set()
    for d in units.iterdir():
        if d.name.startswith(".tmp-"):
            continue  # an unfinished write (removed by the next run), never a finished unit
        record = json.loads((d / "unit.json").read_text())
        report = json.loads((d / "report.json").read_text())
        assert record["id"] == d.name == report["run"]["id"]
        html = (d / "report.html").read_text()
        assert html.rstrip().endswith("</html>")
        if figures is not None:
            assert ("<img" in html) == figures and ("Figures not drawn" in html) == (not figures)
        with h5py.File(d / "arrays.h5", "r") as f:
            assert f.attrs["unit"] == d.name
            assert set(f) == set(record["arrays"]) and all(f[k][()].size for k in f)
        done.add(d.name)
    return done


def digests(folder: Path) -> dict[str, str]:
    units = SweepStore(folder).units
    return {d.name: json.loads((d / "unit.json").read_text())["result_sha256"]
            for d in units.iterdir() if not d.name.startswith(".")}


# --------------------------------------------------------------------------- spec and units


def test_grid_from_cli_and_toml(tmp_path):
    path = tmp_path / "sweep.toml"
    path.write_text('[sweep]\ntask = "classify"\ninstances = 3\nseeds = [1, 2]\nset = ["run.samples=40"]\n'
                    '[sweep.grid]\n"crossbar.adc_bits" = [4, 6]\n"device.read_noise_std" = [0.0, 0.05]\n'
                    '[network]\nneurons = 30\n')
    spec = spec_from_sources(path, grid=["crossbar.adc_bits=8"], overrides=["input.n_bins=20"])
    assert spec.grid == (("crossbar.adc_bits", (8,)), ("device.read_noise_std", (0.0, 0.05)))
    assert spec.instances == 3 and spec.seeds == (1, 2) and spec.size == 12
    units = plan_units(spec)
    assert len(units) == 12 and len({u.id for u in units}) == 12
    assert {u.instance for u in units} == {0, 1, 2} and {u.seed for u in units} == {1, 2}
    c = units[0].config  # the file's [network] table and every --set reach each unit's config
    assert (c.network.neurons, c.run.samples, c.input.n_bins, c.crossbar.adc_bits) == (30, 40, 20, 8)
    # a configuration is shared by its instances and seeds, not by other grid points
    assert len({u.configuration for u in units}) == 2


@pytest.mark.parametrize("kw, message", [
    ({"grid": ["crossbar.adc_bitz=4"]}, "unknown config key"),
    ({"grid": ["run.instance=1,2"]}, "use --instances"),
    ({"grid": ["crossbar.adc_bits"]}, "expected section.key=V1,V2"),
    ({"seeds": "0,x"}, "--seeds"),
    ({"instances": 0}, "instances must be a whole number >= 1"),
    ({"engine": "warp"}, "sweep engine 'warp'"),
])
def test_bad_sweeps_are_refused_before_any_work(kw, message):
    with pytest.raises(ConfigError, match=message):
        spec_from_sources(**kw)


def test_unit_ids_are_run_ids_and_a_bad_value_is_a_failed_unit():
    from neurosim.tasks import run_id

    units = plan_units(tiny_spec(grid=["crossbar.adc_bits=4,4,99"]))
    assert len(units) == 4  # the repeated value is one configuration
    good = [u for u in units if u.error is None]
    assert [u.id for u in good] == [run_id(u.config, "classify") for u in good]
    bad = [u for u in units if u.error]
    assert len(bad) == 2 and all("adc_bits = 99" in u.error and u.id.startswith("invalid-") for u in bad)


def test_memoized_loading_reads_each_chunk_once_per_process():
    from neurosim.data import load_dataset
    from neurosim.data.memo import clear_memo, memo_stats, memoized_loading

    clear_memo()
    idx = np.arange(10)
    a = load_dataset("dvs-digits", indices=idx, seed=3)
    assert load_dataset("dvs-digits", indices=idx, seed=3) is not a  # off outside the block
    with memoized_loading(1 << 30):
        b = load_dataset("dvs-digits", indices=idx, seed=3)
        assert load_dataset("dvs-digits", indices=idx, seed=3) is b
        assert load_dataset("dvs-digits", indices=idx, seed=4) is not b  # the seed is in the key
    assert memo_stats()["hits"] == 1 and memo_stats()["misses"] == 2
    assert np.array_equal(a.events, b.events)
    with memoized_loading(0):  # a limit below the batch keeps nothing
        assert load_dataset("dvs-digits", indices=idx, seed=5) is not load_dataset("dvs-digits", indices=idx, seed=5)
    clear_memo()


def test_unit_folders_are_written_whole_or_not_at_all(tmp_path, monkeypatch):
    import neurosim.sweep.store as store_mod

    store = SweepStore(tmp_path)
    store.prepare()
    arrays = {"a": np.arange(3)}
    record = {"result_sha256": "x"}
    report = {"schema": "neurosim.report/1"}

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store_mod, "write_arrays", broken)
    with pytest.raises(Exception, match="No space left"):
        store.write_unit("u1", record, report, "<html></html>", arrays)
    assert list(store.units.iterdir()) == []  # nothing half-written is left
    monkeypatch.undo()
    (store.units / ".tmp-u2-123-abcd").mkdir()  # a write interrupted by a kill
    assert store.prepare() == 1 and list(store.units.iterdir()) == []
    assert store.write_unit("u1", record, report, "<html></html>", arrays)
    assert not store.write_unit("u1", record, report, "<html></html>", arrays)  # never rewritten
    assert store.finished() == {"u1"}


def test_pareto_front():
    # (accuracy, energy): 1 is dominated by 0 (less accurate, more energy); 3 ties 2 exactly
    acc = [0.9, 0.8, 0.95, 0.95, 0.5]
    energy = [1.0, 2.0, 3.0, 3.0, 0.5]
    assert pareto_front(acc, energy) == [4, 0, 2, 3]


# --------------------------------------------------------------------------- a sweep on dask


@pytest.fixture(scope="module")
def cluster():
    """A 2-worker dask cluster (single-threaded worker processes) and a client to watch it."""
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        yield cluster.scheduler_address, client


@pytest.fixture(scope="module")
def swept(tmp_path_factory, cluster):
    """A tiny sweep (2 valid values × 2 chip instances, + 2 failing units) through the
    ``--scheduler`` path on the 2-worker cluster, one of whose workers is SIGKILLed mid-unit; the
    units' report pages without figures (the sweep's results are the same either way)."""
    address, client = cluster
    folder = tmp_path_factory.mktemp("sweep") / "out"
    spec = tiny_spec()
    killed = {}
    pids = client.run(os.getpid)
    result = {}
    thread = threading.Thread(target=lambda: result.update(
        outcome=run_sweep(spec, folder, scheduler=address, progress=False, unit_figures=False)))
    thread.start()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not killed:
        if any(client.processing().values()):
            time.sleep(0.5)  # inside the worker's first (cold) unit
            for worker, keys in client.processing().items():
                unit = keys[0].removeprefix("neurosim-unit-") if keys else None
                if unit and not SweepStore(folder).unit_dir(unit).exists():
                    os.kill(pids[worker], signal.SIGKILL)
                    killed.update(worker=worker, unit=unit)
                    break
        time.sleep(0.05)
    thread.join(120)
    client.wait_for_workers(2, timeout=60)  # the nanny restarted the killed one
    return folder, spec, result["outcome"], killed


def test_a_worker_killed_mid_unit_is_retried_and_the_sweep_completes(swept):
    folder, spec, outcome, killed = swept
    assert killed, "no worker was killed mid-unit"
    valid = [u for u in plan_units(spec) if not u.error]
    assert len(valid) == 4 and killed["unit"] in {u.id for u in valid}
    assert check_folder(folder, figures=False) == {u.id for u in valid}  # the killed worker's unit too
    assert sorted(outcome.computed) == sorted(u.id for u in valid)
    # the event data was read once per worker process, not once per unit
    records = [json.loads((folder / "units" / u.id / "unit.json").read_text()) for u in valid]
    per_worker: dict[str, int] = {}
    for r in records:
        per_worker[r["worker"]] = max(per_worker.get(r["worker"], 0), r["data_memo"]["misses"])
    assert set(per_worker.values()) == {1} and max(r["data_memo"]["hits"] for r in records) >= 1


def test_failures_are_per_unit_with_the_reason(swept):
    folder, _, outcome, _ = swept
    assert len(outcome.failed) == 2 and all("adc_bits = 99" in r for r in outcome.failed.values())
    manifest = json.loads((folder / "sweep.json").read_text())
    assert manifest["total"] == 6 and len(manifest["done"]) == 4
    assert manifest["runs"][-1]["failed"] == outcome.failed


def test_rerun_skips_every_finished_unit(swept):
    folder, spec, _, _ = swept
    before = {d.name: (d / "unit.json").read_bytes() for d in SweepStore(folder).units.iterdir()}
    again = run_sweep(spec, folder, progress=False)
    assert again.computed == [] and again.cluster == ""  # no cluster was even started
    assert sorted(again.skipped) == sorted(before)
    assert {d.name: (d / "unit.json").read_bytes() for d in SweepStore(folder).units.iterdir()} == before


@pytest.mark.slow
def test_a_unit_gives_the_same_bits_wherever_it_runs(swept):
    """Here, in the test process, with its report page's figures drawn: the same result digest as the
    sweep's unit (run on a dask worker without figures)."""
    folder, spec, _, _ = swept
    unit = next(u for u in plan_units(spec) if not u.error and u.instance == 1)
    payload = run_unit(UnitJob(unit.id, spec.task, unit.config))
    from neurosim.sweep.store import result_digest

    assert result_digest(payload["report"], payload["arrays"]) == digests(folder)[unit.id]
    assert "<img" in payload["html"] and "<img" not in (folder / "units" / unit.id / "report.html").read_text()


def sigkill_during(folder: Path, argv: list[str], delay_s: float) -> dict[str, bytes]:
    """Start ``neurosim sweep argv`` in its own process group and SIGKILL the whole group ``delay_s``
    after its first new unit; check that every unit folder it left is whole. Returns
    ``{unit id: unit.json bytes}`` of the finished units."""
    n_old = len(digests(folder)) if (folder / "units").is_dir() else 0
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen([sys.executable, "-m", "neurosim", "sweep", *argv], env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None and (
            not (folder / "units").is_dir() or len(digests(folder)) == n_old):
        time.sleep(0.02)
    time.sleep(delay_s)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    return {u: (SweepStore(folder).unit_dir(u) / "unit.json").read_bytes() for u in check_folder(folder)}


def resume_and_check(folder: Path, spec_args: dict, before: dict[str, bytes], scheduler=None, workers=1,
                     figures: bool = True):
    """Rerun the sweep in-process and check: every unit present once, every file parses, no unit
    finished ``before`` recomputed or changed, no unit computed twice over all runs; every unit's page
    with its figures drawn or not, as ``figures`` says (the killed and the resumed runs alike)."""
    spec = tiny_spec(**spec_args)
    outcome = run_sweep(spec, folder, scheduler=scheduler, workers=workers, progress=False, unit_figures=figures)
    valid = {u.id for u in plan_units(spec) if not u.error}
    assert not set(outcome.computed) & set(before), "a finished unit was recomputed"
    assert check_folder(folder, figures) == valid  # each once: a folder per id
    assert not [p for p in SweepStore(folder).units.iterdir() if p.name.startswith(".")]  # no .tmp- left
    for uid, text in before.items():
        assert (SweepStore(folder).unit_dir(uid) / "unit.json").read_bytes() == text
    runs = json.loads((folder / "sweep.json").read_text())["runs"]
    computed = [u for r in runs for u in r["computed"]]
    assert len(computed) == len(set(computed))
    return outcome


def test_sigkilled_sweep_resumes_without_loss_or_recomputation(swept, cluster, tmp_path):
    """SIGKILL a sweep at a random point after its first new unit and rerun it: every unit present
    once, none recomputed, every file parses. The grid also grew (a new value, a third instance):
    only the new units run, the old ones stay as they were. ``--no-unit-figures`` (as the old units
    were run): no unit page has a figure."""
    old_folder, _, _, _ = swept
    address, _ = cluster
    folder = tmp_path / "out"
    shutil.copytree(old_folder, folder)
    old = digests(folder)
    argv = ["--grid", "crossbar.adc_bits=4,6,8", "--instances", "3", "--out", str(folder), "--quiet",
            "--scheduler", address, "--no-unit-figures", *cli(SETS)]
    seed = random.randrange(10**6)
    before = sigkill_during(folder, argv, random.Random(seed).uniform(0.0, 0.6))
    assert len(before) > len(old), f"no new unit before the kill (seed {seed})"
    outcome = resume_and_check(folder, {"grid": ["crossbar.adc_bits=4,6,8"], "instances": 3}, before,
                               scheduler=address, figures=False)
    assert len(before) + len(outcome.computed) == 9, f"kill seed {seed}"
    assert {k: v for k, v in digests(folder).items() if k in old} == old


@pytest.mark.slow
def test_sigkilled_local_cluster_sweep_several_times(tmp_path, cluster):
    """The whole LocalCluster sweep (client, nannies, workers) SIGKILLed at random points, twice in
    a row (the second kill lands in a resumed sweep), then finished: nothing lost, nothing
    recomputed, every file parses. Eight units (2 × 2 grid points × 2 instances): a unit, most of it
    drawing its report's figures, outlasts the kills' 0–3 s delays, so the resumed sweep still has units
    to finish. The finishing run (not killed) runs on this module's ``cluster``: a cluster start-up the
    fewer."""
    folder = tmp_path / "out"
    grid = ["crossbar.adc_bits=4,8", "device.read_noise_std=0.0,0.05"]
    argv = [*(a for g in grid for a in ("--grid", g)), "--instances", "2", "--out", str(folder), "--quiet",
            "--workers", "2", *cli(SETS)]
    seed = random.randrange(10**6)
    rng = random.Random(seed)
    before: dict[str, bytes] = {}
    for _ in range(2):
        finished = sigkill_during(folder, argv, rng.uniform(0.0, 3.0))
        assert all(finished[u] == text for u, text in before.items()), f"kill seed {seed}"
        before = finished
    resume_and_check(folder, {"grid": grid, "instances": 2}, before, scheduler=cluster[0])


def free_port() -> int:
    """A TCP port no process listens on now (the system picks it): test workers run side by side."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_external_scheduler_and_workers_give_the_same_bits_as_any_local_cluster(tmp_path, cluster):
    """`dask scheduler` + 2 `dask worker` processes, a 1-worker and a 2-worker LocalCluster: every unit
    bit-identical (its result digest, i.e. report less the time stamp, and its arrays). Four units
    (read noise off and on × 2 chip instances, each instance its own random chip), so that a worker of a 2-worker
    cluster runs more than one unit. The 1-worker cluster is the sweep's own; the 2-worker one is this
    module's ``cluster`` (shared with the other tests here: a cluster start-up the fewer)."""
    spec = tiny_spec(grid=["device.read_noise_std=0.0,0.05"], instances=2)
    run_sweep(spec, tmp_path / "one", workers=1, progress=False, unit_figures=False)
    run_sweep(spec, tmp_path / "two", scheduler=cluster[0], progress=False, unit_figures=False)
    bindir = Path(sys.executable).parent
    dask_cli = ([str(bindir / "dask")] if (bindir / "dask").exists()
                else [sys.executable, "-m", "distributed.cli.dask_scheduler"])
    port = free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
           "NUMBA_NUM_THREADS": "1"}
    procs = [subprocess.Popen([*dask_cli, "scheduler", "--port", str(port), "--no-dashboard"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)]
    try:
        # the workers and the client retry until the scheduler listens: no wait for it here
        for _ in range(2):
            procs.append(subprocess.Popen([*dask_cli, "worker", f"tcp://127.0.0.1:{port}", "--nthreads", "1",
                                           "--no-dashboard"], env=env, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL, start_new_session=True))
        from distributed import Client

        with Client(f"tcp://127.0.0.1:{port}", timeout="60s") as client:
            client.wait_for_workers(2, timeout=60)
        outcome = run_sweep(spec, tmp_path / "ext", scheduler=f"tcp://127.0.0.1:{port}", progress=False,
                            unit_figures=False)
        assert "2 workers" in outcome.cluster
    finally:
        for p in procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            p.wait(30)
    one, two, ext = (digests(tmp_path / d) for d in ("one", "two", "ext"))
    assert len(one) == 4 and one == two == ext


# --------------------------------------------------------------------------- report page


def test_comparison_page_renders_in_chromium_with_every_figure(swept, tmp_path):
    folder, _, _, _ = swept
    page, json_path, h5_path = write_report([folder], tmp_path / "cmp.html")
    data = json.loads(json_path.read_text())
    assert [c["label"] for c in data["configurations"]] == ["adc_bits=4", "adc_bits=8"]
    acc = data["configurations"][0]["metrics"]["accuracy.test"]
    assert acc["n"] == 2 and acc["ci95_low"] <= acc["mean"] <= acc["ci95_high"]
    assert len(data["failed_units"]) == 2
    with h5py.File(h5_path, "r") as f:
        assert f["units/accuracy.test"].shape == (4,) and f["configurations/id"].shape == (2,)
    text = page.read_text()
    expected = {"accuracy", "energy", "pareto", "breakdown", "vs:crossbar.adc_bits", "improvement"}
    assert {s.split('"')[0] for s in text.split('data-figure="')[1:]} == expected
    assert "http://" not in text and "https://" not in text  # self-contained

    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        skip_or_fail("chromium is not installed (apt-get install chromium; .ci/run installs it)")
    # the test (not the page) adds a script that lists each image that failed to decode
    probe = tmp_path / "probe.html"
    probe.write_text(text.replace("</body>", "<script>window.addEventListener('load',()=>{const bad=[...document"
                                  ".images].filter(i=>!(i.complete&&i.naturalWidth>0)).map(i=>i.alt);document.body"
                                  ".setAttribute('data-probe',JSON.stringify({n:document.images.length,bad}));"
                                  "});</script></body>"))
    run = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr",
                          "--v=0", "--virtual-time-budget=5000", "--dump-dom", probe.as_uri()],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    dom = run.stdout
    probe_json = dom.split("data-probe=\"")[1].split('"')[0].replace("&quot;", '"')
    result = json.loads(probe_json)
    assert result == {"n": 6, "bad": []}
    assert dom.count("<figure") == 6
    console = [line for line in run.stderr.splitlines() if "CONSOLE" in line or "Failed to load" in line
               or "net::ERR" in line]
    assert console == []


def test_cli_sweep_errors_are_one_line(capsys, tmp_path):
    assert main(["sweep", "--grid", "crossbar.nope=1", "--out", str(tmp_path / "x")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unknown config key" in err
    assert main(["report", str(tmp_path), "--out", str(tmp_path / "p.html")]) == 1
    assert "not a sweep folder" in capsys.readouterr().err


def test_load_units_aggregates_two_folders_once(swept):
    folder, _, _, _ = swept
    units = load_units([folder, folder])
    assert len(units) == 4
    assert aggregate(units)["swept_keys"] == ["crossbar.adc_bits"]
