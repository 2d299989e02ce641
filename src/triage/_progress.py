"""A progress line on stderr (count, rate, ETA) when stderr is a terminal."""
from __future__ import annotations

import time
from typing import IO, Callable


class Progress:
    """Prints at most a few times a second; silent when ``enabled`` is false."""

    def __init__(self, stream: IO[str], enabled: bool, total_bytes: int | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream
        self.enabled = enabled
        self.total_bytes = total_bytes
        self.clock = clock
        self.start = clock()
        self._last = 0.0
        self.count = 0

    def update(self, count: int, done_bytes: int | None = None) -> None:
        self.count = count
        if not self.enabled:
            return
        now = self.clock()
        if now - self._last < 0.25:
            return
        self._last = now
        elapsed = max(now - self.start, 1e-9)
        line = f"\r{count:,} messages  {count / elapsed:,.0f}/s"
        if self.total_bytes and done_bytes:
            frac = min(done_bytes / self.total_bytes, 1.0)
            eta = elapsed * (1 - frac) / max(frac, 1e-9)
            line += f"  {frac:6.1%}  ETA {int(eta // 60)}:{int(eta % 60):02d}"
        self.stream.write(line + "   ")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            elapsed = max(self.clock() - self.start, 1e-9)
            self.stream.write(f"\r{self.count:,} messages in {elapsed:.1f}s "
                              f"({self.count / elapsed:,.0f}/s)          \n")
            self.stream.flush()
