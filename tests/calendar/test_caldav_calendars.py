"""The CalDAV target against a real server: which calendar is written to (a wiped one, one found by
its name, one the config moved away from).
"""

from __future__ import annotations

from urllib.parse import urlsplit

import requests

from tests.calendar.export_harness import (
    Otg,
    card,
    read_calendar,
    uid,
)
from tests.servers.radicale import (
    PASSWORD,
    USER,
    RadicaleServer,
    put_event,
    server_events,
    vcalendar,
)


def test_a_wiped_calendar_stops_the_sync_until_recreate_is_asked_for(otg: Otg) -> None:
    otg.add(card(1), card(2, "Planning"))
    otg.sync()
    for href in server_events(otg.url):
        requests.delete(
            urlsplit(otg.url)._replace(path=href).geturl(), auth=(USER, PASSWORD), timeout=5
        ).raise_for_status()

    result = otg.cli()

    assert result.exit_code == 1
    failed = [line for line in result.output.splitlines() if line.startswith("failed:")]
    assert len(failed) == 1, result.output
    assert "--recreate-calendar" in failed[0]
    assert "is empty" in failed[0]
    assert otg.session.writes == 0
    assert read_calendar(otg.url) == {}

    result = otg.cli("--recreate-calendar")

    assert result.exit_code == 0, result.output
    on_server = read_calendar(otg.url)
    assert set(on_server) == {uid(1), uid(2)}
    assert on_server[uid(2)].status == "TENTATIVE"
    otg.cli()
    assert otg.session.writes == 0


def test_the_calendar_is_found_by_its_display_name_under_the_server_root(
    otg: Otg, radicale: RadicaleServer
) -> None:
    name = f"OneTeamGov spinoffs {otg.tmp.name}"  # unique on the shared server
    otg.url = radicale.make_calendar(display_name=name)
    radicale.make_calendar(display_name="Someone's birthdays")
    otg.add(card(1))

    calendar_url, otg.url, otg.calendar = otg.url, radicale.url, name
    report = otg.sync()

    assert report.exit_code == 0, report.failures
    assert set(read_calendar(calendar_url)) == {uid(1)}
    assert otg.clients[-1].url == calendar_url


def test_an_unknown_display_name_lists_the_calendars_there(
    otg: Otg, radicale: RadicaleServer
) -> None:
    name = f"Spinoffs {otg.tmp.name}"
    radicale.make_calendar(display_name=name)
    otg.url, otg.calendar = radicale.url, "No such calendar"
    otg.add(card(1))

    result = otg.cli()

    assert result.exit_code == 1
    failed = [line for line in result.output.splitlines() if line.startswith("failed:")]
    assert len(failed) == 1, result.output
    assert 'no calendar called "No such calendar"' in failed[0]
    assert name in failed[0]


def test_pointing_at_another_calendar_never_writes_to_the_old_one(
    otg: Otg, radicale: RadicaleServer
) -> None:
    otg.add(card(1), card(2))
    otg.sync()
    old_url, old = otg.url, read_calendar(otg.url)
    otg.url = radicale.make_calendar()
    put_event(otg.url, "standup.ics", vcalendar("standup-1234@example.org", "Team stand-up"))

    result = otg.cli()

    assert result.exit_code == 1
    failed = [line for line in result.output.splitlines() if line.startswith("failed:")]
    assert len(failed) == 1, result.output
    assert "another calendar" in failed[0] and "--recreate-calendar" in failed[0]
    assert otg.session.writes == 0
    assert read_calendar(old_url) == old

    result = otg.cli("--recreate-calendar")

    assert result.exit_code == 0, result.output
    assert set(read_calendar(otg.url)) == {"standup-1234@example.org", uid(1), uid(2)}
    assert read_calendar(old_url) == old  # left as it was: we no longer look after it
    otg.cli()
    assert otg.session.writes == 0
