"""The `[calendar]` and `[calendar.caldav]` sections: how event cards become calendar events."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from config.schema import (
    Field,
    check_section,
    file_path,
    http_url,
    non_negative,
    positive,
    timeout_field,
)
from sync.text import quoted

PUBLISHABLE = ("proposed", "planning", "confirmed", "done")
DOMAIN = re.compile(
    r"^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)


def _domain(value: str) -> str | None:
    return None if DOMAIN.match(value) else f'"{value}" is not a domain name such as oneteamgov.uk'


def _states(value: list[Any]) -> str | None:
    bad = [v for v in value if v not in PUBLISHABLE]
    return f"{bad} are not event states (use some of {', '.join(PUBLISHABLE)})" if bad else None


def _event_link(value: str) -> str | None:
    if value in ("", "caldav") or (value.startswith(("https://", "http://")) and "{uid}" in value):
        return None
    return f'{quoted(value)} is not "caldav" or a web address with {{uid}} in it'


CALENDAR_FIELDS = [
    Field(
        "domain",
        str,
        "otg-sync.invalid",
        check=_domain,
        help="domain in every event UID (trello-<card id>@<domain>); set it once, never change",
    ),
    Field(
        "feed",
        str,
        "events.ics",
        check=file_path,
        help='the iCalendar feed, relative to output_dir; "" for none',
    ),
    Field("name", str, "OneTeamGov spinoff events", help="the calendar's name"),
    Field(
        "refresh_minutes",
        int,
        60,
        check=positive,
        maximum=7 * 24 * 60,
        help="how often clients should refresh",
    ),
    Field(
        "publish",
        list,
        ["planning", "confirmed", "done"],
        check=_states,
        help="list states whose cards appear on the calendar (proposed may be added)",
    ),
    Field(
        "default_duration_minutes",
        int,
        120,
        check=positive,
        maximum=31 * 24 * 60,
        help="length of an event when only one time is known",
    ),
    Field(
        "keep_cancelled_days",
        int,
        30,
        check=non_negative,
        maximum=3650,
        help="how long a cancelled event stays on the calendar before it is dropped",
    ),
    Field(
        "mass_cancel_count",
        int,
        3,
        check=non_negative,
        maximum=100000,
        help="a sync that would cancel more than this many of a board's events (and more than "
        "mass_cancel_percent of them) stops for that board until --allow-mass-cancel",
    ),
    Field(
        "mass_cancel_percent",
        int,
        20,
        check=non_negative,
        maximum=100,
        help="the share of a board's events (in %) that a sync may cancel without stopping",
    ),
    Field(
        "comment_problems",
        bool,
        False,
        help="the nightly sync comments on a Confirmed event card once for each thing it lacks "
        "(date, place, sign-up link, organiser, checklist items due before the event)",
    ),
    Field(
        "event_link",
        str,
        "",
        check=_event_link,
        help='attach the calendar event\'s link to its card, once: "caldav" (the event on the '
        'CalDAV server), a web address with {uid} in it, or "" not to',
    ),
    Field("all_day_label", str, "All day", help="a card label that makes an event all-day"),
    Field("all_day_field", str, "All day", help="a checkbox custom field that does the same"),
    Field("start_field", str, "", help="a date custom field to use instead of the card's start"),
    Field("end_field", str, "", help="a date custom field to use instead of the card's due"),
    Field("location_field", str, "Venue", help="a custom field holding the place"),
    Field("signup_field", str, "Sign-up link", help="a custom field holding the sign-up link"),
    Field(
        "import_list",
        str,
        "Inbox",
        help='list that events added on the CalDAV calendar arrive in; "" not to import',
    ),
    Field("import_board", str, "", help='the board (config name) they arrive on; "" for the first'),
    Field(
        "cancelled_list",
        str,
        "Cancelled",
        help="list a card moves to when its imported event is deleted from the calendar",
    ),
    Field(
        "conflict",
        str,
        "trello",
        choices=("trello", "calendar", "newest"),
        help="who wins when the card and the calendar event both changed",
    ),
]
CALDAV_FIELDS = [
    Field(
        "url",
        str,
        required=True,
        check=http_url,
        help="the CalDAV calendar's URL (or the server's, with calendar = its name)",
    ),
    Field("calendar", str, "", help="the calendar's display name, found under url"),
    Field("username", str, "", help="user name; the password comes from CALDAV_PASSWORD"),
    Field(
        "auth",
        str,
        "auto",
        choices=("auto", "basic", "digest"),
        help='how to sign in: "basic", "digest" (the password never travels), or "auto" '
        "(Basic, then Digest if the server asks for it)",
    ),
    timeout_field(),
]


@dataclass(frozen=True)
class CalDavConfig:
    url: str
    calendar: str = ""
    username: str = ""
    timeout: float = 20.0
    auth: str = "auto"


@dataclass(frozen=True)
class CalendarConfig:
    domain: str = "otg-sync.invalid"
    feed: str = "events.ics"
    name: str = "OneTeamGov spinoff events"
    refresh_minutes: int = 60
    publish: tuple[str, ...] = ("planning", "confirmed", "done")
    default_duration_minutes: int = 120
    keep_cancelled_days: int = 30
    mass_cancel_count: int = 3
    mass_cancel_percent: int = 20
    comment_problems: bool = False
    event_link: str = ""
    all_day_label: str = "All day"
    all_day_field: str = "All day"
    start_field: str = ""
    end_field: str = ""
    location_field: str = "Venue"
    signup_field: str = "Sign-up link"
    import_list: str = "Inbox"
    import_board: str = ""
    cancelled_list: str = "Cancelled"
    conflict: str = "trello"
    caldav: CalDavConfig | None = None


def check_calendar(table: Any, problems: list[str]) -> CalendarConfig:
    table = table if isinstance(table, dict) else {}
    plain = {k: v for k, v in table.items() if k != "caldav"}
    values = check_section(plain, CALENDAR_FIELDS, "calendar.", problems)
    caldav = None
    if "caldav" in table:
        caldav_values = check_section(table["caldav"], CALDAV_FIELDS, "calendar.caldav.", problems)
        if caldav_values["url"]:
            caldav = CalDavConfig(**caldav_values)
    if values["event_link"] == "caldav" and "caldav" not in table:
        problems.append(
            'calendar.event_link: "caldav" needs a [calendar.caldav] table (or give a web '
            "address with {uid} in it)"
        )
    values["publish"] = tuple(values["publish"])
    return CalendarConfig(**values, caldav=caldav)
