"""The two-way tests' harness: otg in a temp folder, an API events board on the stateful Trello
fake, a calendar on the real server; and what a user does by hand on either side.
"""

from __future__ import annotations

import json
import re
import socket
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import requests
from click.testing import CliRunner, Result

import cli
import jobs.events.outbound
import jobs.sync
from config import load_config
from sync.calendar.caldav import CalDavClient
from sync.report import Report
from sync.state.records import SyncedItem
from sync.state.store import State
from tests.calendar.export_harness import OnServer, read_calendar
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
