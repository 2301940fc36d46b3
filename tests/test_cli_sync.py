"""`otg sync` and `otg boards` on export files, driven as a user would: what they print, the run
recorded, a dry run touching nothing, and a broken board or card failing alone, no traceback."""

from __future__ import annotations

import json
import re

import cli
from config import EXAMPLE
from tests.running_otg import example_copy, invoke


def test_boards_shows_lists_states_and_counts(runner):
    result = invoke(runner, "--config", str(EXAMPLE), "boards")
    assert result.exit_code == 0
    assert 'microactions (microactions): "OneTeamGov Microactions"' in result.output
    assert re.search(r"  Done\s+→ done\s+\d+ cards", result.output)
    data = json.loads(invoke(runner, "--config", str(EXAMPLE), "boards", "--json").output)
    assert [b["role"] for b in data["boards"]] == ["microactions", "events", "content"]
    assert data["errors"] == []


def test_boards_prints_nothing_on_stdout_when_no_board_can_be_read(runner, write_config, tmp_path):
    path = write_config(f"""
        [boards.events]
        role = "events"
        source = "{tmp_path / "gone.json"}"
    """)
    result = runner.invoke(cli.main, ["--config", str(path), "boards"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith('error: board "events": no export file at ')
    assert result.stderr.count("\n") == 1


def test_sync_reads_every_board_and_records_the_run(runner, tmp_path, write_config):
    config = example_copy(tmp_path, write_config)
    result = invoke(runner, "--config", config, "sync")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "2 boards read; 13 create, 1 write (run 1)."
    assert (tmp_path / "state.db").exists()
    second = invoke(runner, "--config", config, "sync", "--json")
    data = json.loads(second.output)
    assert (data["ok"], data["run_id"], len(data["boards"])) == (True, 2, 2)
    assert data["outcomes"] == []  # nothing changed, nothing written


def test_dry_run_touches_nothing(runner, tmp_path, write_config):
    config = example_copy(tmp_path, write_config)
    result = invoke(runner, "--config", config, "sync", "--dry-run", "--only", "events")
    assert result.exit_code == 0
    assert result.output.splitlines()[-1] == "Dry run: 1 board read; 13 create, 1 write."
    assert not (tmp_path / "state.db").exists() and not (tmp_path / "out").exists()


def test_a_broken_board_fails_alone(runner, tmp_path, write_config):
    (tmp_path / "truncated.json").write_text('{"id": "abc", "cards": [{"id": ')
    config = example_copy(
        tmp_path,
        write_config,
        f"""
        [boards.broken]
        role = "content"
        source = "{tmp_path / "truncated.json"}"
    """,
    )
    result = runner.invoke(cli.main, ["--config", config, "sync"])
    assert result.exit_code == 1
    assert (
        f'failed: board "broken": {tmp_path / "truncated.json"} is not valid JSON (line 1, '
        "column 32: Expecting value); the export may be truncated"
    ) in result.output
    assert result.stdout.splitlines()[-1] == "2 boards read; 13 create, 1 write; 1 failed (run 1)."
    assert "Traceback" not in result.output


def test_an_unknown_list_in_the_config_names_the_lists_there_are(runner, tmp_path, write_config):
    mapping = '[boards.events.lists]\n"Confirmd" = "confirmed"'
    config = example_copy(tmp_path, write_config, mapping)
    result = runner.invoke(cli.main, ["--config", config, "sync"])
    assert result.exit_code == 1
    assert (
        'failed: board "events": board "OneTeamGov Spinoff Events": the config maps list '
        '"Confirmd", but the board has no such list'
    ) in result.output
    assert '"Confirmed"' in result.output


def test_a_card_with_a_nonsense_date_is_a_warning_not_a_failure(runner, tmp_path, write_config):
    export = tmp_path / "b.json"
    export.write_text(
        json.dumps(
            {
                "id": "5f0000000000000000000001",
                "name": "B",
                "lists": [{"id": "l1", "name": "Done"}],
                "cards": [
                    {
                        "id": "5f0000000000000000000c01",
                        "name": "Odd",
                        "idList": "l1",
                        "due": "0001-01-01T00:00:00.000Z",
                    },
                    {"id": "5f0000000000000000000c02", "name": "Fine", "idList": "l1"},
                ],
            }
        )
    )
    config = write_config(f'[boards.m]\nrole = "microactions"\nsource = "{export}"\n')
    result = runner.invoke(cli.main, ["--config", str(config), "sync"])
    assert result.exit_code == 0
    assert (
        'warning: board "m", card "Odd" (5f0000000000000000000c01): due: '
        '"0001-01-01T00:00:00.000Z" is outside 1970–2199; ignored'
    ) in result.output
