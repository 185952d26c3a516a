"""The Dataset interface: a dataset defined entirely here registers itself and is then
loaded, listed, streamed and run through the CLI like a built-in one."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from tiny import READOUT_EXTRAS_OFF, cli

from neurosim.cli import main
from neurosim.data import (Dataset, get_dataset, iter_batches, list_datasets, load_dataset, register_dataset,
                           sample_indices, unregister_dataset)
from neurosim.errors import DataError
from neurosim.events import VISION_DTYPE, EventBatch

N_SAMPLES = 60


class Blobs(Dataset):
    """Two classes of events on an 8x8 sensor: class 0 on the left half, class 1 on the right."""

    name = "test-blobs"
    modality = "vision"
    sensor_size = (8, 8, 2)
    n_classes = 2
    description = "tiny generated test dataset: left or right blob of events"
    builtin = True
    how_to_get = "defined in tests/test_dataset_registry.py"

    def labels(self, root):
        return np.arange(N_SAMPLES, dtype=np.int64) % 2

    def load(self, root, *, indices=None, seed=0, progress=None, skip_corrupt=False):
        idx = np.arange(N_SAMPLES) if indices is None else np.asarray(indices, dtype=np.int64)
        labels = self.labels(root)[idx]
        samples = []
        for i, label in zip(idx.tolist(), labels.tolist()):
            rng = np.random.default_rng([seed, i])
            n = 200
            ev = np.zeros(n, dtype=VISION_DTYPE)
            ev["x"] = rng.integers(0, 4, n) + 4 * label
            ev["y"] = rng.integers(0, 8, n)
            ev["t"] = np.sort(rng.integers(0, 100_000, n))
            ev["p"] = rng.integers(0, 2, n)
            samples.append(ev)
        return EventBatch.from_samples(samples, labels, self.sensor_size, self.name, is_test=None)


@pytest.fixture
def blobs():
    register_dataset(Blobs)
    yield Blobs.name
    unregister_dataset(Blobs.name)


def test_registered_dataset_loads_lists_and_streams(blobs):
    assert blobs in [info.name for info in list_datasets()]
    info = get_dataset(blobs).info()
    assert (info.modality, info.sensor_size, info.n_classes, info.official_split) == \
        ("vision", (8, 8, 2), 2, False)
    batch = load_dataset(blobs, n_samples=10, seed=1)
    assert len(batch) == 10 and sorted(batch.labels.tolist()) == [0] * 5 + [1] * 5
    indices = sample_indices(blobs, n_samples=10, seed=1)
    chunks = list(iter_batches(lambda indices: load_dataset(blobs, indices=indices, seed=1), indices, 4))
    assert np.array_equal(np.concatenate([c.events for c in chunks]), batch.events)


def test_registered_dataset_runs_through_the_cli(blobs, capsys, tmp_path):
    assert main(["datasets"]) == 0
    out = capsys.readouterr().out
    assert blobs in out and "tiny generated test dataset" in out
    out_dir = tmp_path / "run"
    code = main(["run", "--dataset", blobs, "--samples", "40", "--set", "network.neurons=30",
                 "--set", "input.n_bins=20", "--quiet", "--out", str(out_dir), "--no-figures",
                 *cli(READOUT_EXTRAS_OFF)])
    assert code == 0, capsys.readouterr().err
    report = json.loads((out_dir / "report.json").read_text())
    assert report["dataset"]["name"] == blobs
    assert report["dataset"]["n_train"] + report["dataset"]["n_test"] == 40


def test_unregistered_dataset_is_gone(blobs):
    unregister_dataset(blobs)
    with pytest.raises(DataError, match="unknown dataset 'test-blobs'; known datasets: dvs-digits"):
        load_dataset(blobs)
    register_dataset(Blobs)  # for the fixture's teardown


def test_unknown_dataset_names_the_known_ones():
    with pytest.raises(DataError, match="unknown dataset 'nope'; known datasets: .*nmnist"):
        load_dataset("nope")


def test_name_clash_is_refused(blobs):
    clash = type("Clash", (Blobs,), {})
    with pytest.raises(DataError, match="'test-blobs' is already registered by .*Blobs"):
        register_dataset(clash)
    assert isinstance(get_dataset(blobs), Blobs) and not isinstance(get_dataset(blobs), clash)


@pytest.mark.parametrize("attrs, message", [
    ({"modality": "smell"}, "modality must be one of"),
    ({"sensor_size": (8, 8)}, "sensor_size must be three positive integers"),
    ({"n_classes": 0}, "n_classes must be a positive integer"),
    ({"name": ""}, "name must be a non-empty string"),
    ({"dtype": np.dtype([("t", int), ("x", int), ("p", int)])}, "dtype must be the vision events'"),
    ({"ordering": "txp"}, "ordering must be 'xytp'"),
])
def test_broken_contract_is_refused(attrs, message):
    bad = type("Bad", (Blobs,), {"name": "test-bad", **attrs})
    with pytest.raises(DataError, match=message):
        register_dataset(bad)


def test_only_dataset_subclasses_register():
    with pytest.raises(DataError, match="subclass of neurosim.data.Dataset"):
        register_dataset(object)


def test_builtin_datasets_declare_their_split():
    split = {info.name: info.official_split for info in list_datasets()}
    assert split["nmnist"] and split["ntidigits"] and split["spoken-digits"]
    assert not split["dvs-digits"]
    assert load_dataset("dvs-digits", n_samples=3).is_test is None
    assert load_dataset("spoken-digits", n_samples=3).is_test is not None


class RecommendingBlobs(Blobs):
    """Blobs that recommend a reservoir size and a neuron threshold."""

    name = "test-blobs-recommending"
    recommended = {"network.neurons": 24, "network.discrete-lif.threshold": 3.0}


@pytest.fixture
def recommending():
    register_dataset(RecommendingBlobs)
    yield RecommendingBlobs.name
    unregister_dataset(RecommendingBlobs.name)


def test_recommended_settings_apply_under_the_config_file_and_set(recommending, tmp_path, capsys):
    from neurosim.config import load_config

    dataset = f"run.dataset={json.dumps(recommending)}"
    config = load_config("ideal", overrides=[dataset])
    assert config.network.neurons == 24 and config.section("network.discrete-lif").threshold == 3.0
    assert load_config("ideal", overrides=[dataset, "network.neurons=31"]).network.neurons == 31
    experiment = tmp_path / "exp.toml"
    experiment.write_text(f'[run]\ndataset = "{recommending}"\n[network]\nneurons = 17\n')
    from_file = load_config("ideal", experiment)
    assert from_file.network.neurons == 17 and from_file.section("network.discrete-lif").threshold == 3.0
    assert load_config("ideal").network.neurons == 200  # other datasets keep the defaults
    assert main(["datasets"]) == 0
    assert "recommends network.neurons = 24, network.discrete-lif.threshold = 3.0" in capsys.readouterr().out
    out_dir = tmp_path / "run"
    assert main(["run", "--dataset", recommending, "--samples", "40", "--set", "input.n_bins=20",
                 "--set", "network.neurons=30", "--out", str(out_dir), "--no-figures",
                 *cli(READOUT_EXTRAS_OFF)]) == 0      # the notes on the recommended settings, not the readout
    err = capsys.readouterr().err
    assert "recommends network.neurons = 24 (this run uses 30" in err
    assert "recommends network.discrete-lif.threshold = 3.0 (in use" in err
    assert json.loads((out_dir / "report.json").read_text())["config"]["network"]["neurons"] == 30


def test_bad_recommended_settings_are_refused(recommending):
    from neurosim.config import load_config
    from neurosim.errors import ConfigError

    class Malformed(Blobs):
        name = "test-blobs-malformed"
        recommended = {"neurons": 3}

    with pytest.raises(DataError, match="recommended must be a dict of 'section.key'"):
        register_dataset(Malformed)
    RecommendingBlobs.recommended = {"network.no_such_key": 1}
    try:
        with pytest.raises(ConfigError, match="recommended settings"):
            load_config("ideal", overrides=[f"run.dataset={json.dumps(recommending)}"])
    finally:
        RecommendingBlobs.recommended = {"network.neurons": 24, "network.discrete-lif.threshold": 3.0}


def test_nmnist_recommends_the_reservoir_size_its_readme_figures_use():
    from neurosim.config import load_config

    assert load_config("ideal", overrides=["run.dataset=nmnist"]).network.neurons == 2000
    assert load_config("ideal", Path(__file__).parents[1] / "configs" / "lin2025-nmnist.toml").network.neurons == 200


def test_a_dataset_without_dtype_gets_its_modalitys():
    assert Blobs.dtype is None or Blobs.dtype == VISION_DTYPE
    register_dataset(Blobs)
    try:
        assert get_dataset(Blobs.name).dtype == VISION_DTYPE and get_dataset(Blobs.name).ordering == "xytp"
    finally:
        unregister_dataset(Blobs.name)


@pytest.mark.parametrize("name", ["dvs-digits", "nmnist", "ntidigits", "spoken-digits"])
def test_builtin_datasets_declare_their_contract_in_their_class(name):
    """No module constants copied onto a class: each built-in class states its contract itself."""
    cls = type(get_dataset(name))
    assert cls.__bases__ == (Dataset,)
    declared = vars(cls)
    for attr in ("name", "modality", "sensor_size", "dtype", "ordering", "n_classes", "description",
                 "builtin", "how_to_get", "labels", "load"):
        assert attr in declared, f"{cls.__qualname__} does not declare {attr}"
    assert declared["ordering"] == "".join(declared["dtype"].names)
