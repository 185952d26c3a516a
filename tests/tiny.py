"""The tiny configurations the tests share: runs small enough to take seconds on the cpu engine.

Each is a list of ``--set`` override strings (``"section.key=value"``), for ``load_config(overrides=...)``
or, through :func:`cli`, the command line. They are plain literals on purpose: renaming a config key in
the tests is one ``sed`` over ``tests/``. A test that needs a variant adds its own overrides after one
of these (later overrides win); no test file declares a ``TINY`` list of its own (tests/test_test_hygiene.py).
"""

from __future__ import annotations

import tomllib

#: A classify run for unit tests: 40 samples (train + test), 30 neurons, 20 time bins.
TINY = ["run.samples=40", "network.neurons=30", "input.n_bins=20"]

#: A classify run with enough samples for k-fold cross-validation and learning curves:
#: 120 samples, 40 neurons, 20 time bins.
TINY_120 = ["run.samples=120", "network.neurons=40", "input.n_bins=20"]

#: The classify readout's extra work off (k-fold CV, no-reservoir baselines, learning curve, tuning),
#: for tests about something other than the readout.
READOUT_EXTRAS_OFF = ["classify.folds=0", "classify.baselines=false", "classify.learning_curve=false",
                      "readout.tune=false"]

#: The reservoir task: 24 samples, 30 neurons, 20 bins; kernel rank over 10 samples and a short
#: memory-capacity run (300 bins, delays up to 5, 16 input channels).
TINY_RESERVOIR = ["run.samples=24", "network.neurons=30", "input.n_bins=20", "reservoir.rank_samples=10",
                  "reservoir.mc_bins=300", "reservoir.mc_max_delay=5", "reservoir.mc_washout=20",
                  "reservoir.mc_channels=16"]

#: The continual task: two tasks of 120 samples, 40 neurons, few epochs, a 16-unit hidden layer.
TINY_CONTINUAL = ["run.samples=120", "network.neurons=40", "input.n_bins=20", "continual.tasks=2",
                  "continual.epochs=3", "continual.hebbian_epochs=2", "continual.hidden=16"]

#: The zero-shot task: 120 samples, 24 neurons, 12 vision / 16 audio bins, two seeds of two epochs,
#: 8-wide projections, two-shot prototypes.
TINY_ZEROSHOT = ["run.samples=120", "network.neurons=24", "zeroshot.vision_n_bins=12", "zeroshot.audio_n_bins=16",
                 "zeroshot.epochs=2", "zeroshot.seeds=2", "zeroshot.batch=16", "zeroshot.dim=8", "zeroshot.hidden=8",
                 "zeroshot.proto_shots=2", "zeroshot.proto_queries=2"]

#: The prediction task on a 40-neuron Izhikevich reservoir: one seed, 0.4 s trials, 4-trial blocks,
#: three probability levels, two switch methods.
TINY_PREDICTION = ["network.model=izhikevich", "network.neurons=40", "prediction.seeds=1",
                   "prediction.trial_duration=0.4", "prediction.t_a=0.2", "prediction.t_b=0.3",
                   "prediction.what_window=0.1", "prediction.block_trials=4", "prediction.sweep_warmup_trials=2",
                   "prediction.p_levels=3", "prediction.test_every=2", "prediction.test_trials=1",
                   "prediction.switch_methods='three-factor,force-reset'", "prediction.channels_per_stimulus=4",
                   "prediction.switch_pre_blocks=3"]


def cli(overrides: list[str]) -> list[str]:
    """``overrides`` as command-line arguments: ``["--set=run.samples=40", ...]``."""
    return [f"--set={o}" for o in overrides]


def as_mapping(overrides: list[str]) -> dict:
    """``overrides`` as a ``{dotted key: value}`` mapping (values parsed as TOML, as ``--set`` parses
    them), for ``Config.set``: ``{"run.samples": 40, ...}``."""
    pairs = (o.split("=", 1) for o in overrides)
    return {key: tomllib.loads(f"v = {value}")["v"] for key, value in pairs}

#: ``--set`` texts that make each built-in task's run tiny (a task not listed runs at its defaults).
TINY_RUNS = {"classify": TINY + READOUT_EXTRAS_OFF, "reservoir": TINY_RESERVOIR, "zeroshot": TINY_ZEROSHOT,
             "continual": TINY_CONTINUAL, "prediction": TINY_PREDICTION}

#: The continual task with one method (fine-tuning) on a class-split stream: one reservoir run per seed.
TINY_CONTINUAL_FINETUNE = ["run.samples=120", "network.neurons=30", "input.n_bins=20", "continual.tasks=2",
                           "continual.epochs=2", "continual.hebbian_epochs=1", "continual.hidden=16",
                           "continual.methods=finetune", "continual.stream=class-split"]

#: A whole tiny FSDD-shaped folder through the CLI: 30 neurons, 20 bins, 2-fold (speaker) CV.
TINY_FSDD = ["network.neurons=30", "input.n_bins=20", "classify.folds=2"]

#: The tiny prediction run without the keys the task declares it needs (network.model, crossbar.adc_mode):
#: the task must set them itself.
TINY_PREDICTION_WITHOUT_NEEDS = [s for s in TINY_PREDICTION
                                 if s.split("=")[0] not in ("network.model", "crossbar.adc_mode")]
