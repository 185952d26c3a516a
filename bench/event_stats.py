"""Per-sample statistics of the built-in event datasets next to real N-MNIST; prints one JSON object.

    python bench/event_stats.py [--dvs-samples 500] [--spoken-samples 0] [--seed 0]
                                [--data-dir ../shared/data]

* ``dvs-digits`` (``--dvs-samples``, stratified by class from ``--seed``) against the real
  N-MNIST samples under ``<data dir>/nmnist`` (all of them), both through
  ``neurosim.data.load_dataset``, plus the ratio of their means;
* ``spoken-digits`` on its own (``--spoken-samples``, 0 = all 1,200), through
  ``neurosim.data.datasets.spoken_digits.load``: no real N-TIDIGITS recording is available offline.

Per sample: events, duration (last minus first timestamp, ms), ON fraction (share of
events with p = 1; audio events have one polarity, p = 0), and spatial extent: active
pixels / channels (distinct x, y with at least one event), core pixels / channels (the
fewest, busiest first, that hold 90 % of the sample's events: robust to background noise),
x range and y range (max - min + 1). Each figure is summarised over samples as mean,
median, p10, p90, min and max.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run from a checkout without installing

from neurosim.data import load_dataset  # noqa: E402
from neurosim.data.datasets import spoken_digits  # noqa: E402
from neurosim.events.batch import EventBatch  # noqa: E402


def summary(values: np.ndarray) -> dict[str, float]:
    """mean, median, p10, p90, min, max of a 1-D array (floats, rounded)."""
    v = np.asarray(values, dtype=float)
    return {
        "mean": round(float(v.mean()), 3), "median": round(float(np.median(v)), 3),
        "p10": round(float(np.percentile(v, 10)), 3), "p90": round(float(np.percentile(v, 90)), 3),
        "min": round(float(v.min()), 3), "max": round(float(v.max()), 3),
    }


def per_sample(batch: EventBatch) -> dict[str, np.ndarray]:
    """Per-sample figures of a batch (vectorised over the flat events); samples must be non-empty."""
    counts = batch.counts()
    if (counts == 0).any():
        raise SystemExit(f"{batch.name}: {int((counts == 0).sum())} empty samples")
    ev, starts = batch.events, batch.offsets[:-1]
    ids = batch.sample_ids()
    w = batch.sensor_size[0]
    t = ev["t"]
    n_pix = w * batch.sensor_size[1]
    pixel, per_pixel = np.unique(ids * n_pix + ev["y"] * w + ev["x"], return_counts=True)
    owner = pixel // n_pix
    active = np.bincount(owner, minlength=len(batch))
    # fewest pixels holding 90 % of a sample's events: busiest pixels first, within each sample
    order = np.lexsort((-per_pixel, owner))
    first = np.concatenate([[0], np.cumsum(active)[:-1]])
    running = np.cumsum(per_pixel[order]) - np.repeat(np.cumsum(counts) - counts, active)
    rank = np.arange(len(order)) - np.repeat(first, active)
    needed = running >= 0.9 * np.repeat(counts, active)
    core90 = np.minimum.reduceat(np.where(needed, rank + 1, n_pix + 1), first)
    return {
        "events": counts,
        "duration_ms": (np.maximum.reduceat(t, starts) - np.minimum.reduceat(t, starts)) / 1e3,
        "on_fraction": np.add.reduceat(ev["p"] == 1, starts) / counts,
        "active_pixels": active,
        "core_pixels_90": core90,
        "x_range": np.maximum.reduceat(ev["x"], starts) - np.minimum.reduceat(ev["x"], starts) + 1,
        "y_range": np.maximum.reduceat(ev["y"], starts) - np.minimum.reduceat(ev["y"], starts) + 1,
    }


def describe(batch: EventBatch, seconds: float) -> dict:
    stats = per_sample(batch)
    out = {
        "samples": len(batch), "sensor_size": list(batch.sensor_size), "modality": batch.modality,
        "load_s": round(seconds, 3), "samples_per_class": np.bincount(batch.labels).tolist(),
    }
    out.update({name: summary(values) for name, values in stats.items()})
    if batch.modality == "audio":  # x is the channel, there is no y
        out["active_channels"] = out.pop("active_pixels")
        out["core_channels_90"] = out.pop("core_pixels_90")
        out["channel_range"] = out.pop("x_range")
        del out["y_range"]
    return out


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dvs-samples", type=int, default=500, help="dvs-digits samples (0 = all 1,797)")
    parser.add_argument("--spoken-samples", type=int, default=0, help="spoken-digits samples (0 = all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-dir", default=str(REPO.parent / "shared" / "data"),
                        help="data root holding nmnist/ (default: ../shared/data beside the repository)")
    args = parser.parse_args(argv)

    dvs, t_dvs = timed(lambda: load_dataset("dvs-digits", n_samples=args.dvs_samples or None, seed=args.seed))
    nmnist, t_nmnist = timed(lambda: load_dataset("nmnist", data_dir=args.data_dir))
    n_spoken = args.spoken_samples or spoken_digits.N_SAMPLES
    spoken_idx = None
    if n_spoken < spoken_digits.N_SAMPLES:
        from neurosim.data import stratified_indices

        spoken_idx = stratified_indices(spoken_digits.labels(), n_spoken, args.seed)
    spoken, t_spoken = timed(lambda: spoken_digits.load(indices=spoken_idx, seed=args.seed))

    out = {"seed": args.seed, "python": platform.python_version(), "machine": platform.machine()}
    out["dvs-digits"] = describe(dvs, t_dvs)
    out["nmnist"] = describe(nmnist, t_nmnist)
    out["nmnist"]["data_dir"] = str(Path(args.data_dir).resolve() / "nmnist")
    out["dvs-digits_over_nmnist"] = {  # ratio of the means
        key: round(out["dvs-digits"][key]["mean"] / out["nmnist"][key]["mean"], 3)
        for key in ("events", "duration_ms", "on_fraction", "active_pixels", "core_pixels_90", "x_range",
                    "y_range")
    }
    out["spoken-digits"] = describe(spoken, t_spoken)
    out["spoken-digits"]["note"] = (
        "no real N-TIDIGITS recording is available offline to compare with; on_fraction is 0 "
        "because audio events have one polarity (p = 0)"
    )
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
