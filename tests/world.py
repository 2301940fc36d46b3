"""One realistic end-to-end setup for the fault and crash tests
(tests/reliability/test_fault_matrix.py, tests/reliability/test_crash.py): every external
service the nightly sync talks to, at once.

- three API boards on the Trello fake: microactions (synthetic), events (four cards, dated from
  ``now``) and content (the demo content board: three cards ready for Medium, one empty);
- the events calendar as a feed file and on a real Radicale (CalDAV), where someone has already
  added an event of their own (so the sync imports it: ``POST /1/cards``);
- Medium on its fake, with ``MEDIUM_TOKEN`` and ``medium.target = "medium"`` (or the drafts
  folder, ``target="drafts"``), and two RSS feeds (the fake's, and a saved one that shows a
  hand-made draft published).

Secrets are in a ``.env`` beside the config, so a subprocess reads the same ones. The helpers
look where a user would: the cards on the board, the events on the server (read with plain HTTP),
the posts on Medium, the files on disk, and the state database.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests
import responses
from icalendar import Calendar

import jobs.ledger
import jobs.sync
from config import Config, load_config
from sync.calendar.caldav_target import TARGET as CALDAV
from sync.calendar.event_cards import MARKER, marker_of
from sync.calendar.inbound import IMPORTED
from sync.calendar.plan import TARGET as EVENTS
from sync.content.plan import INTENT_KIND
from sync.content.plan import TARGET as CONTENT
from sync.report import Report
from sync.state.store import State
from tests.calendar.export_harness import read_calendar
from tests.conftest import DEMO_BOARDS, ROOT, load_json
from tests.fakes.boards import synthetic_board
from tests.fakes.medium import FakeMedium
from tests.fakes.trello import FakeClock, FakeTrello
from tests.fakes.trello_state import WALL_CLOCK_BASE
from tests.servers.radicale import PASSWORD, USER, put_event

DOMAIN = "faults.oneteamgov.uk"
FEED_URL = "https://medium.com/feed/@oneteamgov"
SAVED_FEED_URL = "https://medium.com/feed/oneteamgov-publication"
CONTENT_BOARD = "wkduWOam"
EVENTS_BOARD = "6a7100000000000000000e01"
EVENT_LISTS = ["Inbox", "Planning", "Confirmed", "Cancelled", "Done"]
EVENT_LIST_IDS = {name: f"6a71000000000000000001{i:02x}" for i, name in enumerate(EVENT_LISTS, 1)}
THEIRS = "walk-and-talk-2027@their.app"  # the event someone added straight to the calendar
THEIRS_FILE = "walk-and-talk.ics"
LEEDS = "6a7100000000000000000202"  # "OneTeamGov Breakfast — Leeds", confirmed
BELFAST = "6a7100000000000000000203"  # "Unconference — Belfast", confirmed
EDITED = "OneTeamGov Breakfast — Leeds (moved upstairs)"
DELETED_NOTE = (
    "The event was deleted from the events calendar, so this card was moved to Cancelled."
)
READY = ["What I learned shadowing", "Two weeks on: what happened", 'Notes from "the other side"']
EMPTY_READY = "Small things, done often"
#: The fake's wall clock at time 0, and the moment the world starts: after the newest entry in
#: the demo boards' history, so that the actions our writes add are the newest, as on Trello.
START = datetime.fromtimestamp(WALL_CLOCK_BASE, UTC)
BEGIN = datetime(2026, 12, 8, 2, 0, tzinfo=UTC)


def _trello_date(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def events_board(now: datetime) -> dict[str, Any]:
    """Four spinoff events in the weeks after ``now``: planning, two confirmed, one in the inbox
    (not published)."""
    day = now.replace(hour=8, minute=0, second=0, microsecond=0)
    plans = [
        ("Planning", "OTG Camp Cardiff", 21, 8),
        ("Confirmed", "OneTeamGov Breakfast — Leeds", 9, 2),
        ("Confirmed", "Unconference — Belfast", 30, 6),
        ("Inbox", "Maybe: a walk in Glasgow", 40, 2),
    ]
    cards = []
    for n, (list_name, name, days, hours) in enumerate(plans, start=1):
        begin = day + timedelta(days=days)
        cards.append(
            {
                "id": f"6a71000000000000000002{n:02x}",
                "idBoard": EVENTS_BOARD,
                "idList": EVENT_LIST_IDS[list_name],
                "name": name,
                "desc": f"Come along to {name}.",
                "closed": False,
                "start": _trello_date(begin),
                "due": _trello_date(begin + timedelta(hours=hours)),
                "dueComplete": False,
                "dateLastActivity": "2026-11-01T10:00:00.000Z",
                "idLabels": [],
                "labels": [],
                "idMembers": [],
                "attachments": [],
                "shortLink": f"Fl{n:06d}",
                "url": f"https://trello.com/c/Fl{n:06d}/{n}",
                "pos": 1024 * n,
            }
        )
    return {
        "id": EVENTS_BOARD,
        "name": "OneTeamGov Spinoff Events",
        "shortLink": "FaUlTs01",
        "url": "https://trello.com/b/FaUlTs01/events",
        "closed": False,
        "lists": [
            {"id": EVENT_LIST_IDS[name], "idBoard": EVENTS_BOARD, "name": name, "closed": False}
            | {"pos": i}
            for i, name in enumerate(EVENT_LISTS, start=1)
        ],
        "cards": cards,
        "actions": [],
        "labels": [],
        "members": [],
        "checklists": [],
        "customFields": [],
    }


def their_event(now: datetime) -> str:
    start = (now + timedelta(days=15)).strftime("%Y%m%dT093000Z")
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Someone//Their app//EN\r\n"
        f"BEGIN:VEVENT\r\nUID:{THEIRS}\r\nDTSTAMP:20261120T100000Z\r\nDTSTART:{start}\r\n"
        "DURATION:PT2H\r\nSUMMARY:Walk and talk — Brighton\r\nLOCATION:Brighton seafront\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )


@dataclass
class World:
    tmp: Path
    calendar_url: str
    trello: FakeTrello
    medium: FakeMedium
    clock: FakeClock  # the fake's, and (in-process) our sessions'
    target: str = "medium"
    microactions: str = ""  # the synthetic board's id
    big: bool = False  # see ``build``

    # -- setup ---------------------------------------------------------------------------------

    @classmethod
    def build(
        cls,
        tmp: Path,
        calendar_url: str,
        clock: FakeClock,
        *,
        target: str = "medium",
        feeds: tuple[str, ...] = (FEED_URL, SAVED_FEED_URL),
        big: bool = False,
    ) -> World:
        """``big``: boards as the nightly sync meets them after a while, read the long way (the
        microactions board too big for one request: its cards paged from ``/cards/all``; more
        labels than a nested read returns: ``/labels``), and cancelled events dropped from the
        calendar the next night (``keep_cancelled_days = 0``)."""
        assert clock.now() < 1, "a new world needs a new clock"
        trello, medium = FakeTrello(clock=clock), FakeMedium()
        clock.advance((BEGIN - START).total_seconds())
        now = START + timedelta(seconds=clock.now())
        micro = synthetic_board(12, role="microactions", n_actions=30, seed=8)
        if big:
            trello.max_nested_cards = 10
            micro["labels"] += [
                {"id": f"6a7200000000000000000{n:03x}", "idBoard": micro["id"], "name": f"tag {n}"}
                | {"color": "green"}
                for n in range(60)
            ]
        trello.add_board(micro)
        trello.add_board(events_board(now))
        trello.add_board(load_json(DEMO_BOARDS / "content.json"))
        put_event(calendar_url, THEIRS_FILE, their_event(now))
        world = cls(tmp, calendar_url, trello, medium, clock, target, micro["id"], big)
        world.write_config(feeds)
        return world

    @property
    def now(self) -> datetime:
        """The fake's wall clock: Trello stamps its actions with it, so runs use it too."""
        return START + timedelta(seconds=self.clock.now())

    def later(self, **delta: float) -> None:
        self.clock.advance(timedelta(**delta).total_seconds())

    @property
    def config_path(self) -> Path:
        return self.tmp / "otg.toml"

    @property
    def state_db(self) -> Path:
        return self.tmp / "state" / "otg-state.db"

    @property
    def out(self) -> Path:
        return self.tmp / "out"

    def write_config(self, feeds: tuple[str, ...] = (FEED_URL, SAVED_FEED_URL)) -> None:
        self.config_path.write_text(
            f"""timezone = "Europe/London"
state_db = "state/otg-state.db"
output_dir = "out"

[boards.microactions]
role = "microactions"
source = "trello:{self.microactions}"

[boards.events]
role = "events"
source = "trello:{EVENTS_BOARD}"

[boards.content]
role = "content"
source = "trello:{CONTENT_BOARD}"

[calendar]
domain = "{DOMAIN}"
{"keep_cancelled_days = 0" if self.big else ""}

[calendar.caldav]
url = "{self.calendar_url}"
username = "{USER}"

[medium]
target = "{self.target}"
feeds = {json.dumps(list(feeds))}
canonical_url = "https://oneteamgov.uk/blog/{{slug}}"
""",
            encoding="utf-8",
        )
        self.write_secrets()

    def write_secrets(self) -> None:
        env = self.tmp / ".env"
        env.write_text(
            f"TRELLO_API_KEY={self.trello.key}\nTRELLO_TOKEN={self.trello.token}\n"
            f"MEDIUM_TOKEN={self.medium.token}\nCALDAV_PASSWORD={PASSWORD}\n",
            encoding="utf-8",
        )
        os.chmod(env, 0o600)

    def install(self, rsps: responses.RequestsMock) -> None:
        """Serve Trello, Medium and the feeds on ``rsps``; let the calendar through."""
        self.trello.install(rsps)
        self.medium.install(rsps)
        self.medium.serve_feed(rsps, FEED_URL)
        saved = (ROOT / "tests" / "fixtures" / "medium-feed.xml").read_text(encoding="utf-8")
        rsps.add("GET", SAVED_FEED_URL, body=saved, content_type="text/xml")
        rsps.add_passthru("http://127.0.0.1")

    @contextmanager
    def serving(self) -> Iterator[responses.RequestsMock]:
        with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
            self.install(rsps)
            yield rsps

    # -- running -------------------------------------------------------------------------------

    def config(self) -> Config:
        return load_config(self.config_path)

    def sync(self, **kwargs: Any) -> Report:
        cfg = self.config()
        with State(cfg.state_db) as state:
            return jobs.sync.run(cfg, state, now=self.now, **kwargs)

    def settle_as_an_operator(self) -> list[str]:
        """What an operator does for each pending Medium intent: look on Medium (here: the fake's
        posts) and settle it with the draft's URL, or allow a retry when there is none."""
        said = []
        posts = {p["title"]: p for p in self.medium.posts}
        with State(self.state_db) as state:
            for intent in state.intents(INTENT_KIND, "pending"):
                post = posts.get(intent.payload["title"])
                said.append(
                    jobs.ledger.resolve(
                        state,
                        intent.id,
                        url=post["url"] if post else None,
                        retry=post is None,
                        abandon=False,
                    )
                )
        return said

    def news(self, *, comment_lost: bool = False) -> None:
        """The nights before a sync with news from both sides (with ``big``): the first sync;
        then a confirmed card deleted on Trello, its event cancelled by the next sync (and
        dropped, ``DELETE``, by the one after); then the imported event deleted on the calendar
        (its card is to be commented on and moved to Cancelled) and an event made from a card
        edited there (its card is to be renamed). ``comment_lost``: one more sync, in which
        Trello made the comment but its answer was lost, so the next sync checks the card's
        comments before commenting again. Runs inside ``serving``."""
        assert self.big, "news needs a big world (cancelled events dropped the next night)"
        for step in ("first night", "a card deleted"):
            if step == "a card deleted":
                self.trello.as_a_user("DELETE", f"/cards/{BELFAST}")
            report = self.sync()
            assert report.ok, (step, report.failures)
            self.later(hours=1)
        on_server = self.calendar()
        response = requests.delete(
            self.calendar_url + THEIRS_FILE, auth=(USER, PASSWORD), timeout=5
        )
        assert response.status_code in (200, 204), response.status_code
        leeds = on_server[f"trello-{LEEDS}@{DOMAIN}"]
        text = leeds.event.to_ical().decode().replace("Leeds", "Leeds (moved upstairs)")
        put_event(
            self.calendar_url,
            leeds.href.rsplit("/", 1)[-1],
            f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Someone//App//EN\r\n{text}"
            "END:VCALENDAR\r\n",
        )
        if comment_lost:
            self.trello.fail_after_apply(
                "POST", r"/1/cards/[^/]+/actions/comments", requests.ConnectionError
            )
            report = self.sync()
            assert self.trello.pending_faults() == [] and not report.ok, report.outcomes
            self.later(hours=1)

    # -- looking -------------------------------------------------------------------------------

    def comments(self) -> list[tuple[str, str]]:
        """(card id, text) of every comment on the events board, oldest first."""
        return [
            (a["data"]["card"]["id"], a["data"]["text"])
            for a in reversed(self.trello.export(EVENTS_BOARD)["actions"])
            if a["type"] == "commentCard"
        ]

    def cards(self) -> list[dict[str, Any]]:
        return [
            card
            for board in (EVENTS_BOARD, CONTENT_BOARD, self.microactions)
            for card in self.trello.export(board)["cards"]
        ]

    def list_names(self) -> dict[str, str]:
        return {
            lst["id"]: lst["name"]
            for board in (EVENTS_BOARD, CONTENT_BOARD, self.microactions)
            for lst in self.trello.export(board)["lists"]
        }

    def calendar(self):
        return read_calendar(self.calendar_url)  # fails on a UID that is there twice

    def drafts(self) -> list[str]:
        folder = self.out / "drafts"
        return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []

    def feed_uids(self) -> list[str]:
        feed = self.out / "events.ics"
        if not feed.is_file():
            return []
        return sorted(str(e["UID"]) for e in Calendar.from_ical(feed.read_bytes()).walk("VEVENT"))

    def fingerprint(self) -> dict[str, Any]:
        """Everything a user can see, in terms that do not depend on the order things happened
        in (post ids and the ids of cards made on the way do)."""
        titles = {p["url"]: p["title"] for p in self.medium.posts}
        lists = self.list_names()
        names = {card["id"]: card["name"] for card in self.cards()}
        return {
            "calendar": sorted(
                (uid, str(s.event["SUMMARY"]), s.status) for uid, s in self.calendar().items()
            ),
            "feed": self.feed_uids(),
            "cards": sorted(
                (
                    card["name"],
                    lists[card["idList"]],
                    card["closed"],
                    tuple(sorted((a["name"], titles.get(a["url"], a["url"])) for a in attachments)),
                )
                for card in self.cards()
                for attachments in [card.get("attachments") or []]
            ),
            "posts": sorted((p["title"], p["publishStatus"]) for p in self.medium.posts),
            "drafts": self.drafts(),
            "comments": sorted((names.get(card, card), text) for card, text in self.comments()),
        }

    def assert_consistent(self) -> None:
        """What must hold after any run, however it ended: nothing doubled anywhere, and every
        record in the state database true of the world."""
        on_server = self.calendar()
        hrefs = {s.href: uid for uid, s in on_server.items()}
        assert len(set(self.feed_uids())) == len(self.feed_uids()), "a UID twice in the feed"
        titles = Counter(p["title"] for p in self.medium.posts)
        assert all(n == 1 for n in titles.values()), f"a Medium draft made twice: {titles}"
        posts = {p["url"]: p for p in self.medium.posts}
        markers = Counter(
            marker_of(card["desc"]) for card in self.cards() if MARKER in card["desc"]
        )
        assert all(n == 1 for n in markers.values()), f"a calendar event imported twice: {markers}"
        comments = Counter(self.comments())
        assert all(n == 1 for n in comments.values()), f"a comment made twice: {comments}"
        for card in self.cards():
            urls = Counter(a["url"] for a in card.get("attachments") or [])
            assert all(n == 1 for n in urls.values()), f"{card['name']}: a link twice: {urls}"
            for attachment in card.get("attachments") or []:
                if attachment["name"] == "Medium draft" and "/p/" not in attachment["url"]:
                    assert attachment["url"] in posts, f"{card['name']}: a link to no draft"
        with State(self.state_db) as state:
            events, imported = state.items(EVENTS), state.items(IMPORTED)
            for key, item in state.items(CALDAV).items():
                # gone, and the next sync knows why: a drop whose DELETE's answer was lost, or an
                # imported event deleted on the calendar whose card is still to be cancelled
                dropped = key in events and events[key].status == "dropped"
                to_cancel = key in imported and imported[key].status != "deleted"
                assert item.remote_id in hrefs or dropped or to_cancel, (
                    f"caldav record {key}: {item.remote_id} is gone"
                )
            tracked = {
                item.remote_id
                for item in state.items(CONTENT).values()
                if item.data.get("via") == "medium"
            }
            intents = state.intents(INTENT_KIND)
            tracked |= {i.result.get("id") for i in intents if i.status == "done"}
            pending = {i.payload["title"] for i in intents if i.status == "pending"}
            for post in self.medium.posts:
                assert post["id"] in tracked or post["title"] in pending, (
                    f"draft {post['title']!r} exists on Medium, but no record or pending intent "
                    "says so"
                )
            imported = set(state.items(IMPORTED))
            waiting = {i.key for i in state.intents("trello-card", "pending")}
            for card in self.cards():
                if MARKER in card["desc"]:
                    uid = marker_of(card["desc"])
                    assert card["id"] in imported or uid in waiting, (
                        f"card {card['name']!r} was imported, but neither recorded nor pending"
                    )
