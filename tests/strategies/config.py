"""What ``tomllib`` could return for an otg.toml, right and wrong."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from hypothesis import strategies as st

from sync.model import Role
from tests.strategies.text import sometimes, texts

TOML_SCALARS = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        ["", "Europe/London", "Europe", "Mars/Olympus", "a" * 300, "\x00", "../x", "trello:x"]
    ),
    st.integers(),
    st.integers(min_value=10**18, max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.times(),
    st.just(date(1, 1, 1)),
    st.just(time(23, 59)),
)


def toml_values() -> st.SearchStrategy[Any]:
    return st.recursive(
        TOML_SCALARS,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
        max_leaves=5,
    )


def _section(fields: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """A table with some of ``fields`` (right or wrong values) and maybe an unknown key."""
    return st.fixed_dictionaries(
        {},
        optional={
            **{name: sometimes(values, toml_values()) for name, values in fields.items()},
            "colour": toml_values(),
            "token": st.text(max_size=8),
        },
    )


def _boards() -> st.SearchStrategy[dict[str, Any]]:
    board = st.fixed_dictionaries(
        {},
        optional={
            "role": sometimes(st.sampled_from([r.value for r in Role]), toml_values()),
            "source": sometimes(
                st.sampled_from(["boards/events.json", "trello:AbCd1234", "trello:AbCd12", ""]),
                toml_values(),
            ),
            "lists": st.dictionaries(
                texts(10), sometimes(st.sampled_from(["done", "ignore", "nope"]), toml_values())
            ),
            "api_key": st.sampled_from(["0123456789abcdef0123456789abcdef", ""]),
        },
    )
    return st.dictionaries(texts(8), sometimes(board, toml_values()), max_size=3)


def _calendar() -> st.SearchStrategy[dict[str, Any]]:
    caldav_urls = ["https://dav.example.org/cal/", "ftp://x", "https://u:p@x/", "http://[x"]
    return _section(
        {
            "domain": st.sampled_from(["oneteamgov.uk", "not a domain", ""]),
            "feed": st.sampled_from(["events.ics", "", "../../x.ics"]),
            "publish": st.lists(st.sampled_from(["planning", "done", "nope"]), max_size=3),
            "refresh_minutes": st.integers(-5, 10**20),
            "default_duration_minutes": st.integers(-5, 10**20),
            "keep_cancelled_days": st.integers(-5, 10**20),
            "conflict": st.sampled_from(["trello", "calendar", "both"]),
            "caldav": st.fixed_dictionaries(
                {},
                optional={
                    "url": st.sampled_from(caldav_urls),
                    "password": st.text(max_size=8),
                    "timeout": toml_values(),
                },
            ),
        }
    )


def _medium() -> st.SearchStrategy[dict[str, Any]]:
    canonical = ["https://otg.uk/{slug}", "{slug", "https://x/{nope}", "{0}", "http://[x/{slug}"]
    return _section(
        {
            "target": st.sampled_from(["auto", "drafts", "medium", "paper"]),
            "drafts_dir": st.sampled_from(["drafts", "../up", "/abs", "", "a\x00b"]),
            "canonical_url": st.sampled_from(canonical),
            "feeds": st.lists(st.sampled_from(["https://medium.com/feed/@x", "ftp://x", ""])),
            "license": st.sampled_from(["cc-40-by", "gpl"]),
        }
    )


def _jobs() -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(
        st.sampled_from(["sync", "roundup", "publication", "backup"]),
        _section(
            {
                "at": st.sampled_from(["02:00", "25:00", "2am"]),
                "every": st.sampled_from(["day", "fortnight", "hour"]),
                "on": st.sampled_from(["wednesday", "Wednesday", "someday"]),
                "anchor": st.sampled_from(["2026-11-25", "2026-02-30", "soon"]),
                "retries": st.integers(-1, 10**20),
            }
        ),
    )


def config_tables() -> st.SearchStrategy[dict[str, Any]]:
    """What ``tomllib.loads`` could return for an otg.toml: keys right and wrong, values of
    every TOML type, sections that are not tables."""
    sections = {
        "boards": _boards(),
        "trello": _section(
            {
                "timeout": st.floats(0.1, 60),
                "retries": st.integers(0, 9),
                "history_days": TOML_SCALARS,
            }
        ),
        "calendar": _calendar(),
        "medium": _medium(),
        "roundup": _section(
            {
                "featured_label": st.sampled_from(["Roundup {date}", "{date}", "no date"]),
                "tags": st.lists(texts(30), max_size=4),
                "coming_days": st.integers(-1, 10**20),
            }
        ),
        "jobs": _jobs(),
    }
    top = {
        "timezone": sometimes(
            st.sampled_from(["Europe/London", "UTC", "Europe", "Mars/Olympus", "a" * 300]),
            toml_values(),
        ),
        "state_db": sometimes(st.sampled_from(["state.db", "a\x00b.db", ""]), toml_values()),
        "output_dir": sometimes(st.sampled_from(["out", "a\x00b", ""]), toml_values()),
        "extra": toml_values(),
    }
    return st.fixed_dictionaries(
        {},
        optional={
            **{name: sometimes(table, toml_values()) for name, table in sections.items()},
            **top,
        },
    )
