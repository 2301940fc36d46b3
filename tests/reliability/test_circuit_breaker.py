"""A storm of 429s (or 5xx) ends (issue 20, fix 4): once one service has answered TRIP_AFTER
requests in a row with 429 or 5xx, nothing more is sent to it this run: the items left fail at
once, in a line each, the run says why once, and the next run resumes and converges."""

from __future__ import annotations

import pytest

from sync.http import TRIP_AFTER
from tests.fakes.faults import FOREVER, Fault
from tests.reliability.fault_calls import TOO_MANY
from tests.reliability.fault_harness import assert_one_line_failures

STORMS = [
    (429, TOO_MANY["Trello"], ("POST", "PUT")),  # every write rate limited
    (502, "Bad Gateway", (None,)),  # every request: reads are retried on 5xx, writes are not
]


@pytest.mark.parametrize(("status", "body", "methods"), STORMS, ids=["429 writes", "502 all"])
def test_a_storm_from_trello_trips_the_breaker_once_and_the_next_run_resumes(
    clean, harness, status, body, methods
):
    world = harness.world
    storms = [
        harness.faults.add(
            Fault("Trello", method, "", "status", status=status, body=body, times=FOREVER)
        )
        for method in methods
    ]
    code, lines = harness.cli_sync()

    assert_one_line_failures(code, lines, "Trello")
    assert sum(f.hits for f in storms) == TRIP_AFTER  # not one more request after the trip
    said = [x for x in lines if "in a row with 429 or 5xx" in x and "next run resumes" in x]
    assert len(said) == 1, lines
    assert sum(world.clock.sleeps) < 12.5 * TRIP_AFTER, world.clock.sleeps  # not hours
    world.assert_consistent()

    harness.converge()
    world.assert_consistent()
    assert world.fingerprint() == clean["fingerprint"]
    assert harness.creates() == clean["creates"]
