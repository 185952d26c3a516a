"""The dataset path runs a network's background noise, as every other path does.

An Izhikevich reservoir gets a Gaussian background current every step
(:mod:`neurosim.networks.background`). :meth:`Pipeline.run_dataset` (classify, zeroshot,
continual, the reservoir task's dataset pass) must run it through the same
:meth:`Pipeline.simulate` as the reservoir task's jitter and memory-capacity runs: same
seed ⇒ the same spikes, different from the noiseless network's; and an engine that steps no
hook is refused instead of silently dropping the noise.
"""

from __future__ import annotations

import numpy as np
import pytest

from neurosim.config import load_config
from neurosim.errors import EngineError
from neurosim.tasks import RunContext, run_task
from neurosim.tasks.pipeline import Pipeline

#: A small noisy Izhikevich reservoir on the ideal chip (its background noise is on by default).
IZH = ["network.model=izhikevich", "network.neurons=30", "network.input_scale=12",
       "run.samples=12", "input.n_bins=20", "run.chunk_samples=5", "classify.folds=0",
       "classify.baselines=false", "classify.learning_curve=false"]
QUIET = ["network.izhikevich.noise_exc=0", "network.izhikevich.noise_inh=0"]


def dataset_spikes(config, engine: str) -> tuple[np.ndarray, np.ndarray, Pipeline]:
    """Spike rasters of the dataset path (bool ``[samples, bins, neurons]``), its input raster, and
    the pipeline that ran them."""
    spikes, rasters = [], []
    pipe = Pipeline(config, engine)

    def keep(chunk):
        spikes.append(np.asarray(chunk.activity.spike_raster))
        rasters.append(chunk.raster)

    pipe.run_dataset(on_chunk=keep)
    return np.concatenate(spikes), np.concatenate(rasters), pipe


@pytest.mark.parametrize("engine", ["cpu", "brian2", "auto"])
def test_dataset_path_runs_the_background_noise_of_simulate(engine):
    config = load_config("ideal", overrides=IZH)
    spikes, raster, pipe = dataset_spikes(config, engine)
    assert spikes.sum() > 0, "the test network should spike"
    # the reservoir task's path: one simulate call over the whole raster, from sample 0
    whole = np.asarray(pipe.simulate(pipe.network(raster.shape[2]), raster).spike_raster)
    np.testing.assert_array_equal(spikes, whole)
    quiet, quiet_raster, _ = dataset_spikes(load_config("ideal", overrides=IZH + QUIET), engine)
    np.testing.assert_array_equal(quiet_raster, raster)
    assert not np.array_equal(spikes, quiet), "the background noise must reach the dataset path"


def test_classify_run_gets_the_background_noise():
    enough = IZH + ["run.samples=60"]  # a train/test split of every class
    config = load_config("ideal", overrides=enough)
    counts = run_task("classify", config, RunContext("cpu")).result.mean_spike_counts
    spikes, _, _ = dataset_spikes(config, "cpu")
    np.testing.assert_array_equal(counts, spikes.sum(axis=1).mean(axis=0))
    quiet = run_task("classify", load_config("ideal", overrides=enough + QUIET), RunContext("cpu"))
    assert not np.array_equal(counts, quiet.result.mean_spike_counts)


@pytest.mark.parametrize("engine", ["gpu", "brian2-standalone"])
def test_engine_without_a_step_hook_is_refused_on_the_dataset_path(engine):
    config = load_config("ideal", overrides=IZH)
    with pytest.raises(EngineError, match="background noise"):
        Pipeline(config, engine).run_dataset()


def test_reservoir_task_draws_each_background_stream_once(monkeypatch):
    """The dataset pass, the jittered copies and the memory-capacity stream take disjoint
    background streams ("background", instance, sample): no run replays another's noise."""
    from neurosim.networks.background import BackgroundNoise

    drawn = []
    start = BackgroundNoise.trial_start

    def record(self, sample):
        drawn.append(self.first_sample + sample)
        start(self, sample)

    monkeypatch.setattr(BackgroundNoise, "trial_start", record)
    config = load_config("ideal", overrides=IZH + ["reservoir.rank_samples=5", "reservoir.mc_bins=300",
                                                   "reservoir.mc_max_delay=5", "reservoir.mc_washout=20"])
    run_task("reservoir", config, RunContext("cpu"))
    assert len(drawn) == 12 + 5 + 1                        # samples, jittered copies, the stream
    assert len(set(drawn)) == len(drawn)
