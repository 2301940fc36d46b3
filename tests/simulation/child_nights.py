"""The simulation's nights that run `otg sync` as a real subprocess (tests/reliability/relay.py),
on the same world (the same fakes, the same Radicale, the same clock):

- a **killed** night: the sync is SIGKILLed at a request drawn from the seed, before or after the
  service acted (a night whose sync ends before that request is a clean subprocess run);
- a **racing** night: two `otg sync` started together on the same state, both through the relay.
  Exactly one runs at a time: the other is refused (``busy``, exit 3) or waits for the lock
  (``--wait``, as documented) and runs after it, its requests never among the first's.

After either, the invariants of every night hold (tests/simulation/invariants.py); a killed
night's pending intents are checked where an operator finds them (`otg ledger list`, `otg
status`), since the killed run printed nothing more."""

from __future__ import annotations

import random
import signal
from dataclasses import dataclass

from sync.content.plan import INTENT_KIND
from sync.state.store import State
from tests.reliability.relay import Relay, finish, pending_shown, run_child, start_child
from tests.world import World

#: The share of nights (without another whole-night trouble) whose sync is killed.
KILL_SHARE = 0.12
BUSY = "another otg run is in progress"


@dataclass(frozen=True)
class Kill:
    at: int  # the 1-based request of the night's sync to kill it at
    after: bool  # after the service acted (else before it saw the request)

    def __str__(self) -> str:
        return f"killed {'after' if self.after else 'before'} request {self.at}"


def draw_kill(rng: random.Random, requests_last_night: int) -> Kill | None:
    """Some nights a kill, at a request within as many as the last night made."""
    if rng.random() >= KILL_SHARE:
        return None
    return Kill(rng.randint(1, max(1, requests_last_night)), rng.random() < 0.5)


def killed_night(world: World, relay: Relay, kill: Kill) -> tuple[int, list[str]]:
    """`otg sync` in a subprocess, killed at ``kill``: its exit code (``-SIGKILL`` when the kill
    point was reached) and what it printed before."""
    done = run_child(world, relay, kill.at, kill.after)
    lines = done.stdout.splitlines()
    reached = len(relay.log) >= kill.at
    expected = (-signal.SIGKILL,) if reached else (0, 1)
    assert done.returncode in expected, (str(kill), done.returncode, done.stdout)
    assert not relay.errors, relay.errors
    return done.returncode, lines


def check_killed(world: World) -> None:
    """Right after a kill: every pending Medium intent is shown to an operator (`otg ledger
    list` names it, `otg status` counts it)."""
    with State(world.state_db) as state:
        pending = state.intents(INTENT_KIND, "pending")
    if pending:
        ledger, status = pending_shown(world)
        for intent in pending:
            assert f"otg ledger resolve {intent.id}" in ledger, ledger
        assert "of unknown outcome need an operator" in status, status


def racing_night(world: World, relay: Relay, waits: tuple[float, float]) -> tuple[int, list[str]]:
    """Two `otg sync` started together (``--wait`` each): exactly one runs at a time. Returns
    the exit code and lines of the runs that ran (the worse code)."""
    relay.reset()
    children = [start_child(world, relay, "sync", "--wait", str(wait)) for wait in waits]
    done = [finish(child) for child in children]
    assert not relay.errors, relay.errors
    ran = [d for d in done if d.returncode != 3]
    lines: list[str] = []
    for child, result in zip(children, done, strict=True):
        text = result.stdout
        assert "Traceback" not in text and "unexpected" not in text, text
        if result.returncode == 3:  # refused: it said why, and sent nothing
            assert BUSY in text or "busy" in text, text
            assert child.pid not in relay.senders, "a refused run made requests"
        else:
            assert result.returncode in (0, 1), (result.returncode, text)
        lines += text.splitlines()
    assert ran, f"both runs were refused: {[d.stdout for d in done]}"
    # one at a time: the requests of one run never among the other's
    order = [pid for n, pid in enumerate(relay.senders) if n == 0 or relay.senders[n - 1] != pid]
    assert len(order) == len(set(order)), f"two syncs ran at once: {order}"
    return max(d.returncode for d in ran), lines
