"""``dvs-digits``: a built-in event dataset that needs no download.

Source images are scikit-learn's real handwritten digits (``sklearn.datasets.load_digits``:
1,797 grey-level 8x8 images of digits 0-9, shipped inside scikit-learn). Each image is
upscaled to 28x28 (bilinear, ``scipy.ndimage.zoom`` order 1), its grey levels stretched
so strokes are sharp like MNIST's, and centred on a 34x34 sensor, like N-MNIST's 28x28
MNIST digits on the 34x34 ATIS. It is then turned into events by a simple simulated
event camera:

* the image moves along a triangle in three saccades of 100 ms each (300 ms in all),
  with a smooth velocity profile (still at each corner), like N-MNIST's ATIS motion;
* every 1 ms step a pixel whose log intensity has moved more than its contrast
  threshold away from the level memorised at its last event emits one ON (p=1) or
  OFF (p=0) event and memorises the new level, unless it is still in its refractory
  period; thresholds vary a little from pixel to pixel;
* event times are spread uniformly inside their 1 ms step (µs resolution), and a few
  background-noise events are added.

The result resembles real N-MNIST (about 4,000 events and 300 ms per sample, half of them
ON) but it is a simulation, not a recording. Everything is deterministic from ``seed``:
sample ``i`` draws its randomness from its own stream ``("dvs-digits", i)`` of the seed
(:mod:`neurosim.seeds`), so a sample does not depend on which or how many
other samples are generated. There is no official train/test split (``is_test`` is None).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Callable

import numpy as np

from neurosim import seeds
from neurosim.data.loader import positions, to_batch
from neurosim.data.registry import Dataset, register_dataset
from neurosim.events.batch import VISION_DTYPE, EventBatch

@register_dataset
class DvsDigits(Dataset):
    """The DVS digits, generated: the contract here, the generation in this module's functions."""

    name = "dvs-digits"
    modality = "vision"
    sensor_size = (34, 34, 2)
    dtype = VISION_DTYPE
    ordering = "xytp"
    n_classes = 10
    description = (
        "scikit-learn's 1,797 handwritten 8x8 digits on a 34x34 sensor, turned into events by a "
        "simulated event camera (three saccades, 300 ms); N-MNIST-like, built in"
    )
    builtin = True
    how_to_get = "Built in: generated from scikit-learn's bundled digits, no download needed."

    def labels(self, root: Path) -> np.ndarray:
        return labels(root)

    def load(self, root: Path, **options) -> EventBatch:
        """The samples (see :func:`load`, which takes the same options)."""
        return load(root, **options)


DIGIT_SIZE = 28  # pixels, the upscaled digit (as MNIST in N-MNIST)
STEP_US = 1_000  # simulation step, µs
SACCADE_STEPS = 100  # steps per saccade (100 ms)
TRIANGLE_PX = 4.0  # side of the motion triangle, pixels
INK_LO, INK_HI = 0.3, 0.6  # upscaled grey levels mapped to background / full ink
BACKGROUND = 0.1  # intensity of the dark background (a monitor's black); the ink is 1.0
THRESHOLD = 0.35  # mean contrast threshold, log-intensity units
THRESHOLD_STD = 0.035  # pixel-to-pixel threshold spread, log-intensity units
REFRACTORY_STEPS = 2  # a pixel fires at most once every 2 steps (2 ms)
NOISE_HZ = 0.1  # background events per pixel per second
_PAD = 4  # pixels of background padding around the sensor for the moving image
_CHUNK = 128  # samples simulated together (vectorised over pixels of the chunk)


@functools.cache
def _digits() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's digits, images float64 ``(1797, 8, 8)`` and targets int64 ``(1797,)``, read-only.

    Read once per process: ``load_digits`` parses its compressed CSV at every call (0.1 s), and a run
    asks for the labels several times (planning, splitting, loading).
    """
    from sklearn.datasets import load_digits

    digits = load_digits()
    images, targets = digits.images, digits.target.astype(np.int64)
    images.setflags(write=False)
    targets.setflags(write=False)
    return images, targets


def labels(data_dir: Path | None = None) -> np.ndarray:
    """Labels of all 1,797 samples (int64, a new array); ``data_dir`` is unused (built in)."""
    return _digits()[1].copy()


def sample_rng(seed: int, i: int) -> np.random.Generator:
    """The random generator of sample ``i``: stream ``(name, i)`` of the run seed (:mod:`neurosim.seeds`)."""
    return seeds.rng(seed, DvsDigits.name, i)


def _log_canvas(image: np.ndarray) -> np.ndarray:
    """Log intensity of one 8x8 image (values 0-16) on the padded sensor, float32 (H+2P, W+2P)."""
    from scipy.ndimage import zoom

    w, h, _ = DvsDigits.sensor_size
    grey = zoom(image / 16.0, DIGIT_SIZE / 8, order=1)
    digit = np.clip((grey - INK_LO) / (INK_HI - INK_LO), 0.0, 1.0)  # sharp strokes, as in MNIST
    canvas = np.full((h + 2 * _PAD, w + 2 * _PAD), BACKGROUND)
    top, left = _PAD + (h - DIGIT_SIZE) // 2, _PAD + (w - DIGIT_SIZE) // 2
    canvas[top : top + DIGIT_SIZE, left : left + DIGIT_SIZE] = BACKGROUND + (1 - BACKGROUND) * digit
    return np.log(canvas).astype(np.float32)


def _path() -> np.ndarray:
    """Image displacement (dx, dy) in pixels at each step, float64 shape (3 * SACCADE_STEPS + 1, 2).

    A triangle (centred on the origin) traversed corner to corner, position along each
    side ``(1 - cos(pi s)) / 2`` for ``s`` in [0, 1], so the speed is bell-shaped.
    """
    d = TRIANGLE_PX
    corners = np.array([[0.0, -2 * d / 3], [d / 2, d / 3], [-d / 2, d / 3], [0.0, -2 * d / 3]])
    s = np.arange(1, SACCADE_STEPS + 1) / SACCADE_STEPS
    frac = (1 - np.cos(np.pi * s)) / 2
    legs = [a + frac[:, None] * (b - a) for a, b in zip(corners[:-1], corners[1:])]
    return np.concatenate([corners[:1], *legs])


def _render(logc: np.ndarray, dx: float, dy: float) -> np.ndarray:
    """Log intensity seen by the sensor when the image is shifted by (dx, dy) pixels.

    Bilinear interpolation of the padded log image; ``logc`` has shape (B, H+2P, W+2P),
    the result (B, H, W) float32. Only exactly rounded float ops, so a sample's result does
    not depend on the other samples in the chunk.
    """
    w, h, _ = DvsDigits.sensor_size
    ix, iy = int(np.floor(dx)), int(np.floor(dy))
    fx, fy = np.float32(dx - ix), np.float32(dy - iy)
    one = np.float32(1)

    def tap(oy: int, ox: int) -> np.ndarray:  # source pixel (y - iy - oy, x - ix - ox)
        y0, x0 = _PAD - iy - oy, _PAD - ix - ox
        return logc[:, y0 : y0 + h, x0 : x0 + w]

    return (one - fy) * ((one - fx) * tap(0, 0) + fx * tap(0, 1)) + fy * (
        (one - fx) * tap(1, 0) + fx * tap(1, 1)
    )


def _simulate(logc: np.ndarray, thresholds: np.ndarray) -> tuple[np.ndarray, ...]:
    """Run the event camera on a chunk; returns flat (sample, step, y, x, p) int64 arrays.

    ``logc``: (B, H+2P, W+2P) float32 log images; ``thresholds``: (B, H, W) float32.
    Events come out ordered by step, then sample, y, x.
    """
    path = _path()
    ref = _render(logc, *path[0])
    last = np.full(ref.shape, -REFRACTORY_STEPS, dtype=np.int64)
    found: list[tuple[np.ndarray, ...]] = []
    for step in range(1, len(path)):
        now = _render(logc, *path[step])
        diff = now - ref
        ready = step - last >= REFRACTORY_STEPS
        on = (diff > thresholds) & ready
        off = (diff < -thresholds) & ready
        fired = on | off
        ref[fired] = now[fired]  # the pixel resets its memorised level
        last[fired] = step
        b, y, x = np.nonzero(fired)
        found.append((b, np.full(len(b), step), y, x, on[b, y, x].astype(np.int64)))
    return tuple(np.concatenate(parts) for parts in zip(*found))


def _sample_events(
    rng: np.random.Generator, step: np.ndarray, y: np.ndarray, x: np.ndarray, p: np.ndarray
) -> np.ndarray:
    """Timestamps (µs) inside each event's step, plus background noise; sorted by time."""
    w, h, _ = DvsDigits.sensor_size
    duration_us = 3 * SACCADE_STEPS * STEP_US
    t = (step - 1) * STEP_US + rng.integers(0, STEP_US, size=len(step))
    n_noise = rng.poisson(NOISE_HZ * w * h * duration_us * 1e-6)
    noise = (
        rng.integers(0, w, n_noise),
        rng.integers(0, h, n_noise),
        rng.integers(0, duration_us, n_noise),
        rng.integers(0, 2, n_noise),
    )
    events = np.empty(len(t) + n_noise, dtype=VISION_DTYPE)
    for name, sig, bg in zip("xytp", (x, y, t, p), noise):
        events[name] = np.concatenate([sig, bg])
    return events[np.argsort(events["t"], kind="stable")]


def load(
    data_dir: Path | None = None,
    *,
    indices: np.ndarray | None = None,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
    skip_corrupt: bool = False,
) -> EventBatch:
    """Generate the events of the samples ``indices`` (default: all 1,797), in that order.

    Args:
        data_dir: unused (built-in dataset).
        skip_corrupt: unused (generated samples are never corrupt); accepted so every
            dataset module has the same ``load`` signature.
        indices: int array of sample indices into scikit-learn's digits.
        seed: master seed; sample ``i`` uses :func:`sample_rng` ``(seed, i)``.
        progress: optional ``callable(done, total)`` called after each chunk of samples.

    Returns:
        EventBatch named ``"dvs-digits"``, sensor (34, 34, 2), t in µs, ``is_test=None``.
    """
    images, targets = _digits()
    idx = positions(DvsDigits.name, len(targets), indices)
    w, h, _ = DvsDigits.sensor_size
    samples: list[np.ndarray] = []
    for start in range(0, len(idx), _CHUNK):
        chunk = idx[start : start + _CHUNK]
        rngs = [sample_rng(seed, int(i)) for i in chunk]
        logc = np.stack([_log_canvas(images[i]) for i in chunk])
        thresholds = np.stack(
            [np.maximum(r.normal(THRESHOLD, THRESHOLD_STD, (h, w)), 0.05) for r in rngs]
        ).astype(np.float32)
        b, step, y, x, p = _simulate(logc, thresholds)
        order = np.argsort(b, kind="stable")  # group by sample, keep step order
        bounds = np.searchsorted(b[order], np.arange(len(chunk) + 1))
        for k, rng in enumerate(rngs):
            sel = order[bounds[k] : bounds[k + 1]]
            samples.append(_sample_events(rng, step[sel], y[sel], x[sel], p[sel]))
        if progress is not None:
            progress(start + len(chunk), len(idx))
    return to_batch(DvsDigits, samples, targets[idx], None)
