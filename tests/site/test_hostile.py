"""Hostile card text cannot inject HTML or script into any page: names, descriptions, places,
organisers, sign-up links, drafts and roundups, all escaped (or their links dropped)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from config.calendar import CalendarConfig
from config.medium import MediumConfig
from config.site import SiteConfig
from sync.calendar.plan import calendar_records, plan_events
from sync.content.draft import draft_for
from sync.content.drafts_folder import markdown_file
from sync.content.plan import DRAFTED
from sync.model import Attachment, Board, Card, Member, Role
from sync.site.pages import SiteInput, build
from sync.site.public import public_drafts, public_events, roundup_post
from sync.state.records import SyncedItem
from tests.site.demo import Page

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(2)>',
    "</title><script>alert(3)</script>",
    "<a href='javascript:alert(4)'>x</a>",
    "{{ 7 * 7 }}{% raw %}",
    "</h4></article></li></ol><iframe src=//evil>",
]
NAME = " ".join(HOSTILE)


def _card(n: int, state: str, list_name: str, **extra) -> Card:
    return Card(
        id=f"{n:024x}",
        name=f"{NAME} {n}",
        board_id="b" * 24,
        list_id="l" * 24,
        list_name=list_name,
        state=state,
        desc=f"{NAME}\n\n# {HOSTILE[0]}\n\n[click](javascript:alert(5)) <b onmouseover=x>hi</b>",
        short_link=f"Ab{n:06d}",
        url=f"https://trello.com/c/Ab{n:06d}",
        members=(Member("m1", HOSTILE[1]),),
        start=NOW + timedelta(days=n),
        due=NOW + timedelta(days=n, hours=2),
        location_name=HOSTILE[5],
        address=HOSTILE[2],
        coordinates=(51.5, -0.1),
        attachments=(
            Attachment("a1", f"Sign up {HOSTILE[1]}", "javascript:alert(6)"),
            Attachment("a2", f"Links {HOSTILE[0]}", "https://example.org/?q=<script>"),
        ),
        **extra,
    )


def _site() -> dict[str, bytes]:
    calendar = CalendarConfig(domain='evil"><script>.example')
    cards = [_card(1, "confirmed", "Confirmed"), _card(2, "planning", "Planning")]
    board = Board(id="b" * 24, name=NAME, role=Role.EVENTS, source="x.json", cards=tuple(cards))
    changes = plan_events([board], {}, cfg=calendar, tz=UTC, now=NOW)
    records = calendar_records({}, changes)
    events = public_events(records, {c.id: c for c in cards}, calendar)
    medium = MediumConfig()
    content = _card(3, "ready", "Ready")
    draft = draft_for(content, medium)
    stored = {content.id: SyncedItem("content", content.id, hash=draft.digest(), status=DRAFTED)}
    drafts, warnings = public_drafts(stored, {content.id: content}, medium)
    assert len(drafts) == 1 and not warnings
    roundup = SyncedItem(
        "roundup",
        "drafts:2026-11-25",
        data={"title": NAME, "last_day": "2026-11-25/../../x", "made_at": NOW.isoformat()},
    )
    posts = [roundup_post(roundup, markdown_file(draft, medium))]
    site = SiteConfig(title=NAME, base_url="https://example.org/", publish_drafts=True)
    return build(
        SiteInput(site, CalendarConfig(name=NAME), "Europe/London", events, posts, drafts), NOW
    )


def test_hostile_card_text_is_text_on_every_page():
    files = _site()
    assert any(path.startswith("drafts/") and path != "drafts/index.html" for path in files)
    for path, content in files.items():
        if not path.endswith(".html"):
            continue
        page = Page(content.decode("utf-8"))
        assert page.problems == [], path
        names = {tag for tag, _ in page.tags}
        assert not names & {"script", "img", "iframe", "b"}, (path, names)
        for tag, attrs in page.tags:
            assert not any(a.startswith("on") for a in attrs), (path, tag, attrs)
            for key in ("href", "src"):
                if attrs.get(key):
                    scheme = urlsplit(attrs[key]).scheme
                    assert scheme in ("", "http", "https", "webcal"), (path, attrs[key])
        text = "".join(page.text)
        if path == "events.html":
            assert HOSTILE[0] in text and HOSTILE[1] in text  # shown, as text
        assert "49" not in text  # no template ran on card text


def test_hostile_text_keeps_file_names_and_feeds_safe():
    files = _site()
    assert all(
        ".." not in path and path.replace("/", "").replace(".", "").replace("-", "").isalnum()
        for path in files
    ), sorted(files)
    assert b"<script>" not in files["roundups.atom"]  # escaped as XML
    assert b"&lt;script&gt;" in files["roundups.atom"]


def test_each_events_ics_is_the_one_ical_single_renders():
    from sync.calendar import ical
    from sync.site.pages import event_files

    calendar = CalendarConfig(domain="example.org")
    cards = [_card(n, "confirmed", "Confirmed") for n in (1, 2, 4)]
    board = Board(id="b" * 24, name="x", role=Role.EVENTS, source="x.json", cards=tuple(cards))
    records = calendar_records({}, plan_events([board], {}, cfg=calendar, tz=UTC, now=NOW))
    events = public_events(records, {}, calendar)
    feed = ical.calendar(records.values(), name="x", refresh_minutes=60, timezone="UTC")
    assert event_files(events, feed) == {
        f"events/{e.ics_name}": ical.single(e.record) for e in events
    }


def test_only_public_things_reach_the_site():
    calendar = CalendarConfig(domain="example.org")
    shown = _card(1, "confirmed", "Confirmed")
    shown = Card(
        **{
            **{f: getattr(shown, f) for f in shown.__dataclass_fields__},
            "custom_fields": {"Private notes": "call Sam on 07700 900123", "Venue": "The Hall"},
        }
    )
    inbox = Card(
        **{
            **{f: getattr(shown, f) for f in shown.__dataclass_fields__},
            "id": "f" * 24,
            "name": "An idea in the inbox",
            "state": "proposed",
            "list_name": "Inbox",
        }
    )
    board = Board(id="b" * 24, name="x", role=Role.EVENTS, source="x", cards=(shown, inbox))
    records = calendar_records({}, plan_events([board], {}, cfg=calendar, tz=UTC, now=NOW))
    events = public_events(records, {shown.id: shown, inbox.id: inbox}, calendar)
    files = build(SiteInput(SiteConfig(), calendar, "Europe/London", events), NOW)
    everything = b"".join(files.values())
    assert b"The Hall" in everything  # the custom field the config names (calendar.location_field)
    assert b"07700" not in everything and b"Private notes" not in everything
    assert b"An idea in the inbox" not in everything
    assert b"drafts/" not in everything  # drafts are off unless site.publish_drafts
