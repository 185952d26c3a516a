"""``spoken-digits``: a built-in audio event dataset that needs no download.

The words "zero", "one", ... "nine" are synthesised offline with eSpeak NG
(:mod:`neurosim.data.espeak`, from the ``espeakng-loader`` wheel) by the 12 fixed
:data:`SPEAKERS` (voices, variants, rates and pitches standing in for men, women and
children, as TIDIGITS has), then heard by a simulated 64-channel silicon cochlea
(:mod:`neurosim.data.cochlea`: gammatone filterbank with log-spaced centre frequencies,
half-wave rectification, envelope smoothing, one integrate-and-fire neuron per channel
with a refractory period, background noise), which gives N-TIDIGITS-like events
``(t, x, p)``: t in µs, x the channel 0..63 (low to high frequency), p = 0.

Samples: ``N_SPEAKERS * 10 * N_REPETITIONS`` = 12 x 10 x 10 = 1,200. Sample ``i`` is
speaker ``i // 100``, digit ``(i // 10) % 10`` (its label), repetition ``i % 10``
(:func:`sample_info`). Each repetition varies the same synthesised word a little,
drawing from the sample's own random stream ``("spoken-digits", i)`` of the seed (:mod:`neurosim.seeds`):

* speaking-rate factor uniform in ``1 ± SPEED_JITTER`` (the envelopes are time-scaled,
  pitch and spectrum unchanged),
* loudness: gain normal with ``GAIN_STD_DB`` dB spread,
* silence before the word uniform in ``ONSET_MS`` and after it in ``TAIL_MS``,
* the neurons' initial phases and the background events.

The sensor's channel-to-channel threshold mismatch is one property of the simulated
chip per seed (stream ``(name,)`` of the seed), shared by all samples.
A sample therefore does not depend on which or how many other samples are generated,
and the same seed gives identical events. The split is speaker-independent, as in
TIDIGITS: the speakers in ``TEST_SPEAKERS`` (one man, one woman, one child: 300 samples)
are the test set, the other nine speakers the training set.

Class ``k`` of ``spoken-digits`` pairs with class ``k`` of ``dvs-digits`` (the same digit
spoken and seen), giving two modalities for zero-shot learning offline. Note that
N-TIDIGITS has 11 classes ("oh" and "zero" apart); here 0 is "zero".
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from neurosim.data import cochlea, espeak
from neurosim import seeds
from neurosim.data.loader import positions, to_batch
from neurosim.data.registry import Dataset, register_dataset
from neurosim.errors import DataError
from neurosim.events.batch import AUDIO_DTYPE, EventBatch

@register_dataset
class SpokenDigits(Dataset):
    """The spoken digits, generated: the contract here, the generation in this module's functions."""

    name = "spoken-digits"
    modality = "audio"
    sensor_size = (64, 1, 1)
    dtype = AUDIO_DTYPE
    ordering = "txp"
    n_classes = 10
    description = (
        "the words zero-nine by 12 synthetic eSpeak NG speakers, heard by a simulated 64-channel "
        "silicon cochlea (gammatone, integrate-and-fire); N-TIDIGITS-like, built in"
    )
    builtin = True
    how_to_get = (
        "Built in: synthesised offline with eSpeak NG; needs the Python package espeakng-loader "
        "(pip install espeakng-loader), no download of data."
    )
    #: Cross-validation keeps each speaker's samples in one fold (see :func:`groups`).
    group_name = "speaker"
    official_split = True

    def labels(self, root: Path) -> np.ndarray:
        return labels(root)

    def groups(self, root: Path) -> np.ndarray:
        return groups(root)

    def load(self, root: Path, **options) -> EventBatch:
        """The samples (see :func:`load`, which takes the same options)."""
        return load(root, **options)


WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


@dataclass(frozen=True)
class Speaker:
    """One synthetic speaker: an eSpeak NG voice and its settings.

    Attributes:
        name: short id, e.g. ``"man-us"``.
        voice: eSpeak voice name with variant, e.g. ``"en-us+m3"`` (accent + voice quality).
        rate: speaking rate, words per minute.
        pitch: base pitch on eSpeak's 0-99 scale (50 = the variant's normal pitch).
        pitch_range: intonation range on the 0-99 scale.
    """

    name: str
    voice: str
    rate: int
    pitch: int
    pitch_range: int


#: The fixed speakers: 6 men, 4 women, 2 children, with British, American, Scottish,
#: Caribbean and New York accents (all voices bundled with espeakng-loader; none uses
#: eSpeak's libc-random breath noise, so all are reproducible).
SPEAKERS: tuple[Speaker, ...] = (
    Speaker("man-gb", "en+m1", 140, 45, 50),
    Speaker("man-us", "en-us+m3", 150, 50, 60),
    Speaker("man-rp", "en-gb-x-rp+m2", 130, 40, 40),
    Speaker("man-scotland", "en-gb-scotland+m4", 155, 50, 55),
    Speaker("man-caribbean", "en-029+m6", 145, 55, 70),
    Speaker("man-nyc", "en-us-nyc+m7", 165, 45, 45),
    Speaker("woman-us", "en-us+f1", 140, 55, 60),
    Speaker("woman-gb", "en+f2", 135, 50, 70),
    Speaker("woman-rp", "en-gb-x-rp+f4", 150, 45, 50),
    Speaker("woman-scotland", "en-gb-scotland+f3", 145, 60, 65),
    Speaker("child-us", "en-us+f5", 125, 85, 80),
    Speaker("child-gb", "en+f4", 130, 90, 75),
)
N_SPEAKERS = len(SPEAKERS)
#: Speakers held out for testing (speaker-independent split, as in TIDIGITS).
TEST_SPEAKERS = ("man-nyc", "woman-scotland", "child-gb")
N_REPETITIONS = 10
N_SAMPLES = N_SPEAKERS * len(WORDS) * N_REPETITIONS

#: The simulated cochlea (see :class:`neurosim.data.cochlea.CochleaParams` for units).
COCHLEA = cochlea.CochleaParams()

SPEED_JITTER = 0.08  # speaking-rate factor uniform in [0.92, 1.08]
GAIN_STD_DB = 2.0  # loudness spread between repetitions, dB
ONSET_MS = (100.0, 200.0)  # silence before the word, ms (uniform)
TAIL_MS = (100.0, 200.0)  # silence after the word, ms (uniform)
TRIM_LEVEL = 1e-3  # |sample| below this fraction of full scale at either end is trimmed


def sample_info(i: int) -> tuple[Speaker, int, int]:
    """``(speaker, digit, repetition)`` of sample ``i`` (``0 <= i < N_SAMPLES``)."""
    if not 0 <= i < N_SAMPLES:
        raise DataError(f"spoken-digits: sample index must lie in [0, {N_SAMPLES}), got {i}")
    per_speaker = len(WORDS) * N_REPETITIONS
    return SPEAKERS[i // per_speaker], (i // N_REPETITIONS) % len(WORDS), i % N_REPETITIONS


def labels(data_dir: Path | None = None) -> np.ndarray:
    """Labels (the digit) of all samples, int64 shape ``(N_SAMPLES,)``; ``data_dir`` is unused."""
    return ((np.arange(N_SAMPLES) // N_REPETITIONS) % len(WORDS)).astype(np.int64)


def groups(data_dir: Path | None = None) -> np.ndarray:
    """The speaker (0 … 11) of every sample, int64 shape ``(N_SAMPLES,)``: folds of a cross-validation
    hold speakers out, as the official split does; ``data_dir`` is unused."""
    return (np.arange(N_SAMPLES) // (len(WORDS) * N_REPETITIONS)).astype(np.int64)


def sample_rng(seed: int, i: int) -> np.random.Generator:
    """The random generator of sample ``i``: stream ``(name, i)`` of the run seed (:mod:`neurosim.seeds`)."""
    return seeds.rng(seed, SpokenDigits.name, i)


def channel_thresholds(seed: int) -> np.ndarray:
    """Firing threshold of each cochlea channel, dB re. full scale, float64 shape ``(64,)``.

    Mean ``COCHLEA.threshold_db``, mismatch ``COCHLEA.threshold_std_db``, drawn from
    stream ``(name,)`` of the run seed (:mod:`neurosim.seeds`): one simulated chip per seed.
    """
    rng = seeds.rng(seed, SpokenDigits.name)
    return rng.normal(COCHLEA.threshold_db, COCHLEA.threshold_std_db, COCHLEA.n_channels)


def waveform(speaker: Speaker, digit: int) -> tuple[np.ndarray, int]:
    """The word ``WORDS[digit]`` spoken by ``speaker``: (float64 samples in ±1 full scale,
    shape ``(N,)``, leading and trailing near-silence trimmed; sample rate in Hz)."""
    raw = espeak.synthesize(WORDS[digit], speaker.voice, rate=speaker.rate, pitch=speaker.pitch,
                            pitch_range=speaker.pitch_range)
    wave = raw.astype(np.float64) / 32768.0
    loud = np.flatnonzero(np.abs(wave) >= TRIM_LEVEL)
    if len(loud) == 0:
        raise DataError(f"eSpeak NG produced silence for {WORDS[digit]!r} with voice {speaker.voice!r}")
    return wave[loud[0] : loud[-1] + 1], espeak.sample_rate()


@functools.lru_cache(maxsize=4)
def _filterbank_sos(fs_hz: float) -> np.ndarray:
    """The cochlea's gammatone sections at ``fs_hz`` (designed once per rate), ``(64, 4, 6)``."""
    freqs = cochlea.centre_frequencies(COCHLEA.n_channels, COCHLEA.f_min_hz, COCHLEA.f_max_hz)
    return cochlea.gammatone_sos(freqs, fs_hz)  # private: never modified by its users


def word_envelopes(speaker: Speaker, digit: int) -> np.ndarray:
    """Cochlea envelopes of one spoken word, float64 ``(64, K)`` every ``COCHLEA.step_us`` µs."""
    wave, fs = waveform(speaker, digit)
    return cochlea.envelopes(cochlea.filterbank(wave, fs, _filterbank_sos(float(fs))), fs, COCHLEA)


def _vary(env: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One repetition: the word's envelopes time-scaled, scaled in gain and framed in silence.

    Draws, in this order: speed factor, gain (dB), onset (ms), tail (ms). Returns float64
    ``(64, K')`` on the same ``COCHLEA.step_us`` grid.
    """
    speed = rng.uniform(1 - SPEED_JITTER, 1 + SPEED_JITTER)
    gain = 10 ** (rng.normal(0.0, GAIN_STD_DB) / 20)
    onset_steps = rng.uniform(*ONSET_MS) * 1e3 / COCHLEA.step_us
    tail_steps = rng.uniform(*TAIL_MS) * 1e3 / COCHLEA.step_us
    n_word = env.shape[1]
    n_out = int(np.ceil(onset_steps + (n_word - 1) / speed + tail_steps))
    src = (np.arange(n_out) - onset_steps) * speed  # position in the word's envelope, steps
    inside = (src >= 0) & (src <= n_word - 1)
    i0 = np.clip(np.floor(src).astype(np.int64), 0, n_word - 1)
    i1 = np.minimum(i0 + 1, n_word - 1)
    frac = np.clip(src - i0, 0.0, 1.0)
    return (env[:, i0] * (1 - frac) + env[:, i1] * frac) * (gain * inside)


def load(
    data_dir: Path | None = None,
    *,
    indices: np.ndarray | None = None,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
    skip_corrupt: bool = False,
) -> EventBatch:
    """Generate the events of the samples ``indices`` (default: all ``N_SAMPLES``), in that order.

    Args:
        data_dir: unused (built-in dataset).
        indices: int array of sample indices in ``[0, N_SAMPLES)`` (see :func:`sample_info`).
        seed: master seed; sample ``i`` uses :func:`sample_rng` ``(seed, i)``, the cochlea's
            mismatch :func:`channel_thresholds` ``(seed)``.
        progress: optional ``callable(done, total)``, called after each spoken word.
        skip_corrupt: unused (generated samples are never corrupt); accepted for the
            common loader signature.

    Returns:
        EventBatch named ``"spoken-digits"``, modality ``"audio"``, sensor (64, 1, 1), t in
        µs, one polarity (p = 0), ``is_test`` True for the ``TEST_SPEAKERS``.

    Raises:
        DataError: an index out of range, or eSpeak NG missing (``pip install espeakng-loader``).
    """
    idx = positions(SpokenDigits.name, N_SAMPLES, indices)
    thresholds = channel_thresholds(seed)
    words = idx // N_REPETITIONS  # speaker * 10 + digit: one synthesis per word, reused by its repetitions
    samples: list[np.ndarray | None] = [None] * len(idx)
    done = 0
    for word in np.unique(words):
        speaker, digit, _ = sample_info(int(word) * N_REPETITIONS)
        env = word_envelopes(speaker, digit)
        for k in np.flatnonzero(words == word):
            rng = sample_rng(seed, int(idx[k]))
            samples[k] = cochlea.to_events(_vary(env, rng), COCHLEA, thresholds, rng)
            done += 1
        if progress is not None:
            progress(done, len(idx))
    is_test = np.array([sample_info(int(i))[0].name in TEST_SPEAKERS for i in idx], dtype=bool)
    return to_batch(SpokenDigits, samples, labels()[idx], is_test)
