"""Fixtures the calendar tests share: a fresh calendar on each CalDAV server the contract tests
run against (Radicale and Xandikos), otg against it (with the board as an export file, or on the
Trello fake), a clock of its own.

Every test here that uses ``calendar_url`` runs once per server (``[radicale]``, ``[xandikos]``)
unless it is marked ``radicale_only`` (it needs what only Radicale does here: passwords, a second
user, a server of its own to stop and start)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

import jobs.events.outbound
import jobs.sync
from sync.calendar.caldav import CalDavClient
from tests.calendar.export_harness import Otg, otg_at
from tests.calendar.two_way_harness import (
    TwoWay,
    events_board,
)
from tests.fakes.trello import FakeClock, FakeTrello
from tests.servers.radicale import PASSWORD, RadicaleServer
from tests.servers.sabredav import SabreDavServer, sabredav_missing
from tests.servers.xandikos import XandikosServer, xandikos_missing

SERVERS = ("radicale", "xandikos")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "radicale_only: a CalDAV test that needs Radicale's passwords or users"
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "caldav_server" in metafunc.fixturenames:
        kinds = SERVERS[:1] if metafunc.definition.get_closest_marker("radicale_only") else SERVERS
        metafunc.parametrize("caldav_server", kinds, indirect=True)


@pytest.fixture(scope="session")
def xandikos(tmp_path_factory: pytest.TempPathFactory) -> Iterator[XandikosServer]:
    """One Xandikos process for the whole run, on 127.0.0.1."""
    missing = xandikos_missing()
    if missing:
        pytest.skip(missing)
    server = XandikosServer(tmp_path_factory.mktemp("xandikos"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def sabredav(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SabreDavServer]:
    """One SabreDAV (Debian's php-sabre-dav under `php -S`) for the whole run, on 127.0.0.1:
    Digest sign-in, UIDs not kept unique. Skips where PHP or SabreDAV is not installed."""
    missing = sabredav_missing()
    if missing:
        pytest.skip(f"SabreDAV cannot be started: {missing}")
    server = SabreDavServer(tmp_path_factory.mktemp("sabredav"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def caldav_server(request: pytest.FixtureRequest) -> RadicaleServer:
    """The server this run of the test is against (Radicale or Xandikos), running."""
    server = request.getfixturevalue(request.param)
    server.start()  # a no-op unless an earlier test left it stopped
    return server


@pytest.fixture
def calendar_url(caldav_server: RadicaleServer) -> str:
    """A new, empty calendar of the user \"organiser\" on this run's server."""
    return caldav_server.make_calendar()


@pytest.fixture
def otg(tmp_path: Path, calendar_url: str, monkeypatch: pytest.MonkeyPatch) -> Otg:
    """otg set up against a fresh calendar; records the CalDAV client each run makes."""
    return otg_at(tmp_path, calendar_url, monkeypatch)


@pytest.fixture
def two_way(
    tmp_path: Path, calendar_url: str, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TwoWay]:
    fake = FakeTrello(clock=clock)
    fake.add_board(events_board())
    monkeypatch.setenv("TRELLO_API_KEY", fake.key)
    monkeypatch.setenv("TRELLO_TOKEN", fake.token)
    monkeypatch.setenv("CALDAV_PASSWORD", PASSWORD)
    monkeypatch.chdir(tmp_path)
    env = TwoWay(tmp_path, calendar_url, fake, clock)
    original = jobs.events.outbound.caldav_client

    def serve_laxly(response: requests.Response, *args: Any, **kwargs: Any) -> None:
        if response.request.method == "REPORT":
            for stored, served in env.lax:
                response._content = response.content.replace(stored.encode(), served.encode())

    def recording(cfg: Any, caldav: Any) -> CalDavClient:
        client = original(cfg, caldav)
        client.session.hooks["response"].append(serve_laxly)
        env.clients.append(client)
        return client

    monkeypatch.setattr(jobs.events.outbound, "caldav_client", recording)
    monkeypatch.setattr(jobs.sync, "now_utc", lambda: env.now)  # the CLI's runs too
    with fake.running() as rsps:
        rsps.add_passthru("http://127.0.0.1")
        yield env
