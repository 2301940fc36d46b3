"""Hypothesis strategies for the bad input otg-sync must survive.

- ``texts()``: names and descriptions as people (and broken tools) write them: emoji, right-to-left
  scripts, control characters, lone surrogates, HTML, iCalendar and Markdown specials, path
  tricks and very long strings;
- ``junk()``: any JSON value, for a key whose value should have been something else;
- ``trello_dates()``: Trello dates, good ones and nonsense (year 0001, offsets that overflow,
  impossible days, non-strings);
- ``board_exports(role)``: a whole Trello board export in the shapes of 2014 to 2025 (keys
  missing, unknown keys added, junk where objects belong), with cards in every list and state,
  custom fields of every type with bad values, labels with empty names and null colours, history;
- ``export_files(role)``: the bytes of an export file, sometimes truncated or not UTF-8;
- ``content_cards()``: model ``Card`` objects for the drafts;
- ``calendar_resources()``: the text of one CalDAV resource in every dialect (UTC, TZID, floating,
  all-day, DURATION, RRULE, missing fields) and plain garbage;
- ``config_tables()``: what ``tomllib`` could return for an otg.toml, right and wrong.

Each strategy mostly draws well-formed values and mangles some, so that examples reach the deep
paths (a card that becomes an event) as well as the defensive ones; shrinking heads for the
well-formed end, so a failure shrinks to the one bad value that matters.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

from sync.model import Attachment, Card, CheckItem, Checklist, Label, Role
from sync.text import valid
from sync.trello.lists import DEFAULT_LISTS

# -- text ----------------------------------------------------------------------------------------

#: Strings that have broken (or could break) a parser, a file name, a feed or a page.
NASTY = (
    "",
    " ",
    "\t",
    "\n",
    "\r\n",
    "\r",
    "\x00",
    "\x0b\x0c\x1c\x1d\x1e",
    "\x1b[31mred\x1b[0m",
    "\x7f",
    "\x85",
    "\x9b",
    "\u2028",
    "\u2029",
    "\ufeff",
    "\ufffe",
    "\u202eevil\u202c",
    "\u200b",
    "\ud800",  # a lone surrogate: json.loads gives these for "\\ud800"
    "\udfff tail",
    "مرحبا بالعالم",
    "שלום עולם",
    "🎉🎄👩🏽‍💻",
    "café naïve",
    "ﬁnance",
    "Ⅻ",
    "<script>alert(1)</script>",
    "<b>bold</b> & 'single' \"double\"",
    "&amp; &lt; &#0; &#x110000;",
    "BEGIN:VEVENT\r\nUID:evil\r\nEND:VEVENT",
    "x\rBEGIN:VEVENT\rUID:evil",
    "a,b;c\\d:e",
    "END:VCALENDAR",
    "../../etc/passwd",
    "..",
    ".",
    "/abs/path",
    "C:\\Windows\\system32",
    "CON",
    "NUL",
    "aux.txt",
    "---\ntitle: injected\n---",
    "{slug}{card_id}{0}",
    "%s %d %(x)s",
    "# heading",
    "[x](javascript:alert(1))",
    "[y](http://[bad-ipv6)",
    "<http://[::1>",
    "![img](data:text/html,<script>)",
    "```\ncode <b>\n```",
    "x" * 300,
)
LONG = (("word " * 4000) + "end", "x" * 20_000, "🎉" * 5000)


def texts(max_size: int = 30) -> st.SearchStrategy[str]:
    """Any text a card, list or label could carry (or a broken tool could put there)."""
    return st.one_of(
        st.text(max_size=max_size),
        st.sampled_from(NASTY),
        st.lists(st.sampled_from(NASTY) | st.text(max_size=6), max_size=4).map("".join),
        st.sampled_from(LONG),
    )


def names(max_size: int = 30) -> st.SearchStrategy[str]:
    """Mostly ordinary names, sometimes nasty ones."""
    plain = st.text(st.characters(codec="ascii", categories=("L", "N", "Zs")), max_size=max_size)
    return st.one_of(plain, texts(max_size))


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**308, max_value=10**400),  # more than a float holds
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=10),
    st.sampled_from(NASTY[:20]),
)


def junk() -> st.SearchStrategy[Any]:
    """Any JSON value: what a damaged export may hold where an object or a string belongs."""
    return st.recursive(
        SCALARS,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
        max_leaves=6,
    )


@st.composite
def sometimes(draw: st.DrawFn, good: st.SearchStrategy[Any], bad: st.SearchStrategy[Any]) -> Any:
    """``good`` four times in five; ``bad`` otherwise (shrinking prefers ``good``)."""
    return draw(bad) if draw(st.integers(0, 4)) == 4 else draw(good)


# -- dates ---------------------------------------------------------------------------------------

NONSENSE_DATES = (
    "0001-01-01T00:00:00.000Z",
    "0001-01-01T00:00:00+01:00",  # one hour before year 1 in UTC: overflows
    "9999-12-31T23:59:59.999Z",
    "9999-12-31T23:59:59-01:00",  # past year 9999 in UTC: overflows
    "1969-12-31T23:59:59.999Z",
    "2200-01-01T00:00:00.000Z",
    "2019-02-30T10:00:00.000Z",
    "2019-13-01T00:00:00.000Z",
    "2019-04-04T25:00:00.000Z",
    "2019-04-04T19:00:00.000Zjunk",
    "2019-04-04",
    "2019-04-04T19:00:00",
    "2019-04-04T19:00:00.000+05:30",
    "2019-04-04T19:00:00.000+24:00",
    "tomorrow",
    "",
    "  ",
    "null",
    "\x00",
    "２０１９-０４-０４",
    "2019-04-04\nT19:00:00Z",
)
ZONES = (UTC, timezone(timedelta(hours=14)), timezone(-timedelta(hours=12)))


def trello_date(moment: datetime) -> str:
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


def good_moments() -> st.SearchStrategy[datetime]:
    return st.datetimes(
        min_value=datetime(2024, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
    )


def trello_dates() -> st.SearchStrategy[Any]:
    """A card date as an export holds it: mostly right, sometimes anything at all."""
    wide = st.builds(
        lambda moment, zone: moment.replace(tzinfo=zone).isoformat(),
        st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)),
        st.sampled_from(ZONES),
    )
    bad = st.one_of(st.sampled_from(NONSENSE_DATES), wide, junk())
    return st.one_of(st.none(), sometimes(good_moments().map(trello_date), bad))


# -- ids -----------------------------------------------------------------------------------------

HEX = "0123456789abcdef"
ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def object_ids() -> st.SearchStrategy[str]:
    return st.text(HEX, min_size=24, max_size=24)


def odd_ids() -> st.SearchStrategy[str]:
    """Ids no Trello would make, but an export file can hold."""
    return st.one_of(
        st.text(max_size=30),
        st.sampled_from(["", "../x", "a/b", "%2F", "\x00", "id\n", "CON", "." * 3, "🎉"]),
    )


def short_links() -> st.SearchStrategy[Any]:
    good = st.text(ALNUM, min_size=8, max_size=8)
    bad = st.one_of(
        st.builds(lambda s, tail: s + tail, good, st.sampled_from(["\n", " ", "/..", "\x00"])),
        odd_ids(),
        junk(),
    )
    return sometimes(good, bad)


# -- board exports -------------------------------------------------------------------------------

UNKNOWN_KEYS = (
    "nodeId",
    "dateClosed",
    "dateViewedByCreator",
    "cardRole",
    "mirrorSourceId",
    "agent",
    "cover",
    "limits",
    "pluginData",
    "badges",
    "descData",
    "idShort",
    "__proto__",
    "",
)
#: Keys that 2014–2016 exports do not have.
NEWER_CARD_KEYS = (
    "start",
    "dueComplete",
    "customFieldItems",
    "locationName",
    "address",
    "coordinates",
)
FIELD_NAMES = ("All day", "Venue", "Sign-up link", "Start", "End", "Notes", "")
FIELD_TYPES = ("text", "number", "date", "checkbox", "list")


@st.composite
def shaped(
    draw: st.DrawFn, obj: dict[str, Any], optional: tuple[str, ...] = (), required: tuple = ()
) -> Any:
    """An object as a damaged or older export might hold it: some optional keys missing,
    unknown keys added, and now and then junk in a key, or instead of the whole object."""
    if draw(st.integers(0, 19)) == 19:
        return draw(junk())
    out = dict(obj)
    for key in draw(st.sets(st.sampled_from(optional), max_size=3)) if optional else ():
        out.pop(key, None)
    if draw(st.integers(0, 3)) == 3:
        keys = sorted(k for k in out if k not in required) or sorted(out)
        if keys:
            for key in draw(st.sets(st.sampled_from(keys), min_size=1, max_size=2)):
                out[key] = draw(junk())
    if draw(st.integers(0, 3)) == 3:
        out.update(draw(st.dictionaries(st.sampled_from(UNKNOWN_KEYS), junk(), max_size=3)))
    return out


def list_names(role: Role) -> st.SearchStrategy[str]:
    known = sorted({n for names_ in DEFAULT_LISTS[role].values() for n in names_})
    decorated = st.builds(
        lambda name, pre, post: f"{pre}{name.title()}{post}",
        st.sampled_from(known),
        st.sampled_from(["", "✅ ", "🎉", "  "]),
        st.sampled_from(["", "!", " (2025)", " 🎉"]),
    )
    return st.one_of(st.sampled_from(known), decorated, names())


@st.composite
def custom_fields(draw: st.DrawFn) -> list[Any]:
    fields = []
    for _ in range(draw(st.integers(0, 5))):
        kind = draw(sometimes(st.sampled_from(FIELD_TYPES), junk()))
        options = [
            draw(shaped({"id": draw(object_ids()), "value": {"text": draw(names())}}, ("value",)))
            for _ in range(draw(st.integers(0, 3)) if kind == "list" else 0)
        ]
        fields.append(
            draw(
                shaped(
                    {
                        "id": draw(object_ids()),
                        "name": draw(st.sampled_from(FIELD_NAMES) | names()),
                        "type": kind,
                        "options": options,
                    },
                    ("options", "name"),
                    ("id",),
                )
            )
        )
    return fields


def field_value(kind: Any) -> st.SearchStrategy[Any]:
    """A custom field item's value: right for its type, or wrong."""
    right = {
        "text": st.builds(lambda t: {"text": t}, texts()),
        "number": st.builds(
            lambda n: {"number": n},
            st.sampled_from(["12", "-3.5", "1e400", "nan", "inf", "twelve", ""]) | st.text(),
        ),
        "date": st.builds(lambda d: {"date": d}, trello_dates()),
        "checkbox": st.builds(lambda c: {"checked": c}, st.sampled_from(["true", "false", "yes"])),
    }.get(kind if isinstance(kind, str) else "", st.just({}))
    wrong = st.one_of(
        st.dictionaries(st.sampled_from(["text", "number", "date", "checked"]), junk(), max_size=2),
        junk(),
    )
    return sometimes(right, wrong)


@st.composite
def field_items(draw: st.DrawFn, fields: list[Any]) -> list[Any]:
    defined = [f for f in fields if isinstance(f, dict)]
    items = []
    for _ in range(draw(st.integers(0, 4)) if defined else 0):
        definition = draw(st.sampled_from(defined))
        found = definition.get("options")
        options = (
            [o.get("id") for o in found if isinstance(o, dict)] if isinstance(found, list) else []
        )
        if definition.get("type") == "list" and options:
            item = {
                "idCustomField": definition.get("id"),
                "idValue": draw(st.sampled_from(options)),
            }
        else:
            kind = definition.get("type")
            item = {"idCustomField": definition.get("id"), "value": draw(field_value(kind))}
        items.append(draw(shaped(item, ("value", "idValue"))))
    return items


def coordinates() -> st.SearchStrategy[Any]:
    latitude = st.floats(-90, 90)
    longitude = st.floats(-180, 180)
    good = st.builds(lambda a, b: {"latitude": a, "longitude": b}, latitude, longitude)
    bad = st.one_of(
        st.builds(lambda a, b: f"{a},{b}", st.floats(), st.floats()),
        st.sampled_from(["nan,nan", "inf,-inf", "1e999,0", "91,181", "-95,0", "51.5", ","]),
        junk(),
    )
    return st.one_of(st.none(), sometimes(good, bad))


@st.composite
def event_dates(draw: st.DrawFn) -> dict[str, Any]:
    """start and due, mostly a plausible pair: some all-day (local midnight to 23:59), some
    ending before they start, some the same instant, some nonsense."""
    start = draw(good_moments())
    shape = draw(st.integers(0, 6))
    if shape == 0:  # only a due date
        return {"due": trello_date(start)}
    if shape == 1:  # all day, in London's winter (UTC) or summer (BST)
        day = start.replace(hour=0, minute=0, second=0, microsecond=0)
        offset = timedelta(hours=1) if 4 <= day.month <= 9 else timedelta()
        return {
            "start": trello_date(day - offset),
            "due": trello_date(day + timedelta(hours=23, minutes=59) - offset),
        }
    if shape == 2:  # ends before it starts
        return {"start": trello_date(start), "due": trello_date(start - timedelta(hours=1))}
    if shape == 3:  # no date at all
        return {}
    if shape == 4:
        return {"start": draw(trello_dates()), "due": draw(trello_dates())}
    length = draw(st.integers(0, 3 * 24 * 60))
    return {"start": trello_date(start), "due": trello_date(start + timedelta(minutes=length))}


@st.composite
def cards(
    draw: st.DrawFn,
    *,
    board_id: str,
    list_ids: list[Any],
    labels: list[Any],
    fields: list[Any],
    era: int,
) -> Any:
    card_id = draw(sometimes(object_ids(), odd_ids()))
    label_objs = [lbl for lbl in labels if isinstance(lbl, dict)]
    chosen = draw(st.lists(st.sampled_from(label_objs), max_size=4)) if label_objs else []
    all_day = draw(st.sampled_from(["All day", "all day", "Culture"]))
    if draw(st.booleans()):
        chosen.append({"id": draw(object_ids()), "name": all_day, "color": None})
    dates = draw(event_dates())
    link = draw(short_links())
    raw: dict[str, Any] = {
        "id": card_id,
        "name": draw(names(40)),
        "desc": draw(sometimes(texts(200), st.sampled_from(["", "   "]))),
        "closed": draw(sometimes(st.booleans(), junk())),
        "idList": draw(st.sampled_from(list_ids)) if list_ids else draw(odd_ids()),
        "idBoard": board_id,
        "idLabels": [lbl.get("id") for lbl in chosen],
        "labels": chosen,
        "idMembers": draw(st.lists(object_ids(), max_size=2)),
        "dueComplete": draw(st.booleans()),
        "dateLastActivity": draw(trello_dates()),
        "pos": draw(sometimes(st.floats(0, 1e6), junk())),
        "shortLink": link,
        "shortUrl": f"https://trello.com/c/{link}",
        "url": draw(
            sometimes(
                st.builds(lambda s: f"https://trello.com/c/{s}/1-card", st.text(ALNUM, max_size=8)),
                texts(),
            )
        ),
        "locationName": draw(names()),
        "address": draw(names()),
        "coordinates": draw(coordinates()),
        "attachments": [
            draw(
                shaped(
                    {
                        "id": draw(object_ids()),
                        "name": draw(st.sampled_from(["Sign up here", "Tickets", ""]) | names()),
                        "url": draw(
                            st.sampled_from(
                                [
                                    "https://ti.to/otg",
                                    "javascript:alert(1)",
                                    "http://[bad",
                                    "mailto:a@b.c",
                                    'https://e.org/"><script>',
                                ]
                            )
                            | texts()
                        ),
                    },
                    ("name",),
                )
            )
            for _ in range(draw(st.integers(0, 2)))
        ],
        "customFieldItems": draw(field_items(fields)),
        **dates,
    }
    if era >= 2025:
        raw.update({"nodeId": "ari:cloud:trello::card/x", "dateCompleted": draw(trello_dates())})
    optional = tuple(k for k in raw if k != "id")
    if era <= 2016:
        for key in NEWER_CARD_KEYS:
            raw.pop(key, None)
    return draw(shaped(raw, optional, ("id", "idList")))


@st.composite
def actions(draw: st.DrawFn, card_ids: list[Any], list_ids: list[Any]) -> list[Any]:
    found = []
    for _ in range(draw(st.integers(0, 6))):
        card_id = draw(st.sampled_from(card_ids)) if card_ids else draw(object_ids())
        before = draw(st.sampled_from(list_ids)) if list_ids else None
        after = draw(st.sampled_from(list_ids)) if list_ids else None
        kind = draw(
            st.sampled_from(["updateCard", "createCard", "deleteCard", "commentCard", "copyCard"])
        )
        data: dict[str, Any] = {"card": {"id": card_id, "name": draw(names())}}
        if kind == "updateCard":
            change = draw(st.sampled_from(["move", "closed", "dueComplete"]))
            if change == "move":
                data.update(
                    old={"idList": before},
                    listBefore={"id": before},
                    listAfter={"id": after},
                )
                data["card"]["idList"] = after
            else:
                data["old"] = {change: False}
                data["card"][change] = True
        elif kind in ("createCard", "copyCard"):
            data["list"] = {"id": after}
        action = {
            "id": draw(object_ids()),
            "type": kind,
            "date": draw(trello_dates()),
            "idMemberCreator": draw(object_ids()),
            "data": data,
        }
        found.append(draw(shaped(action, ("idMemberCreator", "data"), ("id",))))
    return found


@st.composite
def board_exports(draw: st.DrawFn, role: Role) -> Any:
    """A board export for ``role`` in any shape from 2014 to 2025, damaged or not."""
    era = draw(st.sampled_from([2014, 2019, 2025]))
    board_id = draw(object_ids())
    # a list for every state of the role (by one of its default names), then any others
    names_ = [draw(st.sampled_from(names_)) for names_ in DEFAULT_LISTS[role].values()]
    names_ += draw(st.lists(list_names(role), max_size=3))
    lists = [
        draw(
            shaped(
                {
                    "id": draw(object_ids()),
                    "name": name,
                    "closed": draw(st.integers(0, 5)) == 5,
                    "pos": draw(st.floats(0, 1e5)),
                    "idBoard": board_id,
                },
                ("closed", "pos", "idBoard", "name"),
                ("id",),
            )
        )
        for name in draw(st.permutations(names_))
    ]
    list_ids = [lst.get("id") for lst in lists if isinstance(lst, dict)] + [draw(object_ids())]
    labels = [
        draw(
            shaped(
                {
                    "id": draw(object_ids()),
                    "idBoard": board_id,
                    "name": draw(st.sampled_from(["", "Culture", "All day"]) | names()),
                    "color": draw(st.sampled_from([None, "green", "", "nonsense"])),
                },
                ("color", "idBoard"),
                ("id",),
            )
        )
        for _ in range(draw(st.integers(0, 4)))
    ]
    fields = draw(custom_fields()) if era > 2014 else []
    board_cards = [
        draw(cards(board_id=board_id, list_ids=list_ids, labels=labels, fields=fields, era=era))
        for _ in range(draw(st.integers(1, 8)) if draw(st.integers(0, 9)) != 9 else 0)
    ]
    card_ids = [c.get("id") for c in board_cards if isinstance(c, dict)]
    checklists = [
        draw(
            shaped(
                {
                    "id": draw(object_ids()),
                    "idCard": draw(st.sampled_from(card_ids)) if card_ids else "x",
                    "name": draw(names()),
                    "pos": draw(st.floats(0, 100) | junk()),
                    "checkItems": [
                        draw(
                            shaped(
                                {
                                    "id": draw(object_ids()),
                                    "name": draw(names()),
                                    "state": draw(st.sampled_from(["complete", "incomplete", 1])),
                                    "pos": draw(st.floats(0, 100) | junk()),
                                },
                                ("pos",),
                            )
                        )
                        for _ in range(draw(st.integers(0, 3)))
                    ],
                },
                ("name", "pos"),
            )
        )
        for _ in range(draw(st.integers(0, 2)))
    ]
    export: dict[str, Any] = {
        "id": board_id,
        "name": draw(names()),
        "url": "https://trello.com/b/AbCd1234/board",
        "closed": False,
        "lists": lists,
        "labels": labels,
        "cards": board_cards,
        "checklists": checklists,
        "members": [
            draw(shaped({"id": draw(object_ids()), "fullName": draw(names())}, ("fullName",)))
            for _ in range(draw(st.integers(0, 2)))
        ],
        "actions": draw(actions(card_ids, list_ids)),
        "customFields": fields,
    }
    if era == 2014:  # some early exports have no labels array (labels live on the cards)
        del export["customFields"]
        if draw(st.booleans()):
            del export["labels"]
    optional = tuple(k for k in export if k != "id")
    return draw(shaped(export, optional, ("id",)))


def not_boards() -> st.SearchStrategy[Any]:
    """JSON that is not a readable board: the one case that is an error, not a warning. That is
    JSON that is not a board at all, and a board with no ``cards`` list (missing, null or junk):
    read as empty, it would cancel every event the board had. (``board_exports`` drops or junks
    ``cards`` and ``lists`` now and then too, as it does any optional key: without ``lists``,
    every card would be in no list, and every event cancelled.)"""
    return st.one_of(
        st.lists(junk(), max_size=3),
        SCALARS,
        st.dictionaries(st.sampled_from(["name", "cards", "lists"]), junk()),
        st.builds(lambda v: {"id": v, "cards": []}, st.one_of(st.none(), st.integers(), junk())),
        st.builds(
            lambda board_id, extra: {"id": board_id, "name": "Events", **extra},
            object_ids(),
            st.dictionaries(
                st.just("cards"), junk().filter(lambda v: not isinstance(v, list)), max_size=1
            ),
        ),
    )


@st.composite
def export_files(draw: st.DrawFn, role: Role) -> bytes:
    """The bytes of an export file: mostly a board, sometimes not one, sometimes damaged."""
    data = draw(sometimes(board_exports(role), not_boards()))
    text = json.dumps(data)  # ASCII: lone surrogates travel as \\ud800 escapes, as JSON allows
    damage = draw(st.integers(0, 9))
    if damage == 9:  # truncated mid-way
        return text.encode()[: draw(st.integers(0, len(text)))]
    if damage == 8:
        return draw(st.sampled_from([b"", b"\xef\xbb\xbf" + text.encode(), b"\xff\xfe{", b"{"]))
    if damage == 7:  # the same board, written by a tool that did not escape non-ASCII
        try:
            return json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            return text.encode()
    return text.encode()


# -- model cards for the drafts ------------------------------------------------------------------


@st.composite
def content_cards(draw: st.DrawFn) -> Card:
    """A content card as the parser hands it over: any text anywhere, but no lone surrogate (the
    parser replaces them, as its property checks)."""
    return _encodable(draw(_content_cards()))


def _encodable(card: Card) -> Card:
    def fix(value: Any) -> Any:
        if isinstance(value, str):
            return valid(value)
        if isinstance(value, tuple) and not isinstance(value, Card):
            return tuple(fix(v) for v in value)
        if hasattr(value, "__dataclass_fields__"):
            return replace(value, **{f: fix(getattr(value, f)) for f in value.__dataclass_fields__})
        return value

    return fix(card)


@st.composite
def _content_cards(draw: st.DrawFn) -> Card:
    return Card(
        id=draw(sometimes(object_ids(), odd_ids())),
        name=draw(names(60)),
        board_id=draw(object_ids()),
        list_id="l-ready",
        list_name="Ready for Medium",
        state="ready",
        desc=draw(sometimes(texts(300), st.sampled_from(NASTY))),
        short_link=draw(short_links().filter(lambda s: isinstance(s, str))),
        url=draw(texts()),
        labels=tuple(
            Label(str(i), name, None)
            for i, name in enumerate(draw(st.lists(names(30), max_size=5)))
        ),
        attachments=tuple(
            Attachment(str(i), name, url)
            for i, (name, url) in enumerate(
                draw(
                    st.lists(
                        st.tuples(
                            names(),
                            st.sampled_from(
                                ["https://e.org/a b(1)", 'https://e.org/"><b>', "http://[x"]
                            )
                            | texts(),
                        ),
                        max_size=3,
                    )
                )
            )
        ),
        checklists=tuple(
            Checklist(
                str(i),
                name,
                tuple(CheckItem(str(j), item, done) for j, (item, done) in enumerate(items)),
            )
            for i, (name, items) in enumerate(
                draw(
                    st.lists(
                        st.tuples(names(), st.lists(st.tuples(texts(), st.booleans()), max_size=3)),
                        max_size=2,
                    )
                )
            )
        ),
    )


# -- calendar resources --------------------------------------------------------------------------

TZIDS = ("Europe/London", "America/New_York", "Australia/Lord_Howe", "Mars/Olympus", "", "UTC")


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%S")


@st.composite
def ical_moments(draw: st.DrawFn, name: str) -> str:
    """``DTSTART...`` in every dialect: UTC, TZID, floating, all-day, or broken."""
    moment = draw(
        sometimes(
            st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31)),
            st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)),
        )
    )
    form = draw(st.integers(0, 9))
    if form in (0, 6, 7):
        return f"{name}:{_stamp(moment)}Z"
    if form == 1:
        return f"{name};TZID={draw(st.sampled_from(TZIDS))}:{_stamp(moment)}"
    if form == 2:
        return f"{name}:{_stamp(moment)}"
    if form == 3:
        return f"{name};VALUE=DATE:{moment:%Y%m%d}"
    if form == 4:
        return f"{name};VALUE=DATE-TIME:{moment:%Y%m%d}"  # a date that says it is a time
    if form == 8:
        return f"{name};TZID=Europe/London:{_stamp(moment)}"
    garbage = draw(
        st.sampled_from(
            [
                "notadate",
                "20261302T250000Z",
                "20260230",
                "",
                "20261202T080000Z,20261203T080000Z",
                "P1D",
                "20261202T0800",
            ]
        )
        | st.text(max_size=12)
    )
    return f"{name}:{garbage}"


DURATIONS = ("PT1H", "P1D", "PT0S", "-PT1H", "P2W", "P999999999D", "PT", "1H", "P1Y")
RRULES = (
    "FREQ=WEEKLY;COUNT=3",
    "FREQ=DAILY;UNTIL=20271231",
    "FREQ=DAILY;UNTIL=20271231T100000Z",
    "FREQ=MONTHLY;BYDAY=-1FR",
    "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
    "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE",
    "FREQ=HOURLY",
    "FREQ=MINUTELY",
    "FREQ=SECONDLY",
    "FREQ=MINUTELY;INTERVAL=1",
    "FREQ=DAILY;INTERVAL=0",
    "FREQ=NOPE",
    "COUNT=3",
    "FREQ=DAILY;UNTIL=notadate",
    "FREQ=WEEKLY;COUNT=-1",
    "",
)
STATUSES = ("CONFIRMED", "TENTATIVE", "CANCELLED", "confirmed", "BOGUS", "")


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


@st.composite
def vevent_lines(draw: st.DrawFn) -> list[str]:
    lines = ["BEGIN:VEVENT"]
    optional = {
        "UID": lambda: (
            "UID:"
            + draw(
                sometimes(
                    st.builds("evt-{}@example.org".format, st.integers(0, 99)),
                    st.sampled_from(["trello-1@oneteamgov.uk", "  ", ""]) | names(),
                )
            )
        ),
        "DTSTAMP": lambda: draw(ical_moments("DTSTAMP")),
        "DTSTART": lambda: draw(ical_moments("DTSTART")),
        "END": lambda: draw(
            st.one_of(
                ical_moments("DTEND"),
                st.sampled_from(DURATIONS).map(lambda d: f"DURATION:{d}"),
            )
        ),
        "SUMMARY": lambda: f"SUMMARY:{_escape(draw(texts()))}",
        "RAW": lambda: f"DESCRIPTION:{draw(texts())}",  # unescaped: may break the line
        "LOCATION": lambda: f"LOCATION:{_escape(draw(names()))}",
        "STATUS": lambda: f"STATUS:{draw(st.sampled_from(STATUSES))}",
        "SEQUENCE": lambda: f"SEQUENCE:{draw(st.sampled_from(['0', '3', '-1', 'x', '9' * 30]))}",
        "LAST-MODIFIED": lambda: draw(ical_moments("LAST-MODIFIED")),
        "RRULE": lambda: f"RRULE:{draw(st.sampled_from(RRULES))}",
        "EXDATE": lambda: draw(ical_moments("EXDATE")),
        "RECURRENCE-ID": lambda: draw(ical_moments("RECURRENCE-ID")),
        "GARBAGE": lambda: draw(
            st.sampled_from(["NOCOLON", ":", "X-EMPTY:", ";;;", "BEGIN:VALARM", "END:VTODO"])
            | st.text(max_size=20)
        ),
    }
    usual = ("UID", "DTSTAMP", "DTSTART", "END", "SUMMARY", "LOCATION", "STATUS", "SEQUENCE")
    chosen = {name for name in usual if draw(st.integers(0, 9)) != 9}  # usually there
    if draw(st.integers(0, 2)) == 2:  # and now and then the odd ones
        chosen |= draw(st.sets(st.sampled_from(sorted(set(optional) - set(usual))), max_size=3))
    for name in sorted(chosen):
        lines.append(optional[name]())
        if name in ("DTSTART", "END", "RRULE") and draw(st.integers(0, 9)) == 9:
            lines.append(optional[name]())  # the same property twice
    lines.append("END:VEVENT")
    return lines


@st.composite
def calendar_resources(draw: st.DrawFn) -> str:
    """The text of one calendar resource, as a calendar app or a broken tool wrote it."""
    if draw(st.integers(0, 19)) == 19:
        return draw(st.text() | st.sampled_from(["", "BEGIN:VCALENDAR", "END:VCALENDAR\r\n"]))
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN"]
    if draw(st.booleans()):
        lines += [
            "BEGIN:VTIMEZONE",
            "TZID:Europe/London",
            "BEGIN:STANDARD",
            "DTSTART:19701025T020000",
            "TZOFFSETFROM:+0100",
            "TZOFFSETTO:+0000",
            "END:STANDARD",
            "END:VTIMEZONE",
        ]
    for _ in range(draw(st.integers(1, 2)) if draw(st.integers(0, 19)) != 19 else 0):
        lines += draw(vevent_lines())
    if draw(st.integers(0, 9)) != 9:
        lines.append("END:VCALENDAR")
    text = draw(sometimes(st.just("\r\n"), st.sampled_from(["\n", "\r"]))).join(lines)
    if draw(st.integers(0, 19)) == 19:
        text = text[: draw(st.integers(0, len(text)))]
    return text


# -- config tables -------------------------------------------------------------------------------

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


def config_tables() -> st.SearchStrategy[dict[str, Any]]:
    """What ``tomllib.loads`` could return for an otg.toml: keys right and wrong, values of
    every TOML type, sections that are not tables."""
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
    sections = {
        "boards": st.dictionaries(texts(8), sometimes(board, toml_values()), max_size=3),
        "trello": _section(
            {
                "timeout": st.floats(0.1, 60),
                "retries": st.integers(0, 9),
                "history_days": TOML_SCALARS,
            }
        ),
        "calendar": _section(
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
                        "url": st.sampled_from(
                            [
                                "https://dav.example.org/cal/",
                                "ftp://x",
                                "https://u:p@x/",
                                "http://[x",
                            ]
                        ),
                        "password": st.text(max_size=8),
                        "timeout": toml_values(),
                    },
                ),
            }
        ),
        "medium": _section(
            {
                "target": st.sampled_from(["auto", "drafts", "medium", "paper"]),
                "drafts_dir": st.sampled_from(["drafts", "../up", "/abs", "", "a\x00b"]),
                "canonical_url": st.sampled_from(
                    [
                        "https://otg.uk/{slug}",
                        "{slug",
                        "https://x/{nope}",
                        "{0}",
                        "http://[x/{slug}",
                    ]
                ),
                "feeds": st.lists(st.sampled_from(["https://medium.com/feed/@x", "ftp://x", ""])),
                "license": st.sampled_from(["cc-40-by", "gpl"]),
            }
        ),
        "roundup": _section(
            {
                "featured_label": st.sampled_from(["Roundup {date}", "{date}", "no date"]),
                "tags": st.lists(texts(30), max_size=4),
                "coming_days": st.integers(-1, 10**20),
            }
        ),
        "jobs": st.dictionaries(
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
        ),
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
