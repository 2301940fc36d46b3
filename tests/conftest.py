"""Shared fixtures: config files in a temp folder, the CLI runner, the shared board exports."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from config import EXAMPLE

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
    return pauses


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[[str], Path]:
    def write(text: str, name: str = "otg.toml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def shared_boards() -> Path:
    if not SHARED_BOARDS.is_dir():
        pytest.skip("../shared/boards is not present (a user's fresh clone has none)")
    return SHARED_BOARDS


def load_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))
