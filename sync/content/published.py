"""Which drafted cards now appear, published, in the Medium RSS feeds. Pure: no I/O.

A feed item carries no card id, and the forms of its link and guid are unverified, so a match
uses several signals and never guesses:

- **id**: the Medium post id of the draft we created (or of a draft link on the card) is in the
  item's link or guid — strong;
- **canonical**: the draft's canonical URL is the item's link or guid — strong;
- **title**: the titles are the same, ignoring case, punctuation and emoji — weak, and only for
  items published after the draft was made.

One strong match wins. Without one, a single title match is accepted unless the card's draft has
a post id and the item's id differs (then it is a different story with the same title). Anything
else (two posts for one card, one post for two cards) is reported as ambiguous.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sync.content.rss import FeedItem
from sync.trello.lists import fold

STRONG = ("id", "canonical")
#: A post is published after its draft was made; this much clock skew is forgiven.
SKEW = timedelta(days=1)


@dataclass(frozen=True)
class Tracked:
    """A drafted card whose post we are waiting to see in a feed."""

    card_id: str
    titles: frozenset[str]  # folded: the draft's title and the card's name now
    post_ids: frozenset[str] = frozenset()
    canonical_url: str = ""
    drafted_at: datetime | None = None


@dataclass(frozen=True)
class Match:
    card_id: str
    item: FeedItem | None = None  # the post, when the match is clear
    signals: tuple[str, ...] = ()
    candidates: tuple[FeedItem, ...] = field(default=())  # when ambiguous
    ambiguous: str = ""


def same_url(a: str, b: str) -> bool:
    """Equal ignoring scheme, case of the host, a trailing slash, query and fragment."""

    def norm(url: str) -> str:
        parts = urlsplit(url.strip())
        return f"{parts.netloc.lower()}{parts.path.rstrip('/')}"

    return bool(a and b) and norm(a) == norm(b) and bool(urlsplit(a.strip()).netloc)


def signals(tracked: Tracked, item: FeedItem) -> tuple[tuple[str, ...], bool]:
    """The signals that match, and whether the post ids contradict each other."""
    found: list[str] = []
    if tracked.post_ids & item.post_ids:
        found.append("id")
    if tracked.canonical_url and any(
        same_url(tracked.canonical_url, u) for u in (item.link, item.guid)
    ):
        found.append("canonical")
    published_after = (
        tracked.drafted_at is None
        or item.published_at is None
        or item.published_at >= tracked.drafted_at - SKEW
    )
    if fold(item.title) in tracked.titles and fold(item.title) and published_after:
        found.append("title")
    conflict = bool(tracked.post_ids and item.post_ids and not tracked.post_ids & item.post_ids)
    return tuple(found), conflict


def match_published(tracked: Iterable[Tracked], items: Iterable[FeedItem]) -> list[Match]:
    """One ``Match`` per tracked card that some item matches (clearly or ambiguously)."""
    tracked, items = list(tracked), _unique(items)
    pairs: dict[str, list[tuple[FeedItem, tuple[str, ...], bool]]] = {}
    for card in tracked:
        for item in items:
            found, conflict = signals(card, item)
            if found:
                pairs.setdefault(card.card_id, []).append((item, found, conflict))
    strong_claims: dict[str, int] = {}
    weak_claims: dict[str, int] = {}
    for found_pairs in pairs.values():
        for item, found, conflict in found_pairs:
            if set(found) & set(STRONG):
                strong_claims[_key(item)] = strong_claims.get(_key(item), 0) + 1
            elif not conflict:
                weak_claims[_key(item)] = weak_claims.get(_key(item), 0) + 1
    matches = []
    for card in tracked:
        if card.card_id in pairs:
            matches.append(_decide(card, pairs[card.card_id], strong_claims, weak_claims))
    return matches


def _decide(
    card: Tracked,
    found_pairs: list[tuple[FeedItem, tuple[str, ...], bool]],
    strong_claims: dict[str, int],
    weak_claims: dict[str, int],
) -> Match:
    strong = [(i, s) for i, s, _ in found_pairs if set(s) & set(STRONG)]
    weak = [(i, s) for i, s, conflict in found_pairs if not set(s) & set(STRONG) and not conflict]
    conflicting = [i for i, s, conflict in found_pairs if conflict and not set(s) & set(STRONG)]
    if len(strong) == 1:
        item, found = strong[0]
        if strong_claims.get(_key(item), 0) > 1:
            return _ambiguous(card, [item], "the same post matches more than one card")
        return Match(card.card_id, item, found)
    if strong:
        return _ambiguous(card, [i for i, _ in strong], "more than one post matches the draft")
    if len(weak) == 1:
        item, found = weak[0]
        if weak_claims.get(_key(item), 0) > 1:
            return _ambiguous(card, [item], "another drafted card has the same title")
        return Match(card.card_id, item, found)
    if weak:
        return _ambiguous(card, [i for i, _ in weak], "more than one post has the draft's title")
    return _ambiguous(
        card,
        conflicting,
        "a post has the draft's title but not its Medium id (a different story?)",
    )


def _ambiguous(card: Tracked, items: list[FeedItem], why: str) -> Match:
    return Match(card.card_id, None, (), tuple(items), why)


def _key(item: FeedItem) -> str:
    return item.guid or item.link


def _unique(items: Iterable[FeedItem]) -> list[FeedItem]:
    """Items once each: two feeds (an author's and a publication's) often hold the same post."""
    seen: dict[str, FeedItem] = {}
    for item in items:
        ids = sorted(item.post_ids)
        key = ids[0] if ids else _key(item)
        seen.setdefault(key, item)
    return list(seen.values())
