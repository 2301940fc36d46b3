"""The CalDAV target against a real Radicale server on 127.0.0.1 (started by ``conftest.py``).

Each test writes an events board as a Trello export file, syncs it with ``otg sync`` (the job, or
the CLI), and then reads the calendar back from the server with plain HTTP and ``icalendar``, to
check what an organiser would see in their calendar app.
"""

from __future__ import annotations

import http.server
import json
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import pytest
import requests
from click.testing import CliRunner, Result
from icalendar import Calendar, Event

import cli
import jobs.events.outbound
import jobs.sync
from config import load_config
from sync.calendar.caldav import CalDavClient
from sync.http import PoliteSession
from sync.report import Report
from sync.state.records import SyncedItem
from sync.state.store import State
from tests.servers.radicale import (
    PASSWORD,
    USER,
    RadicaleServer,
    put_event,
    server_events,
    vcalendar,
)

DOMAIN = "test.oneteamgov.uk"
LONG_DOMAIN = "spinoff-events.calendar.oneteamgov.example.org.uk"  # folds the UID line
BOARD_ID = "6a6f9afcda5639cd533ceee8"
LISTS = ["Proposed", "Planning", "Confirmed", "Cancelled", "Done"]
LIST_IDS = {name: f"6a6f9b3e{i:016x}" for i, name in enumerate(LISTS, start=1)}
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
KEEP_CANCELLED_DAYS = 30


def card_id(n: int) -> str:
    return f"6b{n:022x}"


def uid(n: int, domain: str = DOMAIN) -> str:
    return f"trello-{card_id(n)}@{domain}"


def card(
    n: int,
    list_name: str = "Confirmed",
    *,
    start: str | None = None,
    hours: int = 2,
    desc: str = "",
) -> dict[str, Any]:
    """An event card as Trello exports it: the n-th event, on day 10 + n of January 2027."""
    begin = datetime.fromisoformat(start) if start else datetime(2027, 1, 10 + n, 8, tzinfo=UTC)
    return {
        "id": card_id(n),
        "idBoard": BOARD_ID,
        "idList": LIST_IDS[list_name],
        "name": f"OneTeamGov breakfast #{n}",
        "desc": desc,
        "closed": False,
        "start": _trello_date(begin),
        "due": _trello_date(begin + timedelta(hours=hours)),
        "dueComplete": False,
        "dateLastActivity": "2026-11-20T10:00:00.000Z",
        "idLabels": [],
        "labels": [],
        "idMembers": [],
        "shortLink": f"Ev{n:06d}",
        "url": f"https://trello.com/c/Ev{n:06d}/{n}-oneteamgov-breakfast",
        "pos": 1024 * n,
    }


def _trello_date(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def delete_action(n: int) -> dict[str, Any]:
    return {
        "id": f"6c{n:022x}",
        "idMemberCreator": "5a1c3e407b2d4f6a8c9e0b11",
        "type": "deleteCard",
        "date": "2026-11-30T12:00:00.000Z",
        "data": {
            "card": {"id": card_id(n), "idShort": n, "shortLink": f"Ev{n:06d}"},
            "list": {"id": LIST_IDS["Confirmed"], "name": "Confirmed"},
            "board": {"id": BOARD_ID, "name": "OneTeamGov Spinoff Events"},
        },
    }


# -- what the server holds, read without our client --------------------------------------------


@dataclass(frozen=True)
class OnServer:
    href: str
    etag: str
    event: Event

    @property
    def sequence(self) -> int:
        return int(self.event.get("SEQUENCE", 0))

    @property
    def status(self) -> str:
        return str(self.event.get("STATUS", ""))


def read_calendar(url: str) -> dict[str, OnServer]:
    """UID → the event on the server. Fails if a UID is there twice or a resource is odd."""
    found: dict[str, OnServer] = {}
    uids: Counter[str] = Counter()
    for href, (etag, text) in server_events(url).items():
        events = Calendar.from_ical(text).walk("VEVENT")
        assert len(events) == 1, f"{href} holds {len(events)} events"
        event = events[0]
        assert not event.errors, event.errors
        uids[str(event["UID"])] += 1
        found[str(event["UID"])] = OnServer(unquote(urlsplit(href).path), etag, event)
    assert all(n == 1 for n in uids.values()), f"duplicate UIDs: {uids}"
    return found


def href_of(calendar_url: str, event_uid: str) -> str:
    return unquote(urlsplit(calendar_url).path + quote(event_uid, safe="") + ".ics")


# -- otg in a temp folder, with the board as an export file ------------------------------------


@dataclass
class Otg:
    """otg in a temp folder: edit ``cards``, ``actions`` or the caldav settings, then sync."""

    tmp: Path
    url: str  # calendar.caldav.url
    calendar: str = ""  # calendar.caldav.calendar
    username: str = USER
    domain: str = DOMAIN
    cards: dict[str, dict[str, Any]] = field(default_factory=dict)
    actions: list[dict[str, Any]] = field(default_factory=list)
    clients: list[CalDavClient] = field(default_factory=list)
    hooks: list[Callable[..., Any]] = field(default_factory=list)

    @property
    def config_path(self) -> Path:
        return self.tmp / "otg.toml"

    def add(self, *cards: dict[str, Any]) -> None:
        for item in cards:
            self.cards[item["id"]] = item

    def write(self) -> None:
        """The board export, and a config pointing at the calendar."""
        board = {
            "id": BOARD_ID,
            "name": "OneTeamGov Spinoff Events",
            "url": f"https://trello.com/b/Vh0W8cwT/{BOARD_ID}",
            "closed": False,
            "lists": [
                {"id": LIST_IDS[name], "name": name, "closed": False, "pos": 1024 * i}
                for i, name in enumerate(LISTS, start=1)
            ],
            "cards": list(self.cards.values()),
            "actions": self.actions,
            "labels": [],
            "members": [],
            "checklists": [],
            "customFields": [],
        }
        (self.tmp / "events.json").write_text(json.dumps(board), encoding="utf-8")
        lines = [
            'timezone = "Europe/London"',
            'state_db = "state/otg-state.db"',
            'output_dir = "out"',
            "[boards.events]",
            'role = "events"',
            'source = "events.json"',
            "[calendar]",
            f'domain = "{self.domain}"',
            f"keep_cancelled_days = {KEEP_CANCELLED_DAYS}",
            "[calendar.caldav]",
            f'url = "{self.url}"',
            f'username = "{self.username}"',
        ]
        if self.calendar:
            lines.append(f'calendar = "{self.calendar}"')
        self.config_path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def sync(self, *, now: datetime = NOW, dry_run: bool = False, recreate: bool = False) -> Report:
        """One sync through the job, as `otg sync` runs it."""
        self.write()
        self.clients.clear()
        cfg = load_config(self.config_path)
        with State.for_dry_run(cfg.state_db) if dry_run else State(cfg.state_db) as state:
            return jobs.sync.run(cfg, state, now=now, dry_run=dry_run, recreate_calendar=recreate)

    def cli(self, *args: str) -> Result:
        """`otg --config otg.toml sync ARGS`; the output holds stdout and stderr."""
        self.write()
        self.clients.clear()
        return CliRunner().invoke(
            cli.main, ["--config", str(self.config_path), "sync", *args], catch_exceptions=False
        )

    @property
    def session(self) -> PoliteSession:
        """The CalDAV session of the latest run."""
        assert self.clients, "the latest run made no CalDAV client"
        return self.clients[-1].session

    def state_items(self, target: str = "caldav") -> dict[str, SyncedItem]:
        """What the state database records for ``target`` (card id → item)."""
        with State(self.tmp / "state" / "otg-state.db") as state:
            return state.items(target)


@pytest.fixture
def otg(tmp_path: Path, calendar_url: str, monkeypatch: pytest.MonkeyPatch) -> Otg:
    """otg set up against a fresh calendar; records the CalDAV client each run makes."""
    monkeypatch.setenv("CALDAV_PASSWORD", PASSWORD)
    monkeypatch.chdir(tmp_path)  # no stray .env from the working folder
    env = Otg(tmp_path, calendar_url)
    original = jobs.events.outbound.caldav_client

    def recording(cfg: Any, caldav: Any) -> CalDavClient:
        client = original(cfg, caldav)
        env.clients.append(client)
        for hook in env.hooks:
            client.session.hooks["response"].append(hook)
        return client

    monkeypatch.setattr(jobs.events.outbound, "caldav_client", recording)
    return env


def caldav_outcomes(report: Report) -> list[tuple[str, str, str]]:
    return [(o.kind, o.key, o.status) for o in report.outcomes if o.target == "caldav"]


# -- create, update, cancel, drop --------------------------------------------------------------


def test_first_sync_puts_exactly_our_published_events_on_the_calendar(otg: Otg) -> None:
    otg.add(card(1, "Planning"), card(2, "Confirmed", hours=3), card(3, "Proposed"))

    report = otg.sync()

    assert report.exit_code == 0, report.failures
    on_server = read_calendar(otg.url)
    assert set(on_server) == {uid(1), uid(2)}  # a proposed event is not published
    first, second = on_server[uid(1)], on_server[uid(2)]
    assert first.href == href_of(otg.url, uid(1))
    assert (first.sequence, first.status) == (0, "TENTATIVE")
    assert (second.sequence, second.status) == (0, "CONFIRMED")
    assert first.event.start == datetime(2027, 1, 11, 8, tzinfo=UTC)
    assert first.event.end == datetime(2027, 1, 11, 10, tzinfo=UTC)
    assert second.event.start == datetime(2027, 1, 12, 8, tzinfo=UTC)
    assert second.event.end == datetime(2027, 1, 12, 11, tzinfo=UTC)
    assert str(second.event["SUMMARY"]) == "OneTeamGov breakfast #2"
    assert str(second.event["URL"]) == "https://trello.com/c/Ev000002/2-oneteamgov-breakfast"
    assert sorted(caldav_outcomes(report)) == [
        ("create", card_id(1), "done"),
        ("create", card_id(2), "done"),
    ]
    assert otg.session.sent_by_method == {"PROPFIND": 1, "PUT": 2}
    assert report.requests["caldav"] == 3
    assert set(otg.state_items()) == {card_id(1), card_id(2)}


def test_a_new_time_raises_the_sequence_of_the_same_event(otg: Otg) -> None:
    otg.add(card(1), card(2))
    otg.sync()
    before = read_calendar(otg.url)

    otg.add(card(1, start="2027-01-20T17:30:00+00:00"))
    report = otg.sync()

    assert report.exit_code == 0, report.failures
    after = read_calendar(otg.url)
    assert set(after) == {uid(1), uid(2)}
    moved = after[uid(1)]
    assert moved.sequence == 1
    assert moved.href == before[uid(1)].href
    assert moved.event.start == datetime(2027, 1, 20, 17, 30, tzinfo=UTC)
    assert moved.event.end == datetime(2027, 1, 20, 19, 30, tzinfo=UTC)
    assert after[uid(2)] == before[uid(2)]  # untouched: same ETag, same text
    # the event is read (one REPORT) and written back with the new times in it
    assert otg.session.sent_by_method == {"PROPFIND": 1, "REPORT": 1, "PUT": 1}
    assert caldav_outcomes(report) == [("update", card_id(1), "done")]


def test_a_new_description_updates_the_event_without_raising_the_sequence(otg: Otg) -> None:
    otg.add(card(1, desc="Coffee and pastries."))
    otg.sync()
    before = read_calendar(otg.url)[uid(1)]

    otg.add(card(1, desc="Coffee, pastries and a short talk on service design."))
    report = otg.sync()

    after = read_calendar(otg.url)[uid(1)]
    assert report.exit_code == 0, report.failures
    assert "a short talk on service design" in str(after.event["DESCRIPTION"])
    assert after.sequence == before.sequence == 0
    assert after.href == before.href
    assert after.etag != before.etag
    assert otg.session.sent_by_method == {"PROPFIND": 1, "REPORT": 1, "PUT": 1}


def test_an_all_day_event_is_stored_with_dates(otg: Otg) -> None:
    all_day = {"id": "6a6f9b9e0000000000000001", "name": "All day", "color": "green"}
    otg.add({**card(1, hours=30), "idLabels": [all_day["id"]], "labels": [all_day]})

    otg.sync()

    event = read_calendar(otg.url)[uid(1)].event
    # 08:00 UTC on 11 Jan to 14:00 UTC on 12 Jan: two days, DTEND exclusive
    assert event.start == date(2027, 1, 11)
    assert event.end == date(2027, 1, 13)
    assert event["DTSTART"].params.get("VALUE") == "DATE"


def test_a_server_that_sends_no_etag_with_a_put_still_costs_no_writes_next_time(
    otg: Otg,
) -> None:
    def drop_etag(response: requests.Response, *args: Any, **kwargs: Any) -> None:
        if response.request.method == "PUT":
            response.headers.pop("ETag", None)

    otg.hooks.append(drop_etag)
    otg.add(card(1), card(2))

    otg.sync()

    assert otg.session.sent_by_method == {"PROPFIND": 2, "PUT": 2}  # one more, to learn ETags
    on_server = read_calendar(otg.url)
    assert {item.etag for item in otg.state_items().values()} == {
        event.etag for event in on_server.values()
    }
    otg.sync()
    assert otg.session.sent_by_method == {"PROPFIND": 1}


def _cancel_by_moving(otg: Otg) -> None:
    otg.add(card(1, "Cancelled"))


def _cancel_by_archiving(otg: Otg) -> None:
    otg.cards[card_id(1)]["closed"] = True


def _cancel_by_deleting(otg: Otg) -> None:
    del otg.cards[card_id(1)]
    otg.actions.append(delete_action(1))


@pytest.mark.parametrize(
    "cancel",
    [_cancel_by_moving, _cancel_by_archiving, _cancel_by_deleting],
    ids=["moved-to-cancelled", "archived", "deleted"],
)
def test_a_cancelled_card_is_cancelled_on_the_calendar_then_dropped(
    otg: Otg, cancel: Callable[[Otg], None]
) -> None:
    otg.add(card(1), card(2))
    otg.sync()
    href = read_calendar(otg.url)[uid(1)].href

    cancel(otg)
    report = otg.sync(now=NOW + timedelta(days=1))

    assert report.exit_code == 0, report.failures
    cancelled = read_calendar(otg.url)[uid(1)]
    assert cancelled.status == "CANCELLED"
    assert cancelled.sequence == 1
    assert cancelled.href == href
    assert caldav_outcomes(report) == [("cancel", card_id(1), "done")]

    kept = otg.sync(now=NOW + timedelta(days=KEEP_CANCELLED_DAYS))  # not yet
    assert read_calendar(otg.url)[uid(1)].status == "CANCELLED"
    assert otg.session.writes == 0, kept.outcomes

    report = otg.sync(now=NOW + timedelta(days=KEEP_CANCELLED_DAYS + 2))

    assert report.exit_code == 0, report.failures
    assert set(read_calendar(otg.url)) == {uid(2)}
    assert otg.session.sent_by_method == {"PROPFIND": 1, "DELETE": 1}
    assert caldav_outcomes(report) == [("delete", card_id(1), "done")]
    assert set(otg.state_items()) == {card_id(2)}


# -- idempotence and dry runs ------------------------------------------------------------------


def test_a_second_sync_with_nothing_changed_makes_no_writes(otg: Otg) -> None:
    otg.add(card(1, "Planning"), card(2), card(3, desc="Bring a friend."))
    otg.sync()
    before = read_calendar(otg.url)

    report = otg.sync(now=NOW + timedelta(hours=6))

    assert report.exit_code == 0, report.failures
    assert otg.session.sent_by_method == {"PROPFIND": 1}
    assert otg.session.writes == 0
    assert report.requests["caldav"] == 1
    assert caldav_outcomes(report) == []
    assert read_calendar(otg.url) == before


def test_a_dry_run_touches_nothing_on_the_server(otg: Otg) -> None:
    otg.add(card(1), card(2))

    result = otg.cli("--dry-run")

    assert result.exit_code == 0, result.output
    planned = [line.split() for line in result.output.splitlines() if line.startswith("would")]
    assert [words[:3] for words in planned if words[2] == "caldav"] == [
        ["would", "create", "caldav"]
    ] * 2
    assert read_calendar(otg.url) == {}
    assert otg.session.writes == 0
    assert not (otg.tmp / "state" / "otg-state.db").exists()

    otg.sync()
    before = read_calendar(otg.url)
    otg.add(card(1, start="2027-02-01T08:00:00+00:00"))
    del otg.cards[card_id(2)]

    report = otg.sync(dry_run=True)

    assert sorted(caldav_outcomes(report)) == [
        ("cancel", card_id(2), "planned"),
        ("update", card_id(1), "planned"),
    ]
    assert otg.session.writes == 0
    assert read_calendar(otg.url) == before


# -- other people's events ---------------------------------------------------------------------


def test_someone_elses_events_are_never_changed_or_deleted(otg: Otg) -> None:
    theirs = {
        "standup.ics": vcalendar("standup-1234@example.org", "Team stand-up"),
        # the shape of our UIDs, for a card that is not on our board, at the href we would use
        f"{quote(uid(99), safe='')}.ics": vcalendar(uid(99), "Imported from an old feed"),
    }
    for name, text in theirs.items():
        put_event(otg.url, name, text)
    before = read_calendar(otg.url)
    otg.add(card(1), card(2))

    otg.sync()
    put_event(otg.url, "later.ics", vcalendar("later@example.org", "Added after our sync"))
    before["later@example.org"] = read_calendar(otg.url)["later@example.org"]
    otg.add(card(1, start="2027-03-01T09:00:00+00:00"))
    del otg.cards[card_id(2)]
    otg.sync(now=NOW + timedelta(days=1))
    report = otg.sync(now=NOW + timedelta(days=KEEP_CANCELLED_DAYS + 2))  # drops card 2

    assert report.exit_code == 0, report.failures
    after = read_calendar(otg.url)
    assert set(after) == {*before, uid(1)}
    for their_uid, event in before.items():
        assert after[their_uid] == event  # same href, same ETag, same text


def test_an_event_of_someone_elses_at_our_href_is_left_alone_and_reported(otg: Otg) -> None:
    put_event(otg.url, f"{quote(uid(1), safe='')}.ics", vcalendar("not-ours@example.org", "Hers"))
    before = read_calendar(otg.url)
    otg.add(card(1), card(2))

    report = otg.sync()

    after = read_calendar(otg.url)
    assert after["not-ours@example.org"] == before["not-ours@example.org"]
    assert uid(2) in after  # the others still go on
    assert report.exit_code == 1
    failed = [o for o in report.outcomes if o.status == "failed"]
    assert [(o.key, o.target) for o in failed] == [(card_id(1), "caldav")]
    assert "did not create" in failed[0].detail
    assert set(otg.state_items()) == {card_id(2)}


def test_a_copy_of_our_event_under_another_name_blocks_only_that_event(otg: Otg) -> None:
    # someone imported our feed into the same calendar: our UID, at a name of their app's
    put_event(otg.url, "imported-0001.ics", vcalendar(uid(1), "OneTeamGov breakfast #1"))
    before = read_calendar(otg.url)
    otg.add(card(1), card(2), card(3))

    report = otg.sync()

    after = read_calendar(otg.url)
    assert after[uid(1)] == before[uid(1)]  # their copy is left as it was
    assert {uid(2), uid(3)} <= set(after)  # and the events after it are still created
    assert report.exit_code == 1
    failed = [o for o in report.outcomes if o.status == "failed"]
    assert [o.key for o in failed] == [card_id(1)]
    assert "already has this UID" in failed[0].detail
    assert report.failures == []  # not "the server is gone": one event could not be written


def test_our_event_edited_on_the_calendar_is_put_back(otg: Otg) -> None:
    otg.add(card(1))
    otg.sync()
    ours = read_calendar(otg.url)[uid(1)]
    edited = ours.event.to_ical().decode().replace("OneTeamGov breakfast #1", "Renamed in app")
    put_event(
        otg.url,
        ours.href.rsplit("/", 1)[-1],
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
        f"PRODID:-//Someone//Their app//EN\r\n{edited}END:VCALENDAR\r\n",
    )

    report = otg.sync()

    restored = read_calendar(otg.url)[uid(1)]
    assert str(restored.event["SUMMARY"]) == "OneTeamGov breakfast #1"
    assert caldav_outcomes(report) == [("restore", card_id(1), "done")]
    otg.sync()
    assert otg.session.writes == 0


def test_an_edit_on_the_calendar_during_our_run_is_overwritten_and_said_so(otg: Otg) -> None:
    otg.add(card(1))
    otg.sync()
    ours = read_calendar(otg.url)[uid(1)]
    edited = ours.event.to_ical().decode().replace("OneTeamGov breakfast #1", "Renamed in app")
    body = (
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Someone//App//EN\r\n{edited}END:VCALENDAR\r\n"
    )
    edits: list[str] = []

    def edit_after_our_listing(response: requests.Response, *args: Any, **kwargs: Any) -> None:
        if response.request.method == "PROPFIND" and not edits:
            edits.append(put_event(otg.url, ours.href.rsplit("/", 1)[-1], body))

    otg.hooks.append(edit_after_our_listing)
    otg.add(card(1, start="2027-02-01T08:00:00+00:00"))

    report = otg.sync()

    assert edits, "the calendar was not edited mid-run"
    on_server = read_calendar(otg.url)[uid(1)]
    assert str(on_server.event["SUMMARY"]) == "OneTeamGov breakfast #1"
    assert on_server.event.start == datetime(2027, 2, 1, 8, tzinfo=UTC)
    assert [(o.kind, o.status, o.detail) for o in report.outcomes if o.target == "caldav"] == [
        ("update", "done", "changed on the calendar meanwhile; the board wins")
    ]
    otg.hooks.clear()
    otg.sync()
    assert otg.session.writes == 0


# -- failures: the server going away, crashes, bad settings -------------------------------------


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[RadicaleServer]:
    """A Radicale of this test's own, free to be stopped and started again."""
    server = RadicaleServer(tmp_path / "own-server")
    server.start()
    yield server
    server.stop()


def stop_after_puts(server: RadicaleServer, count: int) -> Callable[..., None]:
    """A response hook that stops ``server`` once it has answered ``count`` PUTs."""
    puts: list[int] = []

    def hook(response: requests.Response, *args: Any, **kwargs: Any) -> None:
        if response.request.method == "PUT":
            response.content  # noqa: B018 - read the answer before the server goes
            puts.append(response.status_code)
            if len(puts) == count:
                server.stop()

    return hook


def test_a_server_going_down_mid_run_is_reported_and_the_rerun_converges(
    otg: Otg, own_server: RadicaleServer
) -> None:
    otg.url = own_server.make_calendar()
    otg.add(*(card(n) for n in range(1, 6)))
    otg.hooks.append(stop_after_puts(own_server, 2))

    report = otg.sync()

    assert report.exit_code == 1
    assert len(report.failures) == 1
    assert "could not connect" in report.failures[0]
    assert "2 more changes not made" in report.failures[0]
    assert [(o.key, o.status) for o in report.outcomes if o.target == "caldav"] == [
        (card_id(1), "done"),
        (card_id(2), "done"),
        (card_id(3), "failed"),
    ]
    assert set(otg.state_items()) == {card_id(1), card_id(2)}  # only what really happened
    with State(otg.tmp / "state" / "otg-state.db") as state:
        assert state.runs()[0].status == "failed"

    otg.hooks.clear()
    own_server.start()
    assert set(read_calendar(otg.url)) == {uid(1), uid(2)}
    report = otg.sync()

    assert report.exit_code == 0, report.failures
    assert set(read_calendar(otg.url)) == {uid(n) for n in range(1, 6)}  # each once
    assert otg.session.sent_by_method == {"PROPFIND": 1, "PUT": 3}
    assert set(otg.state_items()) == {card_id(n) for n in range(1, 6)}
    otg.sync()
    assert otg.session.writes == 0


def test_the_cli_says_what_was_not_done_when_the_server_goes_down(
    otg: Otg, own_server: RadicaleServer
) -> None:
    otg.url = own_server.make_calendar()
    otg.add(card(1), card(2), card(3))
    otg.hooks.append(stop_after_puts(own_server, 1))

    result = otg.cli()

    assert result.exit_code == 1
    lines = result.output.splitlines()
    failed = [line for line in lines if line.startswith("failed:")]
    assert len(failed) == 1, result.output
    assert failed[0].startswith(f"failed: CalDAV: PUT {otg.url}")  # what, where; said once
    assert failed[0].endswith(
        "could not connect — check the network and rerun; nothing was sent; "  # refused
        "1 more change not made, the next sync will make them"
    )
    assert [line.split()[:2] for line in lines if "caldav" in line.split()[1:2]] == [
        ["create", "caldav"],
        ["failed", "caldav"],
    ]
    assert "Traceback" not in result.output


def test_a_server_that_is_down_is_one_clear_line(otg: Otg, own_server: RadicaleServer) -> None:
    otg.url = own_server.make_calendar()
    own_server.stop()
    otg.add(card(1))

    result = otg.cli()

    assert result.exit_code == 1
    failed = [line for line in result.output.splitlines() if line.startswith("failed:")]
    assert failed == [
        f"failed: CalDAV: PROPFIND {otg.url} could not connect — check the network and rerun; "
        "nothing was lost"
    ]


class Crash(Exception):
    """The process dies here."""


@pytest.mark.parametrize("domain", [DOMAIN, LONG_DOMAIN], ids=["short-uid", "folded-uid"])
def test_a_crash_between_the_put_and_the_state_update_is_adopted_on_rerun(
    otg: Otg, monkeypatch: pytest.MonkeyPatch, domain: str
) -> None:
    otg.domain = domain
    otg.add(card(1), card(2))
    real_put_item = State.put_item

    def crash_once(self: State, item: Any) -> None:
        if item.target == "caldav":
            raise Crash("killed after the PUT, before the state update")
        real_put_item(self, item)

    monkeypatch.setattr(State, "put_item", crash_once)
    with pytest.raises(Crash):
        otg.sync()
    monkeypatch.setattr(State, "put_item", real_put_item)
    assert set(read_calendar(otg.url)) == {uid(1, domain)}
    assert otg.state_items() == {}

    report = otg.sync()

    assert report.exit_code == 0, (report.failures, report.outcomes)
    assert set(read_calendar(otg.url)) == {uid(1, domain), uid(2, domain)}
    adopted = [o for o in report.outcomes if o.target == "caldav" and o.key == card_id(1)]
    assert [(o.kind, o.status, o.detail) for o in adopted] == [
        ("create", "done", "found from an earlier run")
    ]
    assert set(otg.state_items()) == {card_id(1), card_id(2)}
    otg.sync()
    assert otg.session.writes == 0


def test_a_wrong_password_is_one_clear_line(otg: Otg, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALDAV_PASSWORD", "not-the-pass-8271")
    otg.add(card(1))

    result = otg.cli()

    assert result.exit_code == 1
    assert "not-the-pass-8271" not in result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if "CALDAV_PASSWORD" in line]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("failed: CalDAV:")
    assert "401" in lines[0] and '"organiser"' in lines[0]
    assert read_calendar(otg.url) == {}


def test_a_missing_password_is_one_clear_line(otg: Otg, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CALDAV_PASSWORD")
    otg.add(card(1))

    result = otg.cli()

    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if "CALDAV_PASSWORD" in line]
    assert lines == [
        "failed: CalDAV: CALDAV_PASSWORD is not set, needed for calendar.caldav — set it in the "
        "environment or in a .env file beside the config"
    ]


class _PlainHandler(http.server.BaseHTTPRequestHandler):
    """A web server that knows nothing of WebDAV: a page at /page/, 404 elsewhere."""

    def _answer(self) -> None:
        body = b"<html><body>Hello</body></html>" if self.path == "/page/" else b"Not found"
        self.send_response(200 if self.path == "/page/" else 404)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_PROPFIND = do_PUT = do_REPORT = _answer

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def plain_http() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _PlainHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    "where", ["server-root", "principal", "missing-calendar", "web-page", "web-404"]
)
def test_a_url_that_is_not_a_caldav_calendar_is_one_clear_line(
    otg: Otg, radicale: RadicaleServer, plain_http: str, where: str
) -> None:
    otg.url = {
        "server-root": radicale.url,
        "principal": f"{radicale.url}{USER}/",
        "missing-calendar": f"{radicale.url}{USER}/no-such-calendar/",
        "web-page": f"{plain_http}/page/",
        "web-404": f"{plain_http}/nothing/",
    }[where]
    otg.add(card(1))

    result = otg.cli()

    assert result.exit_code == 1
    failed = [line for line in result.output.splitlines() if line.startswith("failed:")]
    assert len(failed) == 1, result.output
    assert f"{otg.url} is not a CalDAV calendar" in failed[0]
    assert "set calendar.caldav.url" in failed[0]
    assert "Traceback" not in result.output


WRONG_SHAPES = {
    # a sign-in page in XHTML, passed on by a proxy with the server's 207
    "xhtml-page": '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml">'
    "<body><form>Sign in</form></body></html>",
    # a multistatus that says nothing of the calendar asked about
    "no-entry-for-the-calendar": '<?xml version="1.0"?><d:multistatus xmlns:d="DAV:">'
    "<d:response><d:href>/elsewhere/</d:href><d:propstat><d:prop><d:resourcetype>"
    "<d:collection/></d:resourcetype></d:prop><d:status>HTTP/1.1 200 OK</d:status>"
    "</d:propstat></d:response></d:multistatus>",
}


@pytest.mark.parametrize(
    ("method", "shape"),
    [
        ("PROPFIND", "xhtml-page"),
        ("PROPFIND", "no-entry-for-the-calendar"),
        ("REPORT", "xhtml-page"),
    ],
)
def test_well_formed_xml_of_the_wrong_shape_is_an_unexpected_answer_not_a_wrong_url(
    otg: Otg, method: str, shape: str
) -> None:
    otg.add(card(1))
    otg.sync()
    put_event(otg.url, "standup.ics", vcalendar("standup-1234@example.org", "Team stand-up"))
    before = read_calendar(otg.url)

    def reshape(response: requests.Response, *args: Any, **kwargs: Any) -> None:
        if response.request.method == method and response.status_code == 207:
            response._content = WRONG_SHAPES[shape].encode()

    otg.hooks.append(reshape)
    otg.add(card(1, start="2027-02-01T08:00:00+00:00"))

    result = otg.cli()

    assert result.exit_code == 1
    failed = [line for line in result.output.splitlines() if line.startswith("failed:")]
    assert len(failed) == 1, result.output
    path = urlsplit(otg.url).path
    assert f"the CalDAV server answered {method} {path} with something unexpected" in failed[0]
    assert "no proxy or sign-in page" in failed[0]
    assert "not a CalDAV calendar" not in result.output
    assert "Traceback" not in result.output
    assert otg.session.writes == 0
    assert read_calendar(otg.url) == before

    otg.hooks.clear()
    assert otg.cli().exit_code == 0
    assert read_calendar(otg.url)[uid(1)].event.start == datetime(2027, 2, 1, 8, tzinfo=UTC)


def test_a_wiped_calendar_stops_the_sync_until_recreate_is_asked_for(otg: Otg) -> None:
    otg.add(card(1), card(2, "Planning"))
    otg.sync()
    for href in server_events(otg.url):
        requests.delete(
            urlsplit(otg.url)._replace(path=href).geturl(), auth=(USER, PASSWORD), timeout=5
        ).raise_for_status()

    result = otg.cli()

    assert result.exit_code == 1
    failed = [line for line in result.output.splitlines() if line.startswith("failed:")]
    assert len(failed) == 1, result.output
    assert "--recreate-calendar" in failed[0]
    assert "is empty" in failed[0]
    assert otg.session.writes == 0
    assert read_calendar(otg.url) == {}

    result = otg.cli("--recreate-calendar")

    assert result.exit_code == 0, result.output
    on_server = read_calendar(otg.url)
    assert set(on_server) == {uid(1), uid(2)}
    assert on_server[uid(2)].status == "TENTATIVE"
    otg.cli()
    assert otg.session.writes == 0


def test_the_calendar_is_found_by_its_display_name_under_the_server_root(
    otg: Otg, radicale: RadicaleServer
) -> None:
    name = f"OneTeamGov spinoffs {otg.tmp.name}"  # unique on the shared server
    otg.url = radicale.make_calendar(display_name=name)
    radicale.make_calendar(display_name="Someone's birthdays")
    otg.add(card(1))

    calendar_url, otg.url, otg.calendar = otg.url, radicale.url, name
    report = otg.sync()

    assert report.exit_code == 0, report.failures
    assert set(read_calendar(calendar_url)) == {uid(1)}
    assert otg.clients[-1].url == calendar_url


def test_an_unknown_display_name_lists_the_calendars_there(
    otg: Otg, radicale: RadicaleServer
) -> None:
    name = f"Spinoffs {otg.tmp.name}"
    radicale.make_calendar(display_name=name)
    otg.url, otg.calendar = radicale.url, "No such calendar"
    otg.add(card(1))

    result = otg.cli()

    assert result.exit_code == 1
    failed = [line for line in result.output.splitlines() if line.startswith("failed:")]
    assert len(failed) == 1, result.output
    assert 'no calendar called "No such calendar"' in failed[0]
    assert name in failed[0]


def test_pointing_at_another_calendar_never_writes_to_the_old_one(
    otg: Otg, radicale: RadicaleServer
) -> None:
    otg.add(card(1), card(2))
    otg.sync()
    old_url, old = otg.url, read_calendar(otg.url)
    otg.url = radicale.make_calendar()
    put_event(otg.url, "standup.ics", vcalendar("standup-1234@example.org", "Team stand-up"))

    result = otg.cli()

    assert result.exit_code == 1
    failed = [line for line in result.output.splitlines() if line.startswith("failed:")]
    assert len(failed) == 1, result.output
    assert "another calendar" in failed[0] and "--recreate-calendar" in failed[0]
    assert otg.session.writes == 0
    assert read_calendar(old_url) == old

    result = otg.cli("--recreate-calendar")

    assert result.exit_code == 0, result.output
    assert set(read_calendar(otg.url)) == {"standup-1234@example.org", uid(1), uid(2)}
    assert read_calendar(old_url) == old  # left as it was: we no longer look after it
    otg.cli()
    assert otg.session.writes == 0
