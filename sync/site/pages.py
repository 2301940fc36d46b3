"""The site's files: pages, the feed, each event's .ics, the Atom feed. Pure: no I/O but the
templates it renders.

``build`` returns every file as bytes by its path in the site. The same inputs give the same
bytes: nothing here reads the clock (``now`` is passed in, and only splits coming from past),
and everything is in a fixed order, so a rebuild with nothing changed writes nothing new.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup

from config.calendar import CalendarConfig
from config.site import SiteConfig
from sync.calendar import ical
from sync.site.atom import atom_feed
from sync.site.public import SiteEvent, SitePost
from sync.site.templates import environment, render

FEED = "events.ics"
EVENTS_PAGE = "events.html"
ATOM = "roundups.atom"


@dataclass(frozen=True)
class SiteInput:
    """Everything a site is built from; ``drafts`` is None when drafts are not published."""

    site: SiteConfig
    calendar: CalendarConfig
    timezone: str
    events: list[SiteEvent]
    roundups: list[SitePost] = field(default_factory=list)
    drafts: list[SitePost] | None = None
    templates: Path | None = None


def _local(value: datetime | date, tz: ZoneInfo) -> datetime | date:
    return value.astimezone(tz) if isinstance(value, datetime) else value


def when_text(event: SiteEvent, tz: ZoneInfo) -> str:
    """``Tuesday 8 December 2026, 18:00–20:00 GMT``, in the configured zone."""
    start, end = _local(event.start, tz), _local(event.end, tz)
    if not isinstance(start, datetime) or not isinstance(end, datetime):
        last = end - timedelta(days=1)  # an all-day event's end is exclusive
        if last <= start:
            return f"{start:%A} {start.day} {start:%B %Y} (all day)"
        return f"{start:%A} {start.day} {start:%B %Y} to {last:%A} {last.day} {last:%B %Y}"
    day = f"{start:%A} {start.day} {start:%B %Y}"
    if start.date() == end.date():
        return f"{day}, {start:%H:%M}–{end:%H:%M} {end:%Z}"
    return (
        f"{day}, {start:%H:%M} {start:%Z} to {end:%A} {end.day} {end:%B %Y}, {end:%H:%M} {end:%Z}"
    )


def datetime_attr(value: datetime | date) -> str:
    """The ``<time datetime>`` of a start: UTC with Z, or the day of an all-day event."""
    if isinstance(value, datetime):
        return value.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat()


def _ends(event: SiteEvent, tz: ZoneInfo) -> datetime:
    end = event.end
    if isinstance(end, datetime):
        return end
    return datetime(end.year, end.month, end.day, tzinfo=tz)


def _map(event: SiteEvent, pattern: str) -> str:
    if not event.geo or not pattern:
        return ""
    lat, lon = event.geo
    return pattern.format(lat=_coordinate(lat), lon=_coordinate(lon))


def _coordinate(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".")


def _view(event: SiteEvent, tz: ZoneInfo, site: SiteConfig) -> dict[str, Any]:
    return {
        "anchor": event.ics_name.removesuffix(".ics"),
        "uid": event.uid,
        "title": event.title,
        "cancelled": event.cancelled,
        "tentative": event.tentative,
        "when": when_text(event, tz),
        "start": datetime_attr(event.start),
        "place": event.place,
        "map": _map(event, site.map_url),
        "map_name": event.place.split(",")[0].strip() or event.title,
        "organisers": list(event.organisers),
        "description": Markup(event.description),  # noqa: S704 (made by to_html, escaped)
        "signup": event.signup,
        "ics": f"events/{event.ics_name}",
    }


def _months(events: list[dict[str, Any]], starts: list[datetime | date]) -> list[dict[str, Any]]:
    months: list[dict[str, Any]] = []
    for view, start in zip(events, starts, strict=True):
        label, ident = f"{start:%B %Y}", f"{start:%Y-%m}"
        if not months or months[-1]["id"] != ident:
            months.append({"id": ident, "label": label, "events": []})
        months[-1]["events"].append(view)
    return months


def subscribe_links(site: SiteConfig) -> dict[str, str]:
    """The feed's addresses: https (or relative, before the site has one) and webcal://."""
    if not site.root_url:
        return {"https": FEED, "webcal": ""}
    https = site.root_url + FEED
    return {"https": https, "webcal": "webcal://" + https.split("://", 1)[1]}


def build(data: SiteInput, now: datetime) -> dict[str, bytes]:
    """Every file of the site, by its path in the site."""
    tz = ZoneInfo(data.timezone)
    env = environment(data.templates)
    site = data.site
    shared = {
        "site": {
            "title": site.title,
            "roundups": site.publish_roundups,
            "drafts": data.drafts is not None,
            "atom": ATOM if site.publish_roundups else "",
        },
        "calendar_name": data.calendar.name,
        "subscribe": subscribe_links(site),
    }
    files: dict[str, bytes] = {}

    def page(path: str, template: str, **context: Any) -> None:
        root = "../" * path.count("/")
        canonical = context.pop("canonical", "") or (site.root_url + path if site.root_url else "")
        text = render(
            env,
            template,
            {**shared, **context, "root": root, "canonical": canonical, "here": path},
        )
        files[path] = text.encode("utf-8")

    coming = [e for e in data.events if _ends(e, tz) > now]
    past_from = now - timedelta(days=site.past_days)
    past = [e for e in data.events if past_from <= _ends(e, tz) <= now][::-1]
    coming_views = [_view(e, tz, site) for e in coming]
    months = _months(coming_views, [_local(e.start, tz) for e in coming])
    past_views = [_view(e, tz, site) for e in past]
    page(EVENTS_PAGE, "events.html.j2", months=months, past=past_views)
    files[FEED] = ical.calendar(
        [e.record for e in data.events],
        name=data.calendar.name,
        refresh_minutes=data.calendar.refresh_minutes,
        timezone=data.timezone,
    )
    files.update(event_files(data.events, files[FEED]))
    roundups = sorted(data.roundups, key=lambda p: p.page, reverse=True)
    if site.publish_roundups:
        for post in roundups:
            page(post.page, "post.html.j2", post=_post(post), canonical=post.canonical)
        page("roundups/index.html", "roundups.html.j2", posts=[_post(p) for p in roundups])
        files[ATOM] = atom_feed(roundups, site)
    drafts = sorted(data.drafts or [], key=lambda p: (not p.waiting, p.title.casefold(), p.page))
    if data.drafts is not None:
        for post in drafts:
            if post.waiting:
                page(post.page, "post.html.j2", post=_post(post), canonical=post.canonical)
        page("drafts/index.html", "drafts.html.j2", posts=[_post(p) for p in drafts])
    page(
        "index.html",
        "index.html.j2",
        coming=coming_views[:5],
        roundups=[_post(p) for p in roundups[:5]],
        drafts_waiting=sum(1 for p in drafts if p.waiting),
    )
    files["site.css"] = env.loader.get_source(env, "site.css")[0].encode("utf-8")  # type: ignore[union-attr]
    return dict(sorted(files.items()))


def event_files(events: list[SiteEvent], feed: bytes) -> dict[str, bytes]:
    """Each event's own .ics: the feed's VEVENT for it in a VCALENDAR of its own, the same bytes
    as ``ical.single`` makes, cut from the feed rather than rendered a second time (rendering is
    most of a big site's build). Where they could differ (a UID that cannot be matched), every
    event is rendered on its own instead."""

    def rendered() -> dict[str, bytes]:
        return {f"events/{e.ics_name}": ical.single(e.record) for e in events}

    if not events:
        return {}
    blocks = {_uid(block): block for block in _VEVENT.findall(feed)}
    first = ical.single(events[0].record)
    prefix = first.split(b"BEGIN:VEVENT\r\n", 1)[0]
    files = {}
    for event in events:
        block = blocks.get(event.uid.encode("utf-8"))
        if block is None:
            return rendered()
        files[f"events/{event.ics_name}"] = prefix + block + b"END:VCALENDAR\r\n"
    return files if files[f"events/{events[0].ics_name}"] == first else rendered()


_VEVENT = re.compile(rb"BEGIN:VEVENT\r\n.*?END:VEVENT\r\n", re.S)


def _uid(block: bytes) -> bytes:
    unfolded = re.sub(rb"\r\n[ \t]", b"", block)
    found = re.search(rb"\r\nUID:([^\r]*)\r\n", unfolded)
    return found.group(1) if found else b""


def _post(post: SitePost) -> dict[str, Any]:
    return {
        "title": post.title,
        "html": Markup(post.html),  # noqa: S704 (made by to_html: card text is escaped there)
        "page": post.page,
        "tags": list(post.tags),
        "waiting": post.waiting,
        "published_url": post.published_url,
        "date": post.when[:10],
    }
