"""Shared fixtures: config files in a temp folder, the CLI runner, the shared board exports, and a
real CalDAV server (Radicale on 127.0.0.1, see ``radicale_server.py``) with a calendar per test.
"""

from __future__ import annotations

import importlib.util
import json
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from config import EXAMPLE
from tests.fakes.trello import FakeClock
from tests.servers.radicale import RadicaleServer

ROOT = Path(__file__).resolve().parent.parent
SHARED_BOARDS = ROOT.parent / "shared" / "boards"
DEMO_BOARDS = EXAMPLE.parent / "boards"


@pytest.fixture(autouse=True)
def _no_secrets_from_the_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests see only the secrets they set themselves."""
    for name in ("TRELLO_API_KEY", "TRELLO_TOKEN", "MEDIUM_TOKEN", "CALDAV_PASSWORD", "OTG_CONFIG"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def _no_real_waiting(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Backoff and rate-limit pauses cost no real time; the pauses are recorded instead."""
    pauses: list[float] = []
    monkeypatch.setattr("sync.http.pause", pauses.append)
    monkeypatch.setattr("sync.http._WINDOWS", {})  # each test starts with its own rate windows
    return pauses


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[[str], Path]:
    def write(text: str, name: str = "otg.toml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """The time our HTTP sessions wait by, faked: waits take no time, and the fakes' rate limits
    see it pass (tests/fakes/conftest.py has its own, for the fakes alone)."""
    clock = FakeClock()
    monkeypatch.setattr("sync.http.monotonic", clock.now)
    monkeypatch.setattr("sync.http.pause", clock.sleep)
    return clock


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def shared_boards() -> Path:
    if not SHARED_BOARDS.is_dir():
        pytest.skip("../shared/boards is not present (a user's fresh clone has none)")
    return SHARED_BOARDS


def demo_boards(*roles: str) -> str:
    """The ``[boards.*]`` tables of the bundled example boards, one a role (all three when none
    is named), each called by its role: for a config a test writes."""
    return "".join(
        f'[boards.{role}]\nrole = "{role}"\nsource = "{DEMO_BOARDS / (role + ".json")}"\n'
        for role in roles or ("microactions", "events", "content")
    )


def load_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


# -- a real CalDAV server (Radicale) on loopback, for the CalDAV tests ---------------------------


@pytest.fixture(scope="session")
def radicale(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RadicaleServer]:
    """One Radicale process for the whole run, on 127.0.0.1; every test gets its own calendar."""
    if importlib.util.find_spec("radicale") is None:
        pytest.fail("radicale is not installed: run `pip install -e '.[test]'` (or `make test`)")
    server = RadicaleServer(tmp_path_factory.mktemp("radicale"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def calendar_url(radicale: RadicaleServer) -> str:
    """A new, empty calendar of the user "organiser" on the shared server."""
    radicale.start()  # a no-op unless an earlier test left it stopped
    return radicale.make_calendar()
