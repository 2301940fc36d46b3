"""The harness of the fault suites (test_fault_matrix, test_fault_state, test_fault_files): a
world of a scene with faults ready, its clean baseline, reruns until quiet, and the one-line
failure check. Its fixtures are offered to tests/reliability by conftest.py."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import cli
import jobs.sync
from sync.report import Report
from sync.state.store import State
from tests.fakes.faults import FaultInjector
from tests.fakes.trello import FakeClock
from tests.reliability.fault_calls import ALL_CALLS, FIRST, SCENES
from tests.world import World


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
