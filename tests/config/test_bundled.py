"""The files shipped in the package, and `otg init --example` writing the demo out."""

from __future__ import annotations

from click.testing import CliRunner

import cli
from config import ROUNDUP_TEMPLATE, load_config
from sync.model import Role


def test_the_roundup_template_is_package_data():
    assert ROUNDUP_TEMPLATE.is_file()
    assert ROUNDUP_TEMPLATE.parent.name == "templates"
    assert ROUNDUP_TEMPLATE.parent.parent.name == "config"  # inside the package, so in the wheel


def test_init_example_writes_a_demo_that_keeps_its_files_beside_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli.main, ["init", "--example", "demo.toml"])
    assert result.exit_code == 0, result.output
    cfg = load_config(tmp_path / "demo.toml")
    assert cfg.state_db == tmp_path / "otg-state.db"
    assert cfg.output_dir == tmp_path / "out"
    assert {b.role for b in cfg.boards} == set(Role)
    assert all(cfg.board_path(b).is_file() for b in cfg.boards)
    again = CliRunner().invoke(cli.main, ["init", "--example", "other.toml"])
    assert again.exit_code == 2  # the boards are there already
    assert again.output.startswith("error: boards/microactions.json already exists")
    assert "pass --force to overwrite it" in again.output
    assert (
        CliRunner().invoke(cli.main, ["init", "--example", "other.toml", "--force"]).exit_code == 0
    )


def test_check_fails_the_starters_placeholder_boards_and_names_the_fix(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    CliRunner().invoke(cli.main, ["init"])
    check = CliRunner().invoke(cli.main, ["check"])
    assert check.exit_code == 1
    assert (
        "FAIL board events: trello:EfGh5678 is the starter config's placeholder, not a board — "
        "set boards.events.source to trello:<the 8 characters after /b/ in the board's URL>, or "
        "to an export file"
    ) in check.output
    text = (tmp_path / "otg.toml").read_text(encoding="utf-8")
    (tmp_path / "otg.toml").write_text(text.replace("trello:EfGh5678", "trello:Zq8Xk2Lm"))
    again = CliRunner().invoke(cli.main, ["check"])
    assert "ok  board events: events, trello:Zq8Xk2Lm (not contacted; use --online)" in again.output
    assert again.output.count("placeholder") == 2  # the two still left as written
