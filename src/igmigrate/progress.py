"""Progress of a long scan on stderr: files done of total and the rate, on one line.

Only for a person watching: it is drawn when the stream is a terminal and the scan has run
for a moment (`delay`), and it erases itself at the end. When stderr is not a terminal (CI
logs, pipes, redirects) nothing at all is written, so machine-read output stays clean.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import Callable, TextIO


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed or not a real file
        return False


@dataclass
class Progress:
    stream: TextIO | None = None  # default: sys.stderr at construction
    enabled: bool | None = None  # None: decide by stream.isatty()
    delay: float = 0.5  # seconds before the first line: short scans print nothing
    interval: float = 0.1  # seconds between redraws
    clock: Callable[[], float] = time.monotonic
    total: int = 0
    done: int = 0
    _started: float = 0.0
    _last: float = field(default=-1.0)
    _drawn: bool = False

    def __post_init__(self) -> None:
        if self.stream is None:
            self.stream = sys.stderr
        if self.enabled is None:
            self.enabled = _is_terminal(self.stream)

    def start(self, total: int) -> None:
        self.total, self.done = total, 0
        self._started = self.clock()
        self._last = -1.0

    def advance(self, count: int = 1) -> None:
        self.done += count
        if not self.enabled:
            return
        now = self.clock()
        if now - self._started < self.delay or (now - self._last < self.interval and self.done < self.total):
            return
        self._last = now
        self._draw(now)

    def line(self, now: float) -> str:
        elapsed = max(now - self._started, 1e-9)
        percent = 100 * self.done / self.total if self.total else 100
        return f"igmigrate: {self.done:,}/{self.total:,} files ({percent:.0f}%), {self.done / elapsed:,.0f} files/s"

    def _draw(self, now: float) -> None:
        assert self.stream is not None
        self.stream.write("\r\x1b[K" + self.line(now))
        self.stream.flush()
        self._drawn = True

    def finish(self) -> None:
        """Erase the line so the report starts on a clean terminal line."""
        if self.enabled and self._drawn and self.stream is not None:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
        self._drawn = False
