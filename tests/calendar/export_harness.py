"""The CalDAV tests' harness: otg in a temp folder with the events board as an export file, and
what the server holds, read without our client (plain HTTP and ``icalendar``).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import pytest
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
    server_events,
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
    caldav_extra: list[str] = field(default_factory=list)  # more [calendar.caldav] lines

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
        lines += self.caldav_extra
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


def caldav_outcomes(report: Report) -> list[tuple[str, str, str]]:
    return [(o.kind, o.key, o.status) for o in report.outcomes if o.target == "caldav"]


def otg_at(tmp_path: Path, calendar_url: str, monkeypatch: pytest.MonkeyPatch) -> Otg:
    """otg set up against the calendar at ``calendar_url``; records the CalDAV client each run
    makes (the ``otg`` fixture, on the server of the run)."""
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
