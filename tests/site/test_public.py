"""What the site shows of an event, a draft, a roundup; the [site] section; `otg site` itself."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from config.calendar import CalendarConfig
from config.site import SiteConfig
from sync.calendar.plan import calendar_records, plan_events
from sync.errors import ConfigError
from sync.model import Board, Card, Role
from sync.site.pages import SiteInput, build, when_text
from sync.site.public import front_matter_stripped, public_events
from sync.site.templates import SiteTemplateError
from tests.site.demo import NOW, Page, demo_config

LONDON = ZoneInfo("Europe/London")


def _events(**card) -> tuple[list, CalendarConfig]:
    calendar = CalendarConfig(domain="example.org")
    base = {
        "id": "a" * 24,
        "name": "Breakfast",
        "board_id": "b" * 24,
        "list_id": "l",
        "list_name": "Confirmed",
        "state": "confirmed",
        "start": NOW + timedelta(days=3),
    }
    made = Card(**{**base, **card})
    board = Board(id="b" * 24, name="Events", role=Role.EVENTS, source="x", cards=(made,))
    records = calendar_records({}, plan_events([board], {}, cfg=calendar, tz=LONDON, now=NOW))
    return public_events(records, {made.id: made}, calendar), calendar


def _page(events, calendar, site: SiteConfig | None = None) -> str:
    files = build(SiteInput(site or SiteConfig(), calendar, "Europe/London", events), NOW)
    return files["events.html"].decode()


def test_a_cancelled_event_is_marked_for_as_long_as_the_feed_keeps_it():
    events, calendar = _events()
    board = Board(id="b" * 24, name="Events", role=Role.EVENTS, source="x", cards=())
    stored = {e.key: e.record for e in events}
    later = NOW + timedelta(hours=1)
    changes = plan_events([board], stored, cfg=calendar, tz=LONDON, now=later)
    cancelled = public_events(calendar_records(stored, changes), {}, calendar)
    assert cancelled[0].cancelled
    page = _page(cancelled, calendar)
    assert '<span class="badge">Cancelled</span> Breakfast' in page
    assert "Sign up for" not in page


def test_times_are_in_the_configured_zone_across_the_clock_change():
    summer, _ = _events(start=datetime(2026, 7, 1, 17, 0, tzinfo=UTC))
    assert when_text(summer[0], LONDON) == "Wednesday 1 July 2026, 18:00–20:00 BST"
    assert when_text(summer[0], ZoneInfo("America/Toronto")).endswith("13:00–15:00 EDT")


def test_all_day_and_tentative_events():
    events, calendar = _events(
        list_name="Planning",
        state="planning",
        start=datetime(2026, 12, 5, 0, 0, tzinfo=UTC),
        due=datetime(2026, 12, 6, 23, 59, tzinfo=UTC),
    )
    assert when_text(events[0], LONDON) == "Saturday 5 December 2026 to Sunday 6 December 2026"
    page = _page(events, calendar)
    assert '<time datetime="2026-12-05">' in page and "(to be confirmed)" in page


def test_a_map_link_only_where_the_card_has_coordinates():
    events, calendar = _events(location_name="The Lighthouse", coordinates=(55.86, -4.25))
    assert "mlat=55.86&amp;mlon=-4.25" in _page(events, calendar)
    assert "Map of The Lighthouse" in _page(events, calendar)
    assert "openstreetmap" not in _page(events, calendar, SiteConfig(map_url=""))
    plain, calendar = _events(location_name="The Lighthouse")
    assert "Map of" not in _page(plain, calendar)


def test_an_editors_template_replaces_the_bundled_one_by_name(tmp_path):
    (tmp_path / "event.html.j2").write_text(
        '<li data-uid="{{ event.uid }}">{{ event.title }} ({{ event.when }})</li>\n'
    )
    events, calendar = _events(name="<b>Breakfast</b>")
    files = build(
        SiteInput(SiteConfig(), calendar, "Europe/London", events, templates=tmp_path), NOW
    )
    assert "<li data-uid=" in files["events.html"].decode()
    assert "&lt;b&gt;Breakfast&lt;/b&gt; (" in files["events.html"].decode()
    assert Page(files["index.html"].decode()).problems == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{{ nonsense.x }}", "event.html.j2, line 1: 'nonsense' is undefined"),
        ("{% if %}", "line 1: Expected an expression"),
        ("{{ ''.__class__.__mro__ }}", "event.html.j2, line 1"),
    ],
)
def test_a_broken_template_is_one_line(tmp_path, text, message):
    (tmp_path / "event.html.j2").write_text(text)
    events, calendar = _events()
    with pytest.raises(SiteTemplateError) as caught:
        build(SiteInput(SiteConfig(), calendar, "Europe/London", events, templates=tmp_path), NOW)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_front_matter_is_left_out_of_a_roundup():
    assert front_matter_stripped('---\ntitle: "x"\n---\n\n# X\n') == "# X\n"
    assert front_matter_stripped("# X\n") == "# X\n"


def test_the_site_section_defaults_and_problems(tmp_path):
    cfg = demo_config(tmp_path / "a", "")
    assert cfg.site.configured and cfg.site.dir == "site" and not cfg.site.publish_drafts
    with pytest.raises(ConfigError) as caught:
        demo_config(
            tmp_path / "b",
            'dir = "../x"\nbase_url = "http://x.org"\npast_days = 0\nmap_url = "x"\npublsh = 1\n',
        )
    text = str(caught.value)
    for key in ("site.dir", "site.base_url", "site.past_days", "site.map_url"):
        assert key in text
    assert 'site.publsh: unknown key (did you mean "publish_drafts"?)' in text


def test_no_site_table_means_no_site_step(tmp_path):
    cfg = demo_config(tmp_path / "c", "")
    raw_without = {k: v for k, v in cfg.raw.items() if k != "site"}
    from config.loader import build_config

    assert not build_config(raw_without, cfg.path, environ={}).site.configured


def test_the_date_of_an_all_day_event_is_its_own(tmp_path):
    events, _ = _events(
        start=datetime(2026, 12, 5, 0, 0, tzinfo=UTC), due=datetime(2026, 12, 5, 23, 59, tzinfo=UTC)
    )
    assert events[0].start == date(2026, 12, 5)
    assert when_text(events[0], LONDON) == "Saturday 5 December 2026 (all day)"
