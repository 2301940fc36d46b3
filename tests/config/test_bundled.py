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
