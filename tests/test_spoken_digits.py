"""The built-in spoken-digits dataset: eSpeak NG wrapper, cochlea model, generator."""

from __future__ import annotations

import ctypes
import hashlib
import platform
import sys
import threading
import time

import numpy as np
import pytest
from scipy import signal

from conftest import skip_or_fail

from neurosim.data import cochlea, espeak
from neurosim.data.datasets import spoken_digits
from neurosim.errors import DataError
from neurosim.events import AUDIO_DTYPE

FEW = [0, 13, 257, 388, 1069, 1199]  # a few samples: several speakers, digits and repetitions


@pytest.fixture(scope="module")
def few():
    return spoken_digits.load(indices=FEW, seed=0)


# --- eSpeak NG ----------------------------------------------------------------------


def test_espeak_sample_rate_and_voices():
    assert espeak.sample_rate() == 22050
    assert espeak.version().startswith("1.")
    voices = espeak.available_voices()
    assert {"en", "en-us", "en-gb-x-rp", "en-029", "en-gb-scotland", "en-us-nyc"} <= set(voices)


def test_espeak_synthesis_is_deterministic():
    a = espeak.synthesize("seven", "en-us+m3", rate=150, pitch=50, pitch_range=60)
    espeak.synthesize("three", "en+f4", rate=300, pitch=90)  # state a reused instance would carry over
    b = espeak.synthesize("seven", "en-us+m3", rate=150, pitch=50, pitch_range=60)
    assert a.dtype == np.int16 and a.ndim == 1
    assert 0.2 < len(a) / espeak.sample_rate() < 1.0 and np.abs(a).max() > 3000
    np.testing.assert_array_equal(a, b)
    faster = espeak.synthesize("seven", "en-us+m3", rate=250, pitch=50, pitch_range=60)
    assert len(faster) < 0.85 * len(a)


def test_espeak_noise_is_not_seeded_from_the_clock():
    voice = spoken_digits.SPEAKERS[7]  # en+f2: breath noise from eSpeak's own generator
    a = spoken_digits.waveform(voice, 7)[0]
    time.sleep(1.05)  # eSpeak seeds that generator with time(NULL), in seconds
    np.testing.assert_array_equal(a, spoken_digits.waveform(voice, 7)[0])


def test_espeak_golden_waveform():
    """Same waveform as recorded in another process (espeakng-loader 0.2.4, eSpeak NG 1.52.0)."""
    if not (sys.platform.startswith("linux") and platform.machine() == "x86_64"):
        skip_or_fail("golden waveform recorded with the Linux x86-64 wheel")
    assert espeak.version() == "1.52.0", (
        f"the golden waveform was recorded with eSpeak NG 1.52.0 (espeakng-loader 0.2.x, as pinned in "
        f"pyproject.toml), this is {espeak.version()}: record a new golden hash with the new pin")
    wave = espeak.synthesize("seven", "en+f2", rate=135, pitch=50, pitch_range=70)
    assert hashlib.sha256(wave.astype("<i2").tobytes()).hexdigest() == (
        "831e53f061f4a955189e0593ed5c804fe57aeb727123b1a99e6674099d5678ca"
    )


def test_speakers_do_not_depend_on_libc_rand():
    if not sys.platform.startswith("linux"):
        skip_or_fail("libc rand() via ctypes needs Linux")
    libc = ctypes.CDLL(None)
    speaker = spoken_digits.SPEAKERS[7]  # a variant that declares (silent) breath noise
    first = spoken_digits.waveform(speaker, 6)[0]
    for _ in range(17):
        libc.rand()
    np.testing.assert_array_equal(first, spoken_digits.waveform(speaker, 6)[0])


def test_espeak_threads_get_the_same_waveforms():
    expected = espeak.synthesize("four", "en-gb-scotland+m4")
    results = [None] * 4

    def work(k):
        results[k] = espeak.synthesize("four", "en-gb-scotland+m4")

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    for r in results:
        np.testing.assert_array_equal(r, expected)


def test_espeak_when_other_code_holds_the_library():
    import espeakng_loader

    expected = espeak.synthesize("nine", "en+m1")
    other = ctypes.CDLL(espeakng_loader.get_library_path())  # keeps the library resident
    try:
        np.testing.assert_array_equal(espeak.synthesize("nine", "en+m1"), expected)
        np.testing.assert_array_equal(espeak.synthesize("nine", "en+m1"), expected)
    finally:
        del other


def test_espeak_when_the_library_is_not_unloaded(monkeypatch):
    expected = espeak.synthesize("two", "en-029+m6")
    monkeypatch.setattr(espeak, "_STATE", dict(espeak._STATE))
    monkeypatch.setattr(espeak, "_unload", lambda lib: None)  # a platform that never unloads
    for _ in range(3):
        np.testing.assert_array_equal(espeak.synthesize("two", "en-029+m6"), expected)
    assert espeak._STATE["copy_each_time"]


def test_espeak_bad_arguments():
    with pytest.raises(DataError, match="no voice 'xx-nope'.*en-us"):
        espeak.synthesize("one", "xx-nope")
    with pytest.raises(DataError, match=r"rate .*\[80, 450\]"):
        espeak.synthesize("one", rate=10)
    with pytest.raises(DataError, match="pitch"):
        espeak.synthesize("one", pitch=100)


def test_missing_espeak_is_an_actionable_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "espeakng_loader", None)  # import fails
    monkeypatch.setattr(espeak, "_STATE", {})
    with pytest.raises(DataError, match="pip install espeakng-loader"):
        espeak.synthesize("one")
    with pytest.raises(DataError, match="pip install espeakng-loader"):
        spoken_digits.load(indices=[0])


# --- cochlea --------------------------------------------------------------------------


def min_interval_per_channel(events: np.ndarray) -> int:
    """Smallest time between two events of the same channel, µs."""
    events = events[np.lexsort((events["t"], events["x"]))]
    same = np.diff(events["x"]) == 0
    return int(np.diff(events["t"])[same].min())


def test_gammatone_sections_match_the_design():
    fs = 22050.0
    freqs = cochlea.centre_frequencies(64, 100.0, 8000.0)
    assert freqs.shape == (64,) and np.isclose(freqs[0], 100) and np.isclose(freqs[-1], 8000)
    np.testing.assert_allclose(np.diff(np.log(freqs)), np.log(80) / 63)
    sos = cochlea.gammatone_sos(freqs[[0, 20, 63]], fs)
    assert sos.shape == (3, 4, 6)
    for f, s in zip(freqs[[0, 20, 63]], sos):
        b, a = signal.gammatone(f, "iir", fs=fs)
        _, h = signal.sosfreqz(s, worN=[f, 0.7 * f, 1.3 * f], fs=fs)
        assert abs(abs(h[0]) - 1) < 1e-3  # unit gain at the centre frequency
        assert abs(h[1]) < 0.9 and abs(h[2]) < 0.9
        # same response as the design's transfer function, computed from its exact pole form
        z = np.exp(-2j * np.pi * np.array([f, 0.7 * f, 1.3 * f]) / fs)
        r, cos_w = a[8] ** (1 / 8), -a[1] / (8 * a[8] ** (1 / 8))
        denom = (1 - 2 * r * cos_w * z + r**2 * z**2) ** 4
        np.testing.assert_allclose(h, np.polyval(b[::-1], z) / denom, rtol=1e-6)


def test_cochlea_tone_excites_its_channel_and_respects_refractory():
    params = cochlea.CochleaParams(noise_hz=0.0)
    fs = 22050.0
    t = np.arange(int(0.3 * fs)) / fs
    tone = 0.3 * np.sin(2 * np.pi * 1000 * t)
    freqs = cochlea.centre_frequencies()
    env = cochlea.envelopes(cochlea.filterbank(tone, fs, cochlea.gammatone_sos(freqs, fs)), fs, params)
    assert env.shape == (64, 600)  # 0.3 s every 500 µs
    events = cochlea.to_events(env, params, np.full(64, params.threshold_db), np.random.default_rng(0))
    assert events.dtype == AUDIO_DTYPE and (events["p"] == 0).all()
    assert (np.diff(events["t"]) >= 0).all()
    busiest = np.argmax(np.bincount(events["x"], minlength=64))
    assert abs(freqs[busiest] / 1000 - 1) < 0.15
    assert min_interval_per_channel(events) >= params.refractory_us - 1
    silent = cochlea.to_events(np.zeros((64, 600)), params, np.full(64, -56.0), np.random.default_rng(0))
    assert len(silent) == 0


def test_background_events_keep_the_refractory_period():
    params = cochlea.CochleaParams(noise_hz=400.0)  # crowded on purpose
    rng = np.random.default_rng(1)
    sig = np.zeros(300, dtype=AUDIO_DTYPE)
    sig["x"] = np.repeat(np.arange(3), 100)
    sig["t"] = np.tile(np.arange(100) * 2000, 3)
    noise = cochlea.background_events(rng, 200_000, params, sig)
    assert len(noise) > 100
    assert min_interval_per_channel(np.concatenate([sig, noise])) >= params.refractory_us


# --- the dataset ----------------------------------------------------------------------


def test_contract_constants():
    contract = spoken_digits.SpokenDigits
    assert contract.name == "spoken-digits" and contract.modality == "audio"
    assert contract.sensor_size == (64, 1, 1) and contract.n_classes == 10
    assert contract.builtin and "espeakng-loader" in contract.how_to_get
    assert isinstance(contract.description, str) and contract.description
    assert 8 <= spoken_digits.N_SPEAKERS <= 12
    assert len({s.voice for s in spoken_digits.SPEAKERS}) == spoken_digits.N_SPEAKERS


def test_labels_and_sample_layout(few):
    labels = spoken_digits.labels()
    assert labels.dtype == np.int64 and labels.shape == (spoken_digits.N_SAMPLES,)
    assert np.bincount(labels).tolist() == [spoken_digits.N_SAMPLES // 10] * 10
    for i in FEW:
        speaker, digit, rep = spoken_digits.sample_info(i)
        assert labels[i] == digit
        assert i == (spoken_digits.SPEAKERS.index(speaker) * 10 + digit) * spoken_digits.N_REPETITIONS + rep
    np.testing.assert_array_equal(few.labels, labels[FEW])
    with pytest.raises(DataError, match=r"\[0, 1200\)"):
        spoken_digits.load(indices=[1200])
    with pytest.raises(DataError):
        spoken_digits.sample_info(-1)


def test_batch_is_audio_on_64_channels(few):
    assert len(few) == len(FEW) and few.name == "spoken-digits" and few.modality == "audio"
    assert few.sensor_size == (64, 1, 1)
    speakers = [spoken_digits.sample_info(int(i))[0].name for i in FEW]
    assert few.is_test.tolist() == [name in spoken_digits.TEST_SPEAKERS for name in speakers]
    ev = few.events
    assert ev["x"].min() >= 0 and ev["x"].max() <= 63 and (ev["y"] == 0).all() and (ev["p"] == 0).all()
    for k in range(len(few)):
        s = few.sample(k)
        assert s.dtype == AUDIO_DTYPE and (np.diff(s["t"]) >= 0).all() and s["t"].min() >= 0


def test_deterministic_and_seeded(few):
    again = spoken_digits.load(indices=FEW, seed=0)
    np.testing.assert_array_equal(again.events, few.events)
    np.testing.assert_array_equal(again.offsets, few.offsets)
    other = spoken_digits.load(indices=FEW[:2], seed=1)
    assert not np.array_equal(other.sample(0), few.sample(0))
    assert not np.array_equal(other.sample(1), few.sample(1))


def test_sample_alone_equals_sample_in_batch(few):
    for k in (1, 4):
        alone = spoken_digits.load(indices=[FEW[k]], seed=0)
        np.testing.assert_array_equal(alone.sample(0), few.sample(k))
    reordered = spoken_digits.load(indices=FEW[::-1], seed=0)
    np.testing.assert_array_equal(reordered.sample(0), few.sample(len(FEW) - 1))


def test_repetitions_of_one_word_differ_but_resemble_each_other():
    batch = spoken_digits.load(indices=[70, 71, 72], seed=0)  # speaker 0, "seven", repetitions 0-2
    a, b = batch.sample(0), batch.sample(1)
    assert not np.array_equal(a, b)
    ha, hb = (np.bincount(s["x"], minlength=64) for s in (a, b))
    assert np.corrcoef(ha, hb)[0, 1] > 0.8  # same spectral profile


def test_statistics_are_n_tidigits_like(few):
    counts = few.counts()
    assert (counts > 1000).all() and (counts < 15000).all()  # a few thousand events
    for k in range(len(few)):
        s = few.sample(k)
        duration_ms = (s["t"][-1] - s["t"][0]) / 1e3
        assert 400 < duration_ms < 1300  # single digits: about 0.5-1 s
        assert len(np.unique(s["x"])) >= 40
        hist = np.bincount(s["x"], minlength=64)
        assert hist[:32].sum() > 0.3 * hist.sum()  # speech energy sits in the lower channels
        assert min_interval_per_channel(s) >= spoken_digits.COCHLEA.refractory_us - 1


def test_progress_is_reported():
    calls = []
    spoken_digits.load(indices=[5, 6, 15], seed=0, progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (3, 3) and len(calls) == 2  # one call per spoken word
