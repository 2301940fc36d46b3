"""Proof under faults: every external call of the nightly sync, made to fail in every way the
network and the disk fail, on realistic setups (tests/world.py: three API boards on the Trello
fake, the calendar on a real Radicale, Medium on its fake with a token, two RSS feeds):

- the first night: everything is made (cards imported, events created, drafts, links, moves);
- a night with news from both sides (``World.news``): a cancelled event dropped from the calendar
  (CalDAV ``DELETE``), an imported event deleted on the calendar (its card commented on and moved
  to Cancelled), an event edited on the calendar (its card updated), boards read the long way
  (cards paged from ``/cards/all``, labels from ``/labels``); and the same night after a sync
  whose comment's answer was lost (the card's comments are checked before commenting again).

Each case is the same story, told as a user would check it:

1. ``otg sync`` with the fault: the failure is one line naming the service (no traceback, no
   "unexpected" error), or, for a fault the run gets over by itself (a 429 burst, a mangled
   answer nobody reads), the run is clean;
2. the state is consistent (``World.assert_consistent``): nothing doubled on the calendar, on the
   board (cards, links, comments) or on Medium, every record true of the world, every draft on
   Medium either recorded or pending for an operator;
3. the operator settles what only a person can (a Medium create of unknown outcome), the fault
   is gone, and reruns converge: the last one writes nothing anywhere, the world looks exactly
   as after a sync that never met a fault, and no card, comment or draft was ever created more
   often than in that sync (counted on the fakes).

The second night's faults are many: by default a bounded set of them runs (every call, the
faults that differ most); ``OTG_FAULTS_ALL=1`` runs them all.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import sqlite3
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner

import cli
import jobs.sync
from sync.report import Report
from sync.state.store import State
from tests.fakes.faults import FOREVER, Fault, FaultInjector
from tests.fakes.trello import FakeClock
from tests.world import LEEDS, READY, World

READY_TITLES = READY
FIRST, NEWS, CHECK = "first night", "news", "news after a lost comment"
#: The setups, by name: (Medium target, big boards, what happens before the run under test).
SCENES: dict[str, tuple[str, bool, dict[str, bool] | None]] = {
    FIRST: ("medium", False, None),
    "drafts": ("drafts", False, None),
    NEWS: ("medium", True, {"comment_lost": False}),
    CHECK: ("medium", True, {"comment_lost": True}),
}

#: Every external call of a sync: (session name, method, regex searched in the URL path), and the
#: valid JSON of the wrong shape an answer to it may be.
CALLS: dict[str, tuple[str, str | None, str]] = {
    "trello board read": ("Trello", "GET", r"^/1/boards/[^/]+$"),
    "trello history read": ("Trello", "GET", r"^/1/boards/[^/]+/actions$"),
    "trello card create": ("Trello", "POST", r"^/1/cards$"),
    "trello link attach": ("Trello", "POST", r"^/1/cards/[^/]+/attachments$"),
    "trello card move": ("Trello", "PUT", r"^/1/cards/[^/]+$"),
    "medium profile": ("Medium", "GET", r"/me$"),
    "medium draft create": ("Medium", "POST", r"/posts$"),
    "caldav listing": ("CalDAV", "PROPFIND", ""),
    "caldav fetch": ("CalDAV", "REPORT", ""),
    "caldav write": ("CalDAV", "PUT", ""),
    "rss feed": ("RSS", "GET", r"^/feed/"),
}
NEWS_CALLS: dict[str, tuple[str, str | None, str]] = {
    "caldav delete": ("CalDAV", "DELETE", ""),
    "trello comment": ("Trello", "POST", r"^/1/cards/[^/]+/actions/comments$"),
    "trello card update from a calendar edit": ("Trello", "PUT", rf"^/1/cards/{LEEDS}$"),
    "trello cancel move": ("Trello", "PUT", rf"^/1/cards/(?!{LEEDS})[^/]+$"),
    "trello cards paged": ("Trello", "GET", r"^/1/boards/[^/]+/cards/all$"),
    "trello labels read": ("Trello", "GET", r"^/1/boards/[^/]+/labels$"),
}
CHECK_CALLS: dict[str, tuple[str, str | None, str]] = {
    "trello comments check": ("Trello", "GET", r"^/1/cards/[^/]+/actions$"),
}
#: "401 halfway" is a token revoked in the middle of a run: every request to the service.
TOKENS: dict[str, tuple[str, str | None, str]] = {
    f"{service.lower()}: every call": (service, None, "")
    for service in ("Trello", "Medium", "CalDAV")
}
ALL_CALLS = {**CALLS, **NEWS_CALLS, **CHECK_CALLS, **TOKENS}
SCENE_OF = {
    **dict.fromkeys(CALLS, FIRST),
    **dict.fromkeys(NEWS_CALLS, NEWS),
    **dict.fromkeys(CHECK_CALLS, CHECK),
    **dict.fromkeys(TOKENS, FIRST),
}
WRONG_SHAPE = {
    "trello board read": "[]",
    "trello history read": '{"error":"x"}',
    "trello card create": '{"name":"no id"}',
    "trello link attach": "[]",
    "trello card move": "null",
    "medium profile": '{"data":[]}',
    "medium draft create": '{"data":{"id":42,"url":null}}',
    "caldav listing": '{"error":"x"}',
    "caldav fetch": "[]",
    "caldav write": "{}",
    "rss feed": '{"items":[]}',
    "caldav delete": "[]",
    "trello comment": '[1,2,"x"]',
    "trello card update from a calendar edit": '{"error":"x"}',
    "trello cancel move": "[]",
    "trello cards paged": '{"error":"x"}',
    "trello labels read": "null",
    "trello comments check": '[1,2,"x"]',
}
#: Calls whose answer nothing reads but the status (and py-trello's parse: JSON it must be).
UNREAD_ANSWERS = {
    "trello link attach",
    "trello card move",
    "trello comment",
    "trello card update from a calendar edit",
    "trello cancel move",
}
BODILESS = {"caldav write", "caldav delete"}  # the status and ETag say it all
READS = {"GET", "PROPFIND", "REPORT"}
#: How each service is named in a failure line.
NAMED = {
    "Trello": r"Trello",
    "Medium": r"Medium",
    "CalDAV": r"CalDAV",
    "RSS": r"^rss: feed https://",
}
#: Retries each session makes after a 429 (cfg.trello.retries for Trello and CalDAV).
RETRIES_429 = {"Trello": 4, "CalDAV": 4, "RSS": 2, "Medium": 0}
BURST = 3
ALWAYS = FOREVER  # a fault that lasts the whole run
TOO_MANY = {
    "Trello": '{"error":"API_TOKEN_LIMIT_EXCEEDED","message":"Rate limit exceeded"}',
    "Medium": '{"errors":[{"message":"Too many requests.","code":-1}]}',
    "CalDAV": "Too Many Requests",
    "RSS": "Too Many Requests",
}
#: Medium creates whose outcome only an operator can settle (the draft may exist).
UNKNOWN_OUTCOME = (
    "timeout",
    "answer lost",
    "reset mid-body",
    "500",
    "truncated body",
    "not JSON",
    "wrong shape",
)


@dataclass(frozen=True)
class Case:
    call: str
    fault: str

    @property
    def service(self) -> str:
        return ALL_CALLS[self.call][0]

    @property
    def scene(self) -> str:
        return SCENE_OF[self.call]

    @property
    def reads(self) -> bool:
        return ALL_CALLS[self.call][1] in READS

    def make(self, calls_in_a_clean_run: int) -> Fault:
        """The fault: a read's lasts the whole run (retries cannot cure it); a write's hits once
        and, where the server may have done it, after it did ("the answer is lost"). A 401
        halfway: from the k-th request to the service on (k = half its requests in a clean
        run), every request is refused, as when the token is revoked during the run."""
        service, method, path = ALL_CALLS[self.call]
        times = ALWAYS if self.reads else 1
        halfway = max(1, calls_in_a_clean_run // 2)
        kinds = {
            "timeout": ("timeout" if self.reads else "timeout-after", {}),
            "connection reset": ("reset", {}),
            "answer lost": ("reset-after", {}),
            "reset mid-body": ("reset-mid-body", {}),
            "500": ("status", {"status": 500, "body": "Internal Server Error"}),
            "429 burst": (
                "status",
                {"status": 429, "body": TOO_MANY[service], "times": BURST},
            ),
            "truncated body": ("truncated", {"times": 1}),
            "not JSON": ("not-json" if self.reads else "not-json-after", {"times": 1}),
            "wrong shape": ("wrong-shape", {"body": WRONG_SHAPE.get(self.call, "[]")}),
            "401 halfway": ("401", {"times": ALWAYS, "skip": halfway - 1}),
        }
        kind, extra = kinds[self.fault]
        return Fault(service, method, path, kind, **{"times": times, **extra})

    @property
    def absorbed(self) -> bool:
        """A fault the run gets over by itself: a 429 burst within the session's retries, a
        CalDAV write's answer mangled (it has no body to read: the status and ETag say it
        all), or JSON of the wrong shape in an answer nobody reads."""
        mangled = ("truncated body", "not JSON", "wrong shape")
        if self.call in BODILESS and self.fault in mangled:
            return True
        if self.call in UNREAD_ANSWERS and self.fault == "wrong shape":
            return True
        return self.fault == "429 burst" and RETRIES_429[self.service] >= BURST


READ_FAULTS = [
    "timeout",
    "connection reset",
    "reset mid-body",
    "500",
    "429 burst",
    "truncated body",
    "not JSON",
    "wrong shape",
]
WRITE_FAULTS = [
    "timeout",
    "connection reset",
    "answer lost",
    "reset mid-body",
    "500",
    "429 burst",
    "truncated body",
    "not JSON",
    "wrong shape",
]
#: The second night's faults run by default, the ones that differ most: for a read, no answer,
#: a refusal, a rate limit, an answer cut off or in the wrong shape; for a write, an answer lost
#: after the server made it, a refusal, a proxy's page or JSON in the wrong shape.
BOUNDED = {
    "reads": {"timeout", "500", "429 burst", "truncated body", "wrong shape"},
    "writes": {"answer lost", "500", "not JSON", "wrong shape"},
}
EVERY_FAULT = bool(os.environ.get("OTG_FAULTS_ALL"))


def _cases(calls: dict[str, tuple[str, str | None, str]], bounded: bool) -> list[Case]:
    cases = []
    for call, (_, method, _) in calls.items():
        reads = method in READS
        for fault in READ_FAULTS if reads else WRITE_FAULTS:
            if not bounded or fault in BOUNDED["reads" if reads else "writes"]:
                cases.append(Case(call, fault))
    return cases


FIRST_CASES = _cases(CALLS, bounded=False) + [Case(call, "401 halfway") for call in TOKENS]
NEWS_CASES = _cases({**NEWS_CALLS, **CHECK_CALLS}, bounded=not EVERY_FAULT)
CASES = FIRST_CASES + NEWS_CASES


# -- the harness ---------------------------------------------------------------------------------


@dataclass
class Harness:
    world: World
    faults: FaultInjector
    runner: CliRunner = field(default_factory=CliRunner)

    def cli_sync(self) -> tuple[int, list[str]]:
        """`otg sync` as the timer runs it: exit code and output lines."""
        result = self.runner.invoke(
            cli.main, ["--config", str(self.world.config_path), "sync"], catch_exceptions=False
        )
        return result.exit_code, result.output.splitlines()

    def converge(self) -> list[Report]:
        """Rerun without faults until a run writes nothing (at most four runs: a card cancelled
        a run late takes three more for its event to be cancelled, then dropped)."""
        self.faults.clear()
        reports = []
        for _ in range(4):
            self.world.later(hours=1)
            writes_before = len(self.world.trello.writes())
            medium_before = len(self.world.medium.received)
            report = self.world.sync()
            reports.append(report)
            assert report.ok, (report.failures, _failed(report))
            quiet = (
                len(self.world.trello.writes()) == writes_before
                and len(self.world.medium.received) == medium_before
                and report.requests.get("caldav") == 1
                and all(o.status == "skipped" for o in report.outcomes)
            )
            if quiet:
                return reports
        raise AssertionError(f"no quiet run after 4: {reports[-1].outcomes}")

    def creates(self) -> dict[str, int]:
        """Creates that reached each service, over the whole story: cards, comments, links,
        drafts and events (a second of any is a duplicate)."""
        trello = self.world.trello
        return {
            "cards": trello.count("POST", re.compile(r"^/1/cards$")),
            "comments": trello.count("POST", re.compile(r"/actions/comments$")),
            "links": trello.count("POST", re.compile(r"/attachments$")),
            "drafts": self.world.medium.count("POST"),
            "events": len(self.world.calendar()),
        }


def _failed(report: Report) -> list[str]:
    return [
        f"{o.kind} {o.target} {o.title}: {o.detail}"
        for o in report.outcomes
        if o.status == "failed"
    ]


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    clock = FakeClock()
    monkeypatch.setattr("sync.http.monotonic", clock.now)
    monkeypatch.setattr("sync.http.pause", clock.sleep)
    return clock


def _build(tmp: Path, calendar_url: str, clock: FakeClock, monkeypatch, scene: str):
    target, big, _ = SCENES[scene]
    world = World.build(tmp, calendar_url, clock, target=target, big=big)
    monkeypatch.setattr(jobs.sync, "now_utc", lambda: world.now)  # the CLI's runs too
    return world


def _set_the_scene(world: World, faults: FaultInjector, scene: str) -> None:
    news = SCENES[scene][2]
    if news is not None:
        world.news(**news)
    faults.seen.clear()


@pytest.fixture
def make_harness(tmp_path, calendar_url, clock, monkeypatch):
    """A world (of a scene: the first night with Medium or the drafts folder, or a night with
    news) with every service served and faults ready."""
    with contextlib.ExitStack() as stack:

        def make(scene: str = FIRST) -> Harness:
            world = _build(tmp_path, calendar_url, clock, monkeypatch, scene)
            stack.enter_context(world.serving())
            faults = stack.enter_context(FaultInjector().installed(monkeypatch))
            _set_the_scene(world, faults, scene)
            return Harness(world, faults)

        yield make


@pytest.fixture
def harness(make_harness) -> Harness:
    return make_harness()


#: Per scene: the converged world's fingerprint, the requests and the state transactions of the
#: sync under test when it meets no fault, and the creates of the whole story. Made once per test
#: session.
_CLEAN: dict[str, dict[str, Any]] = {}


@pytest.fixture
def baseline(tmp_path_factory, radicale):
    def get(scene: str = FIRST) -> dict[str, Any]:
        if scene not in _CLEAN:
            _CLEAN[scene] = _clean_run(tmp_path_factory.mktemp("clean"), radicale, scene)
        return _CLEAN[scene]

    return get


@pytest.fixture
def clean(baseline) -> dict[str, Any]:
    return baseline(FIRST)


def _count(seen: list[tuple[str, str, str]], call: str) -> int:
    service, method, path = ALL_CALLS[call]
    return sum(
        1
        for s, m, p in seen
        if s == service and method in (None, m) and re.search(path, p) is not None
    )


def _clean_run(tmp: Path, radicale, scene: str) -> dict[str, Any]:
    clock = FakeClock()
    found: dict[str, Any] = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("sync.http.monotonic", clock.now)
        patch.setattr("sync.http.pause", clock.sleep)
        world = _build(tmp, radicale.make_calendar(), clock, patch, scene)
        count = [0]
        real = State.transaction

        def counted(self):
            count[0] += 1
            return real(self)

        with world.serving(), FaultInjector().installed(patch) as faults:
            _set_the_scene(world, faults, scene)
            patch.setattr(State, "transaction", counted)
            first = world.sync()
            assert first.ok, first.failures
            found["transactions"] = count[0]
            patch.setattr(State, "transaction", real)
            seen = list(faults.seen)
            harness = Harness(world, faults)
            harness.converge()
            found["fingerprint"] = world.fingerprint()
            found["creates"] = harness.creates()
            found["calls"] = {name: _count(seen, name) for name in ALL_CALLS}
    return found


def assert_one_line_failures(code: int, lines: list[str], named: str) -> list[str]:
    """The run failed (exit 1), and said so in lines naming the service, with no traceback."""
    assert code == 1, lines
    text = "\n".join(lines)
    assert "Traceback" not in text and "unexpected" not in text, text
    problems = [
        line.removeprefix("failed: ")
        for line in lines
        if line.startswith("failed: ") or line.startswith(("failed ", "pending "))
    ]
    assert problems, text
    assert any(re.search(named, p.split(" — ")[0]) or re.search(named, p) for p in problems), text
    return problems


# -- the matrix ----------------------------------------------------------------------------------


def test_the_matrix_covers_every_call_and_fault():
    # the first night: reads × their faults, writes × theirs, and a token revoked halfway
    assert len(FIRST_CASES) == 6 * 8 + 5 * 9 + 3
    assert {c.call for c in CASES} == set(ALL_CALLS)
    news = {**NEWS_CALLS, **CHECK_CALLS}
    assert {c.call for c in NEWS_CASES} == set(news)
    every = {(c.call, c.fault) for c in _cases(news, bounded=False)}
    assert len(every) == 3 * 8 + 4 * 9
    assert len(NEWS_CASES) == (len(every) if EVERY_FAULT else 3 * 5 + 4 * 4)


def test_every_call_of_the_matrix_is_made_in_its_clean_scene(baseline):
    """A case whose call the sync never makes would prove nothing."""
    for call, scene in SCENE_OF.items():
        assert baseline(scene)["calls"][call] >= 1, (call, scene)


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.call}: {c.fault}")
def test_a_fault_is_reported_harms_nothing_and_a_rerun_converges(baseline, make_harness, case):
    clean = baseline(case.scene)
    harness = make_harness(case.scene)
    world, faults = harness.world, harness.faults
    fault = faults.add(case.make(clean["calls"][case.call]))

    code, lines = harness.cli_sync()
    if os.environ.get("OTG_FAULTS_SHOW"):
        print(f"\n== {case.call}: {case.fault} (exit {code})")
        print("\n".join(x for x in lines if x.startswith(("failed", "pending", "warning"))))

    assert fault.hits, f"the fault never hit: {case} (the sync made no such call?)"
    if case.absorbed:
        assert code == 0, lines
        if case.fault == "429 burst":
            assert len([s for s in world.clock.sleeps if s >= 10]) >= BURST, "429s not backed off"
    else:
        assert_one_line_failures(code, lines, NAMED[case.service])
    world.assert_consistent()

    said = world.settle_as_an_operator()
    if case.call == "medium draft create" and case.fault in UNKNOWN_OUTCOME:
        assert len(said) == 1, "a create of unknown outcome must wait for an operator"
        # reported, with the way out: in the report, and its one line on stderr
        [line] = [x for x in lines if "otg ledger resolve" in x and not x.startswith("failed: ")]
        assert line.startswith("failed ") and "the draft may have been created" in line, line
        [told] = [x for x in lines if "otg ledger resolve" in x and x.startswith("failed: ")]
        assert told.startswith("failed: create medium: ") and told.endswith(line.split(" — ")[-1])
    harness.converge()
    world.assert_consistent()
    assert world.fingerprint() == clean["fingerprint"]
    assert harness.creates() == clean["creates"]


def test_an_injected_429_answers_as_the_service_does(monkeypatch):
    """Trello's 429: its JSON error as JSON, and its rate-limit headers, none left in the
    exceeded scope (reference/trello.md); Medium's JSON errors as JSON too."""
    trello = requests.Session()
    trello.name = "Trello"  # one of ours, to the injector
    medium = requests.Session()
    medium.name = "Medium"
    with FaultInjector().installed(monkeypatch) as faults:
        for service, body in (("Trello", TOO_MANY["Trello"]), ("Medium", TOO_MANY["Medium"])):
            faults.add(Fault(service, None, "", "status", status=429, body=body))
        answer = trello.get("https://api.trello.com/1/members/me", timeout=1)
        from_medium = medium.get("https://api.medium.com/v1/me", timeout=1)
    assert answer.status_code == 429
    assert answer.headers["Content-Type"].startswith("application/json")
    assert answer.json()["error"] == "API_TOKEN_LIMIT_EXCEEDED"
    assert answer.headers["x-rate-limit-api-token-remaining"] == "0"
    assert answer.headers["x-rate-limit-api-key-remaining"] != "0"
    for scope, limit in (("token", "100"), ("key", "300")):
        assert answer.headers[f"x-rate-limit-api-{scope}-max"] == limit
        assert answer.headers[f"x-rate-limit-api-{scope}-interval-ms"] == "10000"
    assert from_medium.headers["Content-Type"].startswith("application/json")
    assert not any(h.startswith("x-rate-limit") for h in from_medium.headers)


# -- the disk ------------------------------------------------------------------------------------


def fill_the_disk(db: sqlite3.Connection) -> None:
    """SQLite's own limit on the database's size, set at its current size: the next page it needs
    is refused exactly as on a full disk (SQLITE_FULL)."""
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {pages}")


def make_read_only(db: sqlite3.Connection) -> None:
    """Every write from now on is refused as on a read-only file or mount (SQLITE_READONLY);
    chmod would not do, as the tests may run as root."""
    db.execute("PRAGMA query_only = ON")


STATE_FAULTS = {"disk full": fill_the_disk, "read-only": make_read_only}


@pytest.mark.parametrize(
    ("fault", "share"),
    [
        ("disk full", 0.2),
        ("disk full", 0.5),
        ("read-only", 0.0),
        ("read-only", 0.1),
        ("read-only", 0.5),
        ("read-only", 0.9),
    ],
    ids=lambda v: str(v),
)
def test_a_state_database_that_stops_taking_writes_midway(
    clean, harness, monkeypatch, fault, share
):
    world = harness.world
    at = max(1, int(clean["transactions"] * share))
    count = [0]
    real = State.transaction

    def transaction(self):
        count[0] += 1
        if count[0] == at:
            STATE_FAULTS[fault](self.db)
        return real(self)

    monkeypatch.setattr(State, "transaction", transaction)
    code, lines = harness.cli_sync()
    monkeypatch.setattr(State, "transaction", real)
    if os.environ.get("OTG_FAULTS_SHOW"):
        print(f"\n== state {fault} at {at} (exit {code})")
        print("\n".join(lines))
    text = "\n".join(lines)
    assert code != 0 and "Traceback" not in text and "unexpected" not in text, text
    assert "state database" in text, text
    world.assert_consistent()
    world.settle_as_an_operator()
    harness.converge()
    world.assert_consistent()
    assert world.fingerprint() == clean["fingerprint"]


def test_a_draft_made_but_not_recorded_is_one_line_with_its_url(harness, monkeypatch):
    """The disk fills between Medium's answer and its record: the line says where the draft is
    and how to record it, and nothing is sent twice."""
    world = harness.world
    real = State.settle_intent

    def refuse(self, intent_id, status, result):
        if "url" in result:  # Medium's answer, about to be recorded
            make_read_only(self.db)
        return real(self, intent_id, status, result)

    monkeypatch.setattr(State, "settle_intent", refuse)
    code, lines = harness.cli_sync()
    monkeypatch.setattr(State, "settle_intent", real)

    [post] = world.medium.posts
    [line] = [x for x in lines if x.startswith("failed: ")]
    assert code == 1 and line.endswith(
        f'cannot be written: it is read-only; the draft of "{post["title"]}" was created at '
        f"{post['url']} — make it and its folder writable by the user otg-sync runs as, or set "
        f"state_db to a writable path, then run `otg ledger resolve 2 --url {post['url']}`"
    ), lines
    world.assert_consistent()
    said = world.settle_as_an_operator()
    assert said[0].startswith(f'Intent 2 settled: the draft of "{post["title"]}" is {post["url"]}')
    harness.converge()
    assert len(world.medium.posts) == 3 and world.medium.count("POST") == 3


# -- files: the feed and the drafts folder ------------------------------------------------------


def refuse_files_in(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """A read-only folder (EROFS): no file can be made in it."""
    real = tempfile.mkstemp

    def mkstemp(*args: Any, dir: Any = None, **kwargs: Any):
        if dir is not None and Path(dir).resolve() == folder.resolve():
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(dir))
        return real(*args, dir=dir, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)


def fill_the_file_disk(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """A full disk (ENOSPC): files are made, but their contents never reach the disk."""

    def fsync(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", fsync)


def block_with_a_folder(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    path.mkdir(parents=True)


def block_with_a_file(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("not a folder")


FILE_CASES = [
    # (target, what breaks, where, how, the line that says so)
    ("medium", "feed folder read-only", "out", refuse_files_in, r"^feed: cannot write the feed"),
    ("medium", "feed disk full", "out", fill_the_file_disk, r"^feed: cannot write the feed"),
    ("medium", "feed path is a folder", "out/events.ics", block_with_a_folder, r"^feed: "),
    ("drafts", "drafts folder read-only", "out/drafts", refuse_files_in, r"cannot write the draft"),
    ("drafts", "drafts disk full", "out/drafts", fill_the_file_disk, r"cannot write the draft"),
    ("drafts", "drafts folder is a file", "out/drafts", block_with_a_file, r"cannot write the dr"),
]


@pytest.mark.parametrize(
    ("target", "what", "where", "how", "said"), FILE_CASES, ids=[c[1] for c in FILE_CASES]
)
def test_an_unwritable_feed_or_drafts_folder(
    make_harness, baseline, monkeypatch, target, what, where, how, said
):
    scene = FIRST if target == "medium" else target
    clean = baseline(scene)
    harness = make_harness(scene)
    world = harness.world
    with monkeypatch.context() as broken:
        how(broken, world.tmp / where)
        code, lines = harness.cli_sync()
    if os.environ.get("OTG_FAULTS_SHOW"):
        print(f"\n== {what} (exit {code})")
        print("\n".join(x for x in lines if x.startswith(("failed", "warning"))))

    problems = assert_one_line_failures(code, lines, said)
    # an atomic write's temporary file is ".<name>.<random>" beside its file: none is left
    leftovers = sorted(str(p.relative_to(world.out)) for p in world.out.rglob(".*"))
    assert leftovers == [], f"temporary files left behind: {leftovers}"
    world.assert_consistent()
    if target == "drafts":  # a card whose draft was not written is not moved on
        assert not [
            c
            for c in world.cards()
            if c["name"].startswith(tuple(READY_TITLES))
            and world.list_names()[c["idList"]] == "In Medium drafts"
        ], problems
    blocked = world.tmp / where
    if blocked.is_dir() and how is block_with_a_folder:
        blocked.rmdir()
    elif blocked.is_file():
        blocked.unlink()
    harness.converge()
    world.assert_consistent()
    assert world.fingerprint() == clean["fingerprint"]
