"""Medium RSS feeds: what has been published (the API cannot say).

A feed holds only the 10 newest published stories, never drafts. Each item's title, link, guid,
date and categories are kept; the exact forms of Medium's links and guids are unverified, so the
post id is looked for in both (``/p/<id>`` and ``...-<id>``) and matching uses several signals
(``sync/content/published.py``). The feed is fetched with our session (timeout, retries,
counted) and only parsed by ``feedparser``, which never touches the network here. A broken feed
is one clear line, and the other feeds are still read. A feed may also be a saved file (offline
demos, tests).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from sync.errors import OtgError, RemoteError
from sync.report import plural

if TYPE_CHECKING:
    from sync.http import PoliteSession

FEEDS_FIX = "check medium.feeds (a Medium feed is https://medium.com/feed/@username)"
POST_ID = re.compile(r"(?:/p/|-)([0-9a-f]{8,16})$")
#: feedparser's complaints that do not mean the feed is broken.
BENIGN = ("CharacterEncodingOverride", "NonXMLContentType")


class FeedReadError(OtgError):
    """A feed could not be fetched or is not a feed."""


@dataclass(frozen=True)
class FeedItem:
    title: str
    link: str
    guid: str
    published_at: datetime | None
    categories: tuple[str, ...] = ()
    feed: str = ""

    @property
    def post_ids(self) -> frozenset[str]:
        """Medium post ids found in the link and the guid."""
        return frozenset(i for i in (medium_post_id(self.link), medium_post_id(self.guid)) if i)

    @property
    def public_url(self) -> str:
        """The link without Medium's ``?source=rss...`` tracking."""
        parts = urlsplit(self.link)
        return f"{parts.scheme}://{parts.netloc}{parts.path}" if parts.netloc else self.link


@dataclass(frozen=True)
class FeedRead:
    items: tuple[FeedItem, ...]
    warning: str = ""


def medium_post_id(url: str) -> str | None:
    """``https://medium.com/p/8c1f2e3d4a5b`` or ``.../why-it-matters-8c1f2e3d4a5b`` → the id."""
    path = urlsplit(url.strip()).path.rstrip("/").removesuffix("/edit")
    found = POST_ID.search(path)
    return found.group(1) if found else None


def _moment(entry: dict) -> datetime | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not isinstance(parsed, time.struct_time):
        return None
    return datetime(*parsed[:6], tzinfo=UTC)


def parse_feed(content: bytes, source: str) -> FeedRead:
    """The items of an RSS or Atom document. Pure: ``source`` names it in messages."""
    import feedparser  # imported by the commands that read a feed, not by all that import this

    parsed = feedparser.parse(content)
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    reason = _reason(problem)
    if not parsed.get("version") and not parsed.entries:
        raise FeedReadError(
            f"feed {source} is not an RSS or Atom feed" + (f" ({reason})" if reason else ""),
            FEEDS_FIX,
        )
    items = tuple(
        FeedItem(
            title=" ".join(str(entry.get("title", "")).split()),
            link=str(entry.get("link", "")).strip(),
            guid=str(entry.get("id", "")).strip(),
            published_at=_moment(entry),
            categories=tuple(
                str(t.get("term", "")) for t in entry.get("tags", []) if t.get("term")
            ),
            feed=source,
        )
        for entry in parsed.entries
        if entry.get("link") or entry.get("id")  # a cut-off item cannot be matched or linked
    )
    warning = ""
    if problem is not None and type(problem).__name__ not in BENIGN:
        warning = (
            f"feed {source} is not well-formed ({reason}); "
            f"read {plural(len(items), 'item')} from it anyway"
        )
    return FeedRead(items, warning)


def _reason(problem: object) -> str:
    if problem is None:
        return ""
    if hasattr(problem, "getLineNumber") and hasattr(problem, "getMessage"):  # XML syntax
        return f"line {problem.getLineNumber()}: {problem.getMessage()}"
    text = " ".join(str(problem).split())
    return text[:160] or type(problem).__name__


def read_feed(source: str, session: PoliteSession, base_dir: Path) -> FeedRead:
    """Fetch (or open, for a saved file) and parse one feed."""
    if "://" not in source:
        path = (base_dir / source).resolve()
        try:
            return parse_feed(path.read_bytes(), str(path))
        except OSError as exc:
            raise FeedReadError(f"cannot read feed {path}: {exc.strerror}", FEEDS_FIX) from None
    from sync.http import where  # the HTTP stack, imported by the commands that fetch a feed

    try:
        response = session.get(source)
    except RemoteError as exc:  # "RSS: GET <url> timed out": say it of the feed
        what = exc.message.split(where(source), 1)[-1].strip()
        raise FeedReadError(f"feed {where(source)} {what}", "rerun later; " + FEEDS_FIX) from None
    if response.status_code != 200:
        busy = response.status_code == 429 or response.status_code >= 500  # the feed is right
        raise FeedReadError(
            f"feed {where(source)} answered {response.status_code} {response.reason or ''}".strip(),
            "the server is busy or down: rerun later; nothing is lost" if busy else FEEDS_FIX,
        )
    return parse_feed(response.content, where(source))
