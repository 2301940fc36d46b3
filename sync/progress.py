"""Progress for a person watching a long run: one line on stderr, redrawn as boards are read and
actions taken: ``3 boards read (61,204 cards) · 1,180 create, 24 skipped · reading board "x"``.

Only on a terminal: the CLI turns it on (``shown_on``) when stderr is a TTY, and never with
``--json``, ``-q`` or ``-v`` (whose log lines would tangle with it), nor under cron or systemd,
where stderr is a file or the journal. The jobs call ``reading``, ``board_read`` and ``action``
whether or not anyone watches: with no progress line shown, they do nothing. The totals are not
known before the plan is made, so it counts rather than draws a bar.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from sync.report import Outcome

INTERVAL = 0.1  # seconds between redraws: a 20,000-card run stays cheap to watch
CLEAR = "\r\x1b[K"  # back to the line's start, and clear it


class Progress:
    """The line's state, and drawing it."""

    def __init__(
        self,
        stream: TextIO,
        width: int = 100,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream, self.width, self.clock = stream, width, clock
        self.boards = 0
        self.cards = 0
        self.doing = ""
        self.counts: Counter[str] = Counter()
        self.drawn_at: float | None = None
        self.shown = False

    def reading(self, name: str) -> None:
        self.doing = f'reading board "{name}"'
        self.draw(force=True)

    def board_read(self, cards: int) -> None:
        self.boards += 1
        self.cards += cards
        self.doing = ""
        self.draw(force=True)

    def action(self, outcome: Outcome) -> None:
        word = outcome.kind if outcome.status in ("done", "planned") else outcome.status
        self.counts[word] += 1
        self.draw()

    def text(self) -> str:
        board = "board" if self.boards == 1 else "boards"
        parts = [f"{self.boards} {board} read ({self.cards:,} cards)"]
        if self.counts:
            parts.append(", ".join(f"{n:,} {k}" for k, n in sorted(self.counts.items())))
        if self.doing:
            parts.append(self.doing)
        return " · ".join(parts)

    def draw(self, force: bool = False) -> None:
        now = self.clock()
        if not force and self.drawn_at is not None and now - self.drawn_at < INTERVAL:
            return
        self.drawn_at = now
        self.stream.write(CLEAR + self.text()[: self.width - 1])
        self.stream.flush()
        self.shown = True

    def clear(self) -> None:
        """Take the line away, so that the report is printed on a clean line."""
        if self.shown:
            self.stream.write(CLEAR)
            self.stream.flush()
            self.shown = False


_current: Progress | None = None


@contextmanager
def shown_on(stream: TextIO, width: int = 100) -> Iterator[Progress]:
    """Show the progress line on ``stream`` for the duration; cleared at the end, however the
    run ends."""
    global _current
    progress = _current = Progress(stream, width)
    try:
        yield progress
    finally:
        _current = None
        progress.clear()


def reading(name: str) -> None:
    if _current is not None:
        _current.reading(name)


def board_read(cards: int) -> None:
    if _current is not None:
        _current.board_read(cards)


def action(outcome: Outcome) -> None:
    if _current is not None:
        _current.action(outcome)
