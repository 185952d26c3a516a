"""The terminal summaries say what each number is: one line per metric with its samples and interval, no
placeholders (``None``, a 0 s latency that was not measured)."""

from __future__ import annotations

from neurosim.tasks import get_task
from neurosim.tasks.prediction.report import prediction_summary
from neurosim.tasks.report_parts import energy_summary


def _energy(sensor_s: float) -> dict:
    baseline = {"name": "event-driven int8 (45 nm)", "per_inference_J": 2e-9}
    return {"energy": {"per_inference_J": 1e-9, "breakdown_J": {"adc": 1e-9}, "baseline": baseline,
                       "improvement_vs_baseline": 2.0,
                       "baselines": [{**baseline, "fair": True, "ratio": 2.0, "dynamic_ratio": None},
                                     {"name": "dense int8 (45 nm)", "per_inference_J": 5e-9, "fair": False,
                                      "ratio": 5.0}]},
            "latency": {"per_inference_s": 1e-5, "sensor_to_decision_s": sensor_s}}


def test_a_sensor_to_decision_latency_of_zero_is_not_printed_and_a_measured_one_is_explained():
    rows = dict(energy_summary(_energy(0.0)))
    assert "sensor→decision" not in rows, "0 s means not measured (zero-shot's combined estimate)"
    rows = dict(energy_summary(_energy(0.3)))
    assert rows["sensor→decision"].startswith("300 ms: from a sample's first event")
    assert "mean over the run's samples" in rows["energy / inference"]
    also = [v for k, v in energy_summary(_energy(0.3)) if k.strip() == "also vs"]
    assert also == ["5.00× dense int8 (45 nm); not fair: it is not given the events' sparsity"]


def test_classify_summary_names_the_samples_and_interval_of_each_accuracy():
    report = {"task": "classify", "dataset": {"name": "d", "n_train": 96, "n_test": 24},
              "accuracy": {"test": 18 / 24, "cv": {"value": 0.6, "low": 0.5, "high": 0.7, "level": 0.95, "folds": 5}},
              **_energy(0.3)}
    rows = dict(get_task("classify").summary(report))
    assert "all 120 samples" in rows["accuracy (5-fold CV)"] and "Wilson" in rows["accuracy (5-fold CV)"]
    test = rows["accuracy (test split)"]
    assert test.startswith("75.0 % (95 % CI ") and "the 24 test samples" in test and "96 others" in test


def test_prediction_summary_writes_never_for_a_seed_that_did_not_recover_and_explains_the_switch():
    report = {"prediction": {"seeds": [0, 1], "sweep": {}, "learning_energy": {"per_method": {}},
                             "switch": {"force": {"trials_to_recover": [None, 12], "off_after_block_mean": 0.7},
                                        "switch": {"kind": "probability", "from": 0.8, "to": 0.2}}}}
    rows = dict(prediction_summary(report))
    assert rows["switch force"].startswith("trials to recover never / 12; off") and "None" not in rows["switch force"]
    assert rows["switch"].startswith("probability switch, p(A) 0.8 → 0.2: per method")


def test_continual_summary_says_what_acc_and_bwt_are():
    interval = {"value": 0.8, "low": 0.7, "high": 0.9, "level": 0.95}
    report = {"task": "continual", "dataset": {"n_test": 50},
              "continual": {"stream": "class-split", "tasks": 2, "seeds": [0, 1],
                            "methods": {"hlop": {"acc": interval, "bwt": {**interval, "value": -0.05, "low": -0.1,
                                                                          "high": 0.0}, "lateral_neurons": 20.0}}},
              **_energy(0.3)}
    rows = dict(get_task("continual").summary(report))
    assert rows["ACC"].startswith("mean accuracy over all 2 tasks after learning the last")
    assert "50 test samples" in rows["ACC"] and "t-interval" in rows["ACC"]
    assert rows["BWT"].startswith("backward transfer") and "forgetting" in rows["BWT"]
    assert rows["hlop"] == "ACC 80.0 % (95 % CI 70.0–90.0 %), BWT -5.0 points [-10.0, +0.0], 20 lateral neurons " \
                           "(mean over seeds)"
