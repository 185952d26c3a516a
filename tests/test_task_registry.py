"""Tasks are a registry: a new one lives in its own module; runs are identified by all their inputs;
chip instance k is the same chip everywhere; streaming gives the unstreamed features."""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pytest
from tiny import READOUT_EXTRAS_OFF, TINY, cli

from neurosim import seeds
from neurosim.cli import main
from neurosim.config import load_config, param, reference_rows
from neurosim.crossbar import program_instance, program_instances
from neurosim.errors import ConfigError
from neurosim.tasks import RunContext, Task, register_task, run_id, run_task, task_names, unregister_task
from neurosim.tasks.pipeline import Pipeline


# --------------------------------------------------------------------------- a task in one module


@dataclass(frozen=True)
class MeanRateSettings:
    """[mean-rate]: the fixture task's own section."""

    scale: float = param(1.0, "Factor on the reported rate", "", 0.0, 1e6)


class MeanRate(Task):
    """A task defined entirely here: the mean spike count per neuron, times a configurable scale."""

    name = "mean-rate"
    description = "mean spikes per neuron per sample (a test fixture)"
    Settings = MeanRateSettings
    required_keys = ("mean-rate.spikes",)

    def run(self, config, context):
        data = Pipeline(config, context.engine, context.data_dir, context.progress).run_dataset()
        return config, data, self.settings(config).scale * float(data.counts.mean())

    def report(self, result):
        from neurosim.energy import estimate_energy
        from neurosim.tasks.report_parts import energy_sections
        config, data, spikes = result
        energy = estimate_energy(config, data.operations, data.network.programmed,
                                 n_inputs=data.network.inputs, n_classes=0, steps=data.n_bins)
        return {"dataset": {"name": data.name, "n_samples": len(data)}, "engine": data.engine,
                "mean-rate": {"spikes": spikes}, **energy_sections(energy)}

    def summary(self, report):
        return [("mean spikes", f"{report['mean-rate']['spikes']:.3f}")]


@pytest.fixture
def mean_rate_task():
    register_task(MeanRate)
    yield MeanRate
    unregister_task(MeanRate.name)


def test_a_task_added_in_its_own_module_runs_from_the_cli(mean_rate_task, tmp_path, capsys):
    assert "mean-rate" in task_names()
    assert "mean-rate.scale" in [row[0] for row in reference_rows()]   # documented with the others
    out = tmp_path / "rate"
    code = main(["run", "--task", "mean-rate", "--engine", "cpu", "--quiet", "--out", str(out),
                 *cli(TINY), "--set", "mean-rate.scale=2"])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    assert "mean spikes" in printed.out and "task                mean-rate on dvs-digits" in printed.out
    report = json.loads((out / "report.json").read_text())
    assert report["task"] == "mean-rate" and report["config"]["mean-rate"]["scale"] == 2.0
    once = run_task("mean-rate", load_config(overrides=TINY), RunContext("cpu")).report["mean-rate"]
    assert report["mean-rate"]["spikes"] == pytest.approx(2 * once["spikes"])   # the knob acts
    assert "Mean-rate metrics" in (out / "report.html").read_text()


def test_an_unregistered_task_and_its_section_are_gone(mean_rate_task):
    unregister_task("mean-rate")
    assert "mean-rate" not in task_names()
    with pytest.raises(ConfigError, match="unknown section"):
        load_config(overrides=["mean-rate.scale=2"])
    register_task(MeanRate)  # for the fixture's teardown


# --------------------------------------------------------------------------- run identity


def test_run_id_covers_task_engine_and_every_input():
    config = load_config(overrides=TINY)
    base = run_id(config, "classify")
    assert run_id(config, "classify") == base
    others = {run_id(config, "reservoir"), run_id(config, "classify", "cpu"),
              run_id(load_config(overrides=TINY + ["run.instance=1"]), "classify"),
              run_id(load_config(overrides=TINY + ["reservoir.rank_samples=5"]), "reservoir"),
              run_id(load_config(overrides=TINY + ["network.neurons=31"]), "classify")}
    assert base not in others and len(others) == 5
    # another task's settings do not change this task's identity
    assert run_id(load_config(overrides=TINY + ["reservoir.rank_samples=5"]), "classify") == base
    nm = load_config(overrides=TINY + ["run.dataset=nmnist"])
    assert run_id(nm, "classify", data_dir="/a") != run_id(nm, "classify", data_dir="/b")


def test_a_folder_with_another_tasks_report_is_refused_before_running(tmp_path, capsys):
    out = str(tmp_path / "same")
    # the readout's extra work and the figures off: this is about the folder, not the report's contents
    args = ["--engine", "cpu", "--quiet", "--no-figures", "--out", out, *cli(TINY + READOUT_EXTRAS_OFF)]
    assert main(["run", *args]) == 0
    capsys.readouterr()
    assert main(["run", "--task", "reservoir", *args]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "holds a different run's report (task classify" in err
    assert json.loads((tmp_path / "same" / "report.json").read_text())["task"] == "classify"
    assert main(["run", *args]) == 0   # the identical run may replace its own report


def test_unwritable_out_is_refused_before_any_work(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["run", "--quiet", "--out", str(blocker / "sub"), *cli(TINY)]) == 1
    err = capsys.readouterr().err
    assert "is not a folder" in err and "through the reservoir" not in err


# --------------------------------------------------------------------------- chip instances and seeds


@pytest.mark.parametrize("k", [0, 3])
def test_run_instance_k_is_instance_k_of_program_instances(k):
    config = load_config(overrides=TINY + [f"run.instance={k}"])
    network = Pipeline(config, "cpu").network(256)
    shape = (256 + 30, 30)
    expected = program_instances(config, shape, seed=0, n=k + 1)[k]
    np.testing.assert_array_equal(network.programmed.weights, expected.weights)
    np.testing.assert_array_equal(network.programmed.g_pos, expected.g_pos)
    assert not np.array_equal(expected.weights, program_instance(config, shape, 0, k + 1).weights)


def test_seed_streams_are_named_and_independent():
    assert seeds.spawn_key("chip", 2) == (seeds.spawn_key("chip")[0], 2)
    a = seeds.rng(5, "chip", 0).random(4)
    np.testing.assert_array_equal(a, seeds.chip_rng(5, 0).random(4))
    assert not np.array_equal(a, seeds.chip_rng(5, 1).random(4))
    assert not np.array_equal(a, seeds.rng(6, "chip", 0).random(4))
    with pytest.raises(ValueError):
        seeds.chip_rng(0, -1)


# --------------------------------------------------------------------------- streaming


def test_streamed_features_equal_the_unstreamed_ones():
    whole = Pipeline(load_config(overrides=TINY + ["run.chunk_samples=1000"]), "cpu").run_dataset()
    chunked = Pipeline(load_config(overrides=TINY + ["run.chunk_samples=7"]), "cpu").run_dataset()
    np.testing.assert_array_equal(whole.counts, chunked.counts)
    np.testing.assert_array_equal(whole.input_counts, chunked.input_counts)
    np.testing.assert_array_equal(whole.labels, chunked.labels)
    assert whole.operations.as_dict() == chunked.operations.as_dict()
    np.testing.assert_array_equal(whole.operations.row_activations_per_row,
                                  chunked.operations.row_activations_per_row)


def test_streamed_read_noise_does_not_repeat_across_chunks():
    noisy = TINY + ["network.read_noise_per_step=true", "device.read_noise_std=0.2"]
    whole = Pipeline(load_config(overrides=noisy + ["run.chunk_samples=1000"]), "cpu").run_dataset()
    chunked = Pipeline(load_config(overrides=noisy + ["run.chunk_samples=7"]), "cpu").run_dataset()
    np.testing.assert_array_equal(whole.counts, chunked.counts)


def test_two_modalities_stream_through_their_own_reservoirs_paired_by_label():
    config = load_config(overrides=["run.samples=60", "network.neurons=30", "input.n_bins=20",
                                    "input.crop=0"])
    pipe = Pipeline(config, "cpu")
    paired = pipe.run_paired("dvs-digits", "spoken-digits")
    assert paired.a.network.inputs == 34 * 34 and paired.b.network.inputs == 64   # one polarity
    assert paired.a.network is pipe.network(paired.a.network.inputs)     # programmed once
    assert len(paired.idx_a) == len(paired.idx_b) == 60
    np.testing.assert_array_equal(paired.a.labels[paired.idx_a], paired.b.labels[paired.idx_b])
    again = Pipeline(config, "cpu").run_paired("dvs-digits", "spoken-digits")
    np.testing.assert_array_equal(again.idx_b, paired.idx_b)
    np.testing.assert_array_equal(again.b.counts, paired.b.counts)


# --------------------------------------------------------------------------- engines are a registry too


def test_an_engine_registered_elsewhere_is_chosen_by_name(tmp_path, capsys):
    from neurosim.engines import EngineEntry, engine_choices, get_engine, register_engine, unregister_engine
    from neurosim.engines.cpu_engine import CpuEngine

    class OneThread(CpuEngine):
        name = "cpu-1"

    register_engine(EngineEntry("cpu-1", lambda **options: OneThread(threads=1, **options)))
    try:
        assert "cpu-1" in engine_choices() and get_engine("cpu-1").threads == 1
        out = tmp_path / "one"
        # the readout's extra work and the figures off: this is about which engine ran
        assert main(["run", "--engine", "cpu-1", "--quiet", "--no-figures", "--out", str(out),
                     *cli(TINY + READOUT_EXTRAS_OFF)]) == 0
        assert json.loads((out / "report.json").read_text())["engine"] == "cpu-1"
        register_engine(EngineEntry("off", OneThread, available=lambda: (False, "not here (test)")))
        with pytest.raises(Exception, match="not available here: not here"):
            get_engine("off")
    finally:
        unregister_engine("cpu-1")
        unregister_engine("off")


def test_the_cli_sees_a_task_registered_after_its_first_call(capsys):
    """``main`` keeps its parser between calls in one process (building it is most of a quick
    command's time); a task registered after a call is a ``--task`` choice at the next call, and is
    refused again once unregistered."""
    assert main(["config", "--task", "classify"]) == 0
    register_task(MeanRate)
    try:
        assert main(["config", "--task", "mean-rate"]) == 0
        assert "[mean-rate]" in capsys.readouterr().out
    finally:
        unregister_task(MeanRate.name)
    with pytest.raises(SystemExit):
        main(["config", "--task", "mean-rate"])
    assert "invalid choice: 'mean-rate'" in capsys.readouterr().err
