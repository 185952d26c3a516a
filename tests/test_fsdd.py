"""The ``fsdd`` dataset: FSDD-shaped folders written here (scipy.io.wavfile), a handful of the real
recordings in ../shared/data/fsdd, and what the cochlea makes of a pure tone."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from conftest import REPO, SHARED_DATA, require_data
from scipy.io import wavfile

from neurosim.cli import main
from neurosim.config import load_config
from neurosim.data import cochlea, get_dataset, list_datasets, load_dataset
from neurosim.data.datasets import fsdd
from neurosim.errors import DataError
from neurosim.tasks.pipeline import Pipeline
from neurosim.events.batch import AUDIO_DTYPE
from tiny import TINY_FSDD, cli

RATE = fsdd.RATE_HZ
SPEAKERS = ("ann", "bob", "cal")


def word(digit: int, speaker: int, seconds: float = 0.12) -> np.ndarray:
    """A stand-in recording, float ``(N,)`` in ±1: two tones that depend on the digit and speaker,
    faded in and out, with a little deterministic noise."""
    t = np.arange(int(seconds * RATE)) / RATE
    fade = np.sin(np.pi * t / seconds) ** 2
    f1, f2 = 200 + 60 * digit + 15 * speaker, 900 + 200 * digit
    noise = np.random.default_rng(100 * speaker + digit).normal(0, 0.003, len(t))
    return 0.3 * fade * (np.sin(2 * np.pi * f1 * t) + 0.5 * np.sin(2 * np.pi * f2 * t)) + noise


def write(path, wave: np.ndarray, rate: int = RATE) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    wavfile.write(path, rate, np.round(np.asarray(wave) * 32767).astype(np.int16))


def make_fsdd(root, speakers=SPEAKERS, digits=range(10), indices=(0, 7)):
    """``<root>/fsdd/recordings/{digit}_{speaker}_{index}.wav``; returns the recordings folder."""
    where = root / "fsdd" / "recordings"
    for s, speaker in enumerate(speakers):
        for d in digits:
            for i in indices:
                write(where / f"{d}_{speaker}_{i}.wav", word(d, s))
    return where


@pytest.fixture
def tiny(tmp_path):
    make_fsdd(tmp_path, digits=range(3))
    return tmp_path


def one_line_error(call, *names) -> str:
    """The DataError ``call()`` raises: one line naming each of ``names``."""
    with pytest.raises(DataError) as info:
        call()
    message = str(info.value)
    assert "\n" not in message and all(str(n) in message for n in names), message
    return message


# --- contract and layout ------------------------------------------------------------


def test_registered_with_its_contract():
    ds = get_dataset("fsdd")
    assert (ds.modality, ds.sensor_size, ds.n_classes, ds.ordering) == ("audio", (64, 1, 1), 10, "txp")
    assert ds.dtype == AUDIO_DTYPE and ds.official_split and ds.group_name == "speaker" and not ds.builtin
    assert "fsdd" in [info.name for info in list_datasets()]


def test_filterbank_lies_below_nyquist():
    freqs = cochlea.centre_frequencies(fsdd.COCHLEA.n_channels, fsdd.COCHLEA.f_min_hz, fsdd.COCHLEA.f_max_hz)
    assert freqs[-1] + fsdd.erb_hz(freqs[-1]) < RATE / 2 and fsdd.top_channel_margin_hz() > 0
    assert fsdd.erb_hz(1000.0) == pytest.approx(132.639)  # Glasberg & Moore: 24.7 (4.37 + 1)


def test_loads_in_order_with_labels_speakers_and_split(tiny):
    batch = fsdd.load(tiny)
    assert batch.name == "fsdd" and batch.modality == "audio" and batch.sensor_size == (64, 1, 1)
    # order: digit, speaker name, index (numeric)
    assert batch.labels.tolist() == [d for d in range(3) for _ in SPEAKERS for _ in (0, 7)]
    assert fsdd.labels(tiny).tolist() == batch.labels.tolist()
    assert fsdd.groups(tiny).tolist() == [s for _ in range(3) for s in range(3) for _ in (0, 7)]
    assert fsdd.speakers(tiny) == list(SPEAKERS)
    assert batch.is_test.tolist() == [True, False] * 9  # index 0 is test, 7 train
    for i in range(len(batch)):
        ev = batch.sample(i)
        assert ev.dtype == AUDIO_DTYPE and len(ev) > 0 and (np.diff(ev["t"]) >= 0).all()
        assert ev["x"].min() >= 0 and ev["x"].max() < 64 and (ev["p"] == 0).all()
        assert ev["t"].max() < 0.12e6  # inside the recording (µs)


def test_index_order_is_numeric_and_split_follows_the_readme(tmp_path):
    where = tmp_path / "fsdd" / "recordings"
    for i in (10, 4, 5, 2):
        write(where / f"3_ann_{i}.wav", word(3, 0))
    batch = fsdd.load(tmp_path)
    assert [r.index for r in fsdd.recordings(tmp_path)] == [2, 4, 5, 10]
    assert batch.is_test.tolist() == [True, True, False, False]


def test_data_dir_may_be_the_fsdd_folder_itself(tiny):
    assert fsdd.folder(tiny / "fsdd") == tiny / "fsdd"
    assert fsdd.labels(tiny / "fsdd").tolist() == fsdd.labels(tiny).tolist()


def test_loading_writes_nothing_into_the_data_folder(tiny):
    before = sorted((p, p.stat().st_mtime_ns) for p in tiny.rglob("*"))
    load_dataset("fsdd", data_dir=tiny)
    assert sorted((p, p.stat().st_mtime_ns) for p in tiny.rglob("*")) == before


# --- bad input: one line naming the file ---------------------------------------------


def test_missing_folder(tmp_path):
    one_line_error(lambda: fsdd.load(tmp_path), tmp_path / "fsdd" / "recordings", "does not exist")
    assert not get_dataset("fsdd").present(tmp_path)


def test_empty_folder(tmp_path):
    (tmp_path / "fsdd" / "recordings").mkdir(parents=True)
    one_line_error(lambda: fsdd.labels(tmp_path), "no recording")


@pytest.mark.parametrize("name", ["zero_ann_1.wav", "1_ann.wav", "1_ann_1.WAV", "notes.txt", "1-ann-1.wav"])
def test_name_outside_the_layout_raises_even_when_skipping(tiny, name):
    bad = tiny / "fsdd" / "recordings" / name
    bad.write_bytes(b"x")
    one_line_error(lambda: fsdd.labels(tiny), bad, "outside the layout")
    one_line_error(lambda: fsdd.load(tiny, skip_corrupt=True), bad, "outside the layout")


def test_hidden_files_are_ignored(tiny):
    (tiny / "fsdd" / "recordings" / ".DS_Store").write_bytes(b"\0")
    assert len(fsdd.labels(tiny)) == 18


#: A 16-bit mono 8 kHz WAV header with an empty data chunk.
HEADER = (b"RIFF$\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00@\x1f\x00\x00\x80>\x00\x00"
          b"\x02\x00\x10\x00data\x00\x00\x00\x00")


def truncated_wav(path):
    write(path, word(1, 0))
    path.write_bytes(path.read_bytes()[:-100])


def stereo_wav(path):
    w = (np.stack([word(1, 0)] * 2, axis=1) * 32767).astype(np.int16)
    wavfile.write(path, RATE, w)


@pytest.mark.parametrize("spoil, reason", [
    (lambda p: p.write_bytes(b"not a wav file at all"), "not a readable WAV file"),
    (lambda p: p.write_bytes(b""), "not a readable WAV file"),
    (truncated_wav, "not a readable WAV file"),
    # headers the fuzz suite found to break scipy's parser with other exception types
    (lambda p: p.write_bytes(HEADER.replace(b"data", b"junk")), "not a readable WAV file"),  # no data chunk
    (lambda p: p.write_bytes(HEADER.replace(b"\x01\x00\x01\x00@", b"\x01\x00\x00\x00@")),
     "not a readable WAV file"),  # zero channels
    (lambda p: write(p, word(1, 0), rate=16000), "sample rate 16000 Hz; FSDD recordings are 8000 Hz"),
    (stereo_wav, "has 2 channels"),
    (lambda p: write(p, np.zeros(800)), "silent"),
    (lambda p: write(p, np.zeros(0)), "holds no audio sample"),
])
def test_corrupt_file_raises_naming_it_or_is_skipped_and_counted(tiny, spoil, reason):
    bad = tiny / "fsdd" / "recordings" / "1_bob_7.wav"
    spoil(bad)
    one_line_error(lambda: fsdd.load(tiny), bad, reason)
    batch = fsdd.load(tiny, skip_corrupt=True)
    assert len(batch) == 17 and len(batch.skipped) == 1
    assert str(bad) in batch.skipped[0] and reason in batch.skipped[0]
    assert fsdd.labels(tiny).tolist().count(1) == 6  # labels come from the names alone


def test_index_range(tiny):
    one_line_error(lambda: fsdd.load(tiny, indices=[18]), "[0, 18)")


CLI_ARGS = ["--samples", "0", "--quiet", "--no-figures", *cli(TINY_FSDD)]   # the tests read report.json


def test_skip_corrupt_through_the_cli_counts_the_file(capsys, tmp_path):
    where = make_fsdd(tmp_path, speakers=("ann", "bob", "cal", "dan"), indices=(0,))
    bad = where / "4_cal_0.wav"
    bad.write_bytes(b"RIFF....WAVEfmt ")
    argv = ["run", "--dataset", "fsdd", "--data-dir", str(tmp_path), *CLI_ARGS]
    assert main([*argv, "--out", str(tmp_path / "a")]) == 1
    err = capsys.readouterr().err
    assert str(bad) in err and "not a readable WAV file" in err
    assert main([*argv, "--skip-corrupt", "--out", str(tmp_path / "b")]) == 0, capsys.readouterr().err
    report = json.loads((tmp_path / "b" / "report.json").read_text())
    assert report["dataset"]["skipped_corrupt"] == 1 and str(bad) in report["dataset"]["skipped"][0]


def test_cross_validation_holds_out_whole_speakers(capsys, tmp_path):
    make_fsdd(tmp_path, speakers=("ann", "bob", "cal", "dan"), indices=(0,))
    assert main(["run", "--dataset", "fsdd", "--data-dir", str(tmp_path), *CLI_ARGS,
                 "--out", str(tmp_path / "a")]) == 0, capsys.readouterr().err
    report = json.loads((tmp_path / "a" / "report.json").read_text())
    assert report["accuracy"]["cv"]["grouped_by"] == "speaker"


def test_cross_validation_holds_out_whole_speakers_when_a_file_is_skipped(capsys, tmp_path):
    where = make_fsdd(tmp_path, speakers=("ann", "bob", "cal", "dan"), indices=(0,))
    (where / "4_cal_0.wav").write_bytes(b"not a wav")
    assert main(["run", "--dataset", "fsdd", "--data-dir", str(tmp_path), *CLI_ARGS, "--skip-corrupt",
                 "--out", str(tmp_path / "a")]) == 0, capsys.readouterr().err
    report = json.loads((tmp_path / "a" / "report.json").read_text())
    assert report["accuracy"]["cv"]["grouped_by"] == "speaker"


def test_groups_follow_the_samples_kept_in_every_chunk(tmp_path):
    # corrupt files in two chunks: each kept sample keeps its own speaker, in order
    where = make_fsdd(tmp_path, speakers=("ann", "bob", "cal", "dan"), digits=range(4), indices=(0,))
    for name in ("0_bob_0.wav", "2_dan_0.wav", "3_ann_0.wav"):
        (where / name).write_bytes(b"not a wav")
    config = load_config(overrides=[*TINY_FSDD, "run.dataset=fsdd", "run.samples=0", "run.skip_corrupt=true",
                                    "run.chunk_samples=5"])
    run = Pipeline(config, "cpu", tmp_path).run_dataset()
    speaker_of = {(d, s): k for d in range(4) for k, s in enumerate(("ann", "bob", "cal", "dan"))}
    kept = [(d, s) for d in range(4) for s in ("ann", "bob", "cal", "dan")
            if f"{d}_{s}_0.wav" not in ("0_bob_0.wav", "2_dan_0.wav", "3_ann_0.wav")]
    assert len(run) == 13 and len(run.skipped) == 3
    assert run.labels.tolist() == [d for d, _ in kept]
    assert run.groups.tolist() == [speaker_of[k] for k in kept] and run.group_name == "speaker"


# --- the cochlea on a pure tone ----------------------------------------------------------


@pytest.mark.parametrize("channel", [8, 20, 32, 44, 56])
def test_pure_tone_at_a_centre_frequency_drives_mostly_that_channel(tmp_path, channel):
    freqs = cochlea.centre_frequencies(64, fsdd.COCHLEA.f_min_hz, fsdd.COCHLEA.f_max_hz)
    t = np.arange(int(0.4 * RATE)) / RATE
    write(tmp_path / "fsdd" / "recordings" / "0_tone_0.wav", 0.5 * np.sin(2 * np.pi * freqs[channel] * t))
    events = fsdd.load(tmp_path, seed=0).sample(0)
    counts = np.bincount(events["x"], minlength=64)
    # Neighbours are 0.08 octave apart, closer than a filter's bandwidth, and thresholds differ by
    # 1.5 dB from channel to channel: the busiest channel may be a neighbour, the centre may not move.
    assert abs(counts.argmax() - channel) <= 2
    near = np.abs(np.arange(64) - channel) <= 6
    assert abs(np.average(np.arange(64)[near], weights=counts[near]) - channel) < 1.0
    # one octave is 63 / log2(3500 / 100) = 12.3 channels: beyond it only background events
    # (1 per channel per second: about 0.4 * 40 = 16 expected here) remain
    far = np.abs(np.arange(64) - channel) > 13
    assert counts[far].sum() < 0.02 * counts.sum()
    if freqs[channel] > 500:  # the 150 Hz smoothing leaves the envelope flat: the rate-level curve holds
        # RMS -20 dBFS: amplitude 0.1 * sqrt(2); a half-wave rectified sine averages amplitude / pi
        level_db = 20 * np.log10(0.1 * np.sqrt(2) / np.pi)
        drive = (level_db - fsdd.channel_thresholds(0)[channel]) / fsdd.COCHLEA.dynamic_range_db
        assert counts[channel] == pytest.approx(drive * fsdd.COCHLEA.max_rate_hz * 0.4, rel=0.05)


# --- randomness ----------------------------------------------------------------------------


def test_same_seed_same_events_and_samples_do_not_depend_on_the_others(tiny):
    a, b = fsdd.load(tiny, seed=3), fsdd.load(tiny, seed=3)
    assert np.array_equal(a.events, b.events) and np.array_equal(a.offsets, b.offsets)
    assert not np.array_equal(fsdd.load(tiny, seed=4).events, a.events)
    alone = fsdd.load(tiny, indices=[5], seed=3)
    assert np.array_equal(alone.sample(0), a.sample(5))
    # nor on which other files are in the folder
    (tiny / "fsdd" / "recordings" / "0_aaron_1.wav").write_bytes(
        (tiny / "fsdd" / "recordings" / "0_ann_0.wav").read_bytes())
    again = fsdd.load(tiny, seed=3)
    assert np.array_equal(again.sample(6), a.sample(5))


def test_dataset_modules_import_in_any_order():
    # each module registers on import, which imports all the others: none may need a half-imported one
    for module in ("fsdd", "nmnist", "ntidigits"):
        code = f"import neurosim.data.datasets.{module}; import neurosim.data as d; print(len(d.list_datasets()))"
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, env=env)
        assert done.returncode == 0, done.stderr


# --- real recordings ---------------------------------------------------------------------


@pytest.fixture
def fsdd_root():
    """The data root holding the 3,000 real recordings in ../shared/data/fsdd."""
    require_data(SHARED_DATA / "fsdd" / "MANIFEST.csv")
    return SHARED_DATA


def test_real_recordings_load(fsdd_root):
    rows = list(csv.DictReader((fsdd_root / "fsdd" / "MANIFEST.csv").open()))
    found = fsdd.recordings(fsdd_root)
    assert len(found) == len(rows) == 3000
    labels, groups = fsdd.labels(fsdd_root), fsdd.groups(fsdd_root)
    assert np.bincount(labels).tolist() == [300] * 10 and np.bincount(groups).tolist() == [500] * 6
    assert sum(r.is_test for r in found) == sum(row["official_split"] == "test" for row in rows) == 300
    by_path = {row["path"]: row for row in rows}
    picks = np.arange(0, 3000, 250)  # 12 recordings, every digit, several speakers and takes
    batch = fsdd.load(fsdd_root, indices=picks)
    for k, i in enumerate(picks):
        row = by_path[f"recordings/{found[i].path.name}"]
        assert batch.labels[k] == int(row["label"]) and found[i].speaker == row["speaker"]
        assert batch.is_test[k] == (row["official_split"] == "test")
        ev = batch.sample(k)
        seconds = int(row["frames"]) / int(row["sample_rate_hz"])
        # the cochlea's last 500 µs step may reach past the last audio sample
        assert 200 < len(ev) and ev["t"].max() < seconds * 1e6 + fsdd.COCHLEA.step_us
        assert len(np.unique(ev["x"])) > 20  # speech spreads over many channels, a tone would not
