"""A simple silicon-cochlea model: gammatone filterbank, envelopes, integrate-and-fire events.

It turns a sound waveform into audio events ``(t, x, p)`` like those of the 64-channel
silicon cochleas used to record N-TIDIGITS (Anumula et al., "Feature representations
for neuromorphic audio spike streams", Front. Neurosci. 12:23, 2018; the Dynamic Audio
Sensor family, Liu et al., "Asynchronous binaural spatial audition sensor with 2x64x4
channel output", IEEE TBioCAS 8(4), 2014): a bank of band-pass channels with
log-spaced centre frequencies, each followed by a half-wave rectifier and an
integrate-and-fire neuron whose spikes are the channel's events. It is a model in that
spirit, not a circuit-level simulation of those chips.

Stages (every function is pure; the parameters live in :class:`CochleaParams`):

1. :func:`filterbank`: 4th-order gammatone band-pass filters (``scipy.signal.gammatone``,
   IIR, Slaney's design, unit gain at the centre frequency) at :func:`centre_frequencies`
   (log-spaced, 100 Hz-8 kHz by default). The filters run as second-order sections
   built from the design's exact poles, because its 8th-order transfer function
   polynomial is numerically too ill-conditioned at low frequencies.
2. :func:`envelopes`: half-wave rectification, a 2nd-order Butterworth low-pass
   (``smoothing_hz``), sampled every ``step_us`` microseconds (linear interpolation).
3. :func:`envelope_events`: each channel's envelope level in dB (re. digital full scale)
   is mapped linearly onto a firing drive between the channel's threshold (0 Hz) and
   ``dynamic_range_db`` above it (``max_rate_hz``), like the compressive rate-level
   curve of auditory-nerve fibres. An integrate-and-fire neuron per channel integrates
   the drive (piecewise constant per step) and fires each time its integral crosses an
   integer; the exact crossing time inside the step is kept (µs resolution). Because
   the drive never exceeds ``max_rate_hz = 1 / refractory``, two events of a channel are
   always at least one refractory period apart. Thresholds differ a little from
   channel to channel (transistor mismatch) and each neuron starts at a random phase.
4. :func:`background_events`: spontaneous events (Poisson, ``noise_hz`` per channel),
   dropped where they would break a channel's refractory period.

Events come out as :data:`neurosim.events.AUDIO_DTYPE` arrays (t in µs, x = channel
0..C-1 from low to high frequency, p = 0: one polarity, as in N-TIDIGITS).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neurosim.errors import DataError
from neurosim.events.batch import AUDIO_DTYPE

__all__ = [
    "CochleaParams",
    "background_events",
    "centre_frequencies",
    "envelope_events",
    "envelopes",
    "filterbank",
    "gammatone_sos",
    "to_events",
]


@dataclass(frozen=True)
class CochleaParams:
    """Parameters of the cochlea model (units in the names or below).

    Attributes:
        n_channels: number of frequency channels (64, as the N-TIDIGITS sensor).
        f_min_hz, f_max_hz: lowest and highest centre frequency, Hz (log-spaced between).
        smoothing_hz: cut-off of the envelope low-pass filter, Hz.
        step_us: envelope sampling step and integration step, µs.
        threshold_db: mean level (dB re. digital full scale) at which a channel starts to fire.
        threshold_std_db: channel-to-channel spread of the threshold (mismatch), dB.
        dynamic_range_db: level above threshold at which the drive saturates, dB.
        refractory_us: minimum interval between two events of one channel, µs; the
            saturated drive is ``1e6 / refractory_us`` events per second.
        noise_hz: spontaneous (background) events per channel per second.
    """

    n_channels: int = 64
    f_min_hz: float = 100.0
    f_max_hz: float = 8000.0
    smoothing_hz: float = 150.0
    step_us: int = 500
    threshold_db: float = -56.0
    threshold_std_db: float = 1.5
    dynamic_range_db: float = 40.0
    refractory_us: int = 1000
    noise_hz: float = 1.0

    def __post_init__(self) -> None:
        if not 0 < self.f_min_hz < self.f_max_hz:
            raise DataError(f"need 0 < f_min_hz < f_max_hz, got {self.f_min_hz}, {self.f_max_hz}")
        if self.n_channels < 1 or self.step_us < 1 or self.dynamic_range_db <= 0:
            raise DataError("n_channels, step_us and dynamic_range_db must be positive")
        if not 0 < self.step_us <= self.refractory_us:
            # at most one crossing per step keeps event extraction exact
            raise DataError(f"step_us ({self.step_us}) must not exceed refractory_us ({self.refractory_us})")

    @property
    def max_rate_hz(self) -> float:
        """Saturated drive of a channel, events per second (``1e6 / refractory_us``)."""
        return 1e6 / self.refractory_us


def centre_frequencies(n_channels: int = 64, f_min_hz: float = 100.0, f_max_hz: float = 8000.0) -> np.ndarray:
    """Log-spaced centre frequencies, Hz, float64 shape ``(n_channels,)``, ascending."""
    return np.geomspace(f_min_hz, f_max_hz, n_channels)


def gammatone_sos(freqs_hz: np.ndarray, fs_hz: float) -> np.ndarray:
    """Second-order sections of ``scipy.signal.gammatone(f, "iir", fs=fs_hz)`` per frequency.

    Returns float64 shape ``(C, 4, 6)``. The zeros come from the design's numerator
    (well conditioned), the poles from its denominator, which is exactly
    ``(1 - 2 r cos(w) z^-1 + r^2 z^-2)^4``: ``r = a[8] ** (1/8)``, ``cos(w) = -a[1] / (8 r)``.
    Filtering with these sections matches the design's frequency response (gain 1 at
    the centre frequency); ``lfilter(b, a)`` itself is inaccurate below a few hundred Hz.
    """
    from scipy import signal  # here, not with the module: see the note in filterbank

    sections = []
    for f in np.asarray(freqs_hz, dtype=float):
        if not 0 < f < fs_hz / 2:
            raise DataError(f"centre frequency {f} Hz must lie in (0, {fs_hz / 2}) Hz (Nyquist)")
        b, a = signal.gammatone(float(f), "iir", fs=fs_hz)
        r = a[8] ** (1 / 8)
        cos_w = np.clip(-a[1] / (8 * r), -1.0, 1.0)
        pole = r * (cos_w + 1j * np.sqrt(1 - cos_w**2))
        poles = np.array([pole, np.conj(pole)] * 4)
        sections.append(signal.zpk2sos(np.roots(b), poles, b[0]))
    return np.stack(sections)


def filterbank(wave: np.ndarray, fs_hz: float, sos: np.ndarray) -> np.ndarray:
    """Band-pass outputs of a mono waveform.

    Args:
        wave: float array, shape ``(N,)``, e.g. in digital full-scale units (±1).
        fs_hz: sample rate, Hz.
        sos: ``(C, n_sections, 6)`` from :func:`gammatone_sos` (same ``fs_hz``).

    Returns:
        float64 array, shape ``(C, N)``: channel ``c`` filtered by ``sos[c]`` (zero initial state).
    """
    # scipy.signal (≈0.7 s to import) comes in where a wave is filtered: the dataset registry imports
    # this module, and the commands that read no audio (`neurosim config`, `chips`) need none of it
    from scipy import signal

    wave = np.asarray(wave, dtype=np.float64)
    return np.stack([signal.sosfilt(s, wave) for s in sos])


def envelopes(bands: np.ndarray, fs_hz: float, params: CochleaParams) -> np.ndarray:
    """Half-wave rectified, low-passed band outputs sampled every ``params.step_us``.

    Args:
        bands: float64 ``(C, N)`` from :func:`filterbank`.
        fs_hz: sample rate of ``bands``, Hz.

    Returns:
        float64 ``(C, K)``: the envelope at times ``k * step_us`` µs, ``k = 0..K-1``,
        covering the ``N / fs_hz`` seconds of input; same units as ``bands``.
    """
    from scipy import signal

    lowpass = signal.butter(2, params.smoothing_hz, fs=fs_hz, output="sos")
    smooth = signal.sosfilt(lowpass, np.maximum(bands, 0.0), axis=-1)
    n = smooth.shape[1]
    pos = np.arange(int(np.ceil(n / fs_hz * 1e6 / params.step_us))) * (params.step_us * 1e-6 * fs_hz)
    i0 = np.minimum(np.floor(pos).astype(np.int64), n - 1)
    i1 = np.minimum(i0 + 1, n - 1)
    frac = pos - i0
    return smooth[:, i0] * (1 - frac) + smooth[:, i1] * frac


def envelope_events(
    env: np.ndarray,
    params: CochleaParams,
    thresholds_db: np.ndarray,
    phases: np.ndarray,
) -> np.ndarray:
    """Integrate-and-fire events of sampled envelopes.

    Args:
        env: float64 ``(C, K)`` envelope (full-scale units) at times ``k * step_us`` µs;
            the drive of step ``k`` (interval ``[k, k+1) * step_us``) comes from ``env[:, k]``.
        params: the model parameters (``dynamic_range_db``, ``max_rate_hz``, ``step_us``).
        thresholds_db: float ``(C,)``, each channel's firing threshold, dB re. full scale.
        phases: float ``(C,)`` in [0, 1), each neuron's initial integral.

    Returns:
        :data:`AUDIO_DTYPE` events sorted by time then channel, ``p = 0``; the events of
        one channel are at least ``refractory_us - 1`` µs apart (times are floored to µs).
    """
    c, k = env.shape
    level_db = 20 * np.log10(np.maximum(env, 1e-12))
    drive = np.clip((level_db - thresholds_db[:, None]) / params.dynamic_range_db, 0.0, 1.0)
    per_step = drive * (params.max_rate_hz * params.step_us * 1e-6)  # spikes per step, <= 1
    integral = np.concatenate([phases[:, None], phases[:, None] + np.cumsum(per_step, axis=1)], axis=1)
    level = np.floor(integral)
    ch, step = np.nonzero(level[:, 1:] > level[:, :-1])  # at most one crossing per step
    before = integral[ch, step]
    frac = (level[ch, step + 1] - before) / (integral[ch, step + 1] - before)
    t = np.floor((step + frac) * params.step_us).astype(np.int64)
    events = np.zeros(len(t), dtype=AUDIO_DTYPE)
    events["t"], events["x"] = t, ch
    return events[np.lexsort((events["x"], events["t"]))]


def background_events(
    rng: np.random.Generator, duration_us: int, params: CochleaParams, signal_events: np.ndarray
) -> np.ndarray:
    """Spontaneous events that respect the refractory period of ``signal_events``' channels.

    Poisson, ``params.noise_hz`` per channel, uniform in ``[0, duration_us)`` µs. A candidate
    is dropped if it lies within ``refractory_us`` of a signal event of its channel, or
    within ``refractory_us`` after an earlier candidate of its channel.

    Returns:
        :data:`AUDIO_DTYPE` events (unsorted), ``p = 0``.
    """
    n = rng.poisson(params.noise_hz * params.n_channels * duration_us * 1e-6)
    x = rng.integers(0, params.n_channels, n)
    t = rng.integers(0, duration_us, n)
    order = np.lexsort((t, x))
    x, t = x[order], t[order]
    refr = params.refractory_us
    scale = np.int64(duration_us + 4 * refr + 1)  # channel-major keys keep channels apart
    keys = x * scale + t
    sig = np.sort(signal_events["x"].astype(np.int64) * scale + signal_events["t"])
    pos = np.searchsorted(sig, keys)
    after = before = np.full(n, refr, dtype=np.int64)  # distance to the next / previous signal event
    if len(sig):
        after = np.where(pos < len(sig), sig[np.minimum(pos, len(sig) - 1)] - keys, refr)
        before = np.where(pos > 0, keys - sig[np.maximum(pos - 1, 0)], refr)
    gap_prev = np.diff(keys, prepend=np.int64(-2) * scale)  # to the previous candidate (any channel)
    keep = (after >= refr) & (before >= refr) & (gap_prev >= refr)
    events = np.zeros(int(keep.sum()), dtype=AUDIO_DTYPE)
    events["t"], events["x"] = t[keep], x[keep]
    return events


def to_events(
    env: np.ndarray,
    params: CochleaParams,
    thresholds_db: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Events of one sample: integrate-and-fire on ``env`` plus background noise.

    Draws the neurons' initial phases (``C`` uniforms) and then the background events
    from ``rng``. ``env`` is ``(C, K)`` as in :func:`envelope_events`; the sample lasts
    ``K * step_us`` µs. Returns :data:`AUDIO_DTYPE` events sorted by time, then channel.
    """
    phases = rng.random(env.shape[0])
    sig = envelope_events(env, params, thresholds_db, phases)
    noise = background_events(rng, env.shape[1] * params.step_us, params, sig)
    events = np.concatenate([sig, noise])
    return events[np.lexsort((events["x"], events["t"]))]
