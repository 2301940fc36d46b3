"""Two-way events: a real Radicale on 127.0.0.1 and the stateful Trello fake.

Events someone adds straight to the calendar become cards in the events board's inbox (once),
edits flow both ways with a stated rule when both sides changed, deletions cancel (never delete)
on the other side. Each test syncs through ``jobs.sync.run`` or the CLI and then looks where a
user would: the cards on the (fake) board, the events on the server, the requests written to each,
and the report.
"""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
import requests
from click.testing import CliRunner, Result

import cli
import jobs.events.outbound
import jobs.sync
from config import load_config
from sync import stopping
from sync.calendar.caldav import CalDavClient
from sync.calendar.caldav_target import CalDavTarget
from sync.report import Report
from sync.state.records import SyncedItem
from sync.state.store import State
from sync.trello.api import TrelloApi
from tests.calendar.test_caldav import OnServer, read_calendar
from tests.fakes.trello import FakeClock, FakeTrello
from tests.fakes.trello_state import WALL_CLOCK_BASE
from tests.servers.radicale import PASSWORD, USER, put_event

DOMAIN = "test.oneteamgov.uk"
BOARD_ID = "6a7000000000000000000e01"
LISTS = ["Inbox", "Planning", "Confirmed", "Cancelled", "Done"]
LIST_IDS = {name: f"6a70000000000000000001{i:02x}" for i, name in enumerate(LISTS, start=1)}
START = datetime.fromtimestamp(WALL_CLOCK_BASE, UTC)  # the fake's wall clock at time 0
CARD_POSTS = re.compile(r"^/1/cards$")
CARD_PUTS = re.compile(r"^/1/cards/[0-9a-f]{24}$")
COMMENTS = re.compile(r"^/1/cards/[0-9a-f]{24}/actions/comments$")


def card_id(n: int) -> str:
    return f"6a70000000000000000002{n:02x}"


def board_card(n: int, list_name: str, name: str, start: str, hours: int = 2) -> dict[str, Any]:
    begin = datetime.fromisoformat(start)
    return {
        "id": card_id(n),
        "idBoard": BOARD_ID,
        "idList": LIST_IDS[list_name],
        "name": name,
        "desc": "",
        "closed": False,
        "start": trello_date(begin),
        "due": trello_date(begin + timedelta(hours=hours)),
        "dueComplete": False,
        "dateLastActivity": "2026-11-01T10:00:00.000Z",
        "idLabels": [],
        "labels": [],
        "idMembers": [],
        "shortLink": f"Cd{n:06d}",
        "url": f"https://trello.com/c/Cd{n:06d}/{n}",
        "pos": 1024 * n,
    }


def closed_port_url(url: str) -> str:
    """``url`` on a port of 127.0.0.1 that nothing listens on: the server is down."""
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    return re.sub(r"^http://[^/]+", f"http://127.0.0.1:{port}", url)


def trello_date(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def events_board() -> dict[str, Any]:
    """A small events board as Trello exports it: five lists, two planned events."""
    return {
        "id": BOARD_ID,
        "name": "OneTeamGov Spinoff Events",
        "shortLink": "Ev2wAy01",
        "url": "https://trello.com/b/Ev2wAy01/events",
        "closed": False,
        "lists": [
            {"id": LIST_IDS[name], "idBoard": BOARD_ID, "name": name, "closed": False, "pos": i}
            for i, name in enumerate(LISTS, start=1)
        ],
        "cards": [
            board_card(1, "Confirmed", "Breakfast in Leeds", "2027-01-12T08:00:00+00:00"),
            board_card(2, "Planning", "Camp in Cardiff", "2027-02-03T09:00:00+00:00", 8),
        ],
        "actions": [],
        "labels": [],
        "members": [],
        "checklists": [],
        "customFields": [],
    }


def ical(uid: str, *lines: str, summary: str | None = "Unconference in Bristol") -> str:
    """An event as someone's calendar app writes it (``summary=None``: no SUMMARY at all)."""
    title = f"SUMMARY:{summary}\r\n" if summary is not None else ""
    body = "".join(line + "\r\n" for line in lines)
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Someone//Their app//EN\r\n"
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261120T100000Z\r\n{title}{body}"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )


THEIRS = "bristol-2027@their.app"
THEIRS_EVENT = ical(
    THEIRS,
    "DTSTART:20270120T093000Z",
    "DTEND:20270120T163000Z",
    "LOCATION:The Watershed\\, Bristol",
    "DESCRIPTION:A day of sessions.\\nBring ideas.",
    "LAST-MODIFIED:20261120T100000Z",
)


# -- the harness ---------------------------------------------------------------------------------


@dataclass
class TwoWay:
    """otg in a temp folder, an API events board on the Trello fake, a calendar on Radicale."""

    tmp: Path
    url: str
    fake: FakeTrello
    clock: FakeClock
    conflict: str = "trello"
    source: str = f"trello:{BOARD_ID}"
    extra_calendar: str = ""
    clients: list[CalDavClient] = field(default_factory=list)
    #: what a server less strict than Radicale would hand out: (stored text, served text)
    lax: list[tuple[str, str]] = field(default_factory=list)
    #: the calendar cannot be reached (the config names a closed port on 127.0.0.1)
    down: bool = False

    @property
    def config_path(self) -> Path:
        return self.tmp / "otg.toml"

    @property
    def now(self) -> datetime:
        """The fake's wall clock: Trello stamps its actions with it, so runs use it too."""
        return START + timedelta(seconds=self.clock.now())

    def later(self, **delta: float) -> None:
        self.clock.advance(timedelta(**delta).total_seconds())

    def write(self) -> None:
        if not self.source.startswith("trello:"):
            (self.tmp / self.source).write_text(json.dumps(events_board()), encoding="utf-8")
        self.config_path.write_text(
            "\n".join(
                [
                    'timezone = "Europe/London"',
                    'state_db = "state/otg-state.db"',
                    'output_dir = "out"',
                    "[boards.events]",
                    'role = "events"',
                    f'source = "{self.source}"',
                    "[calendar]",
                    f'domain = "{DOMAIN}"',
                    f'conflict = "{self.conflict}"',
                    self.extra_calendar,
                    "[calendar.caldav]",
                    f'url = "{closed_port_url(self.url) if self.down else self.url}"',
                    f'username = "{USER}"',
                ]
            )
            + "\n",
            encoding="utf-8",
        )

    def sync(self, *, dry_run: bool = False) -> Report:
        """One sync through the job, as `otg sync` runs it; the fake's request log restarts."""
        self.write()
        self.clients.clear()
        self.fake.requests.clear()
        cfg = load_config(self.config_path)
        with State.for_dry_run(cfg.state_db) if dry_run else State(cfg.state_db) as state:
            return jobs.sync.run(cfg, state, now=self.now, dry_run=dry_run)

    def cli(self, *args: str) -> Result:
        """`otg --config otg.toml sync ARGS`, at the fake's time."""
        self.write()
        self.clients.clear()
        self.fake.requests.clear()
        return CliRunner().invoke(
            cli.main, ["--config", str(self.config_path), "sync", *args], catch_exceptions=False
        )

    # -- looking at the results, as a user would ---------------------------------------------

    def cards(self, list_name: str | None = None) -> list[dict[str, Any]]:
        cards = self.fake.export(BOARD_ID)["cards"]
        if list_name is None:
            return cards
        return [c for c in cards if c["idList"] == LIST_IDS[list_name] and not c["closed"]]

    def imported(self) -> dict[str, Any]:
        """The one card made from the calendar (it carries the event's marker)."""
        [found] = [c for c in self.cards() if "otg-uid: " in c["desc"]]
        return found

    def comments(self, card: str) -> list[str]:
        actions = self.fake.export(BOARD_ID)["actions"]
        return [
            a["data"]["text"]
            for a in actions
            if a["type"] == "commentCard" and a["data"]["card"]["id"] == card
        ]

    def calendar(self) -> dict[str, OnServer]:
        return read_calendar(self.url)

    @property
    def caldav_sent(self) -> dict[str, int]:
        """CalDAV requests of the latest run, by method."""
        assert self.clients, "the latest run made no CalDAV client"
        return dict(self.clients[-1].session.sent_by_method)

    @property
    def trello_writes(self) -> list[tuple[str, str]]:
        return [(r.method, r.path) for r in self.fake.writes()]

    def assert_nothing_written(self, report: Report) -> None:
        assert report.exit_code == 0, (report.failures, report.outcomes)
        assert self.trello_writes == []
        assert self.caldav_sent == {"PROPFIND": 1}
        assert [o for o in report.outcomes if o.kind != "skip"] == []

    def items(self, target: str) -> dict[str, SyncedItem]:
        with State(self.tmp / "state" / "otg-state.db") as state:
            return state.items(target)

    # -- what someone does by hand -------------------------------------------------------------

    def trello(self, method: str, path: str, **body: Any) -> dict[str, Any]:
        """A request to Trello as the web app would make it (through the fake)."""
        return self.fake.as_a_user(method, path, **body)

    def put(self, name: str, text: str) -> None:
        put_event(self.url, name, text)

    def delete(self, href: str) -> None:
        """Someone deletes an event in their calendar app."""
        response = requests.delete(urljoin(self.url, href), auth=(USER, PASSWORD), timeout=5)
        assert response.status_code in (200, 204), response.status_code


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    clock = FakeClock()
    monkeypatch.setattr("sync.http.monotonic", clock.now)
    monkeypatch.setattr("sync.http.pause", clock.sleep)
    return clock


@pytest.fixture
def two_way(
    tmp_path: Path, calendar_url: str, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TwoWay]:
    fake = FakeTrello(clock=clock)
    fake.add_board(events_board())
    monkeypatch.setenv("TRELLO_API_KEY", fake.key)
    monkeypatch.setenv("TRELLO_TOKEN", fake.token)
    monkeypatch.setenv("CALDAV_PASSWORD", PASSWORD)
    monkeypatch.chdir(tmp_path)
    env = TwoWay(tmp_path, calendar_url, fake, clock)
    original = jobs.events.outbound.caldav_client

    def serve_laxly(response: requests.Response, *args: Any, **kwargs: Any) -> None:
        if response.request.method == "REPORT":
            for stored, served in env.lax:
                response._content = response.content.replace(stored.encode(), served.encode())

    def recording(cfg: Any, caldav: Any) -> CalDavClient:
        client = original(cfg, caldav)
        client.session.hooks["response"].append(serve_laxly)
        env.clients.append(client)
        return client

    monkeypatch.setattr(jobs.events.outbound, "caldav_client", recording)
    monkeypatch.setattr(jobs.sync, "now_utc", lambda: env.now)  # the CLI's runs too
    with fake.running() as rsps:
        rsps.add_passthru("http://127.0.0.1")
        yield env


def outcomes(report: Report, target: str | None = None) -> list[tuple[str, str, str]]:
    return [
        (o.kind, o.target, o.status)
        for o in report.outcomes
        if o.kind != "skip" and (target is None or o.target == target)
    ]


def conflicts(report: Report) -> list[str]:
    return [o.detail for o in report.outcomes if o.kind == "conflict"]


def import_and_take_over(two_way: TwoWay) -> str:
    """Someone adds THEIRS_EVENT; a sync makes its card, the next records the card's event
    (and leaves the calendar's exactly as it is). Returns the card's id."""
    two_way.put("bristol.ics", THEIRS_EVENT)
    before = two_way.calendar()[THEIRS]
    first = two_way.sync()
    assert first.exit_code == 0, (first.failures, first.outcomes)
    two_way.later(hours=1)
    second = two_way.sync()
    assert second.exit_code == 0, (second.failures, second.outcomes)
    assert two_way.calendar()[THEIRS] == before
    two_way.later(hours=1)
    return two_way.imported()["id"]


def edit_on_calendar(two_way: TwoWay, *lines: str, summary: str) -> None:
    """Someone changes the imported event in their calendar app (which rewrites all of it)."""
    two_way.put("bristol.ics", ical(THEIRS, *lines, "SEQUENCE:2", summary=summary))


def rename_card(two_way: TwoWay, card: str, name: str) -> None:
    two_way.trello("PUT", f"/cards/{card}", name=name)


# -- import once -------------------------------------------------------------------------------


def test_an_event_added_on_the_calendar_becomes_one_card_in_the_inbox(two_way: TwoWay) -> None:
    two_way.put("bristol.ics", THEIRS_EVENT)
    before = two_way.calendar()[THEIRS]

    report = two_way.sync()

    assert report.exit_code == 0, (report.failures, report.outcomes)
    [card] = two_way.cards("Inbox")
    assert card["name"] == "Unconference in Bristol"
    assert (card["start"], card["due"]) == ("2027-01-20T09:30:00.000Z", "2027-01-20T16:30:00.000Z")
    assert card["locationName"] == "The Watershed, Bristol"
    assert card["desc"].startswith("A day of sessions.\nBring ideas.\n\n---\n")
    assert card["desc"].endswith(f"\notg-uid: {THEIRS}")
    assert two_way.trello_writes == [("POST", "/1/cards")]
    [made] = [o for o in report.outcomes if o.kind == "import"]
    assert (made.target, made.status, made.title) == ("trello", "done", "Unconference in Bristol")
    assert made.detail == "new card in Inbox"
    # their event is left exactly as it was on the way in (and our own two are created)
    on_server = two_way.calendar()
    assert on_server[THEIRS] == before
    assert two_way.caldav_sent == {"PROPFIND": 1, "REPORT": 1, "PUT": 2}
    assert sorted(outcomes(report, "caldav")) == [("create", "caldav", "done")] * 2

    two_way.later(hours=1)
    rerun = two_way.sync()

    assert rerun.exit_code == 0, (rerun.failures, rerun.outcomes)
    assert two_way.fake.count("POST", CARD_POSTS) == 0  # imports nothing
    assert two_way.trello_writes == []
    assert len(two_way.cards("Inbox")) == 1
    # the card's event is recorded (and in the feed); the calendar's is not rewritten
    assert two_way.calendar()[THEIRS] == before
    assert two_way.caldav_sent == {"PROPFIND": 1}
    assert outcomes(rerun, "caldav") == []
    assert ("create", "calendar", "done") in outcomes(rerun)

    two_way.later(hours=6)
    two_way.assert_nothing_written(two_way.sync())  # nothing changed: nothing written anywhere
    assert two_way.calendar()[THEIRS] == before


def test_the_cli_dry_run_shows_the_import_and_touches_nothing(two_way: TwoWay) -> None:
    two_way.put("bristol.ics", THEIRS_EVENT)
    before = two_way.calendar()

    result = two_way.cli("--dry-run", "--json")

    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["dry_run"] is True
    [planned] = [o for o in data["outcomes"] if o["kind"] == "import"]
    assert (planned["target"], planned["status"], planned["title"]) == (
        "trello",
        "planned",
        "Unconference in Bristol",
    )
    assert data["counts"]["import"] == 1
    assert two_way.trello_writes == []
    assert two_way.clients[-1].session.writes == 0
    assert two_way.calendar() == before
    assert not (two_way.tmp / "state" / "otg-state.db").exists()

    text = two_way.cli("--dry-run")
    assert "would import     trello       Unconference in Bristol — new card in Inbox" in (
        text.output
    )

    real = two_way.cli("--json")

    assert real.exit_code == 0, real.output
    done = json.loads(real.output)
    assert [o["status"] for o in done["outcomes"] if o["kind"] == "import"] == ["done"]
    assert done["requests"]["trello"] >= 2  # the board read, then the card created
    assert len(two_way.cards("Inbox")) == 1


# -- a crash between the card create and the state update --------------------------------------


def test_a_crash_after_the_card_create_never_makes_a_second_card(
    two_way: TwoWay, monkeypatch: pytest.MonkeyPatch
) -> None:
    two_way.put("bristol.ics", THEIRS_EVENT)
    real_settle = State.settle_intent
    crashed: list[int] = []

    def crash_once(self: State, intent_id: int, status: str, result: dict[str, Any]) -> None:
        if not crashed:
            crashed.append(intent_id)
            raise RuntimeError("killed between the card create and the state update")
        real_settle(self, intent_id, status, result)

    monkeypatch.setattr(State, "settle_intent", crash_once)
    with pytest.raises(RuntimeError, match="killed"):
        two_way.sync()
    monkeypatch.setattr(State, "settle_intent", real_settle)

    assert two_way.fake.count("POST", CARD_POSTS) == 1  # the card was made
    made = two_way.imported()
    with State(two_way.tmp / "state" / "otg-state.db") as state:
        assert [(i.kind, i.key, i.status) for i in state.intents()] == [
            ("trello-card", THEIRS, "pending")
        ]
        assert state.runs()[0].status == "crashed"
    assert THEIRS in two_way.calendar()  # and nothing else was harmed

    two_way.later(minutes=5)
    rerun = two_way.sync()

    assert rerun.exit_code == 0, (rerun.failures, rerun.outcomes)
    assert two_way.fake.count("POST", CARD_POSTS) == 0
    assert [c["id"] for c in two_way.cards("Inbox")] == [made["id"]]
    [found] = [o for o in rerun.outcomes if o.kind == "import"]
    assert (found.key, found.detail) == (made["id"], "found on the board from an earlier run")
    with State(two_way.tmp / "state" / "otg-state.db") as state:
        assert [(i.status, i.result) for i in state.intents()] == [("done", {"card": made["id"]})]
    assert set(two_way.items("calendar-imported")) == {made["id"]}

    two_way.later(minutes=5)
    two_way.sync()  # the event is made ours
    two_way.later(minutes=5)
    two_way.assert_nothing_written(two_way.sync())
    assert len(two_way.cards("Inbox")) == 1


def test_a_lost_reply_to_the_card_create_is_found_on_the_rerun(two_way: TwoWay) -> None:
    two_way.put("bristol.ics", THEIRS_EVENT)
    two_way.fake.fail_after_apply("POST", "/1/cards", requests.ConnectionError)

    report = two_way.sync()

    assert report.exit_code == 1
    [lost] = [o for o in report.outcomes if o.kind == "import"]
    assert lost.status == "failed"
    assert "could not connect" in lost.detail
    assert two_way.fake.count("POST", CARD_POSTS) == 1  # never retried blindly
    assert THEIRS in two_way.calendar()
    made = two_way.imported()  # it did reach Trello

    two_way.later(minutes=5)
    rerun = two_way.sync()

    assert rerun.exit_code == 0, (rerun.failures, rerun.outcomes)
    assert two_way.fake.count("POST", CARD_POSTS) == 0
    assert [c["id"] for c in two_way.cards("Inbox")] == [made["id"]]


SPACED = "Bristol Unconference 2027 {abc}@their.app"  # a UID with spaces in it


def test_a_lost_reply_to_the_create_of_an_event_whose_uid_has_spaces_makes_one_card(
    two_way: TwoWay,
) -> None:
    two_way.put("spaced.ics", THEIRS_EVENT.replace(THEIRS, SPACED))
    two_way.fake.fail_after_apply("POST", "/1/cards", requests.ConnectionError)

    report = two_way.sync()

    assert report.exit_code == 1
    assert two_way.fake.count("POST", CARD_POSTS) == 1
    made = two_way.imported()
    assert made["desc"].endswith(f"\notg-uid: {SPACED}")  # written as it is, spaces and all

    two_way.later(minutes=5)
    rerun = two_way.sync()

    assert rerun.exit_code == 0, (rerun.failures, rerun.outcomes)
    assert two_way.fake.count("POST", CARD_POSTS) == 0  # found by its whole UID, not made again
    assert [c["id"] for c in two_way.cards("Inbox")] == [made["id"]]
    [found] = [o for o in rerun.outcomes if o.kind == "import"]
    assert found.detail == "found on the board from an earlier run"
    two_way.later(minutes=5)
    two_way.sync()  # the event is made ours
    two_way.later(minutes=5)
    two_way.assert_nothing_written(two_way.sync())
    assert len(two_way.cards("Inbox")) == 1
    assert SPACED in two_way.calendar()


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        ([], "a list"),
        ({"name": "no id"}, "an object without an id"),
        ("null", "null"),
    ],
    ids=["a list", "no id", "null"],
)
def test_a_card_create_answered_in_the_wrong_shape_is_one_line_and_found_on_the_rerun(
    two_way: TwoWay, answer: Any, said: str
) -> None:
    """Trello made the card, then answered 200 with JSON that is not a card: the outcome is
    unknown, as with a lost answer. One failed line; the calendar's own work still done; the
    rerun finds the card by its marker and makes no second one."""
    two_way.put("bristol.ics", THEIRS_EVENT)
    two_way.fake.fail_after_apply("POST", "/1/cards", body=answer)

    result = two_way.cli()

    assert result.exit_code == 1, result.output
    assert "unexpected" not in result.output and "Traceback" not in result.output
    [line] = [x for x in result.output.splitlines() if x.startswith("failed ")]
    assert line.endswith(
        f"Unconference in Bristol — Trello answered POST /1/cards with {said} where the new card "
        'belongs (creating card "Unconference in Bristol"): it may have been made — rerun '
        "later: the next sync looks for it before making it again"
    ), line
    assert two_way.fake.count("POST", CARD_POSTS) == 1
    assert two_way.caldav_sent["PUT"] == 2  # the events of the board's cards: the run went on
    made = two_way.imported()
    with State(two_way.tmp / "state" / "otg-state.db") as state:
        assert [(i.key, i.status) for i in state.intents()] == [(THEIRS, "pending")]

    two_way.later(minutes=5)
    rerun = two_way.sync()

    assert rerun.exit_code == 0, (rerun.failures, rerun.outcomes)
    assert two_way.fake.count("POST", CARD_POSTS) == 0
    assert [c["id"] for c in two_way.cards("Inbox")] == [made["id"]]
    with State(two_way.tmp / "state" / "otg-state.db") as state:
        assert [(i.status, i.result) for i in state.intents()] == [("done", {"card": made["id"]})]


def test_a_card_create_that_never_reached_trello_is_made_on_the_rerun(two_way: TwoWay) -> None:
    two_way.put("bristol.ics", THEIRS_EVENT)
    two_way.fake.fail_next("POST", "/1/cards", exception=requests.ConnectionError)

    report = two_way.sync()

    assert report.exit_code == 1
    assert two_way.cards("Inbox") == []
    two_way.later(minutes=5)
    rerun = two_way.sync()

    assert rerun.exit_code == 0, (rerun.failures, rerun.outcomes)
    assert two_way.fake.count("POST", CARD_POSTS) == 1
    assert len(two_way.cards("Inbox")) == 1
    with State(two_way.tmp / "state" / "otg-state.db") as state:
        assert [(i.key, i.status) for i in state.intents()] == [(THEIRS, "done")]  # one intent


# -- edits on each side ------------------------------------------------------------------------


def test_an_edit_on_the_calendar_updates_the_card(two_way: TwoWay) -> None:
    card = import_and_take_over(two_way)
    edit_on_calendar(
        two_way,
        "DTSTART:20270121T090000Z",
        "DTEND:20270121T170000Z",
        "LOCATION:M Shed\\, Bristol",
        summary="Unconference in Bristol (moved)",
    )
    edited = two_way.calendar()[THEIRS]

    report = two_way.sync()

    assert report.exit_code == 0, (report.failures, report.outcomes)
    after = two_way.fake.card(card)
    assert after["name"] == "Unconference in Bristol (moved)"
    assert (after["start"], after["due"]) == (
        "2027-01-21T09:00:00.000Z",
        "2027-01-21T17:00:00.000Z",
    )
    assert after["locationName"] == "M Shed, Bristol"
    assert after["idList"] == LIST_IDS["Inbox"]
    assert two_way.trello_writes == [("PUT", f"/1/cards/{card}")]
    [update] = [o for o in report.outcomes if o.target == "trello"]
    assert (update.kind, update.status) == ("update", "done")
    assert update.fields == ["summary", "start", "end", "location"]
    assert conflicts(report) == []
    assert two_way.calendar()[THEIRS] == edited  # the calendar's edit is not put back
    assert two_way.caldav_sent == {"PROPFIND": 1, "REPORT": 1}

    # card and calendar agree now: no echo of the edit is written back, the feed has it already
    feed = (two_way.tmp / "out" / "events.ics").read_bytes()
    assert b"Unconference in Bristol (moved)" in feed
    for _ in range(2):
        two_way.later(hours=1)
        two_way.assert_nothing_written(two_way.sync())
        assert two_way.calendar()[THEIRS] == edited
        assert (two_way.tmp / "out" / "events.ics").read_bytes() == feed


def test_an_event_cancelled_or_made_tentative_on_the_calendar_moves_its_card(
    two_way: TwoWay,
) -> None:
    card = import_and_take_over(two_way)
    lines = (
        "DTSTART:20270120T093000Z",
        "DTEND:20270120T163000Z",
        "LOCATION:The Watershed\\, Bristol",
    )
    edit_on_calendar(two_way, *lines, "STATUS:TENTATIVE", summary="Unconference in Bristol")

    report = two_way.sync()

    assert report.exit_code == 0, (report.failures, report.outcomes)
    assert two_way.fake.card(card)["idList"] == LIST_IDS["Planning"]
    [update] = [o for o in report.outcomes if o.target == "trello"]
    assert update.fields == ["status"]

    # edited again before the card's move reached the event: the move is no change of the board's
    two_way.later(hours=1)
    edit_on_calendar(two_way, *lines, "STATUS:CANCELLED", summary="Unconference in Bristol")
    again = two_way.sync()
    assert conflicts(again) == []
    assert two_way.fake.card(card)["idList"] == LIST_IDS["Cancelled"]
    two_way.later(hours=1)
    two_way.sync()
    assert two_way.calendar()[THEIRS].status == "CANCELLED"
    two_way.later(hours=1)
    two_way.assert_nothing_written(two_way.sync())


def test_a_new_description_on_the_calendar_is_neither_copied_nor_put_back(two_way: TwoWay) -> None:
    card = import_and_take_over(two_way)
    taken_over = two_way.calendar()[THEIRS].event.to_ical().decode()
    with_notes = taken_over.replace("DESCRIPTION:", "DESCRIPTION:Notes from the organiser. ", 1)
    two_way.put(
        "bristol.ics",
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Someone//App//EN\r\n{with_notes}"
        "END:VCALENDAR\r\n",
    )
    edited = two_way.calendar()[THEIRS]
    desc = two_way.fake.card(card)["desc"]

    report = two_way.sync()

    assert report.exit_code == 0, (report.failures, report.outcomes)
    assert two_way.trello_writes == []
    assert two_way.fake.card(card)["desc"] == desc
    assert two_way.caldav_sent == {"PROPFIND": 1, "REPORT": 1}  # read once, its ETag learnt
    assert two_way.calendar()[THEIRS] == edited
    two_way.later(hours=1)
    two_way.assert_nothing_written(two_way.sync())


def test_an_all_day_event_round_trips_through_its_card_in_summer_time(two_way: TwoWay) -> None:
    two_way.put(
        "camp.ics",
        ical(
            "camp@their.app",
            "DTSTART;VALUE=DATE:20270710",
            "DTEND;VALUE=DATE:20270712",
            summary="Summer camp",
        ),
    )

    two_way.sync()

    [card] = two_way.cards("Inbox")
    # Trello has no all-day dates: from local (BST) midnight to 23:59 on the last day
    assert (card["start"], card["due"]) == ("2027-07-09T23:00:00.000Z", "2027-07-11T22:59:00.000Z")
    before = two_way.calendar()["camp@their.app"]
    two_way.later(hours=1)
    two_way.sync()  # the card reads back as the same all-day event: nothing to write
    assert two_way.calendar()["camp@their.app"] == before
    two_way.trello("PUT", f"/cards/{card['id']}", name="Summer camp (two nights)")
    two_way.later(hours=1)
    two_way.sync()
    event = two_way.calendar()["camp@their.app"]
    assert str(event.event["SUMMARY"]) == "Summer camp (two nights)"
    assert (event.event.start, event.event.end) == (date(2027, 7, 10), date(2027, 7, 12))
    assert event.event["DTSTART"].params.get("VALUE") == "DATE"
    assert event.sequence == 1
    two_way.later(hours=1)
    two_way.assert_nothing_written(two_way.sync())


@pytest.mark.parametrize("change", ["edited", "deleted"])
def test_a_dry_run_of_calendar_news_writes_nothing_anywhere(two_way: TwoWay, change: str) -> None:
    card = import_and_take_over(two_way)
    if change == "edited":
        edit_on_calendar(two_way, "DTSTART:20270120T093000Z", summary="Renamed in the app")
        planned = ("update", "trello", "planned")
    else:
        two_way.delete(two_way.calendar()[THEIRS].href)
        planned = ("cancel", "trello", "planned")
    before = (two_way.calendar(), two_way.fake.card(card), two_way.items("caldav"))

    result = two_way.cli("--dry-run", "--json")

    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert planned in [(o["kind"], o["target"], o["status"]) for o in data["outcomes"]]
    assert two_way.trello_writes == []
    assert two_way.clients[-1].session.writes == 0
    assert (two_way.calendar(), two_way.fake.card(card), two_way.items("caldav")) == before
    assert two_way.comments(card) == []


def test_an_edit_on_the_card_updates_the_imported_event(two_way: TwoWay) -> None:
    card = import_and_take_over(two_way)
    two_way.trello(
        "PUT",
        f"/cards/{card}",
        name="Bristol unconference",
        start="2027-01-27T09:30:00.000Z",
        due="2027-01-27T16:30:00.000Z",
    )

    report = two_way.sync()

    assert report.exit_code == 0, (report.failures, report.outcomes)
    event = two_way.calendar()[THEIRS]  # the same event: their UID, their href
    assert str(event.event["SUMMARY"]) == "Bristol unconference"
    assert event.event.start == datetime(2027, 1, 27, 9, 30, tzinfo=UTC)
    assert event.sequence == 1
    assert str(event.event["DESCRIPTION"]) == "A day of sessions.\nBring ideas."  # theirs, kept
    assert two_way.caldav_sent == {"PROPFIND": 1, "REPORT": 1, "PUT": 1}
    assert two_way.trello_writes == []
    assert outcomes(report, "caldav") == [("update", "caldav", "done")]
    two_way.later(hours=1)
    two_way.assert_nothing_written(two_way.sync())


def test_an_edit_on_the_calendar_to_an_event_made_from_a_card_updates_the_card(
    two_way: TwoWay,
) -> None:
    two_way.sync()
    ours = two_way.calendar()[f"trello-{card_id(1)}@{DOMAIN}"]
    text = ours.event.to_ical().decode().replace("Breakfast in Leeds", "Breakfast in Leeds (full)")
    two_way.put(
        ours.href.rsplit("/", 1)[-1],
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Someone//App//EN\r\n{text}END:VCALENDAR\r\n",
    )
    two_way.later(hours=1)

    report = two_way.sync()

    assert report.exit_code == 0, (report.failures, report.outcomes)
    assert two_way.fake.card(card_id(1))["name"] == "Breakfast in Leeds (full)"
    assert two_way.trello_writes == [("PUT", f"/1/cards/{card_id(1)}")]
    assert two_way.cards("Inbox") == []  # ours, not someone else's: nothing imported


# -- both sides changed: the rule decides, and the conflict is reported -------------------------


@pytest.mark.parametrize(
    ("rule", "calendar_minutes", "winner"),
    [
        ("trello", 10, "board"),
        ("calendar", -10, "calendar"),
        ("newest", 10, "calendar"),
        ("newest", -10, "board"),
    ],
    ids=["trello-wins", "calendar-wins", "newest-calendar-later", "newest-card-later"],
)
def test_a_conflict_is_decided_by_the_rule_and_reported(
    two_way: TwoWay, rule: str, calendar_minutes: int, winner: str
) -> None:
    two_way.conflict = rule
    card = import_and_take_over(two_way)
    rename_card(two_way, card, "Bristol unconference (board)")
    edited_at = two_way.now + timedelta(minutes=calendar_minutes)
    edit_on_calendar(
        two_way,
        "DTSTART:20270120T093000Z",
        "DTEND:20270120T163000Z",
        "LOCATION:The Watershed\\, Bristol",
        f"LAST-MODIFIED:{edited_at:%Y%m%dT%H%M%SZ}",
        summary="Bristol unconference (calendar)",
    )
    two_way.later(minutes=20)
    preview = two_way.sync(dry_run=True)  # says what would be decided, as planned, not done
    assert [(o.kind, o.status) for o in preview.outcomes if o.kind == "conflict"] == [
        ("conflict", "planned")
    ]

    result = two_way.cli()

    assert result.exit_code == 0, result.output
    expected = f"Bristol unconference ({winner})"
    the_rule = "the calendar wins" if winner == "calendar" else "the board wins"
    line = (
        "conflict         calendar     Bristol unconference (calendar) — changed on both sides "
        f"(summary on the calendar); {the_rule} (calendar.conflict = {rule})"
    )
    assert line in result.output.splitlines()
    assert "1 conflict" in result.output.splitlines()[-1]
    with State(two_way.tmp / "state" / "otg-state.db") as state:
        assert state.runs()[0].summary["counts"]["conflict"] == 1  # and in the run history
    assert two_way.fake.card(card)["name"] == expected
    if winner == "board":
        assert two_way.trello_writes == []
        assert str(two_way.calendar()[THEIRS].event["SUMMARY"]) == expected  # put back at once
    else:
        assert two_way.trello_writes == [("PUT", f"/1/cards/{card}")]
        assert str(two_way.calendar()[THEIRS].event["SUMMARY"]) == expected  # left as edited

    two_way.later(hours=1)
    two_way.sync()
    two_way.later(hours=1)
    settled = two_way.sync()
    two_way.assert_nothing_written(settled)
    assert two_way.fake.card(card)["name"] == expected
    assert str(two_way.calendar()[THEIRS].event["SUMMARY"]) == expected


def edit_summary_on_calendar(two_way: TwoWay, uid: str, summary: str) -> None:
    """Someone retitles an event in their calendar app, keeping everything else of it."""
    there = two_way.calendar()[uid]
    text = there.event.to_ical().decode()
    text = re.sub(r"SUMMARY:[^\r\n]*", f"SUMMARY:{summary}", text, count=1)
    two_way.put(
        there.href.rsplit("/", 1)[-1],
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Someone//App//EN\r\n{text}END:VCALENDAR\r\n",
    )


@pytest.mark.parametrize(
    ("which", "rule", "winner", "cut_off"),
    [
        ("made-from-a-card", "trello", "board", "server down"),
        ("imported", "trello", "board", "server down"),
        ("made-from-a-card", "calendar", "calendar", "server down"),
        ("imported", "trello", "board", "stop"),
    ],
)
def test_a_card_change_not_yet_written_to_the_calendar_still_conflicts_with_a_calendar_edit(
    two_way: TwoWay, which: str, rule: str, winner: str, cut_off: str, monkeypatch: Any
) -> None:
    # the card is renamed; the sync that records it cannot write the calendar, and meanwhile
    # the event is retitled there: both sides changed since they last agreed
    two_way.conflict = rule
    if which == "imported":
        card, uid = import_and_take_over(two_way), THEIRS
    else:
        two_way.sync()
        card, uid = card_id(1), f"trello-{card_id(1)}@{DOMAIN}"
        two_way.later(hours=1)
    rename_card(two_way, card, "Renamed (board)")
    two_way.down = cut_off == "server down"
    with monkeypatch.context() as patch:
        if cut_off == "stop":  # SIGTERM once the card's event is recorded, before the calendar
            real = CalDavTarget.sync

            def stopped(self: CalDavTarget, *args: Any, **kwargs: Any) -> Any:
                stopping.request_stop()
                return real(self, *args, **kwargs)

            patch.setattr(CalDavTarget, "sync", stopped)
        try:
            cut = two_way.sync()
        finally:
            stopping.reset()
    assert cut.exit_code == 1 and any("CalDAV" in f for f in cut.failures), cut.failures
    assert two_way.fake.card(card)["name"] == "Renamed (board)"
    two_way.down = False
    edit_summary_on_calendar(two_way, uid, "Renamed (calendar)")
    two_way.later(hours=1)

    report = two_way.sync()

    assert report.exit_code == 0, (report.failures, report.outcomes)
    the_rule = "the calendar wins" if winner == "calendar" else "the board wins"
    assert conflicts(report) == [
        f"changed on both sides (summary on the calendar); {the_rule} (calendar.conflict = {rule})"
    ]
    expected = f"Renamed ({winner})"
    assert two_way.fake.card(card)["name"] == expected
    assert str(two_way.calendar()[uid].event["SUMMARY"]) == expected
    two_way.later(hours=1)
    two_way.sync()
    two_way.later(hours=1)
    two_way.assert_nothing_written(two_way.sync())
    assert two_way.fake.card(card)["name"] == expected
    assert str(two_way.calendar()[uid].event["SUMMARY"]) == expected


# -- what otg-sync does not manage is never lost -----------------------------------------------

PARTNER = "partner-meetup-2027@partner.example"
PARTNER_EVENT = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Partner//Their app//EN\r\n"
    "BEGIN:VTIMEZONE\r\nTZID:Europe/London\r\nBEGIN:STANDARD\r\nDTSTART:19701025T020000\r\n"
    "TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"
    "END:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:19700329T010000\r\nTZOFFSETFROM:+0000\r\n"
    "TZOFFSETTO:+0100\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n"
    "END:VTIMEZONE\r\n"
    f"BEGIN:VEVENT\r\nUID:{PARTNER}\r\nDTSTAMP:20261120T100000Z\r\n"
    "DTSTART;TZID=Europe/London:20270126T180000\r\nDTEND;TZID=Europe/London:20270126T200000\r\n"
    "SUMMARY:Partner meetup\r\nLOCATION:Civic Hall\\, Leeds\r\n"
    "DESCRIPTION:Doors at 17:45. Bring a friend.\r\nURL:https://partner.example/meetup\r\n"
    "ORGANIZER;CN=Pat Partner:mailto:pat@partner.example\r\n"
    "ATTENDEE;CN=Sam;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED:mailto:sam@partner.example\r\n"
    "CATEGORIES:Meetup,Leeds\r\nX-PARTNER-ROOM:Room 4\r\nSEQUENCE:0\r\n"
    "BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Meetup in an hour\r\nTRIGGER:-PT1H\r\n"
    "END:VALARM\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)
#: What a partner put in the event that otg-sync does not manage (properties, and the alarm).
THEIRS_ONLY = ("DESCRIPTION", "URL", "ORGANIZER", "ATTENDEE", "CATEGORIES", "X-PARTNER-ROOM")


def partner_parts(on_server: OnServer) -> dict[str, object]:
    event = on_server.event
    parts: dict[str, object] = {name: event[name].to_ical() for name in THEIRS_ONLY}
    parts["ATTENDEE params"] = dict(event["ATTENDEE"].params)
    parts["alarms"] = [(str(a["ACTION"]), a["TRIGGER"].to_ical()) for a in event.walk("VALARM")]
    return parts


def test_an_imported_event_keeps_everything_of_the_partners_and_changes_only_what_the_card_does(
    two_way: TwoWay,
) -> None:
    two_way.put("partner.ics", PARTNER_EVENT)
    imported = two_way.calendar()[PARTNER]
    theirs = partner_parts(imported)
    assert len(theirs["alarms"]) == 1

    for night in range(3):  # the import, then nights with nothing new: never written
        report = two_way.sync()
        assert report.exit_code == 0, (report.failures, report.outcomes)
        assert two_way.calendar()[PARTNER] == imported, f"rewritten on night {night + 1}"
        assert two_way.caldav_sent.get("PUT", 0) == 2 * (night == 0)  # our two cards' events
        two_way.later(hours=24)
    card = two_way.imported()["id"]

    two_way.trello(  # the organiser moves it a day later on the card
        "PUT", f"/cards/{card}", start="2027-01-27T18:00:00.000Z", due="2027-01-27T20:00:00.000Z"
    )
    report = two_way.sync()

    assert report.exit_code == 0, (report.failures, report.outcomes)
    assert outcomes(report, "caldav") == [("update", "caldav", "done")]
    assert two_way.caldav_sent == {"PROPFIND": 1, "REPORT": 1, "PUT": 1}
    moved = two_way.calendar()[PARTNER]
    assert moved.event.start == datetime(2027, 1, 27, 18, tzinfo=UTC)
    assert moved.event.end == datetime(2027, 1, 27, 20, tzinfo=UTC)
    assert moved.sequence == 1  # a significant change: one more than theirs
    assert partner_parts(moved) == theirs  # their description, link, people and alarm are kept
    assert str(moved.event["SUMMARY"]) == "Partner meetup"  # what did not change is theirs too
    assert str(moved.event["LOCATION"]) == "Civic Hall, Leeds"
    assert moved.href == imported.href
    two_way.later(hours=24)
    two_way.assert_nothing_written(two_way.sync())
    assert two_way.calendar()[PARTNER] == moved


def test_an_alarm_added_to_an_event_of_ours_survives_a_change_of_its_card(
    two_way: TwoWay,
) -> None:
    two_way.sync()
    ours = two_way.calendar()[f"trello-{card_id(1)}@{DOMAIN}"]
    alarm = (
        "BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Breakfast\r\nTRIGGER:-PT30M\r\n"
        "END:VALARM\r\n"
    )
    text = (
        ours.event.to_ical().decode().replace("END:VEVENT", alarm + "X-SEEN-BY:Sam\r\nEND:VEVENT")
    )
    two_way.put(
        ours.href.rsplit("/", 1)[-1],
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Someone//App//EN\r\n{text}END:VCALENDAR\r\n",
    )
    two_way.later(hours=1)
    two_way.sync()  # the alarm is noticed, and changes nothing
    rename_card(two_way, card_id(1), "Breakfast in Leeds (new café)")
    two_way.later(hours=1)

    report = two_way.sync()

    assert report.exit_code == 0, (report.failures, report.outcomes)
    after = two_way.calendar()[f"trello-{card_id(1)}@{DOMAIN}"]
    assert str(after.event["SUMMARY"]) == "Breakfast in Leeds (new café)"
    assert after.sequence == 1
    assert [a["TRIGGER"].to_ical() for a in after.event.walk("VALARM")] == [b"-PT30M"]
    assert str(after.event["X-SEEN-BY"]) == "Sam"
    two_way.later(hours=1)
    two_way.assert_nothing_written(two_way.sync())


# -- a calendar edit applied to its card is not written back -------------------------------------


@pytest.mark.parametrize("which", ["imported", "made-from-a-card"])
def test_a_calendar_edit_applied_to_its_card_is_never_written_back(
    two_way: TwoWay, which: str
) -> None:
    if which == "imported":
        card, uid = import_and_take_over(two_way), THEIRS
    else:
        two_way.sync()
        card, uid = card_id(1), f"trello-{card_id(1)}@{DOMAIN}"
        two_way.later(hours=1)
    ours = two_way.calendar()[uid]
    text = ours.event.to_ical().decode()
    text = re.sub(r"DTSTART[^\r\n]*", "DTSTART:20270205T100000Z", text, count=1)
    text = re.sub(r"DTEND[^\r\n]*", "DTEND:20270205T120000Z", text, count=1)
    two_way.put(
        ours.href.rsplit("/", 1)[-1],
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Someone//App//EN\r\n{text}END:VCALENDAR\r\n",
    )
    edited = two_way.calendar()[uid]

    report = two_way.sync()

    assert report.exit_code == 0, (report.failures, report.outcomes)
    assert two_way.fake.card(card)["start"] == "2027-02-05T10:00:00.000Z"
    feed = (two_way.tmp / "out" / "events.ics").read_bytes()
    assert b"DTSTART:20270205T100000Z" in feed  # the feed has the edit in the same run
    puts = []
    for _ in range(3):
        two_way.later(hours=12)
        night = two_way.sync()
        assert night.exit_code == 0, (night.failures, night.outcomes)
        puts.append(two_way.caldav_sent.get("PUT", 0))
        assert [o for o in night.outcomes if o.kind != "skip"] == []
    assert puts == [0, 0, 0]
    assert two_way.calendar()[uid] == edited  # same ETag, same SEQUENCE: not even an echo
    assert (two_way.tmp / "out" / "events.ics").read_bytes() == feed


def test_a_card_change_made_while_the_calendar_won_a_conflict_still_reaches_the_calendar(
    two_way: TwoWay,
) -> None:
    two_way.conflict = "calendar"
    card = import_and_take_over(two_way)
    two_way.trello("PUT", f"/cards/{card}", locationName="M Shed, Bristol")
    edit_on_calendar(
        two_way,
        "DTSTART:20270120T093000Z",
        "DTEND:20270120T163000Z",
        "LOCATION:The Watershed\\, Bristol",
        summary="Bristol unconference (calendar)",
    )

    report = two_way.sync()

    assert report.exit_code == 0, (report.failures, report.outcomes)
    assert two_way.fake.card(card)["name"] == "Bristol unconference (calendar)"
    two_way.later(hours=1)
    two_way.sync()
    event = two_way.calendar()[THEIRS]
    assert str(event.event["SUMMARY"]) == "Bristol unconference (calendar)"
    assert str(event.event["LOCATION"]) == "M Shed, Bristol"  # the card's own change, written
    two_way.later(hours=1)
    two_way.assert_nothing_written(two_way.sync())


# -- deletions on each side ---------------------------------------------------------------------


def test_an_imported_event_deleted_on_the_calendar_cancels_its_card_never_deletes_it(
    two_way: TwoWay,
) -> None:
    card = import_and_take_over(two_way)
    two_way.delete(two_way.calendar()[THEIRS].href)

    report = two_way.sync()

    assert report.exit_code == 0, (report.failures, report.outcomes)
    after = two_way.fake.card(card)
    assert after is not None and not after["closed"]
    assert after["idList"] == LIST_IDS["Cancelled"]
    assert two_way.comments(card) == [
        "The event was deleted from the events calendar, so this card was moved to Cancelled."
    ]
    assert sorted(two_way.trello_writes) == [
        ("POST", f"/1/cards/{card}/actions/comments"),
        ("PUT", f"/1/cards/{card}"),
    ]
    [cancel] = [o for o in report.outcomes if o.target == "trello"]
    assert (cancel.kind, cancel.status) == ("cancel", "done")
    assert THEIRS not in two_way.calendar()  # not recreated
    assert two_way.clients[-1].session.writes == 0

    for _ in range(2):
        two_way.later(hours=1)
        rerun = two_way.sync()
        assert rerun.exit_code == 0, (rerun.failures, rerun.outcomes)
        assert two_way.trello_writes == []
        assert two_way.clients[-1].session.writes == 0
    assert THEIRS not in two_way.calendar()
    assert len(two_way.comments(card)) == 1
    two_way.assert_nothing_written(rerun)


def test_a_failed_move_after_the_comment_is_finished_without_a_second_comment(
    two_way: TwoWay,
) -> None:
    card = import_and_take_over(two_way)
    two_way.delete(two_way.calendar()[THEIRS].href)
    two_way.fake.fail_next("PUT", f"/1/cards/{card}", status=500)

    report = two_way.sync()

    assert report.exit_code == 1
    assert two_way.fake.card(card)["idList"] == LIST_IDS["Inbox"]
    two_way.later(minutes=5)
    rerun = two_way.sync()

    assert rerun.exit_code == 0, (rerun.failures, rerun.outcomes)
    assert two_way.fake.card(card)["idList"] == LIST_IDS["Cancelled"]
    assert len(two_way.comments(card)) == 1
    assert two_way.trello_writes == [("PUT", f"/1/cards/{card}")]


def test_an_event_made_from_a_card_deleted_on_the_calendar_is_put_back(two_way: TwoWay) -> None:
    two_way.sync()
    ours = f"trello-{card_id(1)}@{DOMAIN}"
    two_way.delete(two_way.calendar()[ours].href)
    two_way.later(hours=1)

    report = two_way.sync()

    assert report.exit_code == 0, (report.failures, report.outcomes)
    assert two_way.calendar()[ours].status == "CONFIRMED"
    assert outcomes(report, "caldav") == [("recreate", "caldav", "done")]
    assert two_way.trello_writes == []
    assert two_way.comments(card_id(1)) == []


@pytest.mark.parametrize("which", ["imported", "made-from-a-card"])
def test_a_card_deleted_on_trello_cancels_its_event(two_way: TwoWay, which: str) -> None:
    if which == "imported":
        card, uid = import_and_take_over(two_way), THEIRS
    else:
        two_way.sync()
        card, uid = card_id(1), f"trello-{card_id(1)}@{DOMAIN}"
    before = two_way.calendar()[uid]
    two_way.trello("DELETE", f"/cards/{card}")
    two_way.later(minutes=30)

    report = two_way.sync()

    assert report.exit_code == 0, (report.failures, report.outcomes)
    cancelled = two_way.calendar()[uid]
    assert cancelled.status == "CANCELLED"
    assert cancelled.sequence == before.sequence + 1
    assert cancelled.href == before.href
    assert ("cancel", "calendar", "done") in outcomes(report)
    assert two_way.caldav_sent == {"PROPFIND": 1, "REPORT": 1, "PUT": 1}
    assert two_way.trello_writes == []
    two_way.later(hours=1)
    two_way.assert_nothing_written(two_way.sync())
    assert two_way.calendar()[uid].status == "CANCELLED"


# -- recurring events ---------------------------------------------------------------------------

WEEKLY = "weekly-coffee@their.app"
WEEKLY_EVENT = ical(
    WEEKLY,
    "DTSTART;TZID=Europe/London:20260903T083000",  # Thursdays, begun in summer time (BST)
    "DTEND;TZID=Europe/London:20260903T093000",
    "RRULE:FREQ=WEEKLY;BYDAY=TH",
    "EXDATE;TZID=Europe/London:20261126T083000",  # no coffee on 26 November
    summary="Weekly OneTeamGov coffee",
)


def test_a_recurring_event_is_one_card_at_its_next_occurrence_and_stays_the_calendars(
    two_way: TwoWay,
) -> None:
    two_way.put("weekly.ics", WEEKLY_EVENT)
    series = two_way.calendar()[WEEKLY]

    report = two_way.sync()

    assert report.exit_code == 0, (report.failures, report.outcomes)
    [card] = two_way.cards("Inbox")
    assert card["name"] == "Weekly OneTeamGov coffee"
    # 08:30 London time on Thursday 3 December (26 November is excluded): GMT, so 08:30Z
    assert (card["start"], card["due"]) == ("2026-12-03T08:30:00.000Z", "2026-12-03T09:30:00.000Z")
    assert "Repeats (FREQ=WEEKLY;BYDAY=TH): the card shows the next occurrence" in card["desc"]
    assert card["desc"].endswith(f"otg-uid: {WEEKLY}")

    two_way.later(hours=1)
    rename_card(two_way, card["id"], "Weekly coffee (card renamed)")
    for _ in range(2):
        two_way.later(hours=1)
        rerun = two_way.sync()
        assert rerun.exit_code == 0, (rerun.failures, rerun.outcomes)
        assert two_way.fake.count("POST", CARD_POSTS) == 0
        assert two_way.clients[-1].session.writes == 0
    assert two_way.calendar()[WEEKLY] == series  # the series is never rewritten by otg-sync
    assert len(two_way.cards("Inbox")) == 1

    two_way.later(days=8)  # 3 December is over; the card keeps it until the series changes
    two_way.assert_nothing_written(two_way.sync())
    assert two_way.fake.card(card["id"])["start"] == "2026-12-03T08:30:00.000Z"

    two_way.trello("DELETE", f"/cards/{card['id']}")  # a series is the calendar's to cancel
    two_way.later(hours=1)
    deleted = two_way.sync()
    assert deleted.exit_code == 0, (deleted.failures, deleted.outcomes)
    assert two_way.clients[-1].session.writes == 0
    assert two_way.calendar()[WEEKLY] == series
    assert two_way.cards("Inbox") == []  # and it is not imported again


def test_the_card_of_a_series_follows_an_edit_of_the_series(two_way: TwoWay) -> None:
    two_way.put("weekly.ics", WEEKLY_EVENT)
    two_way.sync()
    card = two_way.imported()["id"]
    two_way.put(
        "weekly.ics", WEEKLY_EVENT.replace("T083000", "T090000").replace("T093000", "T100000")
    )
    two_way.later(hours=1)

    report = two_way.sync()

    assert report.exit_code == 0, (report.failures, report.outcomes)
    after = two_way.fake.card(card)
    assert (after["start"], after["due"]) == (
        "2026-12-03T09:00:00.000Z",
        "2026-12-03T10:00:00.000Z",
    )
    assert two_way.clients[-1].session.writes == 0
    assert "T090000" in two_way.calendar()[WEEKLY].event.to_ical().decode()


# -- boards that cannot be written ---------------------------------------------------------------


def test_an_export_file_board_says_clearly_that_import_is_not_possible(two_way: TwoWay) -> None:
    two_way.source = "events.json"
    two_way.put("bristol.ics", THEIRS_EVENT)
    before = two_way.calendar()[THEIRS]

    result = two_way.cli()

    assert result.exit_code == 0, result.output
    assert (
        "warning: calendar: 1 event added on the calendar cannot be imported: the events board "
        '"OneTeamGov Spinoff Events" is an export file (read-only)'
    ) in result.output.splitlines()
    assert two_way.fake.requests == []  # Trello is not even asked
    assert two_way.calendar()[THEIRS] == before
    assert two_way.clients[-1].session.writes == 2  # our two events, nothing of theirs

    ours = two_way.calendar()[f"trello-{card_id(1)}@{DOMAIN}"]
    text = ours.event.to_ical().decode().replace("Breakfast in Leeds", "Renamed in the app")
    two_way.put(
        ours.href.rsplit("/", 1)[-1],
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Someone//App//EN\r\n{text}END:VCALENDAR\r\n",
    )
    edited = two_way.cli()

    assert edited.exit_code == 0, edited.output
    assert (
        'warning: calendar: "Renamed in the app" was edited on the calendar (summary), but board '
        '"OneTeamGov Spinoff Events" is an export file: the board\'s version is put back'
    ) in edited.output.splitlines()
    put_back = two_way.calendar()[f"trello-{card_id(1)}@{DOMAIN}"]
    assert str(put_back.event["SUMMARY"]) == "Breakfast in Leeds"
    assert two_way.fake.requests == []


def test_a_calendar_edit_waits_while_its_board_cannot_be_read(two_way: TwoWay) -> None:
    card = import_and_take_over(two_way)
    edit_on_calendar(
        two_way, "DTSTART:20270121T090000Z", "DTEND:20270121T170000Z", summary="Moved a day"
    )
    edited = two_way.calendar()[THEIRS]
    two_way.fake.fail_next("GET", f"/1/boards/{BOARD_ID}.*", status=500, times=50)

    down = two_way.sync()

    assert down.exit_code == 1 and len(down.failures) == 1, down.failures
    assert (
        'calendar: "Moved a day" was edited on the calendar (summary, start, end, location), but '
        "its board could not be read this run: left for the next sync"
    ) in down.warnings
    assert two_way.calendar()[THEIRS] == edited  # not put back: the edit is not lost
    assert two_way.trello_writes == []

    two_way.fake.clear_faults()  # Trello is back
    two_way.later(hours=1)
    up = two_way.sync()

    assert up.exit_code == 0, (up.failures, up.outcomes)
    assert two_way.fake.card(card)["name"] == "Moved a day"
    assert two_way.calendar()[THEIRS] == edited


def test_a_calendar_deletion_waits_while_its_board_cannot_be_read(two_way: TwoWay) -> None:
    card = import_and_take_over(two_way)
    two_way.delete(two_way.calendar()[THEIRS].href)
    two_way.fake.fail_next("GET", f"/1/boards/{BOARD_ID}.*", status=500, times=50)

    down = two_way.sync()

    assert down.exit_code == 1
    assert (
        'calendar: the event of "Unconference in Bristol" was deleted on the calendar, but its '
        "board could not be read this run: left for the next sync"
    ) in down.warnings
    assert THEIRS not in two_way.calendar()  # not put back
    assert two_way.trello_writes == []

    two_way.fake.clear_faults()
    two_way.later(hours=1)
    up = two_way.sync()

    assert up.exit_code == 0, (up.failures, up.outcomes)
    assert two_way.fake.card(card)["idList"] == LIST_IDS["Cancelled"]
    assert len(two_way.comments(card)) == 1
    assert THEIRS not in two_way.calendar()


def test_an_inbox_list_that_is_not_on_the_board_is_one_clear_failure(two_way: TwoWay) -> None:
    two_way.extra_calendar = 'import_list = "Arrivals"'
    two_way.put("bristol.ics", THEIRS_EVENT)
    before = two_way.calendar()[THEIRS]

    report = two_way.sync()

    assert report.exit_code == 1
    assert report.failures == [
        'calendar: board "OneTeamGov Spinoff Events" has no list "Arrivals" for imported events '
        "— create it, or set calendar.import_list"
    ]
    assert two_way.trello_writes == []
    assert two_way.calendar()[THEIRS] == before
    assert f"trello-{card_id(1)}@{DOMAIN}" in two_way.calendar()  # the rest still happened


# -- bad input ------------------------------------------------------------------------------------


def test_bad_events_are_handled_reported_and_harm_nothing_else(two_way: TwoWay) -> None:
    enormous = "Agenda. " + "A long session description. " * 800  # over 22,000 characters
    two_way.put(
        "untitled.ics",
        ical("untitled@their.app", "DTSTART:20270201T180000Z", "DURATION:PT1H", summary=None),
    )
    two_way.put(
        "no-end.ics", ical("no-end@their.app", "DTSTART:20270202T180000Z", summary="Drinks")
    )
    two_way.put(
        "enormous.ics",
        ical(
            "enormous@their.app",
            "DTSTART:20270203T090000Z",
            "DURATION:PT8H",
            f"DESCRIPTION:{enormous}",
            summary="Camp",
        ),
    )
    two_way.put(
        "broken.ics",
        ical("broken@lax.server", "DTSTART:20270204T090000Z", summary="Broken on the way"),
    )
    two_way.lax.append(("DTSTART:20270204T090000Z", "DTSTART:the fourth"))
    two_way.put("bristol.ics", THEIRS_EVENT)
    before = two_way.calendar()

    result = two_way.cli()

    assert result.exit_code == 0, result.output
    cards = {c["name"]: c for c in two_way.cards("Inbox")}
    assert set(cards) == {"(untitled event)", "Drinks", "Camp", "Unconference in Bristol"}
    assert (cards["Drinks"]["start"], cards["Drinks"]["due"]) == (
        "2027-02-02T18:00:00.000Z",
        "2027-02-02T20:00:00.000Z",  # no end: the default two hours
    )
    camp = cards["Camp"]["desc"]
    assert len(camp) <= 16384
    assert camp.startswith("Agenda. A long session description.")
    assert "… (cut to fit Trello" in camp
    assert camp.endswith("otg-uid: enormous@their.app")
    lines = result.output.splitlines()
    assert "import           trello       (untitled event) — new card in Inbox; no title" in lines
    assert (
        "import           trello       Drinks — new card in Inbox; no usable end: "
        "120 minutes assumed"
    ) in lines
    assert (
        f"import           trello       Camp — new card in Inbox; its description "
        f"({len(enormous.strip()):,} characters) is cut to fit Trello's 16,384"
    ) in lines
    warnings = [line for line in lines if line.startswith("warning:")]
    assert warnings == [
        f"warning: calendar: the event at {before['broken@lax.server'].href} cannot be read "
        "(has no readable start (DTSTART)); left alone"
    ]
    after = two_way.calendar()
    assert {uid: after[uid] for uid in before} == before  # theirs are not rewritten on the way in
    assert two_way.fake.count("POST", CARD_POSTS) == 4

    two_way.later(hours=1)
    rerun = two_way.sync()

    assert rerun.exit_code == 0, (rerun.failures, rerun.outcomes)
    assert rerun.warnings == []  # the broken event is remembered, not fetched or reported again
    assert two_way.caldav_sent == {"PROPFIND": 1}  # the four imported are not rewritten
    after = two_way.calendar()
    assert {uid: after[uid] for uid in before} == before
    two_way.later(hours=1)
    two_way.assert_nothing_written(two_way.sync())

    two_way.lax.clear()  # fixed on the server: a new ETag, so it is read again
    two_way.put(
        "broken.ics", ical("broken@lax.server", "DTSTART:20270204T093000Z", summary="Fixed")
    )
    two_way.later(hours=1)
    fixed = two_way.sync()
    assert fixed.exit_code == 0, (fixed.failures, fixed.outcomes)
    assert "Fixed" in {c["name"] for c in two_way.cards("Inbox")}


def test_events_already_over_or_cancelled_are_not_imported_and_not_read_again(
    two_way: TwoWay,
) -> None:
    two_way.put("last-week.ics", ical("last-week@their.app", "DTSTART:20261114T090000Z"))
    two_way.put(
        "called-off.ics",
        ical("called-off@their.app", "DTSTART:20270301T090000Z", "STATUS:CANCELLED"),
    )

    report = two_way.sync()

    assert report.exit_code == 0, (report.failures, report.outcomes)
    assert two_way.cards("Inbox") == []
    assert report.warnings == []
    skipped = {(o.key, o.status, o.detail) for o in report.outcomes if o.kind == "skip"}
    assert skipped == {  # every event passed over is reported, with why, once
        ("last-week@their.app", "skipped", "not imported: already over"),
        ("called-off@their.app", "skipped", "not imported: cancelled"),
    }
    assert two_way.caldav_sent["REPORT"] == 1
    two_way.later(hours=1)
    again = two_way.sync()
    two_way.assert_nothing_written(again)  # and not even fetched: no REPORT
    assert [o for o in again.outcomes if o.kind == "skip"] == []  # nor said again


# -- a stop (SIGTERM, Ctrl-C) between calendar changes --------------------------------------------


CARDIFF = "cardiff-2027@their.app"


@pytest.fixture
def stop_after(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """``stop_after("create_card")``: a stop is requested (as SIGTERM does) just after the first
    such request to Trello succeeds, while the run is in the middle of its loop; once."""

    def arrange(method: str) -> None:
        real = getattr(TrelloApi, method)
        stopped: list[bool] = []

        def then_stop(self: TrelloApi, *args: Any, **kwargs: Any) -> Any:
            answer = real(self, *args, **kwargs)
            if not stopped:
                stopped.append(True)
                stopping.request_stop()
            return answer

        monkeypatch.setattr(TrelloApi, method, then_stop)

    stopping.reset()
    yield arrange
    stopping.reset()


def last_run_status(two_way: TwoWay) -> str:
    with State(two_way.tmp / "state" / "otg-state.db") as state:
        return state.runs(limit=1)[0].status


def test_a_stop_between_imports_makes_one_card_and_the_rerun_the_other(
    two_way: TwoWay, stop_after: Any
) -> None:
    two_way.put("bristol.ics", THEIRS_EVENT)
    two_way.put(
        "cardiff.ics",
        ical(CARDIFF, "DTSTART:20270310T093000Z", "DTEND:20270310T163000Z", summary="Cardiff"),
    )
    stop_after("create_card")

    report = two_way.sync()

    assert report.exit_code == 1
    assert len(two_way.cards("Inbox")) == 1  # the card it was on, and no more
    assert two_way.trello_writes == [("POST", "/1/cards")]
    assert "calendar → board: stopped before 1 change; the next sync makes them" in (
        report.failures
    )
    assert last_run_status(two_way) == "interrupted"

    stopping.reset()  # the stop is over: the rerun goes to the end
    two_way.later(hours=1)
    rerun = two_way.sync()

    assert rerun.exit_code == 0, (rerun.failures, rerun.outcomes)
    assert sorted(c["name"] for c in two_way.cards("Inbox")) == [
        "Cardiff",
        "Unconference in Bristol",
    ]
    assert two_way.fake.count("POST", CARD_POSTS) == 1  # the other one, once


def test_a_conflict_left_by_a_stop_is_not_reported_as_decided(
    two_way: TwoWay, stop_after: Any
) -> None:
    two_way.conflict = "calendar"
    two_way.sync()
    for n in (1, 2):  # both sides change both events
        ours = two_way.calendar()[f"trello-{card_id(n)}@{DOMAIN}"]
        name = str(ours.event["SUMMARY"])
        text = ours.event.to_ical().decode().replace(name, f"{name} (calendar)")
        two_way.put(
            ours.href.rsplit("/", 1)[-1],
            f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Someone//App//EN\r\n{text}"
            "END:VCALENDAR\r\n",
        )
        rename_card(two_way, card_id(n), f"{name} (board)")
    two_way.later(hours=1)
    stop_after("update_card")

    report = two_way.sync()

    assert report.exit_code == 1
    assert len(conflicts(report)) == 1  # the one decided; the other is the next run's to decide
    stopping.reset()
    two_way.later(hours=1)
    rerun = two_way.sync()
    assert rerun.exit_code == 0, (rerun.failures, rerun.outcomes)
    assert all(two_way.fake.card(card_id(n))["name"].endswith("(calendar)") for n in (1, 2))


def test_a_stop_between_calendar_edits_applies_one_and_keeps_the_other_for_the_rerun(
    two_way: TwoWay, stop_after: Any
) -> None:
    two_way.sync()
    for n in (1, 2):
        ours = two_way.calendar()[f"trello-{card_id(n)}@{DOMAIN}"]
        name = str(ours.event["SUMMARY"])
        text = ours.event.to_ical().decode().replace(name, f"{name} (moved)")
        two_way.put(
            ours.href.rsplit("/", 1)[-1],
            f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Someone//App//EN\r\n{text}"
            "END:VCALENDAR\r\n",
        )
    two_way.later(hours=1)
    stop_after("update_card")

    report = two_way.sync()

    assert report.exit_code == 1
    names = {n: two_way.fake.card(card_id(n))["name"] for n in (1, 2)}
    [done] = [n for n, name in names.items() if name.endswith("(moved)")]  # one card, no more
    [left] = [n for n in (1, 2) if n != done]
    assert two_way.trello_writes == [("PUT", f"/1/cards/{card_id(done)}")]
    assert "calendar → board: stopped before 1 change; the next sync makes them" in (
        report.failures
    )
    # the edit not yet made is not lost: the calendar keeps it, nothing put the card's back
    summary = two_way.calendar()[f"trello-{card_id(left)}@{DOMAIN}"].event["SUMMARY"]
    assert str(summary).endswith("(moved)")

    stopping.reset()
    two_way.later(hours=1)
    rerun = two_way.sync()

    assert rerun.exit_code == 0, (rerun.failures, rerun.outcomes)
    assert all(two_way.fake.card(card_id(n))["name"].endswith("(moved)") for n in (1, 2))
    assert two_way.trello_writes == [("PUT", f"/1/cards/{card_id(left)}")]


# -- times from date custom fields (calendar.start_field / end_field) ---------------------------

FIELD_START, FIELD_END = "6a7000000000000000000f01", "6a7000000000000000000f02"
FIELD_PUTS = re.compile(r"^/1/cards/[0-9a-f]{24}/customField/[0-9a-f]{24}/item$")
#: Card 1 from 18:00 to 20:00 on Thursday 14 January 2027, in "Event start" and "Event end".
EVENING_FIELDS = {FIELD_START: "2027-01-14T18:00:00.000Z", FIELD_END: "2027-01-14T20:00:00.000Z"}


def date_field(field_id: str, name: str) -> dict[str, Any]:
    return {"id": field_id, "idModel": BOARD_ID, "modelType": "board", "name": name, "type": "date"}


def with_date_fields(two_way: TwoWay, values: dict[str, str], *, fields: str = "both") -> None:
    """The events board with two date custom fields, "Event start" and "Event end", and card 1's
    values in them (field id → ISO date); the config uses them (both, or only the start)."""
    board = events_board()
    board["customFields"] = [
        date_field(FIELD_START, "Event start"),
        date_field(FIELD_END, "Event end"),
    ]
    board["cards"][0]["customFieldItems"] = [
        {
            "id": f"6a7000000000000000000e{i:02x}",
            "idCustomField": field_id,
            "idModel": card_id(1),
            "modelType": "card",
            "value": {"date": value},
        }
        for i, (field_id, value) in enumerate(values.items(), start=10)
    ]
    two_way.fake.add_board(board)
    two_way.extra_calendar = 'start_field = "Event start"' + (
        '\nend_field = "Event end"' if fields == "both" else ""
    )


def field_value(two_way: TwoWay, card: str, field_id: str) -> str | None:
    items = two_way.fake.card(card)["customFieldItems"]
    found = [i["value"]["date"] for i in items if i["idCustomField"] == field_id and i["value"]]
    return found[0] if found else None


def edit_times_on_calendar(two_way: TwoWay, uid: str, *lines: str) -> OnServer:
    """Someone moves an event of ours in their calendar app; returns it as the server has it."""
    ours = two_way.calendar()[uid]
    text = ours.event.to_ical().decode()
    text = re.sub(r"DTSTART[^\r\n]*\r\n", "", text, count=1)
    text = re.sub(r"DTEND[^\r\n]*\r\n", "", text, count=1)
    text = text.replace("END:VEVENT", "".join(f"{line}\r\n" for line in lines) + "END:VEVENT")
    two_way.put(
        ours.href.rsplit("/", 1)[-1],
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Someone//App//EN\r\n{text}END:VCALENDAR\r\n",
    )
    return two_way.calendar()[uid]


def move_on_calendar_an_hour_later(two_way: TwoWay, uid: str, *lines: str) -> OnServer:
    """An hour after the last sync, :func:`edit_times_on_calendar`."""
    two_way.later(hours=1)
    return edit_times_on_calendar(two_way, uid, *lines)


def assert_quiet_twice(two_way: TwoWay, uid: str, edited: OnServer) -> None:
    """The next two syncs write nothing on either side, and the calendar keeps the edit."""
    for _ in range(2):
        two_way.later(hours=12)
        night = two_way.sync()
        assert night.exit_code == 0, (night.failures, night.outcomes, night.warnings)
        assert two_way.fake.count("PUT") == 0
        assert two_way.trello_writes == []
        assert two_way.caldav_sent.get("PUT", 0) == 0
        assert [o for o in night.outcomes if o.kind != "skip"] == []
        assert night.warnings == []
        assert two_way.calendar()[uid] == edited


def test_a_calendar_edit_of_times_from_custom_fields_is_written_to_those_fields(
    two_way: TwoWay,
) -> None:
    with_date_fields(two_way, EVENING_FIELDS)
    two_way.sync()
    uid = f"trello-{card_id(1)}@{DOMAIN}"
    assert two_way.calendar()[uid].event.start == datetime(2027, 1, 14, 18, 0, tzinfo=UTC)
    edited = move_on_calendar_an_hour_later(
        two_way, uid, "DTSTART:20270115T180000Z", "DTEND:20270115T210000Z"
    )

    report = two_way.sync()

    assert report.exit_code == 0, (report.failures, report.outcomes)
    assert report.warnings == []
    assert field_value(two_way, card_id(1), FIELD_START) == "2027-01-15T18:00:00.000Z"
    assert field_value(two_way, card_id(1), FIELD_END) == "2027-01-15T21:00:00.000Z"
    card = two_way.fake.card(card_id(1))  # start and due are not where the times come from
    assert (card["start"], card["due"]) == ("2027-01-12T08:00:00.000Z", "2027-01-12T10:00:00.000Z")
    assert two_way.trello_writes == [
        ("PUT", f"/1/cards/{card_id(1)}/customField/{FIELD_START}/item"),
        ("PUT", f"/1/cards/{card_id(1)}/customField/{FIELD_END}/item"),
    ]
    [update] = [o for o in report.outcomes if o.target == "trello"]
    assert (update.kind, update.status) == ("update", "done")
    assert '"Event start"' in update.detail and '"Event end"' in update.detail
    assert two_way.calendar()[uid] == edited
    assert two_way.caldav_sent.get("PUT", 0) == 0
    assert b"DTSTART:20270115T180000Z" in (two_way.tmp / "out" / "events.ics").read_bytes()
    assert_quiet_twice(two_way, uid, edited)

    # and a later change of the card still reaches the calendar with the calendar's times
    two_way.trello("PUT", f"/cards/{card_id(1)}", name="Breakfast in Leeds (moved)")
    two_way.later(hours=1)
    two_way.sync()
    event = two_way.calendar()[uid].event
    assert str(event["SUMMARY"]) == "Breakfast in Leeds (moved)"
    assert (event.start, event.end) == (
        datetime(2027, 1, 15, 18, 0, tzinfo=UTC),
        datetime(2027, 1, 15, 21, 0, tzinfo=UTC),
    )


def test_an_all_day_calendar_edit_of_times_from_custom_fields_lands_in_local_days(
    two_way: TwoWay,
) -> None:
    # all day on Saturday 10 July 2027 (BST): local 00:00 to 23:59 in the fields
    with_date_fields(
        two_way, {FIELD_START: "2027-07-09T23:00:00.000Z", FIELD_END: "2027-07-10T22:59:00.000Z"}
    )
    two_way.sync()
    uid = f"trello-{card_id(1)}@{DOMAIN}"
    assert two_way.calendar()[uid].event.start == date(2027, 7, 10)
    edited = move_on_calendar_an_hour_later(
        two_way, uid, "DTSTART;VALUE=DATE:20270717", "DTEND;VALUE=DATE:20270719"
    )

    report = two_way.sync()

    assert report.exit_code == 0, (report.failures, report.outcomes)
    assert field_value(two_way, card_id(1), FIELD_START) == "2027-07-16T23:00:00.000Z"
    assert field_value(two_way, card_id(1), FIELD_END) == "2027-07-18T22:59:00.000Z"
    assert two_way.fake.count("PUT", CARD_PUTS) == 0
    assert two_way.fake.count("PUT", FIELD_PUTS) == 2
    assert two_way.calendar()[uid] == edited
    assert_quiet_twice(two_way, uid, edited)


def test_with_only_the_start_from_a_custom_field_each_time_goes_to_its_own_place(
    two_way: TwoWay,
) -> None:
    with_date_fields(two_way, {FIELD_START: "2027-01-12T09:00:00.000Z"}, fields="start")
    two_way.sync()  # from 09:00 in "Event start" to 10:00, the card's due
    uid = f"trello-{card_id(1)}@{DOMAIN}"
    assert two_way.calendar()[uid].event.end == datetime(2027, 1, 12, 10, 0, tzinfo=UTC)
    edited = move_on_calendar_an_hour_later(
        two_way, uid, "DTSTART:20270112T091500Z", "DTEND:20270112T113000Z"
    )

    report = two_way.sync()

    assert report.exit_code == 0, (report.failures, report.outcomes)
    card = two_way.fake.card(card_id(1))
    assert field_value(two_way, card_id(1), FIELD_START) == "2027-01-12T09:15:00.000Z"
    assert (card["start"], card["due"]) == ("2027-01-12T08:00:00.000Z", "2027-01-12T11:30:00.000Z")
    assert field_value(two_way, card_id(1), FIELD_END) is None
    assert two_way.trello_writes == [
        ("PUT", f"/1/cards/{card_id(1)}/customField/{FIELD_START}/item"),
        ("PUT", f"/1/cards/{card_id(1)}"),
    ]
    assert two_way.calendar()[uid] == edited
    assert_quiet_twice(two_way, uid, edited)


def test_a_time_field_that_cannot_be_written_is_one_warning_and_the_edit_waits(
    two_way: TwoWay,
) -> None:
    with_date_fields(two_way, EVENING_FIELDS)
    twin = date_field("6a7000000000000000000f03", "Event start")  # a second field of that name
    board = two_way.fake.state.board(BOARD_ID)
    board.board["customFields"].append(twin)
    board.custom_fields[twin["id"]] = twin
    two_way.sync()
    uid = f"trello-{card_id(1)}@{DOMAIN}"
    edited = move_on_calendar_an_hour_later(
        two_way, uid, "DTSTART:20270115T180000Z", "DTEND:20270115T210000Z"
    )
    warning = (
        'calendar: the event of card "Breakfast in Leeds" was edited on the calendar (start, end), '
        'but its start comes from the custom field "Event start" (calendar.start_field) and board '
        '"OneTeamGov Spinoff Events" has 2 date fields of that name: keep one date field of that '
        "name on the board, or change calendar.start_field; the edit waits for the next sync"
    )

    for _ in range(2):  # said every run until fixed; nothing recorded as agreed meanwhile
        result = two_way.cli()

        assert result.exit_code == 0, result.output
        assert f"warning: {warning}" in result.output.splitlines()
        assert two_way.trello_writes == []
        assert two_way.caldav_sent.get("PUT", 0) == 0
        assert two_way.calendar()[uid] == edited  # not put back: the edit is not lost
        assert field_value(two_way, card_id(1), FIELD_START) == "2027-01-14T18:00:00.000Z"
        two_way.later(hours=1)

    # someone deletes the extra field in Trello: the edit is applied, once
    board.board["customFields"].remove(twin)
    del board.custom_fields[twin["id"]]
    report = two_way.sync()

    assert report.exit_code == 0, (report.failures, report.outcomes)
    assert report.warnings == []
    assert field_value(two_way, card_id(1), FIELD_START) == "2027-01-15T18:00:00.000Z"
    assert field_value(two_way, card_id(1), FIELD_END) == "2027-01-15T21:00:00.000Z"
    assert two_way.fake.count("PUT", FIELD_PUTS) == 2
    assert two_way.calendar()[uid] == edited
    assert_quiet_twice(two_way, uid, edited)


def test_start_and_end_fields_that_name_one_field_are_a_warning_not_a_lost_end(
    two_way: TwoWay,
) -> None:
    with_date_fields(two_way, {FIELD_START: "2027-01-14T18:00:00.000Z"}, fields="start")
    two_way.extra_calendar += '\nend_field = "Event start"'
    two_way.sync()
    uid = f"trello-{card_id(1)}@{DOMAIN}"
    edited = move_on_calendar_an_hour_later(
        two_way, uid, "DTSTART:20270115T180000Z", "DTEND:20270115T210000Z"
    )

    report = two_way.sync()

    assert report.exit_code == 0, (report.failures, report.outcomes)
    [warning] = report.warnings
    assert warning.startswith('calendar: the event of card "Breakfast in Leeds" was edited')
    assert 'calendar.start_field and calendar.end_field are both "Event start"' in warning
    assert two_way.trello_writes == []
    assert two_way.calendar()[uid] == edited


def test_a_time_field_write_that_fails_halfway_is_finished_on_the_rerun(two_way: TwoWay) -> None:
    with_date_fields(two_way, EVENING_FIELDS)
    two_way.sync()
    uid = f"trello-{card_id(1)}@{DOMAIN}"
    edited = move_on_calendar_an_hour_later(  # earlier and longer: 17:00 to 20:30
        two_way, uid, "DTSTART:20270114T170000Z", "DTEND:20270114T203000Z"
    )
    two_way.fake.fail_next("PUT", f"/1/cards/{card_id(1)}/customField/{FIELD_END}/item")

    failed = two_way.sync()

    assert failed.exit_code == 1
    assert outcomes(failed, "trello") == [("update", "trello", "failed")]
    assert field_value(two_way, card_id(1), FIELD_START) == "2027-01-14T17:00:00.000Z"
    assert field_value(two_way, card_id(1), FIELD_END) == "2027-01-14T20:00:00.000Z"
    assert two_way.calendar()[uid] == edited
    two_way.later(minutes=5)

    rerun = two_way.sync()

    assert rerun.exit_code == 0, (rerun.failures, rerun.outcomes)
    assert conflicts(rerun) == []  # the card's new start is the calendar's own edit
    assert field_value(two_way, card_id(1), FIELD_END) == "2027-01-14T20:30:00.000Z"
    assert two_way.calendar()[uid] == edited
    assert_quiet_twice(two_way, uid, edited)


# -- a card that cannot take the calendar's edit -------------------------------------------------

ALL_DAY_LABEL, ALL_DAY_FIELD = "6a7000000000000000000d01", "6a7000000000000000000f03"


@pytest.mark.parametrize("by", ["label", "checkbox"])
def test_a_timed_edit_of_a_card_made_all_day_is_one_warning_and_never_agreed(
    two_way: TwoWay, by: str
) -> None:
    board = events_board()
    if by == "label":
        label = {"id": ALL_DAY_LABEL, "idBoard": BOARD_ID, "name": "All day", "color": "green"}
        board["labels"] = [label]
        board["cards"][0].update(idLabels=[ALL_DAY_LABEL], labels=[label])
    else:
        board["customFields"] = [{**date_field(ALL_DAY_FIELD, "All day"), "type": "checkbox"}]
        board["cards"][0]["customFieldItems"] = [
            {
                "id": "6a7000000000000000000e10",
                "idCustomField": ALL_DAY_FIELD,
                "idModel": card_id(1),
                "modelType": "card",
                "value": {"checked": "true"},
            }
        ]
    two_way.fake.add_board(board)
    two_way.sync()
    uid = f"trello-{card_id(1)}@{DOMAIN}"
    assert two_way.calendar()[uid].event.start == date(2027, 1, 12)
    edited = move_on_calendar_an_hour_later(
        two_way, uid, "DTSTART:20270112T083000Z", "DTEND:20270112T103000Z"
    )
    card_before = two_way.fake.card(card_id(1))
    fix = "remove the label from" if by == "label" else "untick the checkbox on"

    for night in range(2):  # said every run while it waits: never recorded as agreed
        report = two_way.sync()

        assert report.exit_code == 0, (report.failures, report.outcomes)
        assert report.warnings == [
            'calendar: the event of card "Breakfast in Leeds" was edited on the calendar '
            f'(start, end, all_day), but the card is all-day by its {by} "All day" '
            f"(calendar.all_day_{'label' if by == 'label' else 'field'}) and cannot take the "
            f"calendar's times: {fix} the card and set the same times on it, or make the event "
            "all-day again on the calendar; the edit waits for the next sync"
        ], f"night {night + 1}"
        assert two_way.trello_writes == []
        assert two_way.fake.card(card_id(1)) == card_before
        assert two_way.calendar()[uid] == edited  # neither put back nor lost
        assert [o for o in report.outcomes if o.kind != "skip"] == []
        two_way.later(hours=12)

    if by == "label":  # made all-day again on the calendar: nothing left to take
        edit_times_on_calendar(
            two_way, uid, "DTSTART;VALUE=DATE:20270112", "DTEND;VALUE=DATE:20270113"
        )
    else:  # unticked, and the card given the calendar's times: they agree, no conflict
        two_way.trello(
            "PUT",
            f"/cards/{card_id(1)}/customField/{ALL_DAY_FIELD}/item",
            value={"checked": "false"},
        )
        two_way.trello(
            "PUT",
            f"/cards/{card_id(1)}",
            start="2027-01-12T08:30:00.000Z",
            due="2027-01-12T10:30:00.000Z",
        )
    two_way.later(hours=1)
    settled = two_way.sync()
    assert settled.exit_code == 0 and settled.warnings == [], settled.warnings
    assert conflicts(settled) == []
    if by == "checkbox":
        assert two_way.calendar()[uid].event.start == datetime(2027, 1, 12, 8, 30, tzinfo=UTC)
        assert two_way.fake.card(card_id(1))["start"] == "2027-01-12T08:30:00.000Z"
    two_way.later(hours=1)
    two_way.sync()
    two_way.later(hours=1)
    two_way.assert_nothing_written(two_way.sync())
