"""What the file readers share about corrupt samples: the error that names the file, and a check.

A reader raises :class:`CorruptSampleError` for one bad sample; with ``skip_corrupt=True`` it leaves
the sample out and records :meth:`CorruptSampleError.entry` in ``EventBatch.skipped`` instead. This
module imports no dataset, so every dataset module may import it while the registry is importing
the others (a dataset module registers itself on import, which imports all of them).
"""

from __future__ import annotations

import numpy as np

from neurosim.errors import DataError

__all__ = ["CorruptSampleError", "single_timestamp"]


class CorruptSampleError(DataError):
    """One sample failed its checks; ``where`` names the file (and archive member).

    Its message is ``"<dataset> file <where>: <reason>"``; loaders with
    ``skip_corrupt=True`` record ``"<where>: <reason>"`` in ``EventBatch.skipped``.
    """

    def __init__(self, dataset: str, where: str, reason: str):
        super().__init__(f"{dataset} file {where}: {reason}")
        self.where, self.reason = where, reason

    def entry(self) -> str:
        """The ``"path: reason"`` line recorded in ``EventBatch.skipped``."""
        return f"{self.where}: {self.reason}"

def single_timestamp(t: np.ndarray) -> bool:
    """True if more than one event and all share one timestamp (span 0), for non-decreasing ``t``.

    No recording of a moving scene or of speech is like that: the 1,100 real N-MNIST samples
    in ``../shared/data/nmnist`` span 290,901 µs or more, with at most 4 events at one
    timestamp. A zero-filled file (every 5-byte record 0: x = y = p = 0, t = 0 µs) is.
    """
    return len(t) > 1 and t[-1] == t[0]
