"""Whether a run's per-sample arrays fit in memory, said before the dataset streams.

A streamed run keeps one chunk plus, per sample, the features its readout needs
(:class:`neurosim.tasks.pipeline.Pipeline`). Those grow with the number of samples, so
:func:`check_fits` estimates them from the first chunk's shapes and refuses a run that
would not fit, with the figure, instead of failing (or swapping) minutes later.
"""

from __future__ import annotations

import os
from pathlib import Path

from neurosim.errors import ConfigError

__all__ = ["READOUT_COPIES", "available_bytes", "check_fits", "estimate_bytes"]

#: float64 working copies of the widest feature set a readout makes while it trains (the training fold
#: standardised, centred, and the solver's own): 3 × 8 B per feature and sample, an estimate.
READOUT_COPIES = 3


def available_bytes(meminfo: Path = Path("/proc/meminfo")) -> int | None:
    """Memory the run may still take (B): ``MemAvailable`` of ``/proc/meminfo``, else the free
    physical pages (``os.sysconf``); None where neither is known."""
    try:
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, ValueError, OSError):
        return None


def estimate_bytes(samples: int, bytes_per_sample: int, widest_features: int) -> int:
    """Memory the per-sample arrays of ``samples`` samples take (B): what is kept of each sample
    (``bytes_per_sample``) plus :data:`READOUT_COPIES` float64 copies of the widest feature set
    (``widest_features`` per sample)."""
    return samples * (bytes_per_sample + READOUT_COPIES * 8 * widest_features)


def check_fits(samples: int, bytes_per_sample: int, widest_features: int, what: str,
               available: int | None = None) -> None:
    """:class:`ConfigError` when :func:`estimate_bytes` exceeds the available memory
    (``available`` B, default :func:`available_bytes`; unknown: no check)."""
    available = available_bytes() if available is None else available
    need = estimate_bytes(samples, bytes_per_sample, widest_features)
    if available is None or need <= available:
        return
    raise ConfigError(
        f"{what}: {samples:,} samples × {bytes_per_sample:,} B kept per sample, plus the readout's working "
        f"copies of {widest_features:,} features per sample, need about {need / 2**30:.1f} GiB, but "
        f"{available / 2**30:.1f} GiB of memory is available; lower run.samples, network.neurons or "
        "readout.windows, or set classify.baselines=false")
