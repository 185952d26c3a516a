"""``fsdd``: the Free Spoken Digit Dataset (real recordings) heard by the cochlea model.

FSDD (Jakobovski et al., github.com/Jakobovski/free-spoken-digit-dataset, CC BY-SA 4.0) holds
recordings of the digits 0-9 spoken by English speakers, mono 8 kHz WAV, trimmed to near-minimal
silence. It is read from ``<data root>/fsdd/recordings/{digit}_{speaker}_{index}.wav`` (the
repository's layout; see :func:`folder`) with :func:`scipy.io.wavfile.read`, and each recording
becomes tonic audio events ``(t, x, p)`` (t in µs from the start of the recording, x the channel
0..63 from low to high frequency, p = 0) through the project's silicon-cochlea model
(:mod:`neurosim.data.cochlea`), with the parameters :data:`COCHLEA` chosen for 8 kHz audio:

* **Filterbank below Nyquist.** 64 gammatone channels (as N-TIDIGITS' sensor and
  ``spoken-digits``), log-spaced from 100 Hz to :data:`F_MAX_HZ` = 3.5 kHz instead of
  100 Hz-8 kHz: at 8 kHz sampling nothing lies above 4 kHz, and the top channel's centre plus one
  equivalent rectangular bandwidth (ERB(3.5 kHz) = 403 Hz, Glasberg & Moore) stays below the
  4 kHz Nyquist frequency (:func:`top_channel_margin_hz`), so its whole pass band is sampled.
  100 Hz stays the lowest centre: it lies below the voice pitch of FSDD's speakers (all men).
* **Level.** Each recording is scaled to an RMS of :data:`LEVEL_DBFS` = -20 dB re. full scale
  before the filterbank. The speakers were recorded at very different gains (a speaker's mean RMS
  from -21 to -42 dBFS, its mean peak from -6.5 to -29 dBFS: ``bench/audio_stats.py``), which is
  the microphone's doing, not speech; -20 dBFS is the RMS level of ``spoken-digits``' words
  (-20.5 dBFS on average), for which the cochlea's threshold (-56 dB) and 40 dB dynamic range were
  set, so both datasets drive the same cochlea in the same regime.
* Everything else (envelope smoothing at 150 Hz sampled every 500 µs, integrate-and-fire with a
  1 ms refractory period, 1.5 dB threshold mismatch, 1 background event per channel per second)
  is :class:`~neurosim.data.cochlea.CochleaParams`' default, as in ``spoken-digits``.

Samples are ordered by digit, speaker name, then recording index. The label is the digit; the
group is the speaker (:meth:`FSDD.groups`: speakers numbered in sorted order of their names), so
cross-validation holds out whole speakers; the official split (FSDD's README) makes recordings
with index 0-4 the test set and the others (5-49) the training set.

Randomness: the cochlea's channel-to-channel mismatch is drawn from stream ``("fsdd",)`` of the
seed (one simulated chip per seed), a recording's neuron phases and background events from
stream ``("fsdd", speaker, digit, index)``, so a recording's events depend only on the seed and
on the recording itself, never on which other files are loaded or present.

Checks: a missing folder, a file in ``recordings/`` whose name is outside the layout, or no
recording at all raise :class:`DataError` (always); a file that is not a readable WAV, is empty,
not mono, not 8,000 Hz, silent or gives no event raises :class:`CorruptSampleError` naming the file,
or with ``skip_corrupt=True`` is left out and listed in ``EventBatch.skipped``. Hidden files
(names starting with ``.``) are ignored. Nothing is ever written into the data folder; a sweep
worker keeps loaded batches in memory (:mod:`neurosim.data.memo`) as for every dataset.
"""

from __future__ import annotations

import functools
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from neurosim import seeds
from neurosim.data import cochlea
from neurosim.data.corrupt import CorruptSampleError
from neurosim.data.loader import positions, read_samples, require
from neurosim.data.registry import Dataset, register_dataset
from neurosim.errors import DataError
from neurosim.events.batch import AUDIO_DTYPE, EventBatch


@register_dataset
class FSDD(Dataset):
    """FSDD, read from the data root: the contract here, the reading in this module's functions."""

    name = "fsdd"
    modality = "audio"
    sensor_size = (64, 1, 1)
    dtype = AUDIO_DTYPE
    ordering = "txp"
    n_classes = 10
    description = (
        "Free Spoken Digit Dataset: real recordings of the digits 0-9 (8 kHz), heard by the simulated "
        "64-channel cochlea (100 Hz-3.5 kHz)"
    )
    builtin = False
    how_to_get = (
        "Put FSDD's recordings folder at <data root>/fsdd/recordings/{digit}_{speaker}_{index}.wav (data root: "
        "--data-dir, $NEUROSIM_DATA, else ./datasets), e.g. git clone "
        "https://github.com/Jakobovski/free-spoken-digit-dataset <data root>/fsdd (CC BY-SA 4.0)."
    )
    #: Cross-validation keeps each speaker's recordings in one fold (see :func:`groups`).
    group_name = "speaker"
    official_split = True

    def folder(self, root: Path) -> Path:
        return folder(root)

    def present(self, root: Path) -> bool:
        return present(root)

    def labels(self, root: Path) -> np.ndarray:
        return labels(root)

    def groups(self, root: Path) -> np.ndarray:
        return groups(root)

    def load(self, root: Path, **options) -> EventBatch:
        """The samples (see :func:`load`, which takes the same options)."""
        return load(root, **options)


#: Sample rate of every FSDD recording, Hz.
RATE_HZ = 8000
#: Highest centre frequency of the filterbank, Hz (see the module docstring).
F_MAX_HZ = 3500.0
#: The simulated cochlea for 8 kHz audio (see :class:`neurosim.data.cochlea.CochleaParams`).
COCHLEA = cochlea.CochleaParams(f_min_hz=100.0, f_max_hz=F_MAX_HZ)
#: RMS level every recording is scaled to before the filterbank, dB re. full scale.
LEVEL_DBFS = -20.0
#: Recordings with an index below this are the official test set (FSDD's README: 0-4 test, 5-49 train).
N_TEST_INDICES = 5
#: ``{digit}_{speaker}_{index}.wav``, the repository's file names.
_NAME = re.compile(r"([0-9])_([A-Za-z0-9]+)_([0-9]+)\.wav")


def erb_hz(f_hz: float) -> float:
    """Equivalent rectangular bandwidth of the auditory filter at ``f_hz`` (Glasberg & Moore 1990), Hz;
    the bandwidth ``scipy.signal.gammatone`` gives its filters."""
    return 24.7 * (4.37 * f_hz / 1000 + 1)


def top_channel_margin_hz() -> float:
    """Nyquist frequency minus (top centre frequency + its ERB), Hz; positive for :data:`COCHLEA`."""
    return RATE_HZ / 2 - (COCHLEA.f_max_hz + erb_hz(COCHLEA.f_max_hz))


@dataclass(frozen=True)
class Recording:
    """One file of the layout: ``path`` holds ``digit`` spoken by ``speaker``, take ``index``."""

    path: Path
    digit: int
    speaker: str
    index: int

    @property
    def label(self) -> int:
        """The class: the digit."""
        return self.digit

    @property
    def is_test(self) -> bool:
        """True if the official split puts it in the test set (index 0-4)."""
        return self.index < N_TEST_INDICES


def folder(data_dir: Path) -> Path:
    """The FSDD folder under the data root: ``data_dir/fsdd``, or ``data_dir`` itself if it holds
    ``recordings/`` and ``data_dir/fsdd`` does not exist (e.g. the repository's clone given directly)."""
    data_dir = Path(data_dir)
    if not (data_dir / "fsdd").exists() and (data_dir / "recordings").is_dir():
        return data_dir
    return data_dir / "fsdd"


def present(data_dir: Path) -> bool:
    """True if ``recordings/`` under the FSDD folder holds a ``.wav`` file (none is opened)."""
    return next((folder(data_dir) / "recordings").glob("*.wav"), None) is not None


def recordings(data_dir: Path) -> list[Recording]:
    """Every recording in load order (digit, speaker, index); DataError if the folder is missing,
    holds a file whose name is outside the layout, or holds no recording."""
    where = require(folder(data_dir) / "recordings", "folder", "FSDD", FSDD.how_to_get)
    found = []
    for path in where.iterdir():
        if path.name.startswith("."):
            continue
        match = _NAME.fullmatch(path.name)
        if match is None or not path.is_file():
            raise DataError(f"FSDD: {path} is outside the layout: recordings/ must hold only files named "
                            "{digit}_{speaker}_{index}.wav (e.g. 0_jackson_0.wav)")
        found.append(Recording(path, int(match.group(1)), match.group(2), int(match.group(3))))
    if not found:
        raise DataError(f"FSDD: no recording in {where}. {FSDD.how_to_get}")
    return sorted(found, key=lambda r: (r.digit, r.speaker, r.index))


def labels(data_dir: Path) -> np.ndarray:
    """The digit of every recording in load order, int64 ``(n,)``, from the file names."""
    return np.array([r.digit for r in recordings(data_dir)], dtype=np.int64)


def speakers(data_dir: Path) -> list[str]:
    """The speakers' names, sorted; :func:`groups` numbers them in this order."""
    return sorted({r.speaker for r in recordings(data_dir)})


def groups(data_dir: Path) -> np.ndarray:
    """The speaker of every recording in load order (its position in :func:`speakers`), int64 ``(n,)``."""
    found = recordings(data_dir)
    number = {name: k for k, name in enumerate(sorted({r.speaker for r in found}))}
    return np.array([number[r.speaker] for r in found], dtype=np.int64)


def _corrupt(path: Path, reason: str) -> CorruptSampleError:
    return CorruptSampleError("FSDD", str(path), reason)


#: ``(offset, full scale)`` of each integer PCM type scipy returns: (sample - offset) / scale lies in [-1, 1).
_PCM = {np.dtype(np.uint8): (128.0, 2.0**7), np.dtype(np.int16): (0.0, 2.0**15), np.dtype(np.int32): (0.0, 2.0**31)}


def read_wave(path: Path) -> np.ndarray:
    """The samples of one recording in full-scale units (±1), float64 ``(N,)``.

    Raises :class:`CorruptSampleError` naming the file if it cannot be read as WAV, is not mono,
    not :data:`RATE_HZ`, holds no sample, is not 8/16/32-bit integer or float PCM, or is silent.
    """
    from scipy.io import wavfile  # where read: the commands that read no audio start without it

    # scipy's parser raises many types on malformed bytes (the fuzz suite found ValueError, struct.error,
    # UnboundLocalError, ZeroDivisionError, ...): any failure inside it means an unreadable file
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", wavfile.WavFileWarning)  # a damaged chunk is an error here
            rate, data = wavfile.read(path)
    except Exception as e:
        raise _corrupt(path, f"not a readable WAV file: {e or type(e).__name__}") from e
    if data.ndim != 1:
        raise _corrupt(path, f"has {data.shape[1]} channels; FSDD recordings are mono")
    if rate != RATE_HZ:
        raise _corrupt(path, f"sample rate {rate} Hz; FSDD recordings are {RATE_HZ} Hz")
    if data.size == 0:
        raise _corrupt(path, "holds no audio sample")
    if data.dtype.kind == "f":
        wave = data.astype(np.float64)
    elif data.dtype in _PCM:
        offset, scale = _PCM[data.dtype]
        wave = (data.astype(np.float64) - offset) / scale
    else:
        raise _corrupt(path, f"{data.dtype} samples; expected 8-, 16- or 32-bit integer or float PCM")
    if not np.isfinite(wave).all():
        raise _corrupt(path, "holds samples that are not finite numbers")
    if not wave.any():
        raise _corrupt(path, "silent: every sample is 0")
    return wave


@functools.lru_cache(maxsize=1)
def _filterbank_sos() -> np.ndarray:
    """The cochlea's gammatone sections at :data:`RATE_HZ`, ``(64, 4, 6)``, designed once per process."""
    freqs = cochlea.centre_frequencies(COCHLEA.n_channels, COCHLEA.f_min_hz, COCHLEA.f_max_hz)
    return cochlea.gammatone_sos(freqs, float(RATE_HZ))  # private: never modified by its users


def channel_thresholds(seed: int) -> np.ndarray:
    """Firing threshold of each channel, dB re. full scale, float64 ``(64,)``: the simulated chip of
    ``seed`` (stream ``("fsdd",)``, mean ``COCHLEA.threshold_db``, spread ``COCHLEA.threshold_std_db``)."""
    return seeds.rng(seed, FSDD.name).normal(COCHLEA.threshold_db, COCHLEA.threshold_std_db,
                                             COCHLEA.n_channels)


def wave_events(wave: np.ndarray, thresholds_db: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Cochlea events of one 8 kHz recording (``wave`` in full-scale units, float ``(N,)``).

    Scales ``wave`` to :data:`LEVEL_DBFS` RMS, then filterbank, envelopes and integrate-and-fire
    with background events (:func:`neurosim.data.cochlea.to_events`, drawing from ``rng``).
    Returns :data:`AUDIO_DTYPE` events sorted by time, then channel; t in µs from the first audio sample,
    before the end of the recording rounded up to a whole envelope step (``COCHLEA.step_us``).
    """
    rms = np.sqrt(np.mean(np.square(wave)))
    scaled = wave * (10 ** (LEVEL_DBFS / 20) / rms)
    env = cochlea.envelopes(cochlea.filterbank(scaled, RATE_HZ, _filterbank_sos()), RATE_HZ, COCHLEA)
    return cochlea.to_events(env, COCHLEA, thresholds_db, rng)


def read_recording(rec: Recording, thresholds_db: np.ndarray, seed: int) -> np.ndarray:
    """Events of one recording (see :func:`wave_events`), from its stream ``("fsdd", speaker, digit,
    index)`` of ``seed``; :class:`CorruptSampleError` if the file is bad or gives no event."""
    rng = seeds.rng(seed, FSDD.name, rec.speaker, rec.digit, rec.index)
    events = wave_events(read_wave(rec.path), thresholds_db, rng)
    if len(events) == 0:
        raise _corrupt(rec.path, "gives no event (too short to reach any channel's threshold)")
    return events


def load(
    data_dir: Path,
    *,
    indices: np.ndarray | None = None,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
    skip_corrupt: bool = False,
) -> EventBatch:
    """Read the recordings ``indices`` (positions in load order, see :func:`recordings`; default all).

    Args:
        data_dir: data root holding ``fsdd/recordings/`` (see :func:`folder`).
        indices: int array of sample positions (as in :func:`labels`).
        seed: the simulated cochlea's mismatch and each recording's neuron phases and background
            events (see the module docstring).
        progress: optional ``callable(done, total)`` called every 100 recordings and at the end.
        skip_corrupt: if True, a recording that fails its checks (see :func:`read_wave`) is left
            out and recorded in ``EventBatch.skipped`` as ``"<file>: <reason>"``; if False
            (default) the first one raises :class:`DataError`.

    Returns:
        Audio EventBatch named ``"fsdd"``, sensor (64, 1, 1), t in µs, labels the digits,
        ``is_test`` from the official split; ``len(indices) - len(skipped)`` samples.
    """
    found = recordings(data_dir)
    idx = positions("FSDD", len(found), indices)
    thresholds = channel_thresholds(seed)
    return read_samples(FSDD, found, idx, lambda rec: read_recording(rec, thresholds, seed),
                        progress=progress, skip_corrupt=skip_corrupt)
