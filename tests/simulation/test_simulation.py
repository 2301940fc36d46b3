"""Months of bad nights in a minute: a seeded, deterministic simulation of a community's weeks.

Each simulated day people change the boards and the calendar (``community.py``); each night the
sync runs as the timer runs it (``otg sync``) while a fault plan drawn from the seed strikes
(``faults_plan.py``). Some nights the sync is a real subprocess on the same world
(``child_nights.py``, through tests/reliability/relay.py): SIGKILLed at a request drawn from the
seed (before or after the service acted), or two `otg sync` started together (one runs at a time,
the other refused or waiting). After every night the invariants are checked (``invariants.py``),
and at the end of each week a quiet night must converge (nothing more to write) with the feed
saying what the boards say. The scheduler's roundup job runs at its fortnightly slot and once at
the end (``roundups.py``), and the roundups it drafted are checked against what people did: each
item done, held or published in exactly one, in its period. Everything is drawn from the seed, on
the fakes' clock and a real Radicale; the draws added later (kills, microactions, a racing run's
waits) come from generators of their own, so that older seeds keep their stories.

A failure names its seed and night; ``OTG_SIM_SEED=S`` replays that seed alone and
``OTG_SIM_SHOW=1`` prints its story. By default a few seeds × one week run (``make test``);
``OTG_SIM_SEEDS=N OTG_SIM_WEEKS=M`` (from seed ``OTG_SIM_FIRST``) runs long. Seeds that found a
defect are kept in ``REGRESSIONS`` and always run.
"""

from __future__ import annotations

import os
import random
from contextlib import ExitStack
from datetime import timedelta

import pytest

import cli
from sync.state.store import State
from tests.reliability.fault_harness import Harness
from tests.reliability.relay import Relay
from tests.reliability.test_fault_state import make_read_only
from tests.simulation.child_nights import check_killed, draw_kill, killed_night, racing_night
from tests.simulation.community import Community
from tests.simulation.faults_plan import Plan, draw
from tests.simulation.invariants import check_converged, check_night
from tests.simulation.roundups import check_roundups, run_roundup, scheduled_roundup

SEEDS = int(os.environ.get("OTG_SIM_SEEDS", "3"))
WEEKS = int(os.environ.get("OTG_SIM_WEEKS", "1"))
FIRST_SEED = int(os.environ.get("OTG_SIM_FIRST", "1"))
#: Seeds that found a defect (fixed), with the weeks it took: they always run.
REGRESSIONS: dict[int, int] = {
    3: 1,  # an imported event whose card was never planned was deleted when no board was read
    6: 1,  # a draft link left unattached, then published: the same link attached twice in a run
    123: 2,  # a CalDAV PUT answered 200 with a body, no ETag, not stored: recorded as done
    1032: 2,  # a post published before a failed sync missed the roundup drafted the next morning
    3068: 1,  # an import settled in a later run kept our UID in the feed, the partner's on CalDAV
    5062: 1,  # (in the simulation) the guard rightly stopped 5 cancellations: the operator allows
    6029: 4,  # (in the simulation) the same, first stopping the week's quiet run
    8023: 1,  # a post whose draft an operator settled, no sync recorded yet: missed by the roundup
}
ONE = os.environ.get("OTG_SIM_SEED")
GUARD = "--allow-mass-cancel"
CHOSEN = (
    [(int(ONE), WEEKS)]
    if ONE
    else sorted(
        {(seed, WEEKS) for seed in range(FIRST_SEED, FIRST_SEED + SEEDS) if seed not in REGRESSIONS}
        | {(seed, max(WEEKS, weeks)) for seed, weeks in REGRESSIONS.items()}
    )
)


def _operator_allows(harness: Harness, lines: list[str]) -> tuple[int, list[str]] | None:
    """When the mass-change guard stopped a board (people cancelled many events while nights
    were lost), the operator looks, sees that people made each cancellation, and runs `otg sync
    --allow-mass-cancel` once, as the guard's message says."""
    if not any(GUARD in line for line in lines):
        return None
    result = harness.runner.invoke(
        cli.main, ["--config", str(harness.world.config_path), "sync", GUARD]
    )
    return result.exit_code, result.output.splitlines()


def _converge(harness: Harness) -> None:
    """The week's quiet night converges (the operator letting the guard through first, when it
    stops the first quiet run)."""
    try:
        harness.converge()
    except AssertionError as exc:
        if GUARD not in str(exc) or _operator_allows(harness, [str(exc)]) is None:
            raise
        harness.converge()


def _night(
    harness: Harness, plan: Plan, monkeypatch: pytest.MonkeyPatch, relay: Relay, more: random.Random
) -> tuple[int, list]:
    """One night's `otg sync`, with the plan's faults and troubles (a racing run: two real
    `otg sync` processes at once)."""
    world = harness.world
    if "racing run" in plan.troubles:
        return racing_night(world, relay, (10.0, more.choice([0.0, 10.0])))
    for fault in plan.faults:
        harness.faults.add(fault)
    with ExitStack() as stack:
        if "disk full" in plan.troubles:
            count, real = [0], State.transaction

            def transaction(self):
                count[0] += 1
                if count[0] == plan.disk_full_at:
                    make_read_only(self.db)
                return real(self)

            patch = stack.enter_context(monkeypatch.context())
            patch.setattr(State, "transaction", transaction)
        code, lines = harness.cli_sync()
    harness.faults.land()  # the late writes reach the service, after the run gave up
    harness.faults.clear()
    return code, lines


@pytest.mark.timeout(120 * max(WEEKS, 2))  # a hang fails, however long the run
@pytest.mark.parametrize(("seed", "weeks"), CHOSEN, ids=[f"seed {s}" for s, _ in CHOSEN])
def test_weeks_of_a_community_and_bad_nights(seed, weeks, make_harness, monkeypatch, relay):
    rng = random.Random(seed)
    harness = make_harness()
    world = harness.world
    monkeypatch.setattr("jobs.events.calendar_imports.now_utc", lambda: world.now)
    community = Community(world, rng, seed)
    began, drafted = world.now, []
    history: list[str] = []
    requests_last_night = 30
    for night in range(1, 7 * weeks + 1):
        community.done.clear()
        community.day()
        history.append(f"day {night}: {community.done}")
        plan = draw(rng)
        # drawn apart from ``rng``, so that the seeds' stories before kills were added stand
        more = random.Random(f"{seed}/{night}")
        kill = None if plan.troubles else draw_kill(more, requests_last_night)
        if kill is not None:
            plan = Plan([], [str(kill)])
        elif "racing run" in plan.troubles:  # through the relay: the transport faults miss it
            plan = Plan([], plan.troubles)
        history.append(f"night {night}: {plan.describe()}")
        story = f"seed {seed}, night {night} ({plan.describe()})"
        try:
            seen = len(harness.faults.seen)
            if kill is not None:
                code, lines = killed_night(world, relay, kill)
            else:
                code, lines = _night(harness, plan, monkeypatch, relay, more)
            in_child = kill is not None or "racing run" in plan.troubles
            requests_last_night = len(relay.log) if in_child else len(harness.faults.seen) - seen
            history += [f"  {x}" for x in lines if not x.startswith(("skip", "  "))]
            if kill is not None:
                check_killed(world)
            check_night(world, community, code, lines, killed=kill is not None)
            if (allowed := _operator_allows(harness, lines)) is not None:
                history += [f"  operator: {x}" for x in allowed[1] if not x.startswith("skip")]
                check_night(world, community, *allowed)
            world.settle_as_an_operator()
            if night % 7 == 0:  # the week's last night: a quiet one converges
                _converge(harness)
                check_converged(world, community)
            next_night = world.now + timedelta(hours=24)
            if (made := scheduled_roundup(world, monkeypatch)) is not None:
                drafted.append(made)
                history.append(f"roundup {made.start} – {made.end}: {made.said}")
        except AssertionError as exc:
            if os.environ.get("OTG_SIM_SHOW"):
                print("\n".join(history))
            raise AssertionError(f"{story}: replay with OTG_SIM_SEED={seed}: {exc}") from None
        world.later(seconds=(next_night - world.now).total_seconds())
    if (made := run_roundup(world, monkeypatch, scheduled=False)) is not None:
        drafted.append(made)
        history.append(f"roundup {made.start} – {made.end}: {made.said}")
    if os.environ.get("OTG_SIM_SHOW"):
        print("\n".join(history))
    try:
        check_roundups(drafted, community.truth, began)
    except AssertionError as exc:
        story = f"seed {seed}, the roundups: replay with OTG_SIM_SEED={seed}"
        raise AssertionError(f"{story}: {exc}") from None
