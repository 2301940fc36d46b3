"""A write the server took just before the run died is ours, not someone else's edit (issue 20,
fix 3). An archived card's event is cancelled with a CalDAV PUT; the connection is reset (or the
run killed) after the server took it. The next sync must not read its own CANCELLED as an edit
made on the calendar and move the card to Cancelled: a clean run leaves the card where it was."""

from __future__ import annotations

import pytest

from tests.fakes.faults import Fault
from tests.world import DOMAIN, LEEDS


@pytest.mark.parametrize("kind", ["reset-after", "timeout-after", "reset-mid-body"])
def test_our_own_cancel_taken_before_a_crash_is_not_a_calendar_edit(harness, kind):
    world = harness.world
    assert world.sync().ok
    world.later(hours=1)
    before = world.trello.card(LEEDS)["idList"]
    world.trello.as_a_user("PUT", f"/cards/{LEEDS}", closed="true")
    fault = harness.faults.add(Fault("CalDAV", "PUT", LEEDS, kind))

    code, lines = harness.cli_sync()
    assert fault.hits == 1 and code == 1, lines
    reports = harness.converge()

    said = [f"{o.kind} {o.title}: {o.detail}" for r in reports for o in r.outcomes]
    assert not [x for x in said if "edited on the calendar" in x], said
    card = world.trello.card(LEEDS)
    assert card["idList"] == before and card["closed"] is True, world.list_names()[card["idList"]]
    event = world.calendar()[f"trello-{LEEDS}@{DOMAIN}"]
    assert event.status == "CANCELLED"
    world.assert_consistent()
