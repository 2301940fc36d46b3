"""The iCalendar feed: what a calendar client needs, byte-identical reruns, safe writes."""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime, timedelta

import pytest
from icalendar import Calendar, vDuration

import jobs.sync
from config import load_config
from sync.calendar import ical
from sync.calendar.feed import FeedError, write_if_changed
from sync.calendar.plan import calendar_records, plan_events
from sync.state.store import State
from tests.calendar.test_mapping import CFG, LONDON, NOW, board, card

NASTY = "Breakfast, lunch; and\nBEGIN:VEVENT\r\nUID:evil\\ 🎄 café"


def feed_for(*cards) -> bytes:
    records = calendar_records({}, plan_events([board(*cards)], {}, cfg=CFG, tz=LONDON, now=NOW))
    return ical.calendar(records.values(), name="OTG", refresh_minutes=60, timezone="Europe/London")


def check_feed(content: bytes) -> Calendar:
    """What a calendar client needs, checked by hand: the library's own validation is weak."""
    for line in content.split(b"\r\n"):
        assert len(line) <= 75, line
    assert content.endswith(b"END:VCALENDAR\r\n") and b"\n" not in content.replace(b"\r\n", b"")
    cal = Calendar.from_ical(content)
    assert cal["VERSION"] == "2.0" and cal["PRODID"]
    assert not cal.errors
    for event in cal.walk("VEVENT"):
        assert not event.errors, event.errors
        for required in ("UID", "DTSTAMP", "DTSTART", "SEQUENCE"):
            assert required in event
        assert ("DTEND" in event) != ("DURATION" in event)
        assert event["STATUS"] in ("TENTATIVE", "CONFIRMED", "CANCELLED")
        assert event["DTSTAMP"].dt.tzinfo is not None
    return cal


def test_events_parse_back_with_everything_a_client_needs():
    cal = check_feed(feed_for(card("c1"), card("c2", state="planning", name="Planning meeting")))
    events = cal.walk("VEVENT")
    assert [str(e["UID"]) for e in events] == ["trello-c1@oneteamgov.uk", "trello-c2@oneteamgov.uk"]
    assert events[0]["DTSTART"].dt == datetime(2026, 12, 2, 8, tzinfo=UTC)
    assert str(events[1]["STATUS"]) == "TENTATIVE"
    assert cal["X-WR-CALNAME"] == "OTG"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H" in feed_for(card())
    assert b"X-PUBLISHED-TTL:PT1H" in feed_for(card())


def test_special_characters_round_trip_without_injecting_anything():
    content = feed_for(card(name=NASTY, desc=NASTY, location_name="Café; Leeds, UK"))
    [event] = check_feed(content).walk("VEVENT")
    assert str(event["SUMMARY"]) == NASTY.replace("\r\n", "\n")  # line ends normalised
    assert str(event["LOCATION"]) == "Café; Leeds, UK"
    assert str(event["DESCRIPTION"]).startswith(NASTY.replace("\r\n", "\n"))
    assert [str(e["UID"]) for e in Calendar.from_ical(content).walk("VEVENT")] == [
        "trello-c1@oneteamgov.uk"
    ]


def test_all_day_events_are_dates_with_an_exclusive_end():
    [event] = check_feed(feed_for(card(custom_fields={"All day": True}))).walk("VEVENT")
    assert (event["DTSTART"].dt, event["DTEND"].dt) == (date(2026, 12, 2), date(2026, 12, 3))
    assert b"DTSTART;VALUE=DATE:20261202" in feed_for(card(custom_fields={"All day": True}))


def test_the_same_records_give_the_same_bytes():
    assert feed_for(card("c1"), card("c2")) == feed_for(card("c2"), card("c1"))


def test_the_feed_is_written_atomically_and_only_when_it_changes(tmp_path):
    path = tmp_path / "public" / "events.ics"
    assert write_if_changed(path, b"one") is True
    stamp = path.stat().st_mtime_ns
    assert write_if_changed(path, b"one") is False
    assert path.stat().st_mtime_ns == stamp
    assert write_if_changed(path, b"two", dry_run=True) is True and path.read_bytes() == b"one"
    assert write_if_changed(path, b"two") is True and path.read_bytes() == b"two"
    assert [p.name for p in path.parent.iterdir()] == ["events.ics"]  # no temp files left


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_a_read_only_folder_is_a_clear_error(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    with pytest.raises(FeedError, match=r"cannot write the feed .* make the folder writable"):
        write_if_changed(folder / "events.ics", b"x")


def test_a_folder_that_cannot_be_made_is_a_clear_error(tmp_path):
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(FeedError) as caught:
        write_if_changed(tmp_path / "file" / "events.ics", b"x")
    assert str(caught.value).startswith(f"cannot write the feed {tmp_path}/file/events.ics: ")


def demo_config(write_config, tmp_path, extra=""):
    from tests.conftest import DEMO_BOARDS

    return load_config(
        write_config(f"""
        state_db = "state.db"
        [boards.events]
        role = "events"
        source = "{DEMO_BOARDS / "events.json"}"
        [calendar]
        domain = "oneteamgov.uk"
        {extra}
    """)
    )


def test_an_unreadable_card_entry_in_an_export_cancels_no_event(write_config, tmp_path):
    """One entry of the export replaced by junk: that card cannot be told from a deleted one,
    so no event is cancelled for it (the board says so); the export whole again without the
    card does cancel its event."""
    from tests.conftest import DEMO_BOARDS

    export = json.loads((DEMO_BOARDS / "events.json").read_text(encoding="utf-8"))
    source = tmp_path / "events.json"
    source.write_text(json.dumps(export), encoding="utf-8")
    cfg = load_config(
        write_config(f"""
        state_db = "state.db"
        [boards.events]
        role = "events"
        source = "{source}"
        [calendar]
        domain = "oneteamgov.uk"
    """)
    )
    feed = tmp_path / "out" / "events.ics"
    with State(cfg.state_db) as state:
        assert jobs.sync.run(cfg, state, now=NOW).counts()["create"] == 13
        before = feed.read_bytes()
        gone = next(c for c in export["cards"] if f"trello-{c['id']}@".encode() in before)
        junk = {**export, "cards": [7 if c is gone else c for c in export["cards"]]}
        source.write_text(json.dumps(junk), encoding="utf-8")
        partial = jobs.sync.run(cfg, state, now=NOW + timedelta(days=1))
        assert partial.counts().get("cancel", 0) == 0, partial.outcomes
        assert any("no usable id" in w and "no event is cancelled" in w for w in partial.warnings)
        assert feed.read_bytes() == before
        without = {**export, "cards": [c for c in export["cards"] if c is not gone]}
        source.write_text(json.dumps(without), encoding="utf-8")
        whole = jobs.sync.run(cfg, state, now=NOW + timedelta(days=2))
    assert [(o.kind, o.title) for o in whole.outcomes if o.kind == "cancel"] == [
        ("cancel", gone["name"])
    ]


def test_the_demo_feed_rerun_is_byte_identical_and_writes_nothing(write_config, tmp_path):
    cfg = demo_config(write_config, tmp_path)
    with State(cfg.state_db) as state:
        first = jobs.sync.run(cfg, state, now=NOW)
        content = (tmp_path / "out" / "events.ics").read_bytes()
        second = jobs.sync.run(cfg, state, now=NOW.replace(day=22))
    assert first.counts()["create"] == 13 and first.counts()["write"] == 1
    assert second.outcomes == [] and (tmp_path / "out" / "events.ics").read_bytes() == content
    cal = check_feed(content)
    by_name = {str(e["SUMMARY"]): e for e in cal.walk("VEVENT")}
    meetup = by_name["Global OneTeamGov online meetup"]  # the day the clocks go back
    assert meetup["DTSTART"].dt == datetime(2026, 10, 25, 9, tzinfo=UTC)
    camp = by_name["OTG Camp Edinburgh"]  # all-day, in local days
    assert (camp["DTSTART"].dt, camp["DTEND"].dt) == (date(2026, 10, 3), date(2026, 10, 5))


def test_a_feed_failure_leaves_the_other_targets_and_reports_one_line(write_config, tmp_path):
    (tmp_path / "out").write_text("a file where the folder should be")
    cfg = demo_config(write_config, tmp_path)
    with State(cfg.state_db) as state:
        report = jobs.sync.run(cfg, state, now=NOW)
    assert report.exit_code == 1 and len(report.failures) == 1
    assert report.failures[0].startswith("feed: cannot write the feed ")
    assert report.counts()["create"] == 13  # the records were still made: a rerun writes them


def test_a_folder_that_refuses_writes_is_a_clear_error(tmp_path, monkeypatch):
    """As root (CI) permissions do not bite, so the refusal is simulated where it would happen."""

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("sync.files.tempfile.mkstemp", refuse)
    with pytest.raises(FeedError) as caught:
        write_if_changed(tmp_path / "events.ics", b"x")
    assert str(caught.value) == (
        f"cannot write the feed {tmp_path}/events.ics: Permission denied "
        "— make the folder writable by the user otg-sync runs as, or set calendar.feed / "
        "output_dir in the config"
    )


def test_an_unchanged_night_does_not_even_render_the_feed(write_config, tmp_path, monkeypatch):
    cfg = demo_config(write_config, tmp_path)
    with State(cfg.state_db) as state:
        jobs.sync.run(cfg, state, now=NOW)

        def no_rendering(*args, **kwargs):
            raise AssertionError("the feed was rendered again")

        monkeypatch.setattr("sync.calendar.ical.calendar", no_rendering)
        assert jobs.sync.run(cfg, state, now=NOW).outcomes == []
        (tmp_path / "out" / "events.ics").write_bytes(b"edited by hand")
        monkeypatch.undo()
        repaired = jobs.sync.run(cfg, state, now=NOW)
    assert [o.kind for o in repaired.outcomes] == ["write"]  # a changed file is put right


# -- boards that cannot be read ------------------------------------------------------------------

OTHER_BOARD = "6a6f9afcda5639cd533c0b0b"


def other_board_export(path, *, broken=False):
    """A second events board, as an export file (``broken``: cut off mid-way, unreadable)."""
    lists = [{"id": "6a6f9afcda5639cd533c0c01", "name": "Confirmed", "closed": False, "pos": 1}]
    cards = [
        {
            "id": f"6a6f9afcda5639cd533c0d0{n}",
            "idBoard": OTHER_BOARD,
            "idList": lists[0]["id"],
            "name": f"Breakfast in Truro #{n}",
            "desc": "",
            "closed": False,
            "start": f"2026-12-1{n}T08:00:00.000Z",
            "due": f"2026-12-1{n}T09:30:00.000Z",
            "idLabels": [],
            "labels": [],
            "idMembers": [],
            "shortLink": f"Tr{n:06d}",
            "url": f"https://trello.com/c/Tr{n:06d}/{n}",
            "pos": n,
        }
        for n in (1, 2)
    ]
    text = json.dumps(
        {"id": OTHER_BOARD, "name": "Cornwall events", "closed": False, "lists": lists}
        | {"cards": cards, "actions": [], "labels": [], "members": [], "checklists": []}
    )
    path.write_text(text[: len(text) // 2] if broken else text, encoding="utf-8")


def two_boards_config(write_config, tmp_path):
    """The demo events board and a second one, read from cornwall.json."""
    return demo_config(
        write_config,
        tmp_path,
        extra=f"""
        [boards.cornwall]
        role = "events"
        source = "{tmp_path / "cornwall.json"}"
        """,
    )


def feed_summaries(path) -> list[str]:
    return sorted(str(e["SUMMARY"]) for e in check_feed(path.read_bytes()).walk("VEVENT"))


def cornwall_only_config(write_config, tmp_path):
    """One events board, read from cornwall.json."""
    return load_config(
        write_config(f"""
        state_db = "state.db"
        [boards.cornwall]
        role = "events"
        source = "{tmp_path / "cornwall.json"}"
        [calendar]
        domain = "oneteamgov.uk"
    """)
    )


def test_a_first_sync_that_reads_no_events_board_writes_no_feed(write_config, tmp_path):
    other_board_export(tmp_path / "cornwall.json", broken=True)
    cfg = cornwall_only_config(write_config, tmp_path)
    with State(cfg.state_db) as state:
        report = jobs.sync.run(cfg, state, now=NOW)

    assert report.exit_code == 1
    assert not (tmp_path / "out" / "events.ics").exists()  # no empty calendar for subscribers
    [failure] = report.failures  # the board's: the run fails (exit 1)
    assert failure.startswith('board "cornwall": ')
    assert report.warnings == ["feed: events.ics left as it was: no events board could be read"]
    assert [o.kind for o in report.outcomes] == []


def test_a_feed_is_left_exactly_as_it_was_when_no_events_board_can_be_read(write_config, tmp_path):
    other_board_export(tmp_path / "cornwall.json")
    cfg = two_boards_config(write_config, tmp_path)
    with State(cfg.state_db) as state:
        assert jobs.sync.run(cfg, state, now=NOW).exit_code == 0
    feed = tmp_path / "out" / "events.ics"
    before = feed.read_bytes()
    (tmp_path / "state.db").unlink()  # a new state database: it knows of no events at all
    other_board_export(tmp_path / "cornwall.json", broken=True)
    cfg = cornwall_only_config(write_config, tmp_path)
    with State(cfg.state_db) as state:
        report = jobs.sync.run(cfg, state, now=NOW.replace(day=22))

    assert report.exit_code == 1
    assert feed.read_bytes() == before
    assert report.warnings == ["feed: events.ics left as it was: no events board could be read"]


def test_the_events_of_a_board_that_cannot_be_read_stay_in_the_feed(write_config, tmp_path):
    other_board_export(tmp_path / "cornwall.json")
    cfg = two_boards_config(write_config, tmp_path)
    feed = tmp_path / "out" / "events.ics"
    with State(cfg.state_db) as state:
        assert jobs.sync.run(cfg, state, now=NOW).exit_code == 0
        everything = feed_summaries(feed)
        assert "Breakfast in Truro #1" in everything and len(everything) == 15
        other_board_export(tmp_path / "cornwall.json", broken=True)

        report = jobs.sync.run(cfg, state, now=NOW.replace(day=22))

        assert report.exit_code == 1
        assert [f.split(":")[0] for f in report.failures] == ['board "cornwall"']
        assert feed_summaries(feed) == everything  # left as they were, not cancelled or gone
        assert [o for o in report.outcomes if o.kind != "skip"] == []

        other_board_export(tmp_path / "cornwall.json")
        assert jobs.sync.run(cfg, state, now=NOW.replace(day=23)).outcomes == []


def test_the_feed_made_an_event_at_a_time_is_the_whole_calendar_the_library_renders():
    cards = [card(f"c{i}", name=f"{NASTY} {i}", location_name="Café; Leeds") for i in range(5)]
    records = calendar_records({}, plan_events([board(*cards)], {}, cfg=CFG, tz=LONDON, now=NOW))
    made = ical.calendar(records.values(), name="OTG", refresh_minutes=60, timezone="UTC")
    whole = Calendar()  # as it was made before: every event added to one calendar, then rendered
    for name, value in [
        ("prodid", ical.PRODID),
        ("version", "2.0"),
        ("calscale", "GREGORIAN"),
        ("method", "PUBLISH"),
        ("name", "OTG"),
        ("x-wr-calname", "OTG"),
        ("x-wr-timezone", "UTC"),
    ]:
        whole.add(name, value)
    whole.add("refresh-interval", timedelta(minutes=60), parameters={"VALUE": "DURATION"})
    whole.add("x-published-ttl", vDuration(timedelta(minutes=60)))
    for record in sorted(records.values(), key=ical._sort_key):
        whole.add_component(ical.vevent(record))
    assert made == whole.to_ical()
    assert made.count(b"\r\nBEGIN:VEVENT\r\n") == 5  # NASTY says it too, escaped
