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

import os

import pytest
import requests

from tests.fakes.faults import Fault, FaultInjector
from tests.reliability.fault_calls import (
    ALL_CALLS,
    BURST,
    CASES,
    CHECK_CALLS,
    EVERY_FAULT,
    FIRST_CASES,
    NAMED,
    NEWS_CALLS,
    NEWS_CASES,
    SCENE_OF,
    TOO_MANY,
    UNKNOWN_OUTCOME,
    _cases,
)
from tests.reliability.fault_harness import assert_one_line_failures


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
