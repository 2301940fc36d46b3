"""Every Trello write's answer is checked (issue 20, fix 1): a write answered 200 with JSON of the
wrong shape, by a server that did not act, is not a success. The run says so in one line naming
Trello (exit 1), records nothing it cannot vouch for, and the next run makes the change: the world
ends exactly as after a night without the fault, with nothing made twice."""

from __future__ import annotations

import pytest

from tests.fakes.faults import Fault
from tests.reliability.fault_calls import ALL_CALLS, WRONG_SHAPE, Case
from tests.reliability.fault_harness import assert_one_line_failures

TRELLO_WRITES = [
    call
    for call, (service, method, _) in ALL_CALLS.items()
    if service == "Trello" and method in ("POST", "PUT")
]


def test_every_trello_write_of_the_matrix_is_here():
    assert set(TRELLO_WRITES) == {
        "trello card create",
        "trello link attach",
        "trello card move",
        "trello comment",
        "trello card update from a calendar edit",
        "trello cancel move",
    }


@pytest.mark.parametrize("call", TRELLO_WRITES)
@pytest.mark.parametrize("when", ["wrong-shape-before", "wrong-shape"])
def test_a_write_answered_200_in_the_wrong_shape_is_not_a_success(
    baseline, make_harness, call, when
):
    case = Case(call, "wrong shape")
    clean = baseline(case.scene)
    harness = make_harness(case.scene)
    world = harness.world
    service, method, path = ALL_CALLS[call]
    fault = harness.faults.add(Fault(service, method, path, when, body=WRONG_SHAPE[call]))

    code, lines = harness.cli_sync()
    assert fault.hits == 1
    problems = assert_one_line_failures(code, lines, "Trello")
    assert any("where" in p and "belongs" in p for p in problems), problems
    world.assert_consistent()

    world.settle_as_an_operator()
    harness.converge()
    world.assert_consistent()
    assert world.fingerprint() == clean["fingerprint"]
    assert harness.creates() == clean["creates"]
