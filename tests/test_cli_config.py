"""How `otg` finds and reads its config, driven as a user would: `otg init` writes a starter one,
`--config` before or after the command or OTG_CONFIG, and a bad config is one line and exit 2."""

from __future__ import annotations

import cli
from config import EXAMPLE
from tests.running_otg import invoke


def test_init_writes_a_starter_config_that_checks(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke(runner, "init")
    assert result.output == "Wrote otg.toml. Edit the [boards.*] tables, then run `otg check`.\n"
    again = invoke(runner, "init")
    assert again.output == "error: otg.toml already exists — pass --force to overwrite it\n"
    assert again.exit_code == 2
    nowhere = invoke(runner, "init", "no/such/folder/otg.toml")
    assert nowhere.exit_code == 2
    assert nowhere.output == (
        "error: cannot write no/such/folder/otg.toml: No such file or directory — create its "
        "folder, or pick another path\n"
    )
    check = invoke(runner, "check")
    assert check.exit_code == 1  # starter boards are on Trello and no token is set
    assert "FAIL credentials: TRELLO_API_KEY and TRELLO_TOKEN not set" in check.output


def test_a_bad_config_is_one_line_and_exit_2(runner, write_config):
    path = write_config('[boards.x]\nrole = "evnts"\nsource = "a.json"\n')
    result = runner.invoke(cli.main, ["--config", str(path), "sync"])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1
    assert result.output.startswith(f"error: config in {path}: 1 problem: boards.x.role: 'evnts'")
    assert "Traceback" not in result.output


def test_config_comes_from_the_environment(runner, monkeypatch):
    monkeypatch.setenv("OTG_CONFIG", str(EXAMPLE))
    assert invoke(runner, "check").exit_code == 0


def test_config_option_after_the_command(runner):
    assert invoke(runner, "check", "--config", str(EXAMPLE)).exit_code == 0
