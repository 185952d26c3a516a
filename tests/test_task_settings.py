"""A task's declared settings (``Task.needs``): applied under the user's --config and --set, stated in the
report, the summary and the progress notes; ``neurosim run --task prediction`` runs on the default chip
with no --set for the settings it needs."""

from __future__ import annotations

import json

import pytest
from tiny import TINY_PREDICTION_WITHOUT_NEEDS

from neurosim.cli import main
from neurosim.config import DEFAULT_CHIP, load_config
from neurosim.sweep import spec_from_sources
from neurosim.sweep.spec import plan_units
from neurosim.tasks import Task, get_task, register_task

NEEDED = {"network.model", "crossbar.adc_mode"}


def test_prediction_declares_the_izhikevich_network_and_an_ideal_adc_with_reasons():
    needs = {s.key: s for s in get_task("prediction").needs}
    assert set(needs) == NEEDED
    assert needs["network.model"].value == "izhikevich" and needs["crossbar.adc_mode"].value == "ideal"
    assert "ADC" in needs["crossbar.adc_mode"].why and needs["network.model"].why
    assert get_task("classify").needs == ()


def test_task_settings_sit_above_the_chip_and_under_the_users_file_and_set(tmp_path):
    chip = load_config(DEFAULT_CHIP)
    assert (chip.network.model, chip.crossbar.adc_mode) == ("discrete-lif", "quantize")  # the preset's
    config = load_config(DEFAULT_CHIP, task="prediction")
    assert (config.network.model, config.crossbar.adc_mode) == ("izhikevich", "ideal")
    assert load_config(DEFAULT_CHIP, task="classify") == chip, "a task without needs changes nothing"
    overridden = load_config(DEFAULT_CHIP, overrides=["crossbar.adc_mode=quantize"], task="prediction")
    assert (overridden.network.model, overridden.crossbar.adc_mode) == ("izhikevich", "quantize")
    experiment = tmp_path / "e.toml"
    experiment.write_text('[network]\nmodel = "lif"\n')
    from_file = load_config(DEFAULT_CHIP, experiment, task="prediction")
    assert (from_file.network.model, from_file.crossbar.adc_mode) == ("lif", "ideal")


def test_cli_runs_prediction_on_the_default_chip_with_no_set_for_what_it_needs(tmp_path, capsys):
    out = tmp_path / "pred"
    code = main(["run", "--task", "prediction", "--engine", "cpu", "--out", str(out), "--no-figures",
                 *(f"--set={s}" for s in TINY_PREDICTION_WITHOUT_NEEDS)])
    stdout, err = capsys.readouterr()
    assert code == 0, err
    assert "task prediction runs with crossbar.adc_mode = 'ideal' (in use)" in err
    report = json.loads((out / "report.json").read_text())
    assert report["chip"]["name"] == DEFAULT_CHIP
    assert report["config"]["crossbar"]["adc_mode"] == "ideal" and report["config"]["network"]["model"] == "izhikevich"
    applied = {s["key"]: s for s in report["task_settings"]}
    assert set(applied) == NEEDED and all(s["applied"] and s["why"] for s in applied.values())
    assert "prediction sets" in stdout and "crossbar.adc_mode = 'ideal': the prediction study" in stdout


def test_a_users_value_wins_and_the_summary_says_the_declared_one_was_not_used():
    from neurosim.tasks.needs import settings_rows
    report = {"task": "prediction", "task_settings": [
        {"key": "crossbar.adc_mode", "value": "ideal", "used": "quantize", "applied": False, "why": "reason"}]}
    (label, text), = settings_rows(report)
    assert label == "prediction would set" and "chose 'quantize'" in text and "reason" in text


def test_a_sweep_of_prediction_applies_its_declared_settings():
    spec = spec_from_sources(None, task="prediction", grid=["prediction.lr_when=0.05,0.1"],
                             overrides=TINY_PREDICTION_WITHOUT_NEEDS)
    units = plan_units(spec)
    assert len(units) == 2 and all(u.config.crossbar.adc_mode == "ideal" and u.config.network.model == "izhikevich"
                                   for u in units)


def test_a_task_whose_needs_are_not_task_settings_is_refused_at_registration():

    class Bad(Task):
        name = "bad-needs"
        needs = (("network.model", "lif"),)

    with pytest.raises(ValueError, match="needs must be a tuple"):
        register_task(Bad)
