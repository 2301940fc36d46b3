"""Quiet nights cost nothing as calendars grow: after a run that wrote nothing, the next run asks
the calendar for its version alone (getctag / sync-token: one small PROPFIND, Depth 0) and uses
the listing it kept; any change on the calendar changes the version, and it is listed whole.
On each contract server (Radicale, Xandikos) and on SabreDAV.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests
from requests.auth import HTTPDigestAuth

from tests.calendar.export_harness import Otg, card, otg_at, read_calendar, uid
from tests.servers.radicale import PASSWORD, USER, put_event
from tests.servers.sabredav import SabreDavServer


def record_traffic(otg: Otg) -> list[tuple[str, str, int]]:
    """(method, Depth, bytes received) of every CalDAV answer from now on."""
    seen: list[tuple[str, str, int]] = []

    def hook(response: requests.Response, *args: Any, **kwargs: Any) -> None:
        request = response.request
        seen.append((request.method, request.headers.get("Depth", ""), len(response.content)))

    otg.hooks.append(hook)
    return seen


def quiet_nights(otg: Otg, cards: int = 12) -> list[tuple[str, str, int]]:
    otg.add(*(card(n) for n in range(1, cards + 1)))
    assert otg.sync().exit_code == 0  # the events are made
    traffic = record_traffic(otg)
    listed = otg.sync()  # nothing changed: listed whole once more, and that listing kept
    assert listed.exit_code == 0 and otg.session.writes == 0
    assert [(m, d) for m, d, _ in traffic] == [("PROPFIND", "1")]
    whole = traffic[0][2]
    traffic.clear()
    for _ in range(2):
        quiet = otg.sync()
        assert quiet.exit_code == 0 and otg.session.writes == 0
    assert [(m, d) for m, d, _ in traffic] == [("PROPFIND", "0"), ("PROPFIND", "0")]
    assert all(size < 1000 < whole for _, _, size in traffic), (traffic, whole)
    traffic.clear()
    return traffic


def test_a_quiet_night_is_one_small_request_and_a_change_is_still_seen(otg: Otg) -> None:
    traffic = quiet_nights(otg)
    ours = read_calendar(otg.url)[uid(3)]
    edited = ours.event.to_ical().decode().replace("OneTeamGov breakfast #3", "Renamed in app")
    put_event(
        otg.url,
        ours.href.rsplit("/", 1)[-1],
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n{edited}END:VCALENDAR\r\n",
    )

    report = otg.sync()

    assert report.exit_code == 0, (report.failures, report.outcomes)
    assert [(m, d) for m, d, _ in traffic][:2] == [("PROPFIND", "0"), ("PROPFIND", "1")]
    assert [o.kind for o in report.outcomes if o.target == "caldav"] == ["restore"]
    assert str(read_calendar(otg.url)[uid(3)].event["SUMMARY"]) == "OneTeamGov breakfast #3"


def test_a_card_change_on_a_quiet_calendar_is_written_and_the_next_night_is_quiet(
    otg: Otg,
) -> None:
    traffic = quiet_nights(otg)
    otg.cards[next(iter(otg.cards))]["name"] = "Breakfast, renamed on the board"

    report = otg.sync()

    assert report.exit_code == 0, (report.failures, report.outcomes)
    assert [o.kind for o in report.outcomes if o.target == "caldav"] == ["update"]
    traffic.clear()
    otg.sync()  # the calendar changed (by us): listed whole, and kept
    otg.sync()
    assert [(m, d) for m, d, _ in traffic] == [("PROPFIND", "1"), ("PROPFIND", "0")]


def test_a_quiet_night_on_sabredav_is_one_small_request(
    tmp_path: Path, sabredav: SabreDavServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    sabredav.start()
    otg = otg_at(tmp_path, sabredav.make_calendar(), monkeypatch)
    traffic = quiet_nights(otg)
    put_event(
        otg.url,
        "theirs.ics",
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:theirs@x\r\n"
        "DTSTAMP:20261201T120000Z\r\nDTSTART:20270110T090000Z\r\nDURATION:PT1H\r\n"
        "SUMMARY:Theirs\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        HTTPDigestAuth(USER, PASSWORD),
    )
    otg.sync()
    assert [(m, d) for m, d, _ in traffic][:2] == [("PROPFIND", "0"), ("PROPFIND", "1")]
