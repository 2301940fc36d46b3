"""The request/response vocabulary every route of :class:`tests.fakes.trello.FakeTrello` shares.

Id and short-link patterns, the keys and defaults of board and card payloads, label colours,
content types, the CDN's 403 page, the parsed :class:`Call`, the plain-text :class:`ApiError`
answers of the real API, and the helpers for id validation, date parsing/formatting and field
projection.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

HEX_ID = re.compile(r"[0-9a-fA-F]{24}")
SHORT_LINK = re.compile(r"[A-Za-z0-9]{8}")

#: Keys of an export's board object that are nested resources, not board fields.
NESTED_BOARD_KEYS = frozenset(
    {
        "actions",
        "cards",
        "checklists",
        "customFields",
        "labels",
        "lists",
        "members",
        "memberships",
        "pluginData",
    }
)
#: Keys of a card that the API returns only when asked for (not part of ``card_fields=all``).
CARD_EXTRA_KEYS = frozenset(
    {
        "attachments",
        "customFieldItems",
        "pluginData",
        "checklists",
        "actions",
        "members",
        "stickers",
        "list",
        "board",
    }
)
#: The spec's default for ``GET /1/boards/{id}?fields=``.
DEFAULT_BOARD_FIELDS = frozenset(
    {
        "name",
        "desc",
        "descData",
        "closed",
        "idOrganization",
        "pinned",
        "url",
        "shortUrl",
        "prefs",
        "labelNames",
    }
)
LABEL_COLORS = frozenset(
    {"green", "yellow", "orange", "red", "purple", "blue", "sky", "lime", "pink", "black"}
    | {
        f"{c}_{shade}"
        for c in (
            "green",
            "yellow",
            "orange",
            "red",
            "purple",
            "blue",
            "sky",
            "lime",
            "pink",
            "black",
        )
        for shade in ("dark", "light")
    }
)
NOT_FOUND_TEXT = "The requested resource was not found."
TEXT = "text/plain; charset=utf-8"
JSON = "application/json; charset=utf-8"
#: What the CDN in front of the API answers a GET with a body (403, as HTML).
CDN_403_PAGE = (
    '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN" '
    '"http://www.w3.org/TR/html4/loose.dtd">\n<HTML><HEAD><META HTTP-EQUIV="Content-Type" '
    'CONTENT="text/html; charset=iso-8859-1">\n<TITLE>ERROR: The request could not be '
    "satisfied</TITLE>\n</HEAD><BODY>\n<H1>403 ERROR</H1>\n<H2>The request could not be "
    'satisfied.</H2>\n<HR noshade size="1px">\nBad request.\n</BODY></HTML>'
)


@dataclass(frozen=True)
class Call:
    """One parsed request as the route handlers see it."""

    method: str
    path: str
    args: tuple[str, ...]
    query: dict[str, str]
    body: dict[str, Any]

    @property
    def params(self) -> dict[str, Any]:
        """Query parameters and body fields together (the body wins), as Trello merges them."""
        return {**self.query, **self.body}


class ApiError(Exception):
    """An error answer, raised from deep inside a route and turned into a response."""

    def __init__(self, status: int, body: Any, content_type: str = TEXT) -> None:
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body
        self.content_type = content_type


def not_found() -> ApiError:
    """404 as Trello answers for unknown boards, cards and lists."""
    return ApiError(404, NOT_FOUND_TEXT)


def invalid_value(name: str) -> ApiError:
    """400 ``invalid value for <param>`` as Trello answers for bad parameters."""
    return ApiError(400, f"invalid value for {name}")


def check_id(value: str) -> str:
    """Accept a 24-hex ObjectId or an 8-character short link; else 400 ``invalid id``."""
    if HEX_ID.fullmatch(value) or SHORT_LINK.fullmatch(value):
        return value
    raise ApiError(400, "invalid id")


def id_time(object_id: str) -> int:
    """The Unix time embedded in an ObjectId's first 8 hex digits."""
    return int(object_id[:8], 16)


def format_date(timestamp: float) -> str:
    """Format Unix seconds the way Trello does: ``2026-11-21T12:00:00.000Z``."""
    millis = round(timestamp * 1000)
    seconds, millis = divmod(millis, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{millis:03d}Z"


def parse_date(text: str) -> float | None:
    """Parse an ISO 8601 date or datetime (``Z`` or offset; naive means UTC); None if invalid."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def parse_bool(value: Any, name: str) -> bool:
    """Trello booleans arrive as JSON booleans or the strings ``true``/``false``."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise invalid_value(name)


def parse_fields(value: str | None, default: Iterable[str] | None = None) -> set[str] | None:
    """``fields=all`` → None (everything); ``a,b`` → {"a", "b"}; absent → ``default``."""
    if value is None:
        return None if default is None else set(default)
    if value == "all":
        return None
    return {part.strip() for part in value.split(",") if part.strip()}


def project(obj: dict[str, Any], fields: set[str] | None, skip: frozenset[str]) -> dict[str, Any]:
    """Shallow copy of ``obj`` with only ``fields`` (and always ``id``), minus ``skip`` keys."""
    return {
        key: value
        for key, value in obj.items()
        if key not in skip and (fields is None or key in fields or key == "id")
    }
