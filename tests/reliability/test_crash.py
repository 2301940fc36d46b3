"""Crash consistency: a real `otg sync` in a subprocess, SIGKILLed at a chosen request, then rerun.

The subprocess (``tests/reliability/crash_child.py``: the CLI with its HTTP relayed to this
process by ``tests/reliability/relay.py``) syncs the world of tests/world.py: three API boards on
the Trello fake, the calendar on a real Radicale, Medium with a token, two feeds. Every request it
makes comes through the relay, which answers from the fakes (or passes it on to Radicale) and, at
the chosen request, kills the process with SIGKILL: *before* the request reaches the service, or
*after* the service did it but before the answer gets back. Then, for every kill point:

- right after the kill, the state is consistent (``World.assert_consistent``): nothing doubled,
  every record true, every draft on Medium recorded or pending;
- a Medium create whose outcome is unknown shows as a pending intent in `otg ledger list` and
  `otg status`, and a rerun sends it again never;
- after the operator settles it, reruns converge to exactly the world a sync that was never killed
  leaves: zero duplicate events (UIDs on the server), cards, attachments or drafts.

By default (a bounded run) the kill points are the first write of each kind in one sync with its
answer lost, each intent-protected create (a Medium draft, a Trello card) killed before it is
sent, and four more points picked by ``OTG_CRASH_SEED`` (default 0). For the long run,
``OTG_CRASH_POINTS=all`` kills at every request of the sync, before and after it reaches the
service; a number (``OTG_CRASH_POINTS=25``) picks that many points by the seed.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import time
from dataclasses import dataclass

from sync.content.plan import INTENT_KIND
from sync.state.store import State
from tests.fakes.trello import FakeClock
from tests.reliability.relay import Relay, pending_shown
from tests.reliability.relay import run_child as relay_child
from tests.world import READY, World

WRITES = {"POST", "PUT", "DELETE"}
#: Creates that cannot be retried blindly: an intent is recorded before each is sent.
GUARDED = (("POST", "/posts"), ("POST", "/1/cards"))
DEFAULT_OTHERS = 4  # further points picked by the seed, by default


class WallClock(FakeClock):
    """The fake's clock for a world a subprocess syncs: real time passing, plus any advance."""

    def __init__(self) -> None:
        super().__init__()
        self._zero = time.monotonic()

    def now(self) -> float:
        return self._now + time.monotonic() - self._zero

    __call__ = now


@dataclass(frozen=True)
class Point:
    at: int  # 1-based request number
    after: bool
    what: str  # "POST /1/cards", ...

    def __str__(self) -> str:
        return f"{'after' if self.after else 'before'} request {self.at} ({self.what})"


def run_child(world: World, relay: Relay, point: Point | None) -> subprocess.CompletedProcess:
    return relay_child(world, relay, point.at if point else None, point.after if point else False)


def kind_of(what: str) -> str:
    """A request without its ids: "PUT /1/cards/:id", "PUT /:calendar/:event.ics"."""
    what = re.sub(r"/[0-9a-f]{24}\b", "/:id", what)
    what = re.sub(r"/v1/users/[^/]+/", "/v1/users/:id/", what)
    return re.sub(r" /organiser/[^/]+/[^/]+\.ics$", " /:calendar/:event.ics", what)


def kill_points(log: list[tuple[str, str]]) -> list[Point]:
    """The kill points to try (see the module docstring)."""
    every = [
        Point(n, after, f"{method} {path}")
        for n, (method, path) in enumerate(log, start=1)
        for after in (False, True)
    ]
    wanted = os.environ.get("OTG_CRASH_POINTS", "").strip().lower()
    rng = random.Random(int(os.environ.get("OTG_CRASH_SEED", "0")))
    if wanted == "all":
        return every
    if wanted.isdigit():
        return sorted(rng.sample(every, min(int(wanted), len(every))), key=lambda p: p.at)
    assert not wanted, f"OTG_CRASH_POINTS={wanted!r}: use all, or a number"
    chosen: dict[str, Point] = {}
    for point in every:  # the first write of each kind, answer lost; guarded creates unsent
        method = point.what.split()[0]
        guarded = any(point.what.startswith(m) and point.what.endswith(e) for m, e in GUARDED)
        if (point.after and method in WRITES) or (not point.after and guarded):
            chosen.setdefault(f"{point.after} {kind_of(point.what)}", point)
    rest = [p for p in every if p not in chosen.values()]
    chosen |= {str(p): p for p in rng.sample(rest, min(DEFAULT_OTHERS, len(rest)))}
    return sorted(chosen.values(), key=lambda p: (p.at, p.after))


def new_world(tmp_path, radicale, name: str) -> World:
    folder = tmp_path / name
    folder.mkdir()
    return World.build(folder, radicale.make_calendar(), WallClock())


def converge(world: World) -> None:
    """Reruns in this process until one writes nothing anywhere (at most three)."""
    for _ in range(3):
        world.later(hours=1)
        writes, posts = len(world.trello.writes()), world.medium.count("POST")
        report = world.sync()
        assert report.ok, (
            report.failures,
            [o.detail for o in report.outcomes if o.status == "failed"],
        )
        if (
            len(world.trello.writes()) == writes
            and world.medium.count("POST") == posts
            and report.requests.get("caldav") == 1
            and all(o.status == "skipped" for o in report.outcomes)
        ):
            return
    raise AssertionError("no quiet run after 3 reruns")


def test_a_sync_killed_at_any_request_leaves_nothing_doubled_and_converges(
    tmp_path, radicale, relay
):
    radicale.start()
    # the survey: one sync that is never killed, its requests, and the world it leaves
    clean = new_world(tmp_path, radicale, "clean")
    with clean.serving():
        done = run_child(clean, relay, None)
        assert done.returncode == 0, done.stdout
        assert "Traceback" not in done.stdout
        log = list(relay.log)
        converge(clean)
        expected = clean.fingerprint()
    assert not relay.errors, relay.errors
    assert len(log) > 20 and {m for m, _ in log} >= {"GET", "POST", "PUT", "PROPFIND", "REPORT"}

    problems: list[str] = []
    points = kill_points(log)
    for index, point in enumerate(points):
        world = new_world(tmp_path, radicale, f"kill{index}")
        try:
            with world.serving():
                check_one_kill(world, relay, point)
        except AssertionError as exc:
            problems.append(f"killed {point}: {str(exc).splitlines()[0]}")
            continue
        if world.fingerprint() != expected:
            problems.append(f"killed {point}: the world did not converge to a clean sync's")
    assert not relay.errors, relay.errors
    assert not problems, f"{len(problems)} of {len(points)} kill points:\n" + "\n".join(problems)


def check_one_kill(world: World, relay: Relay, point: Point) -> None:
    killed = run_child(world, relay, point)
    assert killed.returncode == -signal.SIGKILL, (killed.returncode, killed.stdout)
    assert len(relay.log) == point.at, "the sync took another path than the survey's"
    world.assert_consistent()  # at the moment of the crash

    medium_create = point.what.startswith("POST") and point.what.endswith("/posts")
    with State(world.state_db) as state:
        pending = state.intents(INTENT_KIND, "pending")
    assert len(pending) == (1 if medium_create else 0), pending
    if medium_create:  # its outcome is unknown: the operator is told, and nothing is resent
        ledger, status = pending_shown(world)
        assert re.search(rf"^{pending[0].id}\s+pending\s", ledger, re.M), ledger
        assert f"unsettled: check Medium, then otg ledger resolve {pending[0].id}" in ledger
        assert "1 request of unknown outcome need an operator" in status
        title = pending[0].payload["title"]
        sent = [r for r in world.medium.received if (r.body or {}).get("title") == title]
        world.later(minutes=5)
        rerun = world.sync()
        assert any(o.kind == "pending" for o in rerun.outcomes), rerun.outcomes
        again = [r for r in world.medium.received if (r.body or {}).get("title") == title]
        assert again == sent, "a create of unknown outcome was sent again"
        drafted = {p["title"] for p in world.medium.posts} | {title}
        assert all(any(t.startswith(r) for t in drafted) for r in READY), "others not drafted"
        world.assert_consistent()
        world.settle_as_an_operator()
    converge(world)
    world.assert_consistent()
    with State(world.state_db) as state:
        statuses = [run.status for run in state.runs()]
    assert "running" not in statuses and statuses[-1] == "killed", statuses
