"""The site from the demo boards, read as HTML: every page parses, every internal link resolves,
every event in the feed is on the events page at the same time, the pages are shaped as promised
(one <h1>, headings in order, landmarks, no scripts), and a rebuild writes the same bytes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from defusedxml import ElementTree as ET
from icalendar import Calendar

import jobs.site
from sync.state.store import State
from tests.site.demo import NOW, build_demo, pages


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cfg = build_demo(
        tmp_path_factory.mktemp("site") / "demo",
        'publish_drafts = true\nbase_url = "https://example.org/otg/"\n',
    )
    return cfg.output_dir / "site"


def test_every_page_parses(demo):
    found = pages(demo)
    assert {"index.html", "events.html", "roundups/index.html", "drafts/index.html"} <= set(found)
    for path, page in found.items():
        assert page.problems == [], path


def test_every_internal_link_resolves(demo):
    found = pages(demo)
    checked = 0
    for path, page in found.items():
        for attrs in page.all("a") + page.all("link"):
            href = attrs.get("href") or ""
            parts = urlsplit(href)
            if parts.scheme:
                assert parts.scheme in ("https", "http", "webcal", "mailto"), (path, href)
                continue
            target = (demo / path).parent / unquote(parts.path) if parts.path else demo / path
            target = target.resolve()
            assert target.is_file(), f"{path}: {href} leads nowhere"
            assert demo.resolve() in target.parents, f"{path}: {href} leaves the site"
            if parts.fragment:
                name = target.relative_to(demo.resolve()).as_posix()
                assert parts.fragment in found[name].ids, f"{path}: {href} has no such anchor"
            checked += 1
    assert checked > 50


def _utc(value: datetime | date) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat()


def test_every_event_in_the_feed_is_on_the_page_at_the_same_time(demo):
    feed = Calendar.from_ical((demo / "events.ics").read_bytes())
    page = (demo / "events.html").read_text(encoding="utf-8")
    events = pages(demo)["events.html"]
    items = {a["data-uid"]: a for a in events.all("li") if a.get("data-uid")}
    times = [a["datetime"] for a in events.all("time")]
    shown = 0
    for event in feed.walk("VEVENT"):
        uid, start = str(event["UID"]), event["DTSTART"].dt
        end = event["DTEND"].dt
        ends = (
            end if isinstance(end, datetime) else datetime(end.year, end.month, end.day, tzinfo=UTC)
        )
        if ends < NOW - timedelta(days=90):
            assert uid not in items  # older than site.past_days: only in the feed
            continue
        assert uid in items, f"{event['SUMMARY']} is not on the events page"
        block = page.split(f'data-uid="{uid}"', 1)[1].split("</li>\n<li", 1)[0]
        assert f'<time datetime="{_utc(start)}">' in block
        assert ("Cancelled</span>" in block) == (str(event["STATUS"]) == "CANCELLED")
        shown += 1
    assert shown >= 8 and len(times) >= shown


def test_upcoming_events_by_month_in_the_configured_zone(demo):
    page = (demo / "events.html").read_text(encoding="utf-8")
    coming = page.split('id="upcoming"', 1)[1].split('id="past"', 1)[0]
    assert coming.index("December 2026") < coming.index("January 2027")
    # 08:00 in London on 2 December is 08:00 GMT; the time is shown in the configured zone
    assert "Wednesday 2 December 2026, 08:00–09:00 GMT" in coming
    assert "Sign up for OneTeamGov Breakfast — Leeds" in coming
    assert "Organised by Priya Natarajan" in coming
    assert "openstreetmap.org/?mlat=53.79514&amp;mlon=-1.54582" in coming
    assert 'href="webcal://example.org/otg/events.ics"' in page
    assert 'href="https://example.org/otg/events.ics"' in page


def test_each_event_has_its_own_ics(demo):
    for li in pages(demo)["events.html"].all("li"):
        if li.get("data-uid"):
            anchor = li["id"].removeprefix("event-")
            one = Calendar.from_ical((demo / "events" / f"{anchor}.ics").read_bytes())
            assert [str(e["UID"]) for e in one.walk("VEVENT")] == [li["data-uid"]]


def test_pages_are_accessible_in_shape_and_carry_no_scripts(demo):
    for path, page in pages(demo).items():
        assert page.headings.count(1) == 1, f"{path}: one <h1>"
        assert page.headings[0] == 1, path
        for before, after in zip(page.headings, page.headings[1:], strict=False):
            assert after <= before + 1, f"{path}: heading h{before} then h{after}"
        names = {tag for tag, _ in page.tags}
        assert {"header", "nav", "main", "footer"} <= names, path
        assert "script" not in names and "iframe" not in names, path
        assert not any(a.startswith("on") for _, attrs in page.tags for a in attrs), path
        assert page.all("html")[0]["lang"] == "en"
        for link in page.all("a"):
            assert link.get("href"), path
        assert any(m.get("name") == "viewport" for m in page.all("meta")), path


def test_post_pages_are_articles_for_medium_to_import(demo):
    drafts = sorted(p for p in (demo / "drafts").glob("*.html") if p.name != "index.html")
    roundups = sorted((demo / "roundups").glob("2*.html"))
    assert len(roundups) == 1 and len(drafts) >= 3
    for path in drafts + roundups:
        page = pages(demo)[path.relative_to(demo).as_posix()]
        assert len(page.all("article")) == 1
        canonical = [a["href"] for a in page.all("link") if a.get("rel") == "canonical"]
        assert canonical == [f"https://example.org/otg/{path.relative_to(demo).as_posix()}"]
    index = (demo / "drafts" / "index.html").read_text(encoding="utf-8")
    assert "Waiting to be imported" in index and "Published" in index


def test_the_roundups_atom_feed(demo):
    root = ET.fromstring((demo / "roundups.atom").read_bytes())
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = root.findall("a:entry", ns)
    assert len(entries) == 1
    assert (
        entries[0].find("a:link", ns).get("href")
        == "https://example.org/otg/roundups/2026-11-25.html"
    )
    assert "<h1>" not in entries[0].find("a:content", ns).text
    assert root.find("a:updated", ns).text.startswith("2026-11-25T12:00:00")


def test_a_rebuild_writes_the_same_bytes(demo, tmp_path):
    before = {p: p.read_bytes() for p in demo.rglob("*") if p.is_file()}
    cfg = build_demo(
        tmp_path / "again", 'publish_drafts = true\nbase_url = "https://example.org/otg/"\n'
    )
    again = cfg.output_dir / "site"
    assert {p.relative_to(demo): b for p, b in before.items()} == {
        p.relative_to(again): p.read_bytes() for p in again.rglob("*") if p.is_file()
    }
    with State(cfg.state_db) as state:
        report = jobs.site.run(cfg, state, now=NOW)
    assert report.ok and report.outcomes == []  # nothing changed: nothing written


def test_drafts_stay_off_the_site_unless_publish_drafts(tmp_path):
    cfg = build_demo(tmp_path / "private", "")
    site = cfg.output_dir / "site"
    assert not (site / "drafts").exists()
    titles = ["What I learned shadowing a call centre", "Two weeks on: what happened after"]
    for path in site.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            assert not any(title in text for title in titles), path
            assert "drafts/" not in text, path
            assert 'rel="canonical"' not in text  # no base_url: no canonical links
    assert 'href="events.ics"' in (site / "events.html").read_text(encoding="utf-8")
    assert "webcal://" not in (site / "events.html").read_text(encoding="utf-8")


def test_files_of_an_earlier_build_go_and_others_stay(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "CNAME").write_text("events.example.org\n")
    jobs.site.write_site(site, {"a.html": b"a", "old/b.html": b"b"})
    written, removed = jobs.site.write_site(site, {"a.html": b"a"})
    assert written == [] and removed == ["old/b.html"]
    assert not (site / "old" / "b.html").exists()
    assert (site / "CNAME").read_text() == "events.example.org\n"
