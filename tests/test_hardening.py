"""Regression tests for bad-input defects an outside test found (issue 16): each input gives one
clear line naming the file or key, before any work is done, and writes nothing."""

from __future__ import annotations

import numpy as np
import pytest
from tiny import TINY, cli

from neurosim.cli import main
from neurosim.config import load_config
from neurosim.errors import DataError
from neurosim.tasks.classify import split_indices
from neurosim.tasks.pipeline import DatasetRun

QUICK = [*cli(TINY), "--quiet"]  # a tiny run, without progress output


def one_error_line(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("neurosim: error: "), err
    assert "Traceback" not in err and "internal error" not in err
    return err


@pytest.mark.parametrize("option", ["--config", "--chip"])
def test_non_utf8_toml_names_the_file(tmp_path, capsys, option):
    bad = tmp_path / "b.toml"
    bad.write_bytes(b"[network]\nneurons = 1 # \xff\n")
    assert main(["config", option, str(bad)]) == 1
    err = one_error_line(capsys)
    assert str(bad) in err and "not UTF-8" in err


@pytest.mark.parametrize("option", ["--config", "--chip"])
def test_a_folder_as_toml_is_called_a_folder(tmp_path, capsys, option):
    assert main(["config", option, str(tmp_path)]) == 1
    err = one_error_line(capsys)
    assert str(tmp_path) in err and "is a folder" in err and "no such" not in err


def test_out_that_is_a_file_is_refused_before_the_run(tmp_path, capsys):
    out = tmp_path / "hostname"
    out.write_text("x\n")
    assert main(["run", *QUICK, "--out", str(out)]) == 1
    err = one_error_line(capsys)
    assert str(out) in err and "not a folder" in err
    assert out.read_text() == "x\n"


@pytest.mark.parametrize("name", ["../../../escaped", "..", "a/b", "with space", "", "x" * 65])
def test_chip_name_cannot_leave_the_output_folder(tmp_path, capsys, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    assert main(["run", *QUICK, "--set", f"chip.name={name!r}"]) == 1
    err = one_error_line(capsys)
    assert "chip.name" in err and "e.g. 'my-chip-v2'" in err
    assert list(tmp_path.iterdir()) == []           # nothing written anywhere


def test_plain_chip_names_are_fine():
    assert load_config(overrides=["chip.name='my-chip.v2+b'"]).chip.name == "my-chip.v2+b"


def _data(labels, is_test=None, name="toy") -> DatasetRun:
    n = len(labels)
    return DatasetRun(name=name, network=None, n_bins=1, labels=np.asarray(labels),
                      is_test=None if is_test is None else np.asarray(is_test, bool),
                      durations_s=np.zeros(n), counts=np.zeros((n, 1), np.int64),
                      input_counts=np.zeros((n, 1), np.int64), features=np.zeros((n, 1), np.float32),
                      operations=None)


def test_official_split_with_untrained_test_classes_is_refused():
    data = _data([0, 1, 2], is_test=[False, False, True])   # trains on 0 and 1, tests on 2
    with pytest.raises(DataError, match=r"test classes never trained: \[2\].*raise --samples"):
        split_indices(data, load_config(overrides=["run.samples=3"]))
    with pytest.raises(DataError, match="2 train / 1 test samples of 1 trained classes"):
        split_indices(_data([0, 0, 0], is_test=[False, False, True]), load_config())


def test_advice_does_not_say_raise_samples_when_all_are_used():
    data = _data([0, 1, 1, 2])
    with pytest.raises(DataError, match="only 4 usable samples: add data") as caught:
        split_indices(data, load_config(overrides=["run.samples=0"]))
    assert "raise --samples" not in str(caught.value)
    with pytest.raises(DataError, match="raise --samples"):
        split_indices(data, load_config(overrides=["run.samples=4"]))


def test_nmnist_small_official_split_is_refused_not_scored(nmnist_dir, capsys, tmp_path):
    code = main(["run", "--dataset", "nmnist", "--data-dir", str(nmnist_dir.parent), "--samples", "12",
                 *QUICK, "--out", str(tmp_path / "o")])
    assert code == 1
    assert "never trained" in one_error_line(capsys)
    assert not (tmp_path / "o" / "report.json").exists()


def test_ntidigits_without_single_digits_names_the_file(tmp_path):
    from neurosim.data import load_dataset
    from tests.test_ntidigits import write_ntidigits

    file = write_ntidigits(tmp_path / "ntidigits" / "n-tidigits.hdf5",
                           {"train": [("man-ae-12z", [1, 2], [0.0, 0.25])], "test": []})
    with pytest.raises(DataError, match=f"{file}.*no single-digit utterance"):
        load_dataset("ntidigits", data_dir=tmp_path)


def test_dataset_names_reach_the_config_unchanged():
    import argparse

    from neurosim.cli import _load_config
    name = 'a\\b"c é'
    args = argparse.Namespace(overrides=[], dataset=name, samples=None, seed=None, skip_corrupt=None,
                              chip="rram-40nm-256kb", config=None, task=None)
    assert _load_config(args).run.dataset == name


def test_a_bad_conductance_file_is_refused_before_any_data_is_read(tmp_path, capsys, monkeypatch):
    bad = tmp_path / "g.npy"
    np.save(bad, np.full(5, 1e-5 + 1j))
    monkeypatch.chdir(tmp_path)
    assert main(["run", "--samples", "10", "--set", f"device.conductance_file='{bad}'", "--set",
                 "device.weight_source='forming'", "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(bad) in err and "complex" in err   # no progress line first
    assert not (tmp_path / "o").exists()


def test_too_few_samples_are_refused_before_any_simulation(capsys, monkeypatch):
    from neurosim.tasks.pipeline import Pipeline

    def no_run(*args, **kwargs):
        raise AssertionError("simulated although the split was impossible")

    monkeypatch.setattr(Pipeline, "run_dataset", no_run)
    assert main(["run", *QUICK, "--samples", "3"]) == 1
    assert "too few to split" in one_error_line(capsys)


def test_a_closed_pipe_ends_quietly(tmp_path):
    import subprocess
    import sys
    result = subprocess.run(f"{sys.executable} -m neurosim config | head -c 1", shell=True,
                            capture_output=True, text=True, cwd=tmp_path)
    assert result.stdout == "[" and result.stderr == ""
