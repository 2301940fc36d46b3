"""What a roundup holds: its items (done, held, happening now, coming up, published) and the
context its template sees. Plain data, no I/O.

*Featured* means reported as done or held: the team news, the microactions, the events held and
the posts published. Those are the cards a finalised roundup labels, so that no later roundup
reports them again. "Happening now" and "coming up" are a preview and never consume a card.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sync.roundup.period import Period

#: The post's title, as Medium and the drafts folder get it (a template may set its own).
TITLE = "One Team Government: two weeks on ({label})"


@dataclass
class Item:
    title: str
    url: str
    card_id: str
    who: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    done: str = ""  # local date, ISO
    estimated: bool = False  # its time is a guess (listed only with --include-estimated)


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
    tbc: bool = False  # still in planning: to be confirmed


@dataclass
class Post:
    title: str
    url: str
    card_id: str
    published: str  # ISO local date
    estimated: bool = False


@dataclass
class Roundup:
    period: Period
    team: list[Item] = field(default_factory=list)
    microactions: dict[str, list[Item]] = field(default_factory=dict)  # label → items
    events_held: list[EventItem] = field(default_factory=list)
    events_now: list[EventItem] = field(default_factory=list)  # running at the period's end
    events_coming: list[EventItem] = field(default_factory=list)
    posts: list[Post] = field(default_factory=list)
    #: Done (or published) with only an estimated time in the period, and so not listed.
    left_out: dict[str, int] = field(default_factory=dict)  # "microactions", "posts" → count

    @property
    def featured(self) -> list[str]:
        """Card ids reported as done or held: the ones a finalised roundup labels."""
        ids = [i.card_id for i in self.team]
        ids += [i.card_id for items in self.microactions.values() for i in items]
        ids += [e.card_id for e in self.events_held]
        return ids + [p.card_id for p in self.posts]

    @property
    def empty(self) -> bool:
        return not self.featured and not self.events_now and not self.events_coming

    def left_out_line(self) -> str:
        """The one line that says what was left out for want of a known time, or ""."""
        parts = []
        for kind, word in (("microactions", "done"), ("posts", "published")):
            count = self.left_out.get(kind, 0)
            if count:
                parts.append(f"{count} more {word}")
        if not parts:
            return ""
        return (
            f"{' and '.join(parts)} before the board's history begins: not listed "
            "(`otg roundup --include-estimated` lists them, marked)"
        )

    def context(self) -> dict[str, Any]:
        """What templates see (documented in docs/editors/roundup.md)."""
        groups = [
            {"label": label, "items": [_plain(i) for i in items]}
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
            "team": [_plain(i) for i in self.team],
            "microactions": {"total": sum(len(g["items"]) for g in groups), "groups": groups},
            "events": {
                "held": [_plain(e) for e in self.events_held],
                "now": [_plain(e) for e in self.events_now],
                "coming": [_plain(e) for e in self.events_coming],
            },
            "posts": [_plain(p) for p in self.posts],
            "left_out": self.left_out_line(),
            "empty": self.empty,
        }


def _plain(item: Item | EventItem | Post) -> dict[str, Any]:
    """An item as the template sees it: its fields, lists copied (what ``dataclasses.asdict``
    gives these flat items, at a fifth of the cost: a roundup has hundreds)."""
    return {name: list(v) if isinstance(v, list) else v for name, v in vars(item).items()}
