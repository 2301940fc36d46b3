"""The "two weeks on" roundup: a period → what happened in it, ready for a template. Pure.

What a roundup reports, for a period (its instants, see sync/roundup/period.py):

- **team and admin news**: cards done in the period that carry the team label (or sit in the team
  list), on any board;
- **microactions** done in the period, grouped by their first label, with who did them;
- **spinoff events** held in the period (they ended in it), happening at its end, and coming up
  after it (dates in local time, place, sign-up link; Planning ones to be confirmed), cancelled
  ones left out;
- **posts published** in the period (the Medium feed's date, else the card's move into Published).

Whether and when a card was done is ``sync.trello.done``'s one rule. Only known times count: a card
done before its board's history begins has only an estimated time, and is left out (counted in
``Roundup.left_out``) unless ``include_estimated``. Cards featured in another finalised roundup
(a label like "Roundup 2026-11-11") are left out unless asked for; those featured in this period's
own roundup are in, so that re-printing it shows what it featured. Names are kept on one line, and
links only to http(s) addresses: the Markdown escaping is the renderer's (sync/roundup/render.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from config.calendar import CalendarConfig
from sync.calendar.mapping import EventSpec, event_for, event_times, signup_link
from sync.model import Board, Card, Role
from sync.roundup.items import TITLE, EventItem, Item, Post, Roundup
from sync.roundup.period import Period, fortnight_ending
from sync.text import one_line
from sync.trello.done import Done, DoneRules, done_in

__all__ = ["TITLE", "Options", "Period", "Roundup", "fortnight_ending", "gather", "web_url"]

UNLABELLED = "Other microactions"
UNTITLED = "(untitled card)"


@dataclass(frozen=True)
class Options:
    tz: ZoneInfo
    calendar: CalendarConfig
    team_label: str = "Team and admin"
    team_list: str = ""
    featured_prefix: str = "Roundup "
    include_featured: bool = False
    coming_days: int = 60
    #: This period's own roundup label: cards carrying it are in (what its post featured).
    own_label: str = ""
    include_estimated: bool = False  # list cards whose time is only an estimate, marked
    rules: dict[str, DoneRules] = field(default_factory=dict)  # board id → what counts as done
    people_field: str = ""  # a card's custom field naming who did it, beside its members


def gather(
    boards: Iterable[Board],
    period: Period,
    options: Options,
    published: dict[str, tuple[str, datetime]] | None = None,
) -> Roundup:
    """Everything the roundup reports. ``published``: card id → (post URL, published at),
    as recorded by the content flow from the Medium feed."""
    start, end = period.bounds(options.tz)
    roundup = Roundup(period)
    groups: dict[str, list[Item]] = defaultdict(list)
    for board in boards:
        rules = options.rules.get(board.id, DoneRules())
        for card in board.cards:
            if not card.visible:
                continue
            names = card.label_names  # asked for twice or three times: made once
            if _featured(names, options):
                continue
            if board.role is Role.MICROACTIONS or _is_team(card, names, options):
                _microaction(card, names, rules, start, end, options, roundup, groups)
            elif board.role is Role.EVENTS:
                _event(card, start, end, options, roundup)
            elif board.role is Role.CONTENT:
                _post(card, rules, start, end, options, roundup, published or {})
    roundup.microactions = {
        label: sorted(items, key=lambda i: (i.done, i.title))
        for label, items in sorted(groups.items(), key=_group_order)
    }
    roundup.team.sort(key=lambda i: (i.done, i.title))
    for events in (roundup.events_held, roundup.events_now, roundup.events_coming):
        events.sort(key=lambda e: (e.date, e.starts, e.title))  # a day's by time
    roundup.posts.sort(key=lambda p: (p.published, p.title))
    return roundup


def _featured(names: tuple[str, ...], options: Options) -> bool:
    """Featured by another period's finalised roundup (this period's own label does not count)."""
    return not options.include_featured and any(
        name.startswith(options.featured_prefix) and name != options.own_label for name in names
    )


def _is_team(card: Card, names: tuple[str, ...], options: Options) -> bool:
    return options.team_label in names or (
        bool(options.team_list) and card.list_name == options.team_list
    )


def _counted(found: Done | None, kind: str, options: Options, roundup: Roundup) -> bool:
    """Whether a card done (or published) in the period is listed: a known time always; an
    estimated one only when asked for, else it is counted among those left out."""
    if found is None:
        return False
    if found.known or options.include_estimated:
        return True
    roundup.left_out[kind] = roundup.left_out.get(kind, 0) + 1
    return False


def _microaction(
    card: Card,
    names: tuple[str, ...],
    rules: DoneRules,
    start: datetime,
    end: datetime,
    options: Options,
    roundup: Roundup,
    groups: dict[str, list[Item]],
) -> None:
    found = done_in(card, rules, start, end)
    if not _counted(found, "microactions", options, roundup) or found is None or found.at is None:
        return
    labels = [
        _title(name, "")
        for name in names
        if name != options.team_label and not name.startswith(options.featured_prefix)
    ]
    labels = [name for name in labels if name]  # a colour-only label has no name to group by
    item = Item(
        _title(card.name),
        web_url(card.url),
        card.id,
        _people(card, options),
        labels,
        found.at.astimezone(options.tz).date().isoformat(),
        not found.known,
    )
    if _is_team(card, names, options):
        roundup.team.append(item)
    else:
        groups[labels[0] if labels else UNLABELLED].append(item)


def _people(card: Card, options: Options) -> list[str]:
    """Who did it: the card's members, then the names its people field and a "Who:" line of its
    description give (people who are not members of the board are named there), each once."""
    names = [name for m in card.members if (name := _title(m.full_name, ""))]
    given = card.custom_fields.get(options.people_field) if options.people_field else None
    texts = [given] if isinstance(given, str) else []
    texts += [  # the card's own text: a line "Who: Ada Lovelace, Bo" or "By: ..."
        line.split(":", 1)[1]
        for line in card.desc.splitlines()
        if line.strip().lower().startswith(("who:", "by:"))
    ]
    for text in texts:
        for part in text.replace(";", ",").replace(" and ", ",").split(","):
            name = _title(part, "")
            if name and name not in names:
                names.append(name)
    return names


def _event(card: Card, start: datetime, end: datetime, options: Options, roundup: Roundup) -> None:
    # when the calendar shows it; the rest of its event is built only if the roundup shows it
    times = event_times(card, options.calendar, options.tz)
    if not isinstance(times, tuple):
        return  # no event, or no usable date: nothing to say when it is
    begins, ends = _instant(times[0], options.tz), _instant(times[1], options.tz)
    if start < ends <= end:  # over by the period's end: held
        shown = roundup.events_held
    elif begins < end < ends:  # running at the period's end
        shown = roundup.events_now
    elif end <= begins < end + timedelta(days=options.coming_days):
        shown = roundup.events_coming
    else:
        return
    spec = event_for(card, options.calendar, options.tz)  # what the calendar shows
    if not isinstance(spec, EventSpec):
        return  # never so when it has times (above)
    item = EventItem(
        _title(spec.summary, "(untitled event)"),
        web_url(card.url),
        card.id,
        _when(spec, options.tz),
        begins.astimezone(options.tz).date().isoformat(),
        _title(spec.location, ""),
        web_url(signup_link(card, options.calendar)),
        tbc=card.state in ("proposed", "planning"),
        starts=(
            begins.astimezone(options.tz).strftime("%Y-%m-%dT%H:%M")
            if isinstance(spec.start, datetime)
            else spec.start.isoformat()
        ),
    )
    shown.append(item)


def _instant(moment: Any, tz: ZoneInfo) -> datetime:
    """An event's start or end as an instant: an all-day date at its local midnight."""
    if isinstance(moment, datetime):
        return moment
    return datetime.combine(moment, datetime.min.time(), tzinfo=tz)


def _post(
    card: Card,
    rules: DoneRules,
    start: datetime,
    end: datetime,
    options: Options,
    roundup: Roundup,
    published: dict[str, tuple[str, datetime]],
) -> None:
    """A post published in the period: the Medium feed's date (recorded by the content flow),
    else the card's move into the Published list by the one rule for done."""
    url, when = published.get(card.id, ("", None))
    estimated = False
    if when is None:
        found = done_in(card, rules, start, end)
        if not _counted(found, "posts", options, roundup) or found is None or found.at is None:
            return
        when, estimated = found.at, not found.known
        url = url or next(
            (a.url for a in card.attachments if "medium.com" in a.url and "/edit" not in a.url), ""
        )
    if start <= when < end:
        roundup.posts.append(
            Post(
                _title(card.name),
                web_url(url),
                card.id,
                when.astimezone(options.tz).date().isoformat(),
                estimated,
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
