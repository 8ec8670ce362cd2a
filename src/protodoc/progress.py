"""A minimal progress bar on stderr, for long ``generate`` and ``check`` runs.

The bar is drawn only on a terminal, never when ``CI`` is set, and only once a
run has lasted long enough to be worth watching; otherwise a run prints plain
lines and nothing else. No dependency.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from typing import Self, TextIO


def bar_wanted(stream: TextIO) -> bool:
    """A bar belongs on an interactive terminal outside CI."""
    if os.environ.get("CI"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class Progress:
    """``with Progress(total, "loading") as p: p.advance()``; ``p.line(text)``
    prints a line above the bar. The bar appears after ``delay`` seconds and is
    redrawn at most ten times a second."""

    def __init__(
        self,
        total: int,
        label: str = "",
        *,
        stream: TextIO | None = None,
        enabled: bool | None = None,
        delay: float = 0.5,
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = bar_wanted(self.stream) if enabled is None else enabled
        self.total = max(total, 0)
        self.label = label
        self.done = 0
        self._start = time.monotonic()
        self._delay = delay
        self._last_draw = 0.0
        self._shown = False

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def restart(self, total: int, label: str) -> None:
        """Reuse the bar for the next phase of a run."""
        self.total, self.label, self.done = max(total, 0), label, 0
        self._draw(force=True)

    def advance(self, n: int = 1) -> None:
        self.done += n
        self._draw()

    def line(self, text: str) -> None:
        """Print ``text`` on its own line, keeping the bar below it."""
        self._clear()
        print(text, file=self.stream, flush=True)
        self._draw(force=self._shown)

    def close(self) -> None:
        self._clear()

    def _clear(self) -> None:
        if self._shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self._shown = False

    def _draw(self, force: bool = False) -> None:
        if not self.enabled or not self.total:
            return
        now = time.monotonic()
        if now - self._start < self._delay:
            return
        if not force and self._shown and now - self._last_draw < 0.1:
            return
        self._last_draw = now
        width = shutil.get_terminal_size((80, 20)).columns
        counter = f" {self.done}/{self.total} {self.label}"
        room = max(10, min(40, width - len(counter) - 3))
        filled = room * min(self.done, self.total) // self.total
        bar = "[" + "#" * filled + "-" * (room - filled) + "]"
        self.stream.write("\r" + (bar + counter)[: width - 1] + "\033[K")
        self.stream.flush()
        self._shown = True
