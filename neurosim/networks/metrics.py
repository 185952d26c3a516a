"""Reservoir quality metrics: pure functions over spike rasters, spike counts and states.

They tell whether a (noisy) chip still makes a good reservoir before any readout
is trained. Every function here is deterministic analysis (:func:`separation`'s
subsampling takes an explicit :class:`numpy.random.Generator`); the stimuli that probe
the reservoir (noisy copies of an input, a rate-coded stream) are made by
:mod:`neurosim.networks.stimuli`. Shapes use
``samples`` (inputs presented), ``bins`` (time steps), ``neurons`` and
``channels`` (input lines).

Definitions and sources
-----------------------
* **Firing statistics**: per-neuron rate = spikes / sample duration (Hz),
  averaged over samples; *silent* neurons never spike in any sample.
* **Separation property** (Maass, Natschläger & Markram, Neural Comput. 14,
  2531–2560, 2002; Legenstein & Maass, Neural Networks 20, 323–334, 2007): a
  liquid separates inputs if different inputs drive it into distant states.
  :func:`separation` reports the mean distance between the state vectors of
  pairs of inputs of *different* classes and of the *same* class, with the
  distance ``d(x, y) = ||x − y||₂ / √n`` (root-mean-square difference per
  component, so networks of different sizes compare). A good reservoir has
  ``between`` well above ``within``; comparing with the same numbers on the
  input count vectors shows what the reservoir adds to the input's own separation.
* **Kernel rank / generalisation rank** (Legenstein & Maass 2007; Büsing,
  Schrauwen & Legenstein, Neural Comput. 22, 1272–1311, 2010): the rank of the
  ``m × neurons`` matrix of states for ``m`` *distinct* inputs (kernel rank: how
  many inputs the reservoir can tell apart linearly; high is good) and for ``m``
  *noisy versions of one input* (generalisation rank: how much the reservoir
  amplifies noise; low is good). The rank is numerical: the number of singular
  values above ``rtol · σ_max`` (:func:`numerical_rank`; identical to
  ``numpy.linalg.matrix_rank(M, tol=rtol * σ_max)``). The default
  :data:`DEFAULT_RANK_RTOL` = 1 % counts directions that carry at least 1 % of the
  largest singular value, so spike-count jitter far below the signal does not
  inflate the rank as machine-precision tolerance would.
* **Memory capacity** (Jaeger, GMD Report 152, 2001): drive the reservoir with an
  i.i.d. input stream ``u(t)``, train one linear readout per delay ``k`` to
  reproduce ``u(t − k)`` from the state ``x(t)``, and sum the squared correlation
  coefficients ``MC = Σ_{k=1..K} r²(k)`` measured on held-out time steps
  (:func:`memory_capacity`). ``MC ≤ K``; for an N-dimensional linear reservoir
  ``MC ≤ N`` (Jaeger 2001). With ``n_test`` held-out steps a memoryless state
  still scores ``≈ K / n_test`` by chance. The readouts estimate Jaeger's optimal
  ones only when they train on many more steps than they have weights (one per
  state component): with fewer, ridge fits the noise and MC falls towards chance
  whatever the reservoir holds (1,000 Izhikevich neurons: 0.04 on a 2,000-step
  stream, 0.24 on 20,000), hence ``reservoir.mc_bins = 20000``.
* **Irregularity and synchrony** (Brunel, J. Comput. Neurosci. 8, 183–208, 2000:
  the asynchronous irregular state has ISI CV ≈ 1 and weak pairwise correlations):
  :func:`isi_cv` is each neuron's inter-spike-interval coefficient of variation
  ``std(ISI) / mean(ISI)`` over one long run (neurons with fewer than 3 spikes have
  none; a regular spiker scores 0, a Poisson one 1); :func:`synchrony` the mean
  pairwise Pearson correlation of spike counts in windows of a few steps, and
  Golomb's χ (Golomb, Scholarpedia 2(6):1347, 2007: √(var of the population count /
  mean var of a neuron's count); ≈ 1/√N asynchronous, 1 fully synchronous).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "DEFAULT_RANK_RTOL",
    "FiringStats",
    "MemoryCapacity",
    "Separation",
    "exponential_filter",
    "firing_stats",
    "Synchrony",
    "generalization_rank",
    "isi_cv",
    "synchrony",
    "kernel_rank",
    "memory_capacity",
    "numerical_rank",
    "per_neuron_rates",
    "separation",
    "state_vectors",
]

#: Relative singular-value tolerance of :func:`numerical_rank` (fraction of σ_max).
DEFAULT_RANK_RTOL = 1e-2

_QUANTILES = {"min": 0.0, "p05": 0.05, "p25": 0.25, "median": 0.5, "p75": 0.75, "p95": 0.95,
              "max": 1.0}


# --------------------------------------------------------------------------- firing statistics

@dataclass(frozen=True)
class FiringStats:
    """Firing statistics of a reservoir over a batch.

    ``mean_rate_hz`` is the population mean of :attr:`rates_hz`; ``silent_fraction``
    the fraction of neurons with no spike in any sample; ``spikes_per_sample`` the
    population's spikes per sample; ``rate_quantiles_hz`` min/p05/p25/median/p75/p95/max
    of the per-neuron rates; ``rates_hz`` (``(neurons,)``, Hz) each neuron's rate.
    """

    mean_rate_hz: float
    silent_fraction: float
    spikes_per_sample: float
    rate_std_hz: float
    rate_quantiles_hz: dict[str, float]
    rates_hz: np.ndarray = field(repr=False)


def _as_counts(counts: np.ndarray) -> np.ndarray:
    counts = np.asarray(counts)
    if counts.ndim != 2:
        raise ValueError(f"counts must be [samples, neurons], got shape {counts.shape}")
    if counts.size and counts.min() < 0:
        raise ValueError("spike counts must be non-negative")
    return counts


def per_neuron_rates(counts: np.ndarray, duration_s: float | np.ndarray) -> np.ndarray:
    """Each neuron's firing rate (Hz, float64 ``(neurons,)``).

    ``counts`` is ``[samples, neurons]`` spikes per sample; ``duration_s`` the
    duration of every sample (s, scalar) or of each one (``(samples,)``), e.g.
    ``n_bins × bin width``. A sample's rate is its count / its duration; the
    result averages over samples with a positive duration (a zero-length sample
    has no defined rate). Raises ``ValueError`` if no sample has one.
    """
    counts = _as_counts(counts)
    duration = np.broadcast_to(np.asarray(duration_s, dtype=np.float64), (counts.shape[0],))
    ok = duration > 0
    if not ok.any():
        raise ValueError("no sample has a positive duration; firing rates are undefined")
    return (counts[ok] / duration[ok, None]).mean(axis=0)


def firing_stats(counts: np.ndarray, duration_s: float | np.ndarray) -> FiringStats:
    """Mean rate, silent fraction and the per-neuron rate distribution.

    ``counts``: int ``[samples, neurons]``; ``duration_s``: s, scalar or ``(samples,)``
    (see :func:`per_neuron_rates`).
    """
    counts = _as_counts(counts)
    rates = per_neuron_rates(counts, duration_s)
    silent = counts.sum(axis=0) == 0
    return FiringStats(
        mean_rate_hz=float(rates.mean()) if rates.size else 0.0,
        silent_fraction=float(silent.mean()) if silent.size else 1.0,
        spikes_per_sample=float(counts.sum(axis=1).mean()) if counts.shape[0] else 0.0,
        rate_std_hz=float(rates.std()) if rates.size else 0.0,
        rate_quantiles_hz={k: float(np.quantile(rates, q)) if rates.size else 0.0
                           for k, q in _QUANTILES.items()},
        rates_hz=rates,
    )


# --------------------------------------------------------------------------- states

def state_vectors(spike_raster: np.ndarray, windows: int = 1) -> np.ndarray:
    """Reservoir state of each sample: spike counts per neuron in ``windows`` equal time windows.

    ``spike_raster``: bool ``[samples, bins, neurons]``. Returns float64
    ``[samples, windows · neurons]`` (window-major); ``windows = 1`` gives the
    LSM feature, the spike count per neuron. Bins split as evenly as
    ``numpy.array_split`` does.
    """
    raster = np.asarray(spike_raster)
    if raster.ndim != 3:
        raise ValueError(f"spike_raster must be [samples, bins, neurons], got shape {raster.shape}")
    if not 1 <= windows <= max(raster.shape[1], 1):
        raise ValueError(f"windows must be in 1 … bins ({raster.shape[1]}), got {windows}")
    parts = np.array_split(raster, windows, axis=1)
    return np.concatenate([p.sum(axis=1, dtype=np.float64) for p in parts], axis=1)


def exponential_filter(spikes: np.ndarray, decay: float) -> np.ndarray:
    """Low-pass filtered spike trains ``x_t = decay · x_{t−1} + s_t`` (``x_{−1} = 0``).

    ``spikes``: ``[bins, neurons]`` (bool or numbers); ``decay`` in ``[0, 1)``
    (per bin; ``exp(−bin / τ)`` for a time constant τ). ``decay = 0`` returns the
    spikes themselves as float64. Returns float64 ``[bins, neurons]``.
    """
    if not 0.0 <= decay < 1.0:
        raise ValueError(f"decay must be in [0, 1), got {decay}")
    s = np.asarray(spikes, dtype=np.float64)
    if decay == 0.0:
        return s.copy()
    out = np.empty_like(s)
    acc = np.zeros(s.shape[1:])
    for t in range(s.shape[0]):
        acc = decay * acc + s[t]
        out[t] = acc
    return out


# --------------------------------------------------------------------------- irregularity, synchrony

def isi_cv(spikes: np.ndarray, min_spikes: int = 3) -> np.ndarray:
    """ISI coefficient of variation of each neuron with ``min_spikes`` spikes or more.

    ``spikes``: bool ``[bins, neurons]`` of one long run. Returns float64 ``(k,)``, one
    value per neuron that has enough spikes (possibly empty).
    """
    s = np.asarray(spikes, dtype=bool)
    if s.ndim != 2:
        raise ValueError(f"spikes must be [bins, neurons], got shape {s.shape}")
    out = []
    for i in np.flatnonzero(s.sum(axis=0) >= max(min_spikes, 3)):
        isi = np.diff(np.flatnonzero(s[:, i])).astype(np.float64)
        out.append(isi.std() / isi.mean())
    return np.asarray(out, dtype=np.float64)


@dataclass(frozen=True)
class Synchrony:
    """``pairwise_correlation``: mean Pearson r of windowed spike counts over neuron pairs (both
    active); ``chi``: Golomb's χ; ``window_bins``: the count window; ``neurons``: neurons compared."""

    pairwise_correlation: float
    chi: float
    window_bins: int
    neurons: int


def synchrony(spikes: np.ndarray, window_bins: int = 5, max_neurons: int = 200,
              rng: np.random.Generator | None = None) -> Synchrony:
    """Pairwise correlation and χ of ``spikes`` (bool ``[bins, neurons]``) in windows of ``window_bins``.

    Pairs are taken among at most ``max_neurons`` active neurons (a seeded subset from
    ``rng`` above that; the first ones without ``rng``); χ uses all neurons.
    """
    s = np.asarray(spikes, dtype=bool)
    if s.ndim != 2 or window_bins < 1:
        raise ValueError(f"spikes must be [bins, neurons] and window_bins >= 1, got {s.shape}, {window_bins}")
    w = s.shape[0] // window_bins
    if w < 2:
        return Synchrony(0.0, 0.0, window_bins, 0)
    counts = s[:w * window_bins].reshape(w, window_bins, s.shape[1]).sum(axis=1, dtype=np.float64)
    var = counts.var(axis=0)
    chi = float(np.sqrt(counts.mean(axis=1).var() / var.mean())) if var.mean() > 0 else 0.0
    active = np.flatnonzero(var > 0)
    if len(active) > max_neurons:
        active = (np.sort(rng.choice(active, size=max_neurons, replace=False)) if rng is not None
                  else active[:max_neurons])
    if len(active) < 2:
        return Synchrony(0.0, chi, window_bins, int(len(active)))
    r = np.corrcoef(counts[:, active].T)
    pairs = r[np.triu_indices(len(active), 1)]
    return Synchrony(float(pairs.mean()), chi, window_bins, int(len(active)))


# --------------------------------------------------------------------------- separation

@dataclass(frozen=True)
class Separation:
    """Mean state distance between pairs of inputs of different classes and of the same class.

    Distances are ``||x − y||₂ / √n`` (``n`` state components): spikes per
    neuron, RMS. ``ratio = between / within`` is ``None`` when ``within`` is 0.
    ``samples`` is how many states were compared (after subsampling).
    """

    between: float
    within: float
    ratio: float | None
    n_between_pairs: int
    n_within_pairs: int
    samples: int


def separation(states: np.ndarray, labels: np.ndarray, max_samples: int = 1000,
               rng: np.random.Generator | None = None) -> Separation:
    """Separation property of ``states`` (``[samples, n]``) for class ``labels`` (``(samples,)``).

    All pairs of samples are compared; above ``max_samples`` samples a random
    subset of that size is drawn from ``rng`` first (required then), keeping the
    cost at ``max_samples²/2`` distances. A class structure with no pair of one
    kind gives 0.0 for that kind.
    """
    from scipy.spatial.distance import pdist

    x = np.asarray(states, dtype=np.float64)
    labels = np.asarray(labels)
    if x.ndim != 2 or labels.shape != (x.shape[0],):
        raise ValueError(f"states must be [samples, n] and labels (samples,), got {x.shape} and "
                         f"{labels.shape}")
    if x.shape[0] > max_samples:
        if rng is None:
            raise ValueError(f"{x.shape[0]} samples > max_samples={max_samples}: pass rng to subsample")
        keep = np.sort(rng.choice(x.shape[0], size=max_samples, replace=False))
        x, labels = x[keep], labels[keep]
    n = max(x.shape[1], 1)
    if x.shape[0] < 2:
        return Separation(0.0, 0.0, None, 0, 0, int(x.shape[0]))
    d = pdist(x, "euclidean") / np.sqrt(n)
    i, j = np.triu_indices(x.shape[0], k=1)   # pdist's pair order
    same = labels[i] == labels[j]
    between = float(d[~same].mean()) if (~same).any() else 0.0
    within = float(d[same].mean()) if same.any() else 0.0
    return Separation(between=between, within=within,
                      ratio=between / within if within > 0 else None,
                      n_between_pairs=int((~same).sum()), n_within_pairs=int(same.sum()),
                      samples=int(x.shape[0]))


# --------------------------------------------------------------------------- ranks

def numerical_rank(matrix: np.ndarray, rtol: float = DEFAULT_RANK_RTOL) -> int:
    """Number of singular values of ``matrix`` (2-D) greater than ``rtol · σ_max``.

    Equals ``numpy.linalg.matrix_rank(matrix, tol=rtol * σ_max)``; an all-zero
    (or empty) matrix has rank 0.
    """
    m = np.asarray(matrix, dtype=np.float64)
    if m.ndim != 2:
        raise ValueError(f"rank needs a 2-D matrix, got shape {m.shape}")
    if not 0.0 <= rtol < 1.0:
        raise ValueError(f"rtol must be in [0, 1), got {rtol}")
    if m.size == 0:
        return 0
    s = np.linalg.svd(m, compute_uv=False)
    if s[0] == 0.0:
        return 0
    return int(np.count_nonzero(s > rtol * s[0]))


def kernel_rank(states: np.ndarray, rtol: float = DEFAULT_RANK_RTOL) -> int:
    """Kernel rank: :func:`numerical_rank` of the states (``[m, neurons]``) of ``m`` distinct
    inputs (Legenstein & Maass 2007). At most ``min(m, neurons)``; higher is better."""
    return numerical_rank(states, rtol)


def generalization_rank(states: np.ndarray, rtol: float = DEFAULT_RANK_RTOL) -> int:
    """Generalisation rank: :func:`numerical_rank` of the states (``[m, neurons]``) of ``m``
    noisy versions of one input (Legenstein & Maass 2007). Lower is better."""
    return numerical_rank(states, rtol)


# --------------------------------------------------------------------------- memory capacity

@dataclass(frozen=True)
class MemoryCapacity:
    """``total = Σ_k per_delay[k−1]``; ``per_delay`` (``(K,)``) holds r²(k) for k = 1..K.

    ``n_train`` / ``n_test`` are the time steps the readouts were fitted / scored on.
    """

    total: float
    per_delay: np.ndarray
    n_train: int
    n_test: int


def _squared_correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Squared Pearson correlation; 0.0 when either side is constant."""
    if np.ptp(a) == 0.0 or np.ptp(b) == 0.0:
        return 0.0
    r = np.corrcoef(a, b)[0, 1]
    return float(r * r) if np.isfinite(r) else 0.0


def memory_capacity(states: np.ndarray, u: np.ndarray, max_delay: int, washout: int = 0,
                    train_fraction: float = 0.5, ridge_alpha: float = 1.0) -> MemoryCapacity:
    """Jaeger's (2001) linear memory capacity ``MC = Σ_{k=1..K} r²(k)``.

    ``states``: float ``[bins, n]``, the state ``x(t)`` at each time step (e.g.
    per-bin spikes, optionally :func:`exponential_filter`-ed); ``u``: ``(bins,)``
    the input stream that drove it (``x(t)`` may depend on ``u(t)``). Time steps
    ``t ≥ max(washout, K)`` are used, the first ``train_fraction`` of them (in
    time order) to fit, for each delay ``k``, a ridge readout (scikit-learn
    ``Ridge(alpha=ridge_alpha)`` on standardised states, with intercept) from
    ``x(t)`` to ``u(t − k)``; ``r²(k)`` is the squared correlation coefficient
    between its output and ``u(t − k)`` on the remaining (held-out) steps, 0 for
    a constant output. Deterministic.
    """
    from sklearn.linear_model import Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    x = np.asarray(states, dtype=np.float64)
    u = np.asarray(u, dtype=np.float64)
    if x.ndim != 2 or u.shape != (x.shape[0],):
        raise ValueError(f"states must be [bins, n] and u (bins,), got {x.shape} and {u.shape}")
    if max_delay < 1:
        raise ValueError(f"max_delay must be ≥ 1, got {max_delay}")
    if not 0.0 < train_fraction < 1.0:
        raise ValueError(f"train_fraction must be in (0, 1), got {train_fraction}")
    start = max(washout, max_delay)
    steps = np.arange(start, x.shape[0])
    n_train = int(len(steps) * train_fraction)
    if n_train < 2 or len(steps) - n_train < 2:
        raise ValueError(f"{x.shape[0]} time steps leave too few after washout {washout} and delay "
                         f"{max_delay} to fit and test readouts")
    train, test = steps[:n_train], steps[n_train:]
    delays = np.arange(1, max_delay + 1)
    # One multi-output fit: every delay's readout sees the same states x(t), so Ridge solves
    # (XᵀX + αI) W = XᵀY once for all K targets (the same weights as K separate fits).
    model = make_pipeline(StandardScaler(), Ridge(alpha=ridge_alpha))
    model.fit(x[train], u[train[:, None] - delays[None, :]])
    predicted = model.predict(x[test]).reshape(len(test), max_delay)
    per_delay = np.array([_squared_correlation(predicted[:, k - 1], u[test - k]) for k in delays])
    return MemoryCapacity(total=float(per_delay.sum()), per_delay=per_delay,
                          n_train=len(train), n_test=len(test))
