"""The `[medium]` section: how content cards become Medium drafts, and where published posts are
read back from.

The token is never here: it comes only from ``MEDIUM_TOKEN`` (the loader refuses secrets in the
file). Medium stopped issuing tokens in 2025, so the default target is a local drafts folder and
the API is used only when a token is set (``target = "auto"``) or asked for (``"medium"``).
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from config.schema import Field, check_section, file_path, http_url, timeout_field

#: Medium's licence values (Medium's API documentation); the API's default is all-rights-reserved.
LICENSES = (
    "all-rights-reserved",
    "cc-40-by",
    "cc-40-by-sa",
    "cc-40-by-nd",
    "cc-40-by-nc",
    "cc-40-by-nc-nd",
    "cc-40-by-nc-sa",
    "cc-40-zero",
    "public-domain",
)
TARGETS = ("auto", "drafts", "medium")
#: What a canonical URL pattern may use: the title's slug, the card's short link or id.
PLACEHOLDERS = ("slug", "short_link", "card_id")
MEDIUM_ID = re.compile(r"^[A-Za-z0-9]+$")


def _drafts_dir(value: str) -> str | None:
    if not value.strip():
        return 'must not be empty (use "drafts", a folder inside output_dir)'
    if PurePath(value).is_absolute() or ".." in PurePath(value).parts:
        return f'"{value}" must be a folder inside output_dir, such as "drafts"'
    return file_path(value)


def _canonical(value: str) -> str | None:
    if not value:
        return None
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(value) if name is not None]
    except ValueError as exc:
        return f'"{value}" is not a valid pattern ({exc}); e.g. https://oneteamgov.uk/blog/{{slug}}'
    unknown = [n for n in names if n not in PLACEHOLDERS]
    if unknown:
        return f'"{value}" uses {{{unknown[0]}}}; a pattern may use ' + ", ".join(
            f"{{{p}}}" for p in PLACEHOLDERS
        )
    if http_url(value.format(slug="x", short_link="x", card_id="x")):
        return (
            f'"{value}" is not an http(s) URL pattern such as https://oneteamgov.uk/blog/{{slug}}'
        )
    return None


def _publication(value: str) -> str | None:
    if value and not MEDIUM_ID.match(value):
        return f'"{value}" is not a Medium publication id (letters and digits, e.g. b45573563f5a)'
    return None


def _feeds(value: list[Any]) -> str | None:
    for feed in value:
        if not isinstance(feed, str) or not feed.strip():
            return f"{feed!r} is not a feed URL (use https://medium.com/feed/@username)"
        if "://" in feed and (problem := http_url(feed)):
            return problem + " (use https://medium.com/feed/@username)"
    return None


MEDIUM_FIELDS = [
    Field(
        "target",
        str,
        "auto",
        choices=TARGETS,
        help='"auto": the Medium API when MEDIUM_TOKEN is set, else the drafts folder',
    ),
    Field("drafts_dir", str, "drafts", check=_drafts_dir, help="the drafts folder in output_dir"),
    Field("license", str, "all-rights-reserved", choices=LICENSES, help="the posts' licence"),
    Field(
        "canonical_url",
        str,
        "",
        check=_canonical,
        help='e.g. "https://oneteamgov.uk/blog/{slug}" (also {short_link}, {card_id}); "" for none',
    ),
    Field("notify_followers", bool, False, help="tell followers when a post is published"),
    Field(
        "publication_id",
        str,
        "",
        check=_publication,
        help='post to this publication; "" posts as the token\'s author',
    ),
    Field("feeds", list, [], check=_feeds, help="Medium RSS feeds that show what was published"),
    timeout_field("a Medium request"),
]


@dataclass(frozen=True)
class MediumConfig:
    target: str = "auto"
    drafts_dir: str = "drafts"
    license: str = "all-rights-reserved"
    canonical_url: str = ""
    notify_followers: bool = False
    publication_id: str = ""
    feeds: tuple[str, ...] = ()
    timeout: float = 20.0

    def uses_api(self, token: str | None) -> bool:
        """Whether drafts go to the Medium API (True) or to the drafts folder (False)."""
        return self.target == "medium" or (self.target == "auto" and bool(token))


def check_medium(table: Any, problems: list[str]) -> MediumConfig:
    values = check_section(table, MEDIUM_FIELDS, "medium.", problems)
    values["feeds"] = tuple(f.strip() for f in values["feeds"])
    return MediumConfig(**values)
