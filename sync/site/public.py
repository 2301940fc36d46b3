"""What is public, and in what shape the pages show it. Pure: no I/O.

Only what the site may show leaves this module: events from the canonical event records (the
events in published lists, and cancelled ones for as long as the feed keeps them), their
organisers' names and sign-up links from the cards; drafted content cards as their drafts say
(the caller decides whether drafts are public at all); roundups as they were drafted. Never card
comments, members' e-mail or custom fields the config does not name. Every value here is plain
text, except the ``html`` of drafts and roundups, which ``to_html`` made (raw HTML escaped,
links kept to http(s) and mailto).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from config.calendar import CalendarConfig
from config.medium import MediumConfig
from sync.calendar.ical import uri
from sync.calendar.mapping import CANCELLED, TENTATIVE, signup_link
from sync.calendar.plan import spec_of
from sync.content.draft import draft_for
from sync.content.markdown_html import to_html
from sync.content.plan import DRAFTED, PUBLISHED, own_links
from sync.model import Card
from sync.state.records import SyncedItem
from sync.text import one_line, valid

SIGNUP_PREFIX = "Sign up: "
TRELLO_PREFIX = "Planned on Trello: "
_H1 = re.compile(r"<h1>(.*?)</h1>\n?", re.S)
_HEADING_OPEN = re.compile(r"<h[1-6]>")
_HEADING_CLOSE = re.compile(r"</h[1-6]>")


@dataclass(frozen=True)
class SiteEvent:
    """One event as the events page shows it. Times are UTC (or dates when all-day)."""

    key: str
    uid: str
    title: str
    start: datetime | date
    end: datetime | date
    all_day: bool
    cancelled: bool
    tentative: bool
    place: str
    geo: tuple[float, float] | None
    description: str  # HTML made by ``to_html`` from the card's Markdown, headings made bold
    signup: str
    organisers: tuple[str, ...]
    ics_name: str  # its own .ics file, under events/
    record: SyncedItem


@dataclass(frozen=True)
class SitePost:
    """A drafted content card or a roundup, as a page: ``html`` is its body without the title
    heading (the page's one ``<h1>`` is the title)."""

    key: str
    title: str
    html: str
    page: str  # the page's path in the site, such as drafts/notes-abc12345.html
    canonical: str = ""
    tags: tuple[str, ...] = ()
    waiting: bool = True  # a draft not yet seen published
    published_url: str = ""
    when: str = ""  # ISO date-time it was drafted (or published)


def safe_name(text: str, limit: int = 40) -> str:
    """A file-name part of ASCII letters, digits and hyphens only."""
    return re.sub(r"[^A-Za-z0-9-]+", "-", text).strip("-")[:limit] or "x"


def _moment(value: datetime | date) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime(value.year, value.month, value.day)


def sort_key(event: SiteEvent) -> tuple[str, str]:
    return _moment(event.start).isoformat()[:19], event.uid


def public_events(
    records: dict[str, SyncedItem], cards: dict[str, Card], calendar: CalendarConfig
) -> list[SiteEvent]:
    """Every event the feed holds, in start order. ``cards``: the events cards read this run
    (by id), for organisers and sign-up links; an event whose card was not read goes without."""
    events = []
    for record in records.values():
        spec = spec_of(record)
        card = cards.get(record.key)
        paragraphs = [p.strip() for p in valid(spec.description).split("\n\n") if p.strip()]
        signup = signup_link(card, calendar) if card else ""
        for paragraph in paragraphs:
            if not signup and paragraph.startswith(SIGNUP_PREFIX):
                signup = paragraph.removeprefix(SIGNUP_PREFIX)
        kept = tuple(p for p in paragraphs if not p.startswith((SIGNUP_PREFIX, TRELLO_PREFIX)))
        organisers = tuple(
            name for m in (card.members if card else ()) if (name := one_line(m.full_name))
        )
        events.append(
            SiteEvent(
                key=record.key,
                uid=record.remote_id or record.key,
                title=one_line(spec.summary) or "(untitled event)",
                start=spec.start,
                end=spec.end,
                all_day=spec.all_day,
                cancelled=spec.status == CANCELLED,
                tentative=spec.status == TENTATIVE,
                place=one_line(spec.location),
                geo=spec.geo,
                description=description_html("\n\n".join(kept)),
                signup=uri(signup) or "",
                organisers=organisers,
                ics_name=f"{safe_name(record.key, 32)}.ics",
                record=record,
            )
        )
    return sorted(events, key=sort_key)


def description_html(markdown: str) -> str:
    """An event's description as HTML inside its entry: its headings become bold paragraphs,
    so that the page's heading order stays the page's."""
    html = to_html(markdown) if markdown.strip() else ""
    html = _HEADING_OPEN.sub('<p class="subhead"><strong>', html)
    return _HEADING_CLOSE.sub("</strong></p>", html)


def body_html(markdown: str) -> str:
    """A Markdown body as page HTML: its first ``<h1>`` (the title) left out, and any other
    ``<h1>`` made an ``<h2>``, so the page keeps one ``<h1>``."""
    html = _H1.sub("", to_html(markdown), count=1)
    return html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")


def public_drafts(
    records: dict[str, SyncedItem], cards: dict[str, Card], medium: MediumConfig
) -> tuple[list[SitePost], list[str]]:
    """A page for each drafted content card whose card was read this run (its text is the
    card's, as the draft says it), and a warning for each one that cannot be shown."""
    posts, warnings = [], []
    for key, record in sorted(records.items()):
        if record.status not in (DRAFTED, PUBLISHED):
            continue
        card = cards.get(key)
        if card is None or not card.visible:
            if record.status == DRAFTED:
                title = one_line(str(record.data.get("title", key)))
                warnings.append(f'site: the draft "{title}" is left out: its card was not read')
            continue
        draft = draft_for(card, medium, own_links(record))
        if draft.problem:
            warnings.append(f'site: the draft "{draft.title}" is left out: {draft.problem}')
            continue
        published = record.status == PUBLISHED
        posts.append(
            SitePost(
                key=key,
                title=draft.title,
                html=body_html(draft.markdown),
                page=f"drafts/{draft.file_stem}.html",
                canonical=draft.canonical_url,
                tags=draft.tags,
                waiting=not published,
                published_url=uri(str(record.data.get("published_url") or "")) or "",
                when=str(record.data.get("published_at") or record.data.get("created_at") or ""),
            )
        )
    return posts, warnings


def front_matter_stripped(text: str) -> str:
    """A drafts-folder Markdown file without its front matter."""
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end != -1:
            return text[end + 5 :].lstrip("\n")
    return text


def roundup_post(record: SyncedItem, markdown_file: str) -> SitePost:
    """A roundup drafted to the drafts folder, as its file now says (an editor's polish kept)."""
    last_day = safe_name(str(record.data.get("last_day", record.key)))
    return SitePost(
        key=record.key,
        title=one_line(str(record.data.get("title", ""))) or f"Roundup {last_day}",
        html=body_html(front_matter_stripped(markdown_file)),
        page=f"roundups/{last_day}.html",
        when=str(record.data.get("made_at", "")),
        waiting=False,
    )
