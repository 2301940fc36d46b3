"""`otg events`: the events boards' upcoming events and what each still lacks (a date the
calendar can use, a place, a sign-up link, an organiser, checklist items due before the event),
as text for a person or JSON for a script. Reads the boards as `otg boards` does: nothing is
written anywhere.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from config import BoardConfig, Config
from sync.calendar.readiness import Upcoming, upcoming
from sync.model import Role
from sync.report import plural
from sync.state.store import State
from sync.text import one_line
from sync.trello.sources import read_boards

if TYPE_CHECKING:  # the Trello client, for types: a night on export files needs none
    from sync.trello.api import TrelloApi


def events(
    cfg: Config, state: State, now: datetime, api: TrelloApi | None = None
) -> tuple[list[Upcoming], list[str]]:
    """The upcoming events of every events board, and one line per board that could not be
    read."""
    errors: list[str] = []

    def failed(board: BoardConfig, exc: Exception) -> None:
        errors.append(str(exc) if str(exc).startswith("board ") else f'board "{board.name}": {exc}')

    boards = cfg.boards_with_role(Role.EVENTS)
    read, _ = read_boards(cfg, state, boards, dry_run=True, now=now, api=api, on_error=failed)
    return upcoming([b for _, b in read], cfg.calendar, cfg.tz, now), errors


def as_data(found: list[Upcoming], errors: list[str], tz: ZoneInfo) -> dict[str, Any]:
    return {"events": [item.data(tz) for item in found], "errors": errors}


def render(found: list[Upcoming], tz: ZoneInfo) -> str:
    """One line per event (its start, title and list), and an indented line per thing it lacks."""
    if not found:
        return "No upcoming events on the events boards."
    lines = []
    for item in found:
        lines.append(
            f"{_when(item.start, tz):<22} {one_line(item.card.name)} ({item.card.list_name})"
        )
        lines += [f"{'':<22}   lacks {one_line(lack.text)}" for lack in item.lacks]
    lacking = sum(1 for item in found if item.lacks)
    lines.append(
        f"{plural(len(found), 'upcoming event')}; "
        + (f"{lacking} lacking something." if lacking else "none lacking anything.")
    )
    return "\n".join(lines)


def _when(start: datetime | date | None, tz: ZoneInfo) -> str:
    if start is None:
        return "(no date)"
    if isinstance(start, datetime):
        return f"{start.astimezone(tz):%a %d %b %Y %H:%M}"
    return f"{start:%a %d %b %Y} (all day)"
