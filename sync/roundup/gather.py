"""The "two weeks on" roundup: a period → what happened in it, ready for a template. Pure.

What a roundup features, for a period of local days:

- **team and admin news**: cards completed in the period that carry the team label (or sit in the
  team list), on any board;
- **microactions** completed in the period (completion times from the board history), grouped by
  their first label, with who did them;
- **spinoff events** held in the period and coming up after it (dates in local time, place,
  sign-up link), cancelled ones left out;
- **posts published** in the period (from the content boards' Published list and what the Medium
  feed said).

Cards already featured in a finalised roundup (they carry a label like "Roundup 2026-11-25") are
left out unless asked for. Names are kept on one line, and links only to http(s) addresses: the
Markdown escaping is the renderer's (sync/roundup/render.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from config.calendar import CalendarConfig
from sync.calendar.mapping import EventSpec, event_for, signup_link
from sync.dates import day_bounds
from sync.model import Board, Card, Role
from sync.text import one_line

UNLABELLED = "Other microactions"
UNTITLED = "(untitled card)"
#: The post's title, as Medium and the drafts folder get it (a template may set its own).
TITLE = "One Team Government: two weeks on ({label})"


@dataclass(frozen=True)
class Period:
    first: date
    last: date  # inclusive

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def label(self) -> str:
        """ "25 November 2026" (one day), "12–25 November 2026", "28 November – 4 December 2026",
        "29 December 2026 – 11 January 2027": the month and year written once when shared."""
        a, b = self.first, self.last
        if a == b:
            return f"{a.day} {a:%B %Y}"
        if a.year != b.year:
            return f"{a.day} {a:%B %Y} – {b.day} {b:%B %Y}"
        if a.month != b.month:
            return f"{a.day} {a:%B} – {b.day} {b:%B %Y}"
        return f"{a.day}–{b.day} {b:%B %Y}"

    @property
    def key(self) -> str:
        return f"{self.first.isoformat()}..{self.last.isoformat()}"


def fortnight_ending(day: date) -> Period:
    return Period(day - timedelta(days=13), day)


@dataclass
class Item:
    title: str
    url: str
    card_id: str
    who: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    done: str = ""  # local date, ISO


@dataclass
class EventItem:
    title: str
    url: str
    card_id: str
    when: str  # "Wed 2 December, 08:00–09:00" in local time
    date: str  # ISO local date of the start
    place: str = ""
    signup: str = ""
    starts: str = ""  # ISO local date and time of the start (the date alone when all-day)


@dataclass
class Post:
    title: str
    url: str
    card_id: str
    published: str  # ISO local date


@dataclass
class Roundup:
    period: Period
    team: list[Item] = field(default_factory=list)
    microactions: dict[str, list[Item]] = field(default_factory=dict)  # label → items
    events_held: list[EventItem] = field(default_factory=list)
    events_coming: list[EventItem] = field(default_factory=list)
    posts: list[Post] = field(default_factory=list)

    @property
    def featured(self) -> list[str]:
        """Card ids featured: the ones a finalised roundup labels."""
        ids = [i.card_id for i in self.team]
        ids += [i.card_id for items in self.microactions.values() for i in items]
        ids += [e.card_id for e in self.events_held + self.events_coming]
        return ids + [p.card_id for p in self.posts]

    @property
    def empty(self) -> bool:
        return not self.featured

    def context(self) -> dict[str, Any]:
        """What templates see (documented in the README)."""
        groups = [
            {"label": label, "items": [asdict(i) for i in items]}
            for label, items in self.microactions.items()
        ]
        return {
            "title": TITLE.format(label=self.period.label),
            "period": {
                "first": self.period.first.isoformat(),
                "last": self.period.last.isoformat(),
                "label": self.period.label,
                "days": self.period.days,
            },
            "team": [asdict(i) for i in self.team],
            "microactions": {"total": sum(len(g["items"]) for g in groups), "groups": groups},
            "events": {
                "held": [asdict(e) for e in self.events_held],
                "coming": [asdict(e) for e in self.events_coming],
            },
            "posts": [asdict(p) for p in self.posts],
            "empty": self.empty,
        }


@dataclass(frozen=True)
class Options:
    tz: ZoneInfo
    calendar: CalendarConfig
    team_label: str = "Team and admin"
    team_list: str = ""
    featured_prefix: str = "Roundup "
    include_featured: bool = False
    coming_days: int = 60


def gather(
    boards: Iterable[Board],
    period: Period,
    options: Options,
    published: dict[str, tuple[str, datetime]] | None = None,
) -> Roundup:
    """Everything the roundup features. ``published``: card id → (post URL, published at),
    as recorded by the content flow from the Medium feed."""
    start, end = day_bounds(period.first, period.last, options.tz)
    roundup = Roundup(period)
    groups: dict[str, list[Item]] = defaultdict(list)
    for board in boards:
        for card in board.cards:
            if not card.visible or _featured(card, options):
                continue
            if board.role is Role.MICROACTIONS or _is_team(card, options):
                _microaction(card, start, end, options, roundup, groups)
            elif board.role is Role.EVENTS:
                _event(card, start, end, options, roundup)
            elif board.role is Role.CONTENT:
                _post(card, start, end, options, roundup, published or {})
    roundup.microactions = {
        label: sorted(items, key=lambda i: (i.done, i.title))
        for label, items in sorted(groups.items(), key=_group_order)
    }
    roundup.team.sort(key=lambda i: (i.done, i.title))
    roundup.events_held.sort(key=lambda e: (e.date, e.starts, e.title))  # a day's by time
    roundup.events_coming.sort(key=lambda e: (e.date, e.starts, e.title))
    roundup.posts.sort(key=lambda p: (p.published, p.title))
    return roundup


def _featured(card: Card, options: Options) -> bool:
    return not options.include_featured and any(
        name.startswith(options.featured_prefix) for name in card.label_names
    )


def _is_team(card: Card, options: Options) -> bool:
    return options.team_label in card.label_names or (
        bool(options.team_list) and card.list_name == options.team_list
    )


def _microaction(
    card: Card,
    start: datetime,
    end: datetime,
    options: Options,
    roundup: Roundup,
    groups: dict[str, list[Item]],
) -> None:
    if card.completed_at is None or not start <= card.completed_at < end:
        return
    labels = [
        _title(name, "")
        for name in card.label_names
        if name != options.team_label and not name.startswith(options.featured_prefix)
    ]
    labels = [name for name in labels if name]  # a colour-only label has no name to group by
    item = Item(
        _title(card.name),
        web_url(card.url),
        card.id,
        [name for m in card.members if (name := _title(m.full_name, ""))],
        labels,
        card.completed_at.astimezone(options.tz).date().isoformat(),
    )
    if _is_team(card, options):
        roundup.team.append(item)
    else:
        groups[labels[0] if labels else UNLABELLED].append(item)


def _event(card: Card, start: datetime, end: datetime, options: Options, roundup: Roundup) -> None:
    spec = event_for(card, options.calendar, options.tz)  # what the calendar shows
    if not isinstance(spec, EventSpec):
        return  # no usable date: nothing to say when it is
    begins = (
        spec.start
        if isinstance(spec.start, datetime)
        else datetime.combine(spec.start, datetime.min.time(), tzinfo=options.tz)
    )
    item = EventItem(
        _title(spec.summary, "(untitled event)"),
        web_url(card.url),
        card.id,
        _when(spec, options.tz),
        begins.astimezone(options.tz).date().isoformat(),
        _title(spec.location, ""),
        web_url(signup_link(card, options.calendar)),
        (
            begins.astimezone(options.tz).strftime("%Y-%m-%dT%H:%M")
            if isinstance(spec.start, datetime)
            else spec.start.isoformat()
        ),
    )
    if start <= begins < end:
        roundup.events_held.append(item)
    elif end <= begins < end + timedelta(days=options.coming_days):
        roundup.events_coming.append(item)


def _post(
    card: Card,
    start: datetime,
    end: datetime,
    options: Options,
    roundup: Roundup,
    published: dict[str, tuple[str, datetime]],
) -> None:
    url, when = published.get(card.id, ("", None))
    if when is None and card.state == "published":
        when = card.completed_at  # when it reached the Published list
        url = url or next(
            (a.url for a in card.attachments if "medium.com" in a.url and "/edit" not in a.url), ""
        )
    if when is not None and start <= when < end:
        roundup.posts.append(
            Post(
                _title(card.name),
                web_url(url),
                card.id,
                when.astimezone(options.tz).date().isoformat(),
            )
        )


def web_url(url: str) -> str:
    """``url`` if a roundup may link to it (http or https, with a host), else ""."""
    url = one_line(url).strip()
    try:
        parts = urlsplit(url)
    except ValueError:  # "http://[x": a bracket that opens no IPv6 address
        return ""
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else ""


def _title(text: str, untitled: str = UNTITLED) -> str:
    """A name on one line, its runs of spaces as one; ``untitled`` when nothing is left."""
    return " ".join(one_line(text).split()) or untitled


def _when(spec: Any, tz: ZoneInfo) -> str:
    if spec.all_day:
        first, last = spec.start, spec.end - timedelta(days=1)
        if first == last:
            return f"{first:%a} {first.day} {first:%B}"
        month = f" {first:%B}" if first.month != last.month else ""
        return f"{first:%a} {first.day}{month} – {last:%a} {last.day} {last:%B}"
    a, b = spec.start.astimezone(tz), spec.end.astimezone(tz)
    if a.date() == b.date():
        return f"{a:%a} {a.day} {a:%B}, {a:%H:%M}–{b:%H:%M}"
    return f"{a:%a} {a.day} {a:%B} {a:%H:%M} – {b:%a} {b.day} {b:%B} {b:%H:%M}"


def _group_order(entry: tuple[str, list[Item]]) -> tuple[bool, int, str]:
    label, items = entry
    return label == UNLABELLED, -len(items), label
