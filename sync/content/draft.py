"""A content card → the draft it should become. Pure: no I/O.

Title from the card name; a Markdown body from the description, with the card's checklists as
``- [x]`` lists and its link attachments as links; up to 3 tags from labels (Medium uses only the
first 3, and ignores tags over 25 characters, so those are dropped here with a warning rather
than silently there); a canonical URL from the configured pattern. ``Draft.digest()`` hashes what
the draft says, so a card that only moved list, or got our own link attached, is not "changed".
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from config.medium import MediumConfig
from sync.content.markdown_html import escape_text, safe_url, to_html
from sync.model import Card

MAX_TAGS = 3
MAX_TAG_LENGTH = 25
MAX_TITLE = 100  # Medium ignores longer titles
MAX_DESC = 16384  # Trello's own limit: a longer description means a damaged export
#: The names of the links otg-sync attaches to cards: never part of a draft's content.
DRAFT_LINK_NAME = "Medium draft"
PUBLISHED_LINK_NAME = "Published on Medium"
OWN_LINK_NAMES = frozenset({DRAFT_LINK_NAME, PUBLISHED_LINK_NAME})
SHORT_LINK = re.compile(r"[A-Za-z0-9]{1,24}")


@dataclass(frozen=True)
class Draft:
    """What one card's draft says. ``problem`` is why it cannot be drafted ("" when it can)."""

    card_id: str
    board_id: str
    short_link: str
    card_url: str
    title: str
    markdown: str
    tags: tuple[str, ...]
    canonical_url: str
    slug: str
    warnings: tuple[str, ...] = ()
    problem: str = ""

    def digest(self) -> str:
        """A hash of the draft's content: a different hash means the card was edited."""
        payload = {
            "title": self.title,
            "markdown": self.markdown,
            "tags": list(self.tags),
            "canonical_url": self.canonical_url,
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]

    def html(self) -> str:
        return to_html(self.markdown)

    @property
    def file_stem(self) -> str:
        """The drafts-folder name: the title's slug and the card's short link. Only ASCII
        letters, digits and hyphens, so it can never leave the folder or clash with another."""
        ident = self.short_link
        if not SHORT_LINK.fullmatch(ident):
            ident = re.sub(r"[^A-Za-z0-9]", "", self.card_id)[-8:]
        if not ident:  # an id of no letters or digits: a short hash of it, never just the slug
            ident = hashlib.sha256(self.card_id.encode("utf-8", "replace")).hexdigest()[:8]
        return f"{self.slug}-{ident}"


def slugify(text: str, limit: int = 60) -> str:
    """``Notes from "the other side": ../policy`` → ``notes-from-the-other-side-policy``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0] if "-" in slug[:limit] else slug[:limit]
    return slug or "draft"


def tags_for(card: Card) -> tuple[tuple[str, ...], list[str]]:
    """Up to 3 label names of at most 25 characters, and a warning for each one dropped."""
    tags: list[str] = []
    warnings: list[str] = []
    seen: set[str] = set()
    for name in (" ".join(n.split()) for n in card.label_names):
        if not name or name.casefold() in seen:
            continue
        seen.add(name.casefold())
        if len(name) > MAX_TAG_LENGTH:
            warnings.append(
                f'tag "{name}" is over {MAX_TAG_LENGTH} characters (Medium ignores it); dropped'
            )
        elif len(tags) == MAX_TAGS:
            warnings.append(f'only {MAX_TAGS} tags are used; dropped "{name}"')
        else:
            tags.append(name)
    return tuple(tags), warnings


def body_for(card: Card, title: str, ignore_links: Iterable[str] = ()) -> str:
    """The draft's Markdown: a title heading (unless the description starts with one), the
    description, each checklist, and the card's link attachments."""
    desc = card.desc.replace("\r\n", "\n").replace("\r", "\n").strip()  # one kind of line end
    parts: list[str] = []
    first_line = desc.split("\n", 1)[0]
    if not re.match(r"#(?!#)\s*\S", first_line):
        parts.append(f"# {escape_text(title)}")
    if desc:
        parts.append(desc)
    for checklist in card.checklists:
        if not checklist.items:
            continue
        items = "\n".join(
            f"- [{'x' if item.complete else ' '}] {' '.join(item.name.split())}"
            for item in checklist.items
        )
        parts.append(f"### {escape_text(checklist.name or 'Checklist')}\n\n{items}")
    ignored = set(ignore_links)
    links = [
        f"- [{escape_text(a.name or a.url)}]({_link_target(a.url)})"
        for a in card.attachments
        if a.name not in OWN_LINK_NAMES and a.url not in ignored and safe_url(a.url)
    ]
    if links:
        parts.append("### Links\n\n" + "\n".join(links))
    return "\n\n".join(parts) + "\n"


def _link_target(url: str) -> str:
    return url.strip().replace(" ", "%20").replace("(", "%28").replace(")", "%29")


def draft_for(card: Card, cfg: MediumConfig, ignore_links: Iterable[str] = ()) -> Draft:
    """The draft a card should become, with warnings, or the reason it cannot be one."""
    title = " ".join(card.name.split())
    tags, warnings = tags_for(card)
    slug = slugify(title)
    canonical = (
        cfg.canonical_url.format(slug=slug, short_link=card.short_link, card_id=card.id)
        if cfg.canonical_url
        else ""
    )
    if len(title) > MAX_TITLE:
        warnings.append(
            f"the title is over {MAX_TITLE} characters, and Medium ignores such a title: "
            "shorten the card's name"
        )
    problem = ""
    if not title:
        problem = "the card has no name: give it the post's title, then sync again"
    elif not card.desc.strip():
        problem = (
            "the card has no description: write the post in the card's description "
            "(Markdown), then sync again"
        )
    elif len(card.desc) > MAX_DESC:
        problem = (
            f"the description is {len(card.desc):,} characters, more than Trello allows "
            f"({MAX_DESC:,}), so the export may be damaged: shorten it on Trello or export the "
            "board again"
        )
    return Draft(
        card_id=card.id,
        board_id=card.board_id,
        short_link=card.short_link,
        card_url=card.url,
        title=title,
        markdown="" if problem else body_for(card, title, ignore_links),
        tags=tags,
        canonical_url=canonical,
        slug=slug,
        warnings=tuple(warnings),
        problem=problem,
    )
