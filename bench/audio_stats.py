"""Per-sample and per-channel statistics of audio event datasets, by name; prints one JSON object.

    python bench/audio_stats.py [fsdd spoken-digits ...] [--data-dir ../shared/data] [--seed 0]

Each dataset is loaded whole through ``neurosim.data.load_dataset`` (default: ``fsdd`` and
``spoken-digits``). Per sample, summarised over samples as mean, median, p10, p90, min and max
(:func:`event_stats.describe`): events, duration (last minus first event, ms), channels with
events, channels holding 90 % of the events; plus the event rate (events / duration, per
second). Per channel: the mean events per sample of each channel (64 figures, low to high
frequency), the share of events in each quarter of the channels, and the busiest channel.
Per group (e.g. speaker) where the dataset declares groups: the mean events per sample.
For ``fsdd``, also the recorded level per speaker (mean over its files of the peak and RMS of the
audio as recorded, dB re. full scale), which :data:`neurosim.data.datasets.fsdd.LEVEL_DBFS` evens out.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run from a checkout without installing

from event_stats import describe, summary, timed  # noqa: E402

from neurosim.data import data_root, get_dataset, load_dataset  # noqa: E402
from neurosim.events.batch import EventBatch  # noqa: E402


def per_channel(batch: EventBatch) -> dict:
    """Mean events per sample of each channel, the share of each quarter of the channels, the busiest."""
    n_channels = batch.sensor_size[0]
    mean = np.bincount(batch.events["x"], minlength=n_channels) / len(batch)
    quarters = np.array_split(np.arange(n_channels), 4)
    return {
        "mean_events_per_sample": [round(float(v), 2) for v in mean],
        "share_by_quarter": [round(float(mean[q].sum() / mean.sum()), 3) for q in quarters],
        "busiest_channel": int(mean.argmax()),
    }


def fsdd_levels(data_dir: str) -> dict:
    """Mean peak and RMS level of each FSDD speaker's recordings as recorded, dB re. full scale."""
    from neurosim.data.datasets import fsdd

    levels: dict[str, list[tuple[float, float]]] = {}
    for rec in fsdd.recordings(Path(data_dir)):
        wave = fsdd.read_wave(rec.path)
        levels.setdefault(rec.speaker, []).append(
            (20 * np.log10(np.abs(wave).max()), 10 * np.log10(np.mean(np.square(wave)))))
    return {speaker: dict(zip(("peak_dbfs", "rms_dbfs"), np.round(np.mean(v, axis=0), 1).tolist()))
            for speaker, v in sorted(levels.items())}


def audio_stats(name: str, data_dir: str, seed: int) -> dict:
    """The statistics of every sample of dataset ``name`` (see the module docstring)."""
    batch, seconds = timed(lambda: load_dataset(name, data_dir=data_dir, seed=seed))
    out = describe(batch, seconds)
    del out["on_fraction"]  # one polarity
    starts = batch.offsets[:-1]
    t = batch.events["t"]
    span_s = (np.maximum.reduceat(t, starts) - np.minimum.reduceat(t, starts)) / 1e6
    out["events_per_second"] = summary(batch.counts() / np.maximum(span_s, 1e-6))
    out["channels"] = per_channel(batch)
    dataset = get_dataset(name)
    groups = dataset.groups(data_root(data_dir))
    if groups is not None and len(groups) == len(batch):
        counts = batch.counts()
        out[f"events_per_{dataset.group_name}"] = {
            int(g): round(float(counts[groups == g].mean()), 1) for g in np.unique(groups)}
    out["skipped"] = len(batch.skipped)
    if name == "fsdd":
        out["recorded_level_per_speaker"] = fsdd_levels(data_dir)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("datasets", nargs="*", default=["fsdd", "spoken-digits"], help="audio dataset names")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-dir", default=str(REPO.parent / "shared" / "data"),
                        help="data root (default: ../shared/data beside the repository)")
    args = parser.parse_args(argv)
    out = {"seed": args.seed, "python": platform.python_version(), "machine": platform.machine()}
    for name in args.datasets:
        out[name] = audio_stats(name, args.data_dir, args.seed)
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
