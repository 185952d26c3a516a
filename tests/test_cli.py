"""The command line end to end: errors are one line, runs write reports, seeds reproduce."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib

import pytest
from tiny import READOUT_EXTRAS_OFF, TINY, cli

from neurosim.cli import main
from neurosim.config import Config, apply_mapping, load_config, validate

QUICK = [*cli(TINY), "--quiet"]  # a tiny run, without progress output


def run_cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("argv, message", [
    (["run", "--chip", "/no/such/chip.toml"], "--chip /no/such/chip.toml: no such file"),
    (["run", "--set", "network.nerons=5"], "unknown key network.nerons"),
    (["run", "--set", "device.g_min=-1e-6"], "device.g_min = -1e-06 S is out of range"),
    (["run", "--engine", "gpu"] + QUICK, "engine 'gpu' is not available here"),
    (["run", "--dataset", "nmnist", "--data-dir", "/no/such/root"], "/no/such/root"),
    (["chips", "show", "nope"], "unknown chip"),
])
def test_errors_are_one_clear_line(capsys, argv, message):
    code, out, err = run_cli(capsys, *argv)
    assert code == 1
    errors = [line for line in err.splitlines() if line.startswith("neurosim: error: ")]
    assert len(errors) == 1 and message in errors[0]
    assert err.strip().splitlines()[-1] == errors[0] and "Traceback" not in err


def test_malformed_chip_toml_is_one_line(capsys, tmp_path):
    bad = tmp_path / "chip.toml"
    bad.write_text("[device]\ng_min = = 1\n")
    code, _, err = run_cli(capsys, "run", "--chip", str(bad))
    assert code == 1 and f"{bad}: malformed TOML" in err and len(err.strip().splitlines()) == 1


def test_a_real_process_prints_no_traceback(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "neurosim", "run", "--set", "device.g_min=-1"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [
        "neurosim: error: device.g_min = -1.0 S is out of range: expected 0 ≤ g_min ≤ 0.01 S"]


def test_chips_list_and_show_round_trip(capsys):
    code, out, _ = run_cli(capsys, "chips")
    assert code == 0 and "rram-40nm-256kb" in out and "ideal" in out
    code, out, _ = run_cli(capsys, "chips", "show", "rram-40nm-256kb")
    assert code == 0
    shown = validate(apply_mapping(Config(), tomllib.loads(out), "shown"))
    assert shown == load_config("rram-40nm-256kb")


def test_datasets_lists_where_and_how(capsys, tmp_path):
    code, out, _ = run_cli(capsys, "datasets", "--data-dir", str(tmp_path))
    assert code == 0
    assert "dvs-digits" in out and "built-in" in out
    assert "nmnist" in out and "missing" in out and "get it:" in out


def test_config_prints_resolved_toml(capsys):
    code, out, _ = run_cli(capsys, "config", "--chip", "ideal", "--set", "network.neurons=7")
    assert code == 0 and tomllib.loads(out)["network"]["neurons"] == 7


def test_run_end_to_end_writes_reports_and_reproduces(capsys, tmp_path):
    out_dir = tmp_path / "r"
    code, out, err = run_cli(capsys, "run", *QUICK, "--out", str(out_dir))
    assert code == 0, err
    assert "accuracy (test split)" in out and "accuracy (4-fold CV)" in out and str(out_dir / "report.json") in out
    report = json.loads((out_dir / "report.json").read_text())
    assert report["schema"] == "neurosim.report/1"
    assert report["task"] == "classify" and report["engine"] in ("cpu", "gpu") and report["seed"] == 0
    assert report["dataset"] == {"name": "dvs-digits", "n_train": 32, "n_test": 8,
                                 "skipped_corrupt": 0, "skipped": []}
    assert report["chip"]["name"] == "rram-40nm-256kb" and len(report["chip"]["config_hash"]) == 16
    assert 0.0 <= report["accuracy"]["test"] <= 1.0
    energy = report["energy"]
    assert sum(energy["breakdown_J"].values()) == pytest.approx(energy["per_inference_J"])
    assert energy["improvement_vs_baseline"] == pytest.approx(  # the headline: dynamic energy
        energy["baseline"]["dynamic_J"] / energy["dynamic_J"])
    assert report["latency"]["per_inference_s"] > 0
    assert report["provenance"]["versions"]["brian2"]
    html = (out_dir / "report.html").read_text()
    assert "data:image/png;base64," in html and "rram-40nm-256kb" in html

    assert sorted(p.suffix for p in (out_dir / "figures").iterdir()) == sorted([".pdf", ".svg"] * html.count("<img"))

    # The same seed again (into a fresh folder, and over its own report) gives the same numbers;
    # --no-figures leaves them out of the page and writes no figure files, and changes no number.
    again_dir = tmp_path / "again"
    assert main(["run", *QUICK, "--no-figures", "--out", str(again_dir)]) == 0
    assert main(["run", *QUICK, "--no-figures", "--out", str(again_dir)]) == 0
    again = json.loads((again_dir / "report.json").read_text())
    assert again["accuracy"] == report["accuracy"] and again["energy"] == report["energy"]
    assert "<img" not in (again_dir / "report.html").read_text() and not (again_dir / "figures").exists()

    # Another run never silently replaces this one's report.
    before = (out_dir / "report.json").read_bytes()
    code, _, err = run_cli(capsys, "run", *QUICK, "--seed", "1", "--out", str(out_dir))
    assert code == 1 and "different run" in err
    assert (out_dir / "report.json").read_bytes() == before


def test_ideal_chip_runs_and_costs_no_analog_energy(capsys, tmp_path):
    """An ideal-chip run reads its synapses and spends nothing on ADCs (the readout's extra work and
    the figures off: this is about the chip's energy breakdown)."""
    code, _, err = run_cli(capsys, "run", *QUICK, *cli(READOUT_EXTRAS_OFF), "--no-figures", "--chip", "ideal",
                           "--out", str(tmp_path / "i"))
    assert code == 0, err
    report = json.loads((tmp_path / "i" / "report.json").read_text())
    assert report["energy"]["breakdown_J"]["adc"] == 0.0
    assert report["energy"]["breakdown_J"]["synapse_reads"] > 0


def test_run_on_real_nmnist(capsys, tmp_path, nmnist_dir):
    out_dir = tmp_path / "nm"
    code, out, err = run_cli(capsys, "run", "--dataset", "nmnist", "--data-dir", str(nmnist_dir),
                             *QUICK, "--samples", "60", "--out", str(out_dir))
    assert code == 0, err
    report = json.loads((out_dir / "report.json").read_text())
    assert report["dataset"]["name"] == "nmnist"
    assert report["dataset"]["n_train"] + report["dataset"]["n_test"] == 60
    assert report["activity"]["input_spikes_per_sample"] > 100


def test_skip_corrupt_counts_the_bad_samples_in_the_report(capsys, tmp_path, nmnist_dir):
    """A partial N-MNIST copy with one truncated file: refused, or skipped and counted with
    --skip-corrupt (the readout's extra work and the figures off: this is about the data)."""
    import shutil

    root = tmp_path / "data" / "nmnist"
    for split, digits in (("Train", range(10)), ("Test", range(10))):
        for d in digits:
            files = sorted((nmnist_dir / split / str(d)).glob("*.bin"))[:3]
            (root / split / str(d)).mkdir(parents=True, exist_ok=True)
            for f in files:
                shutil.copy(f, root / split / str(d) / f.name)
    bad = sorted((root / "Train" / "3").glob("*.bin"))[0]
    bad.write_bytes(bad.read_bytes()[:-3])
    argv = ["run", "--dataset", "nmnist", "--data-dir", str(tmp_path / "data"), *QUICK, *cli(READOUT_EXTRAS_OFF),
            "--no-figures", "--samples", "0"]
    code, _, err = run_cli(capsys, *argv, "--out", str(tmp_path / "a"))
    assert code == 1 and bad.name in err and "truncated" in err
    code, out, err = run_cli(capsys, *argv, "--skip-corrupt", "--out", str(tmp_path / "b"))
    assert code == 0, err
    report = json.loads((tmp_path / "b" / "report.json").read_text())
    assert report["dataset"]["skipped_corrupt"] == 1 and bad.name in report["dataset"]["skipped"][0]
    assert report["config"]["run"]["skip_corrupt"] is True
    assert "1 corrupt skipped" in out


def test_reservoir_task_reports_quality_metrics(capsys, tmp_path):
    out_dir = tmp_path / "res"
    code, out, err = run_cli(capsys, "run", "--task", "reservoir", *QUICK, "--samples", "24", "--no-figures",
                             "--out", str(out_dir))  # the metrics are tables of the page, not figures
    assert code == 0, err
    report = json.loads((out_dir / "report.json").read_text())
    assert report["task"] == "reservoir" and "accuracy" not in report
    assert report["reservoir"]["kernel_rank"]["m"] == 24
    assert 0 <= report["activity"]["silent_fraction"] <= 1
    html = (out_dir / "report.html").read_text()
    assert "Reservoir metrics" in html and "kernel rank" in html


def test_commands_that_run_nothing_start_without_the_heavy_libraries():
    """``neurosim --help``, ``config``, ``chips`` and ``datasets`` import none of scikit-learn, SciPy,
    matplotlib, numba, Brian2, tonic, dask or Optuna (each is imported where it is used): they start in
    about 0.5 s instead of 2 (scikit-learn and SciPy alone were 1.3 s of every command's start)."""
    heavy = ("sklearn", "scipy", "matplotlib", "numba", "brian2", "tonic", "dask", "optuna")
    code = ("import contextlib, io, sys\n"
            "from neurosim.cli import main\n"
            "for argv in (['--help'], ['config'], ['chips'], ['chips', 'show', 'ideal'], ['datasets'],\n"
            "             ['run', '--help']):\n"
            "    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
            "        try:\n"
            "            main(argv)\n"
            "        except SystemExit:\n"
            "            pass\n"
            f"    loaded = [m for m in {heavy!r} if m in sys.modules]\n"
            "    assert not loaded, f'neurosim {argv} imported {loaded}'\n")
    subprocess.run([sys.executable, "-c", code], check=True)
