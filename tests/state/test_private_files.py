"""Files others should not read (issue 20, fix 6): the state database (card titles and
descriptions from private boards), its journal, its lock and the log are created 0600, and a
state folder otg-sync makes 0700; `otg check` names existing ones that others can read."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli
from tests.conftest import DEMO_BOARDS

CONFIG = f"""\
timezone = "Europe/London"
state_db = "private/state/otg.db"
output_dir = "out"

[boards.events]
role = "events"
source = "{DEMO_BOARDS / "events.json"}"

[calendar]
domain = "oneteamgov.uk"
feed = "events.ics"
"""


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "otg.toml"
    path.write_text(CONFIG)
    return path


def test_the_state_its_lock_and_the_log_are_private(config, tmp_path, monkeypatch):
    monkeypatch.setenv("OTG_NOW", "2026-11-25T12:00:00Z")
    log = tmp_path / "otg.log"
    args = ["--config", str(config), "--log-file", str(log), "sync"]
    result = CliRunner().invoke(cli.main, args)
    assert result.exit_code == 0, result.output
    state = tmp_path / "private" / "state"
    assert mode(tmp_path / "private") == 0o700 and mode(state) == 0o700
    made = sorted(p.name for p in state.iterdir())
    assert "otg.db" in made and "otg.db.lock" in made and "otg.db.boards" in made, made
    files = [p for p in state.rglob("*") if p.is_file()]  # the boards kept between runs too
    assert {p.name: mode(p) for p in files} == {p.name: 0o600 for p in files}
    assert mode(state / "otg.db.boards") == 0o700
    assert mode(log) == 0o600
    assert mode(tmp_path / "out" / "events.ics") & 0o044  # the feed is for everyone

    checked = CliRunner().invoke(cli.main, ["--config", str(config), "check"])
    assert "readable by other users" not in checked.output, checked.output


@pytest.mark.parametrize(
    ("name", "mode", "said"),
    [
        ("otg.db", 0o644, "is readable by other users — chmod 600"),
        ("otg.db.boards/*", 0o644, "is readable by other users — chmod 600"),  # a kept board
        ("otg.db.boards", 0o755, "is open to other users — chmod 700"),  # their folder
    ],
)
def test_check_names_what_others_can_read(config, tmp_path, name, mode, said):
    assert CliRunner().invoke(cli.main, ["--config", str(config), "sync"]).exit_code == 0
    (exposed,) = (tmp_path / "private" / "state").glob(name)
    exposed.chmod(mode)
    checked = CliRunner().invoke(cli.main, ["--config", str(config), "check"])
    assert checked.exit_code == 1
    assert f"FAIL state: {exposed} {said} {exposed}" in checked.output
