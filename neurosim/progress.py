"""Progress messages for long work, written to stderr (never to stdout)."""

from __future__ import annotations

import sys
import time
from typing import Callable, TextIO


class Progress:
    """Prints ``stage: done/total (elapsed)`` lines; silent when ``enabled`` is false.

    On a terminal the line is redrawn in place; elsewhere (logs, CI) a line is
    printed at most every ``every_s`` seconds and at the end of each stage.
    """

    def __init__(self, enabled: bool = True, stream: TextIO | None = None, every_s: float = 2.0):
        self.enabled = enabled
        self.stream = stream if stream is not None else sys.stderr
        self.every_s = every_s
        self._tty = hasattr(self.stream, "isatty") and self.stream.isatty()

    def stage(self, name: str) -> Callable[[int, int], None]:
        """A ``callback(done, total)`` reporting on stage ``name``."""
        start = time.monotonic()
        last = [0.0]

        def report(done: int, total: int) -> None:
            if not self.enabled:
                return
            now = time.monotonic()
            final = done >= total
            if not (final or self._tty or now - last[0] >= self.every_s):
                return
            last[0] = now
            end = "\n" if final or not self._tty else ""
            prefix = "\r" if self._tty else ""
            self.stream.write(f"{prefix}{name}: {done}/{total} ({now - start:.1f} s){end}")
            self.stream.flush()

        return report

    def note(self, text: str) -> None:
        """One line of information."""
        if self.enabled:
            self.stream.write(text + "\n")
            self.stream.flush()
