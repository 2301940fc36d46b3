"""The `[site]` section: the static site `otg site` writes (events page, feed, posts, drafts)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath
from typing import Any
from urllib.parse import urlsplit

from config.schema import Field, check_section, file_path, positive

#: The map link of an event whose card has coordinates: {lat} and {lon} are filled in.
OSM_MAP = "https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"


def _folder(value: str) -> str | None:
    if not value.strip():
        return 'must not be empty (use "site", a folder inside output_dir)'
    if PurePath(value).is_absolute() or ".." in PurePath(value).parts:
        return f'"{value}" must be a folder inside output_dir, such as "site"'
    return file_path(value)


def _base_url(value: str) -> str | None:
    if not value:
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        parts = None
    if parts is None or parts.scheme != "https" or not parts.hostname:
        return f'"{value}" is not an https address such as https://oneteamgov.github.io/events/'
    if parts.username or parts.password or parts.query or parts.fragment:
        return f'"{value}" must be a plain https address (no user, query or #fragment)'
    return None


def _map_url(value: str) -> str | None:
    if not value:
        return None
    if not value.startswith(("https://", "http://")) or "{lat}" not in value:
        return f'"{value}" must be an http(s) address using {{lat}} and {{lon}}, or ""'
    try:
        value.format(lat=0, lon=0)
    except (KeyError, IndexError, ValueError):
        return f'"{value}" may use only {{lat}} and {{lon}}'
    return None


SITE_FIELDS = [
    Field(
        "dir",
        str,
        "site",
        check=_folder,
        help="the folder inside output_dir the site is written to",
    ),
    Field(
        "base_url",
        str,
        "",
        check=_base_url,
        help="the https address the site is served from (for canonical links, the webcal:// "
        'Subscribe link and the Atom feed); "" when not yet published',
    ),
    Field("title", str, "OneTeamGov", help="the site's name, at the top of every page"),
    Field(
        "publish_drafts",
        bool,
        False,
        help="put drafted content cards on the site (for Medium's Import a story); "
        "off by default: drafts may be unpublished work",
    ),
    Field(
        "publish_roundups",
        bool,
        True,
        help="put the roundups written to the drafts folder on the site, with an Atom feed",
    ),
    Field(
        "past_days",
        int,
        90,
        check=positive,
        maximum=3650,
        help="how many days back the events page lists past events",
    ),
    Field(
        "templates",
        str,
        "",
        check=file_path,
        help='a folder of templates replacing the bundled ones by name; "" for the bundled ones',
    ),
    Field(
        "map_url",
        str,
        OSM_MAP,
        check=_map_url,
        help='the map link of an event with coordinates ({lat}, {lon}); "" for none',
    ),
]


@dataclass(frozen=True)
class SiteConfig:
    dir: str = "site"
    base_url: str = ""
    title: str = "OneTeamGov"
    publish_drafts: bool = False
    publish_roundups: bool = True
    past_days: int = 90
    templates: str = ""
    map_url: str = OSM_MAP
    configured: bool = False  # a [site] table is in the config: the nightly sync builds it

    @property
    def root_url(self) -> str:
        """``base_url`` ending in one slash, or ""."""
        return self.base_url.rstrip("/") + "/" if self.base_url else ""


def check_site(table: Any, problems: list[str]) -> SiteConfig:
    values = check_section(table, SITE_FIELDS, "site.", problems)
    return SiteConfig(**values, configured=table is not None)
