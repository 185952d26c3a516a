"""The sweep's progress bar on stderr: units done / total, rate, ETA, failures."""

from __future__ import annotations

import sys
import time
from typing import TextIO

__all__ = ["SweepProgress"]


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


class SweepProgress:
    """``sweep [#####-----] 12/54 units · 3 skipped · 0.8 units/s · ETA 52 s · 1 failed``.

    ``total``: units asked for; ``skipped``: those already finished before this run (counted
    as done, not in the rate). On a terminal the bar is redrawn in place; elsewhere a line is
    printed at most every ``every_s`` seconds and at the end.
    """

    def __init__(self, total: int, skipped: int = 0, enabled: bool = True, stream: TextIO | None = None,
                 every_s: float = 5.0, width: int = 24):
        self.total, self.skipped = total, skipped
        self.enabled = enabled
        self.stream = stream if stream is not None else sys.stderr
        self.every_s, self.width = every_s, width
        self._tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.computed = 0
        self.failed = 0
        self._start = time.monotonic()
        self._last = 0.0
        self._ended = False

    def start_clock(self) -> None:
        """Measure the rate from now (when the cluster is up and units are submitted)."""
        self._start = time.monotonic()

    def line(self) -> str:
        done = self.skipped + self.computed
        settled = done + self.failed
        filled = int(self.width * settled / self.total) if self.total else self.width
        bar = "#" * filled + "-" * (self.width - filled)
        elapsed = time.monotonic() - self._start
        rate = self.computed / elapsed if elapsed > 0 else 0.0
        left = self.total - settled
        eta = _duration(left / rate) if rate > 0 and left else ("0 s" if not left else "?")
        parts = [f"sweep [{bar}] {done}/{self.total} units"]
        if self.skipped:
            parts.append(f"{self.skipped} skipped (done before)")
        parts += [f"{rate:.2f} units/s", f"ETA {eta}", f"{self.failed} failed"]
        return " · ".join(parts)

    def update(self, computed: int = 0, failed: int = 0) -> None:
        """Count ``computed`` more finished units and ``failed`` more failures, and redraw."""
        self.computed += computed
        self.failed += failed
        self.draw()

    def draw(self, final: bool = False) -> None:
        if not self.enabled or self._ended:
            return
        now = time.monotonic()
        final = final or self.skipped + self.computed + self.failed >= self.total
        if not (final or self._tty or now - self._last >= self.every_s):
            return
        self._last, self._ended = now, final
        prefix, end = ("\r", "\n" if final else "") if self._tty else ("", "\n")
        self.stream.write(f"{prefix}{self.line()}{end}")
        self.stream.flush()

    def note(self, text: str) -> None:
        if self.enabled:
            self.stream.write(("\n" if self._tty else "") + text + "\n")
            self.stream.flush()
