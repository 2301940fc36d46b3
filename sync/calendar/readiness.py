"""The events boards' upcoming events and what each still lacks: a date the calendar can use, a
place, a sign-up link, an organiser (a member on the card), and checklist items due before the
event that are still open. Pure: no I/O. `otg events` lists them; the nightly sync may comment
on a confirmed card once per lack (``jobs/events/card_notes.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from config.calendar import CalendarConfig
from sync.calendar.mapping import EventSpec, Skip, event_for, signup_link
from sync.model import Board, Card

#: The kinds of lack, in the order they are told.
KINDS = ("date", "place", "signup", "organiser", "checklist")


@dataclass(frozen=True)
class Lack:
    kind: str  # one of KINDS
    text: str  # what is missing, for a person: "no place: set the card's location or …"


@dataclass(frozen=True)
class Upcoming:
    """One event card not yet held (or with no date to tell), and what it lacks."""

    board: Board
    card: Card
    start: datetime | date | None  # the calendar's start; None when there is no usable date
    lacks: tuple[Lack, ...]

    def data(self, tz: ZoneInfo) -> dict[str, Any]:
        """As `otg events --json` prints it."""
        start = self.start
        if isinstance(start, datetime):
            start = start.astimezone(tz)
        return {
            "board": self.board.name,
            "card_id": self.card.id,
            "title": self.card.name,
            "url": self.card.url,
            "list": self.card.list_name,
            "state": self.card.state,
            "start": start.isoformat() if start else None,
            "lacks": [{"kind": lack.kind, "text": lack.text} for lack in self.lacks],
        }


def upcoming(
    boards: list[Board], cfg: CalendarConfig, tz: ZoneInfo, now: datetime
) -> list[Upcoming]:
    """The cards of the published states (but done) whose event has not ended, or that have no
    usable date: the ones without a date first, then by start."""
    found = []
    wanted = [s for s in cfg.publish if s != "done"]
    for board in boards:
        for card in board.cards:
            if not card.visible or card.state not in wanted:
                continue
            spec = event_for(card, cfg, tz)
            if isinstance(spec, EventSpec) and _ends(spec, tz) < now:
                continue  # held already
            if isinstance(spec, EventSpec | Skip):
                found.append(_judge(board, card, spec, cfg, tz))
    return sorted(found, key=lambda u: (u.start is not None, _stamp(u.start, tz), u.card.name))


def _judge(
    board: Board, card: Card, spec: EventSpec | Skip, cfg: CalendarConfig, tz: ZoneInfo
) -> Upcoming:
    lacks = []
    start = spec.start if isinstance(spec, EventSpec) else None
    if isinstance(spec, Skip):
        lacks.append(Lack("date", f"no usable date: {spec.reason}"))
    if isinstance(spec, EventSpec) and not spec.location:
        field = f' or the "{cfg.location_field}" field' if cfg.location_field else ""
        lacks.append(Lack("place", f"no place: set the card's location{field}"))
    if not signup_link(card, cfg):
        field = f'the "{cfg.signup_field}" field, or ' if cfg.signup_field else ""
        lacks.append(
            Lack("signup", f'no sign-up link: put it in {field}an attachment named "Sign up"')
        )
    if not card.members:
        lacks.append(Lack("organiser", "no organiser: add whoever runs it as a card member"))
    if start is not None:
        begins = _moment(start, tz)
        open_items = [
            item.name
            for checklist in card.checklists
            for item in checklist.items
            if not item.complete and item.due is not None and item.due <= begins
        ]
        if open_items:
            lacks.append(
                Lack(
                    "checklist",
                    f"{len(open_items)} checklist item{'s' if len(open_items) > 1 else ''} due "
                    f"before the event still open: {', '.join(open_items)}",
                )
            )
    return Upcoming(board, card, start, tuple(lacks))


def _stamp(value: datetime | date | None, tz: ZoneInfo) -> float:
    return _moment(value, tz).timestamp() if value is not None else 0.0


def _moment(value: datetime | date, tz: ZoneInfo) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.combine(value, time(0), tzinfo=tz)


def _ends(spec: EventSpec, tz: ZoneInfo) -> datetime:
    return _moment(spec.end, tz)
