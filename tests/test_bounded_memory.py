"""Bounded memory of a streamed run: the input-raster baseline no wider than the reservoir's
features, and a run that would not fit refused with the figure before the dataset streams."""

from __future__ import annotations

import numpy as np
import pytest

from neurosim.config import load_config
from neurosim.errors import ConfigError
from neurosim.events import EventBatch
from neurosim.events.binning import window_sums
from neurosim.learning.features import baseline_features, raster_windows
from neurosim.tasks import memory
from neurosim.tasks.pipeline import Pipeline

SMALL = ["run.samples=30", "network.neurons=20", "input.n_bins=40", "readout.windows=2",
         "run.chunk_samples=10", "crossbar.adc_mode=ideal"]


def test_raster_windows_keep_the_raster_when_it_fits_and_pool_it_when_not():
    assert raster_windows(50, 256, None) == 50
    assert raster_windows(50, 256, 12800) == 50            # fits: the flattened raster itself
    assert raster_windows(306, 256, 5000) == 19            # 19 × 256 = 4,864 ≤ 5,000
    assert raster_windows(50, 256, 200) == 1               # never fewer than one window


def test_pooled_raster_baseline_sums_the_bins_into_windows():
    batch = EventBatch.from_samples([np.zeros(0, dtype=[("x", "<i2"), ("y", "<i2"), ("t", "<i8"), ("p", "<i1")])] * 2,
                                    labels=[0, 1], sensor_size=(4, 4, 2), name="t")
    raster = np.random.default_rng(0).random((2, 10, 6)) < 0.5
    readout = load_config(overrides=["readout.windows=2"]).readout
    whole = baseline_features(batch, raster, readout)["input raster"]
    np.testing.assert_array_equal(whole, raster.reshape(2, -1))
    pooled = baseline_features(batch, raster, readout, max_raster_features=20)["input raster"]
    assert pooled.shape == (2, 18)                           # 3 windows × 6 channels ≤ 20
    np.testing.assert_array_equal(pooled, window_sums(raster, 3).reshape(2, -1))


def test_the_input_raster_baseline_is_no_wider_than_the_reservoir_features():
    config = load_config(overrides=SMALL + ["network.neurons=300"])
    data = Pipeline(config, "cpu").run_dataset(baselines=True)
    width = data.features.shape[1]                           # 2 windows × 300 neurons
    assert width == 600
    raster = data.baselines["input raster"]
    assert raster.shape[1] <= width < config.input.n_bins * data.input_counts.shape[1]
    # the pooled raster keeps every input spike: its windows sum to the input counts
    channels = data.input_counts.shape[1]
    np.testing.assert_array_equal(raster.reshape(len(data), -1, channels).sum(axis=1), data.input_counts)


def test_a_run_that_would_not_fit_is_refused_with_the_figure_before_it_streams(monkeypatch):
    monkeypatch.setattr(memory, "available_bytes", lambda: 10_000)
    config = load_config(overrides=SMALL)
    chunks = []
    with pytest.raises(ConfigError, match=r"30 samples × .* GiB, but 0.0 GiB of memory is available"):
        Pipeline(config, "cpu").run_dataset(baselines=True, on_chunk=chunks.append)
    assert chunks == []                                      # refused at the first chunk's shapes


def test_the_estimate_counts_what_is_kept_and_the_readout_copies():
    assert memory.estimate_bytes(100, 1000, 50) == 100 * (1000 + memory.READOUT_COPIES * 8 * 50)
    memory.check_fits(100, 1000, 50, "x", available=10**9)   # fits: no error
    with pytest.raises(ConfigError, match="lower run.samples"):
        memory.check_fits(100, 1000, 50, "x", available=1000)


def test_available_memory_is_read_from_meminfo(tmp_path):
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:       16000000 kB\nMemAvailable:    2048 kB\n")
    assert memory.available_bytes(meminfo) == 2048 * 1024
    assert memory.available_bytes(tmp_path / "missing") is None or memory.available_bytes(tmp_path / "missing") > 0


def test_classify_report_states_the_raster_reduction():
    from neurosim.tasks import RunContext, run_task
    config = load_config(overrides=["run.samples=60", "network.neurons=300", "input.n_bins=40",
                                    "readout.windows=2", "classify.folds=2", "classify.learning_curve=false",
                                    "crossbar.adc_mode=ideal"])
    baselines = run_task("classify", config, RunContext("cpu")).report["baselines"]
    raster = baselines["input raster"]
    assert raster["bins"] == 40 and raster["time_windows"] == 2 and raster["features_per_sample"] == 2 * 256
    assert baselines["pixel counts"]["features_per_sample"] == 34 * 34 * 2
