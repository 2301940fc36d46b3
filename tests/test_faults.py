"""Proof under faults: every external call of the nightly sync, made to fail in every way the
network and the disk fail, on one realistic setup (tests/world.py: three API boards on the
Trello fake, the calendar on a real Radicale, Medium on its fake with a token, two RSS feeds).

Each case is the same story, told as a user would check it:

1. ``otg sync`` with the fault: the failure is one line naming the service (no traceback, no
   "unexpected" error), or, for a fault a retry absorbs (a 429 burst), the run is clean;
2. the state is consistent (``World.assert_consistent``): nothing doubled on the calendar, on the
   board or on Medium, every record true of the world, every draft on Medium either recorded or
   pending for an operator;
3. the operator settles what only a person can (a Medium create of unknown outcome), the fault
   is gone, and reruns converge: the last one writes nothing anywhere, and the world looks exactly
   as after a sync that never met a fault.
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
from click.testing import CliRunner

import cli
import jobs.sync
from sync.report import Report
from sync.state import State
from tests.fakes.faults import Fault, FaultInjector
from tests.fakes.trello import FakeClock
from tests.world import READY, World

READY_TITLES = READY

#: Every external call of a sync: (session name, method, regex searched in the URL path).
CALLS: dict[str, tuple[str, str, str]] = {
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
ALWAYS = 99  # a fault that lasts the whole run
TOO_MANY = {
    "Trello": '{"error":"API_TOKEN_LIMIT_EXCEEDED","message":"Rate limit exceeded"}',
    "Medium": '{"errors":[{"message":"Too many requests.","code":-1}]}',
    "CalDAV": "Too Many Requests",
    "RSS": "Too Many Requests",
}


@dataclass(frozen=True)
class Case:
    call: str
    fault: str

    @property
    def service(self) -> str:
        return CALLS[self.call][0]

    @property
    def reads(self) -> bool:
        return CALLS[self.call][1] in READS

    def make(self, calls_in_a_clean_run: int) -> Fault:
        """The fault: a read's lasts the whole run (retries cannot cure it); a write's hits once
        and, where the server may have done it, after it did ("the answer is lost")."""
        service, method, path = CALLS[self.call]
        times = ALWAYS if self.reads else 1
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
            "401 halfway": ("401", {"times": ALWAYS, "skip": calls_in_a_clean_run // 2}),
        }
        kind, extra = kinds[self.fault]
        return Fault(service, method, path, kind, **{"times": times, **extra})

    @property
    def absorbed(self) -> bool:
        """A fault the run gets over by itself: a 429 burst within the session's retries, or a
        CalDAV write's answer mangled (it has no body to read: the status and ETag say it all)."""
        if self.call == "caldav write" and self.fault in ("truncated body", "not JSON"):
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
    "401 halfway",
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
    "401 halfway",
]
CASES = [
    Case(call, fault)
    for call, (_, method, _) in CALLS.items()
    for fault in (READ_FAULTS if method in READS else WRITE_FAULTS)
    if not (call == "rss feed" and fault == "401 halfway")  # a public feed asks for no token
]


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
        """Rerun without faults until a run writes nothing (at most three runs)."""
        self.faults.clear()
        reports = []
        for _ in range(3):
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
        raise AssertionError(f"no quiet run after 3: {reports[-1].outcomes}")


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


def _build(tmp: Path, calendar_url: str, clock: FakeClock, monkeypatch, target: str):
    world = World.build(tmp, calendar_url, clock, target=target)
    monkeypatch.setattr(jobs.sync, "now_utc", lambda: world.now)  # the CLI's runs too
    return world


@pytest.fixture
def make_harness(tmp_path, calendar_url, clock, monkeypatch):
    """A world (Medium, or the drafts folder) with every service served and faults ready."""
    with contextlib.ExitStack() as stack:

        def make(target: str = "medium") -> Harness:
            world = _build(tmp_path, calendar_url, clock, monkeypatch, target)
            stack.enter_context(world.serving())
            faults = stack.enter_context(FaultInjector().installed(monkeypatch))
            return Harness(world, faults)

        yield make


@pytest.fixture
def harness(make_harness) -> Harness:
    return make_harness()


#: Per target: the converged world's fingerprint, the requests and the state transactions of a
#: sync that meets no fault. Made once per test session.
_CLEAN: dict[str, dict[str, Any]] = {}


@pytest.fixture
def baseline(tmp_path_factory, radicale):
    def get(target: str = "medium") -> dict[str, Any]:
        if target not in _CLEAN:
            _CLEAN[target] = _clean_run(tmp_path_factory.mktemp("clean"), radicale, target)
        return _CLEAN[target]

    return get


@pytest.fixture
def clean(baseline) -> dict[str, Any]:
    return baseline("medium")


def _clean_run(tmp: Path, radicale, target: str) -> dict[str, Any]:
    clock = FakeClock()
    found: dict[str, Any] = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("sync.http.monotonic", clock.now)
        patch.setattr("sync.http.pause", clock.sleep)
        world = _build(tmp, radicale.make_calendar(), clock, patch, target)
        count = [0]
        real = State.transaction

        def counted(self):
            count[0] += 1
            return real(self)

        patch.setattr(State, "transaction", counted)
        with world.serving(), FaultInjector().installed(patch) as faults:
            first = world.sync()
            assert first.ok, first.failures
            found["transactions"] = count[0]
            patch.setattr(State, "transaction", real)
            seen = list(faults.seen)
            Harness(world, faults).converge()
            found["fingerprint"] = world.fingerprint()
            found["calls"] = {
                name: sum(
                    1
                    for service, method, path in seen
                    if (service, method) == CALLS[name][:2] and re.search(CALLS[name][2], path)
                )
                for name in CALLS
            }
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
    assert len(CASES) == 6 * 8 - 1 + 5 * 9  # reads × their faults (no 401 on RSS) + writes × theirs
    assert {c.call for c in CASES} == set(CALLS)


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.call}: {c.fault}")
def test_a_fault_is_reported_harms_nothing_and_a_rerun_converges(clean, harness, case):
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
    if case.call == "medium draft create" and case.fault in (
        "timeout",
        "answer lost",
        "reset mid-body",
        "500",
        "truncated body",
    ):
        assert len(said) == 1, "a create of unknown outcome must wait for an operator"
    harness.converge()
    world.assert_consistent()
    assert world.fingerprint() == clean["fingerprint"]


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
    clean = baseline(target)
    harness = make_harness(target)
    world = harness.world
    with monkeypatch.context() as broken:
        how(broken, world.tmp / where)
        code, lines = harness.cli_sync()
    if os.environ.get("OTG_FAULTS_SHOW"):
        print(f"\n== {what} (exit {code})")
        print("\n".join(x for x in lines if x.startswith(("failed", "warning"))))

    problems = assert_one_line_failures(code, lines, said)
    assert world.tmp.joinpath("out").glob(".*") and not list(world.out.rglob(".*.*")), (
        "a temporary file was left behind"
    )
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
