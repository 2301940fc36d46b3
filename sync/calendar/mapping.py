"""Event cards → calendar events. Pure: no I/O.

``event_for(card, ...)`` says what the calendar should hold for one card: an ``EventSpec`` (with
its status), or a ``Skip`` with the reason the card cannot be an event, or ``None`` when the card
is simply not for the calendar (an idea, say).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from config.calendar import CalendarConfig
from sync.calendar.event_cards import FOOTER, MARKER
from sync.model import Card

TENTATIVE, CONFIRMED, CANCELLED = "TENTATIVE", "CONFIRMED", "CANCELLED"
STATUS_FOR_STATE = {
    "proposed": TENTATIVE,
    "planning": TENTATIVE,
    "confirmed": CONFIRMED,
    "done": CONFIRMED,
}
#: Changes to these are significant: SEQUENCE rises and calendar clients re-alert.
SIGNIFICANT = ("summary", "start", "end", "all_day", "location", "status")
#: The time of day (UTC) at which the Trello app stores a start date, which has no time.
DATE_ONLY_AT = time(12, 0)
SIGNUP_WORDS = ("sign up", "signup", "sign-up", "register", "registration", "tickets", "book")


@dataclass(frozen=True)
class EventSpec:
    """What one calendar event should say. Times are UTC datetimes, or dates when all-day."""

    card_id: str
    board_id: str
    summary: str
    start: datetime | date
    end: datetime | date
    all_day: bool
    status: str
    location: str = ""
    description: str = ""
    url: str = ""
    geo: tuple[float, float] | None = None

    def fields(self) -> dict[str, Any]:
        """The event as JSON-ready data (what the state store keeps)."""
        data = {name: getattr(self, name) for name in FIELD_NAMES}
        data["start"], data["end"] = self.start.isoformat(), self.end.isoformat()
        data["geo"] = list(self.geo) if self.geo else None
        return data

    @classmethod
    def from_fields(cls, data: dict[str, Any]) -> EventSpec:
        def moment(text: str) -> datetime | date:
            return date.fromisoformat(text) if data["all_day"] else datetime.fromisoformat(text)

        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["start"], known["end"] = moment(data["start"]), moment(data["end"])
        known["geo"] = tuple(data["geo"]) if data.get("geo") else None
        return cls(**known)

    def changed(self, other: EventSpec) -> list[str]:
        """Names of the fields that differ from ``other``."""
        mine, theirs = self.fields(), other.fields()
        return [
            name
            for name in mine
            if name not in ("card_id", "board_id") and mine[name] != theirs[name]
        ]

    def digest(self) -> str:
        payload = {k: v for k, v in self.fields().items() if k not in ("card_id", "board_id")}
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


FIELD_NAMES = tuple(f.name for f in dataclass_fields(EventSpec))


@dataclass(frozen=True)
class Skip:
    card_id: str
    title: str
    reason: str


def uid_for(card_id: str, domain: str) -> str:
    return f"trello-{card_id}@{domain}"


def event_for(
    card: Card, cfg: CalendarConfig, tz: ZoneInfo, status: str | None = None
) -> EventSpec | Skip | None:
    """The event for a visible card in a published state; cancellations are the planner's.
    ``status`` overrides the one its list gives (an imported event keeps its own)."""
    status = status or STATUS_FOR_STATE.get(card.state or "")
    times = event_times(card, cfg, tz, status)
    if times is None or status is None:
        return None
    if isinstance(times, str):
        return Skip(card.id, card.name, times)
    start, end, all_day = times
    return EventSpec(
        card_id=card.id,
        board_id=card.board_id,
        summary=card.name.strip() or "(untitled event)",
        start=start,
        end=end,
        all_day=all_day,
        status=status,
        location=_location(card, cfg),
        description=_description(card, cfg),
        url=card.url,
        geo=card.coordinates,
    )


def event_times(
    card: Card, cfg: CalendarConfig, tz: ZoneInfo, status: str | None = None
) -> tuple[Any, Any, bool] | str | None:
    """When ``event_for``'s event is (start, end, all-day), without building the rest of it:
    None when the card has no event, why not (a ``Skip``'s reason) when its dates cannot make
    one. The roundup asks this of every event card and builds only the events it shows."""
    if card.state not in cfg.publish:
        return None
    if (status or STATUS_FOR_STATE.get(card.state or "")) is None:
        return None
    return _times(card, cfg, tz)


def time_fields(card: Card, cfg: CalendarConfig) -> tuple[str, str]:
    """The custom fields a card's event takes its start and end from ("" for the card's own
    start or due), as ``_times`` reads them: a configured date field the card has a value in."""
    return (
        cfg.start_field if _field_date(card, cfg.start_field) else "",
        cfg.end_field if _field_date(card, cfg.end_field) else "",
    )


def date_only_start(card: Card) -> bool:
    """Whether the card's own start is a day, not a time. The Trello app sets ``start`` as a
    date with no time, stored at 12:00 UTC (the same day in every zone from UTC-11 to UTC+11);
    a start written by otg-sync for an event imported from the calendar (its card carries the
    ``otg-uid:`` marker) is a real time, whatever it is."""
    start = card.start
    return (
        start is not None
        and start.astimezone(UTC).time() == DATE_ONLY_AT
        and MARKER not in card.desc
    )


def _times(card: Card, cfg: CalendarConfig, tz: ZoneInfo) -> tuple[Any, Any, bool] | str:
    field_start = _field_date(card, cfg.start_field)
    start = field_start or card.start
    end = _field_date(card, cfg.end_field) or card.due
    bad = [p for p in card.problems if p.startswith(("start:", "due:"))]
    if start is None and end is None:
        return bad[0] if bad else "has no date: set the card's start or due date"
    if start is not None and field_start is None and date_only_start(card):
        day = start.astimezone(tz).date()
        if end is None:  # a day and nothing more: an all-day event
            return day, day + timedelta(days=1), True
        if end.astimezone(tz).date() == day:
            start = None  # the due says more than the day it falls on: the due is the time
        elif all_day_by(card, cfg) is None:  # from the start of that day to the due
            start = datetime.combine(day, time(0), tzinfo=tz)
    if start is None:  # only one time known: it is the start
        start, end = end, None
    all_day = all_day_by(card, cfg) is not None or _midnight_to_midnight(start, end, tz)
    if all_day:
        first = start.astimezone(tz).date()
        last = end.astimezone(tz).date() if end else first
        if last < first:
            return f"ends ({last}) before it starts ({first})"
        return first, last + timedelta(days=1), True  # DTEND is exclusive
    if end is None:
        end = start + timedelta(minutes=cfg.default_duration_minutes)
    if end < start:
        # seconds only when the minutes agree: "ends (03:31:05) before it starts (03:31:40)"
        shown = (
            "%Y-%m-%d %H:%M:%S"
            if f"{end:%Y%m%d%H%M}" == f"{start:%Y%m%d%H%M}"
            else "%Y-%m-%d %H:%M"
        )
        return (
            f"ends ({end.astimezone(tz):{shown}}) before it starts "
            f"({start.astimezone(tz):{shown}}): fix the start or due date"
        )
    if end == start:
        end = start + timedelta(minutes=cfg.default_duration_minutes)
    return start.astimezone(UTC), end.astimezone(UTC), False


def all_day_by(card: Card, cfg: CalendarConfig) -> str | None:
    """What makes a card all-day whatever its times: its "checkbox" (``calendar.all_day_field``),
    its "label" (``calendar.all_day_label``), or nothing (None)."""
    if card.custom_fields.get(cfg.all_day_field) is True:
        return "checkbox"
    if cfg.all_day_label and cfg.all_day_label in card.label_names:
        return "label"
    return None


def _midnight_to_midnight(start: datetime, end: datetime | None, tz: ZoneInfo) -> bool:
    """Trello has no all-day dates: a card from local 00:00 to 23:59 is an all-day event (that is
    how events imported from the calendar are written)."""
    if end is None:
        return False
    first, last = start.astimezone(tz), end.astimezone(tz)
    return (first.hour, first.minute) == (0, 0) and (last.hour, last.minute) == (23, 59)


def _field_date(card: Card, name: str) -> datetime | None:
    value = card.custom_fields.get(name) if name else None
    return value if isinstance(value, datetime) else None


def _location(card: Card, cfg: CalendarConfig) -> str:
    field = card.custom_fields.get(cfg.location_field) if cfg.location_field else None
    parts = [str(field).strip()] if isinstance(field, str) and field.strip() else []
    for part in (card.location_name, card.address):
        part = part.strip()
        if part and not any(part in p or p in part for p in parts):
            parts.append(part)
    return ", ".join(parts)


def signup_link(card: Card, cfg: CalendarConfig) -> str:
    field = card.custom_fields.get(cfg.signup_field) if cfg.signup_field else None
    if isinstance(field, str) and field.strip().startswith(("http://", "https://")):
        return field.strip()
    for attachment in card.attachments:
        if any(word in attachment.name.casefold() for word in SIGNUP_WORDS):
            return attachment.url
    return ""


MARKER_LINE = re.compile(r"^otg-uid: \S.*$", re.MULTILINE)


def without_our_footer(text: str) -> str:
    """A card's description as people should read it: our footer and marker cut off."""
    cut = text.find(FOOTER)
    text = text[:cut] if cut >= 0 else text
    return MARKER_LINE.sub("", text).strip()


def _description(card: Card, cfg: CalendarConfig) -> str:
    desc = without_our_footer(card.desc)
    parts = [desc] if desc else []
    link = signup_link(card, cfg)
    if link and link not in desc:  # a partner's text may give it already: once is enough
        parts.append(f"Sign up: {link}")
    if card.url:
        parts.append(f"Planned on Trello: {card.url}")
    return "\n\n".join(parts)
