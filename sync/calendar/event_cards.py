"""Calendar events as Trello cards: the card made for an event, its marker, the lists it goes to,
and comments made at most once.

Trello has no all-day dates, so an all-day event becomes a card from local 00:00 to 23:59, which
the events mapping reads back as all-day.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from config import Config
from sync.model import Board, Role
from sync.state.store import State
from sync.trello.lists import fold

if TYPE_CHECKING:  # types only: the roundup and `otg status` read MARKER without iCalendar or HTTP
    from sync.calendar.ical_read import CalendarEvent
    from sync.trello.api import TrelloApi

MARKER = "otg-uid: "
#: The footer under the description of a card made from a calendar event: where it came from,
#: and (below) its marker. Ours, for our own reading: never in text people read.
FOOTER = "---\nAdded on the events calendar; kept in step by otg-sync."
DESC_LIMIT = 16384  # Trello's cap on a card description
STATE_FOR_STATUS = {"TENTATIVE": "planning", "CONFIRMED": "confirmed", "CANCELLED": "cancelled"}


def card_description(event: CalendarEvent) -> str:
    """The card's description: the event's, cut to fit, then where it came from and the marker."""
    footer = f"\n\n{FOOTER}"
    if event.rrule:
        footer += (
            f"\nRepeats ({event.rrule}): the card shows the next occurrence; "
            "the series itself is managed on the calendar."
        )
    footer += f"\n{marker_line(event.uid)}"
    text = event.description
    room = DESC_LIMIT - len(footer)
    if len(text) > room:
        note = "\n\n… (cut to fit Trello; the full text is on the calendar)"
        text = text[: room - len(note)].rstrip() + note
    return text + footer


def comment_once(api: TrelloApi, state: State, card_id: str, purpose: str, text: str) -> None:
    """Comment on a card at most once: an intent first, and a look at the card's comments before
    a second try after a run that stopped halfway."""
    key = f"{card_id}:{purpose}"
    pending = [i for i in state.intents("trello-comment") if i.key == key]
    if pending and pending[-1].status == "done":
        return
    if pending:  # an earlier try may have reached Trello
        comments = api.comments(card_id)
        if any(_text(c) == text for c in comments):
            state.settle_intent(pending[-1].id, "done", {"found": True})
            return
        intent = pending[-1].id
    else:
        intent = state.open_intent("trello-comment", key, {"text": text})
    api.add_comment(card_id, text)
    state.settle_intent(intent, "done", {})


def marker_line(uid: str) -> str:
    """The line that names a card's event: ``otg-uid: <UID>``, the UID as it is. A UID that
    would not survive as the rest of one line (space at either end, a line break or another
    invisible character, a leading quote) is written as a JSON string instead."""
    plain = (
        uid
        and uid == uid.strip()
        and not uid.startswith('"')
        and all(ch == " " or ch.isprintable() for ch in uid)
    )
    return f"{MARKER}{uid}" if plain else f"{MARKER}{json.dumps(uid)}"


def marker_of(desc: str) -> str:
    """The UID named by the last marker line of a description (see ``marker_line``): the whole
    rest of that line, not its first word. "" when there is none."""
    for line in reversed(desc.split("\n")):
        if not line.startswith(MARKER):
            continue
        rest = line[len(MARKER) :].strip()  # a plain UID has no space at either end
        if rest.startswith('"'):
            try:
                quoted = json.loads(rest)
            except ValueError:
                return rest
            return quoted if isinstance(quoted, str) else rest
        return rest
    return ""


def _text(comment: dict) -> object:
    data = comment.get("data")
    return data.get("text") if isinstance(data, dict) else None


def import_board(cfg: Config, boards: list[Board]) -> Board | None:
    names = {b.name: b for b in cfg.boards if b.role is Role.EVENTS}
    wanted = names.get(cfg.calendar.import_board) if cfg.calendar.import_board else None
    candidates = (
        [wanted] if wanted else [b for b in names.values() if b.is_api] or list(names.values())
    )
    for board_cfg in candidates:
        for board in boards:
            if board.source == board_cfg.source or board.source.endswith(board_cfg.source):
                return board
    return None


def list_named(board: Board, name: str) -> str | None:
    return next(
        (lst.id for lst in board.lists if not lst.closed and fold(lst.name) == fold(name)), None
    )


def list_for(board: Board, state: str) -> str | None:
    return next((lst.id for lst in board.lists if not lst.closed and lst.state == state), None)


def trello_dates(event: CalendarEvent, cfg: Config) -> tuple[str, str]:
    """Trello has no all-day dates: an all-day event starts at local midnight and is due at the
    end of its last day."""
    if isinstance(event.start, datetime) and isinstance(event.end, datetime):
        return _iso(event.start), _iso(event.end)
    first = datetime.combine(_as_date(event.start), time(0), tzinfo=cfg.tz)
    last = datetime.combine(_as_date(event.end), time(0), tzinfo=cfg.tz) - timedelta(minutes=1)
    return _iso(first), _iso(last)


def _as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
