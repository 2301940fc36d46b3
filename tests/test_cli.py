"""The `otg` command line, driven as a user would: exact output, exit codes, no tracebacks."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys

import click
import pytest
import responses

import cli
from config import EXAMPLE
from sync.state.store import State
from tests.conftest import ROOT, demo_boards

COMMANDS = sorted(cli.main.commands)


def invoke(runner, *args, **kwargs):
    return runner.invoke(cli.main, list(args), catch_exceptions=False, **kwargs)


def test_version(runner):
    result = invoke(runner, "--version")
    assert re.fullmatch(r"otg, version \d+\.\d+\.\d+\S*\n", result.output)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_and_is_in_the_readme(runner, name):
    command = cli.main.commands[name]
    assert command.help and command.short_help != ""
    assert invoke(runner, name, "--help").exit_code == 0
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"otg {name}" in readme, f"`otg {name}` is not in the README"


def test_every_option_has_help():
    def commands(group):
        for command in group.commands.values():
            yield command
            if isinstance(command, click.Group):
                yield from commands(command)

    for command in [cli.main, *commands(cli.main)]:
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"{command.name} {param.opts} has no help"


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


def test_check_the_example(runner):
    result = invoke(runner, "--config", str(EXAMPLE), "check")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(f"ok  config: {EXAMPLE}: 3 boards, time zone Europe/London")
    assert lines[1].startswith("ok  state: ") and lines[2].startswith("ok  output: ")
    assert lines[3].startswith('ok  board microactions: microactions, export of "OneTeamGov')


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


def _example_copy(tmp_path, write_config, extra: str = "") -> str:
    return str(
        write_config(f"""
        state_db = "state.db"
        {demo_boards("microactions", "events")}
        {extra}
    """)
    )


def test_sync_reads_every_board_and_records_the_run(runner, tmp_path, write_config):
    config = _example_copy(tmp_path, write_config)
    result = invoke(runner, "--config", config, "sync")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "2 boards read; 13 create, 1 write (run 1)."
    assert (tmp_path / "state.db").exists()
    second = invoke(runner, "--config", config, "sync", "--json")
    data = json.loads(second.output)
    assert (data["ok"], data["run_id"], len(data["boards"])) == (True, 2, 2)
    assert data["outcomes"] == []  # nothing changed, nothing written


JSON_COMMANDS = [
    ["sync", "--dry-run"],
    ["roundup", "--dry-run"],
    ["boards"],
    ["status"],
    ["ledger", "list"],
    ["jobs", "list"],
]


@pytest.mark.parametrize("args", JSON_COMMANDS, ids=" ".join)
def test_json_output_keeps_non_ascii_text_as_it_is(runner, tmp_path, write_config, args):
    config = _example_copy(tmp_path, write_config)
    if args[0] == "status":
        invoke(runner, "--config", config, "sync")  # a run for it to show
    result = invoke(runner, "--config", config, *args, "--json")
    assert "\\u" not in result.stdout
    json.loads(result.stdout)
    if args[0] == "sync":
        assert '"Breakfast club — Belfast"' in result.stdout
    if args[0] == "roundup":
        assert "–" in result.stdout  # the period's dash: "8–21 November 2026"


def test_json_to_an_ascii_terminal_does_not_crash(tmp_path, write_config):
    config = _example_copy(tmp_path, write_config)
    done = subprocess.run(
        [sys.executable, "-m", "cli", "--config", config, "sync", "--dry-run", "--json"],
        cwd=ROOT,
        capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": "ascii", "LC_ALL": "C"},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Breakfast club — Belfast" in done.stdout.decode("utf-8")


def _with_content(tmp_path, write_config) -> str:
    content = EXAMPLE.parent / "boards" / "content.json"
    extra = f'[boards.content]\nrole = "content"\nsource = "{content}"'
    return _example_copy(tmp_path, write_config, extra)


@pytest.mark.parametrize("value", ["", "  "])
def test_a_blank_new_version_is_a_usage_error_before_anything_runs(
    runner, tmp_path, write_config, value
):
    config = _with_content(tmp_path, write_config)
    result = runner.invoke(cli.main, ["--config", config, "sync", "--new-version", value])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "error: --new-version needs a card — give the card's id, or the short link from its URL "
        "(trello.com/c/<short link>)\n"
    )
    assert not (tmp_path / "state.db").exists()


@pytest.mark.parametrize("dry_run", [[], ["--dry-run"]])
def test_an_unknown_new_version_card_is_a_usage_error_before_any_write(
    runner, tmp_path, write_config, dry_run
):
    config = _with_content(tmp_path, write_config)
    args = ["--config", config, "sync", *dry_run, "--new-version", "qBqgCgJ9"]
    args += ["--new-version", "ZZZZZZZZ"]
    result = runner.invoke(cli.main, args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "error: --new-version ZZZZZZZZ: no such card on the content boards — give the card's id, "
        "or the short link from its URL (trello.com/c/<short link>); nothing was changed\n"
    )
    assert not (tmp_path / "out").exists()  # no feed, no drafts
    if (tmp_path / "state.db").exists():
        with State(tmp_path / "state.db") as state:
            assert state.runs() == [] and state.items("content") == {}


CALDAV = '[calendar.caldav]\nurl = "https://dav.example.org/otg/events/"'


@pytest.mark.parametrize(
    "caldav, args, message",
    [
        (
            "",
            ["roundup", "--new-version"],
            "error: --new-version needs --target drafts or medium — a printed roundup is not "
            "recorded, so there is no draft to make another version of",
        ),
        (
            "",
            ["roundup", "--target", "stdout", "--new-version", "--dry-run"],
            "error: --new-version needs --target drafts or medium — a printed roundup is not "
            "recorded, so there is no draft to make another version of",
        ),
        (
            "",
            ["roundup", "--json", "--output", "roundup.md"],
            "error: --output and --json do not go together — --json prints the gathered data "
            "and --output writes the post: leave one out",
        ),
        (
            "",
            ["sync", "--recreate-calendar"],
            "error: --recreate-calendar needs a [calendar.caldav] table — only a CalDAV calendar "
            "is re-created (every sync writes the feed file in full); leave it out",
        ),
        (
            "",
            ["sync", "--dry-run", "--recreate-calendar"],
            "error: --recreate-calendar needs a [calendar.caldav] table — only a CalDAV calendar "
            "is re-created (every sync writes the feed file in full); leave it out",
        ),
        (
            CALDAV,
            ["sync", "--recreate-calendar", "--only", "microactions"],
            "error: --recreate-calendar needs the events boards — add --only events",
        ),
    ],
)
def test_a_flag_that_would_do_nothing_is_a_usage_error_before_anything_runs(
    runner, tmp_path, write_config, monkeypatch, caldav, args, message
):
    monkeypatch.chdir(tmp_path)
    config = _example_copy(tmp_path, write_config, caldav)
    result = runner.invoke(cli.main, ["--config", config, *args])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == message + "\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["otg.toml"]  # no state, no output


def test_recreate_calendar_with_no_events_board_is_a_usage_error(runner, write_config):
    config = write_config(f"""
        state_db = "state.db"
        [boards.microactions]
        role = "microactions"
        source = "{EXAMPLE.parent / "boards" / "microactions.json"}"
        {CALDAV}
    """)
    result = runner.invoke(cli.main, ["--config", str(config), "sync", "--recreate-calendar"])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "error: --recreate-calendar needs an events board — add a [boards.<name>] table with "
        'role = "events", or leave it out\n'
    )


def test_dry_run_touches_nothing(runner, tmp_path, write_config):
    config = _example_copy(tmp_path, write_config)
    result = invoke(runner, "--config", config, "sync", "--dry-run", "--only", "events")
    assert result.exit_code == 0
    assert result.output.splitlines()[-1] == "Dry run: 1 board read; 13 create, 1 write."
    assert not (tmp_path / "state.db").exists() and not (tmp_path / "out").exists()


def test_a_broken_board_fails_alone(runner, tmp_path, write_config):
    (tmp_path / "truncated.json").write_text('{"id": "abc", "cards": [{"id": ')
    config = _example_copy(
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
    config = _example_copy(tmp_path, write_config, mapping)
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


def test_check_shows_the_calendar_and_medium_targets(runner):
    result = invoke(runner, "--config", str(EXAMPLE), "check")
    lines = result.output.splitlines()
    assert any(
        line.startswith("ok  calendar feed: ") and "UIDs @oneteamgov.uk" in line for line in lines
    )
    assert any(line.startswith("ok  medium: drafts go to ") for line in lines)
    assert "ok  Medium feed: medium-feed.xml: 4 posts" in lines


def test_check_online_signs_in_to_medium(runner, write_config, monkeypatch):
    from tests.fakes.medium import FakeMedium

    config = write_config(f"""
        [boards.content]
        role = "content"
        source = "{EXAMPLE.parent / "boards" / "content.json"}"
        [medium]
        target = "medium"
    """)
    medium = FakeMedium(token="medium-token-for-check")
    monkeypatch.setenv("MEDIUM_TOKEN", "medium-token-for-check")
    with medium.running():
        good = invoke(runner, "--config", str(config), "check", "--online")
        medium.revoke()
        bad = runner.invoke(cli.main, ["--config", str(config), "check", "--online"])
    assert f"ok  medium: drafts go to Medium as @{medium.user['username']}" in good.output
    assert bad.exit_code == 1 and "FAIL medium: Medium refused MEDIUM_TOKEN" in bad.output
    assert "medium-token-for-check" not in good.output + bad.output


@pytest.mark.parametrize(
    "body, problem",
    [
        ('{"data": []}', 'JSON of the wrong shape (no "data" object with your user id)'),
        (
            '{"data": {"username": "x"}}',
            'JSON of the wrong shape (no "data" object with your user id)',
        ),
        ("[1, 2]", 'JSON of the wrong shape (no "data" object with your user id)'),
        ("<html>502 Bad Gateway</html>", "something that is not JSON"),
        ("", "something that is not JSON"),
    ],
)
def test_check_online_says_how_medium_s_profile_answer_is_wrong(
    runner, write_config, monkeypatch, body, problem
):
    """A 200 to GET /me that is not JSON, or JSON that is not a profile: one line each, and
    they say which, so that an operator can tell a proxy's page from an API change."""
    config = write_config(f"""
        [boards.content]
        role = "content"
        source = "{EXAMPLE.parent / "boards" / "content.json"}"
        [medium]
        target = "medium"
    """)
    monkeypatch.setenv("MEDIUM_TOKEN", "medium-token-for-check")
    with responses.RequestsMock() as rsps:
        rsps.add("GET", "https://api.medium.com/v1/me", body=body, status=200)
        result = runner.invoke(cli.main, ["--config", str(config), "check", "--online"])
    assert result.exit_code == 1
    assert (
        f"FAIL medium: Medium answered GET /me with {problem} — rerun later; if it persists, "
        "check that nothing (a proxy, a captive portal) answers in Medium's place; nothing "
        "was created"
    ) in result.output.splitlines()
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "args, message",
    [
        (["nosuch"], "error: No such command 'nosuch'. — see `otg --help`"),
        (
            ["--bogus"],
            "error: No such option '--bogus'. Did you mean '--verbose'? — see `otg --help`",
        ),
        (
            ["sync", "--only", "foo"],
            "error: Invalid value for '--only': 'foo' is not one of 'microactions', 'events', "
            "'content'. — see `otg sync --help`",
        ),
        (
            ["sync", "--wait", "-1"],
            "error: Invalid value for '--wait': -1.0 is not in the range x>=0. — see "
            "`otg sync --help`",
        ),
        (
            ["jobs", "run-once", "bogus"],
            "error: Invalid value for 'JOB': 'bogus' is not one of 'publication', 'roundup', "
            "'sync'. — see `otg jobs run-once --help`",
        ),
        (
            ["jobs", "run-once"],
            "error: Missing argument 'JOB'. Choose from: publication, roundup, sync — see "
            "`otg jobs run-once --help`",
        ),
    ],
)
def test_a_usage_error_is_one_line_and_exit_2(runner, args, message):
    result = runner.invoke(cli.main, args, prog_name="otg")
    assert result.exit_code == 2
    assert result.output == message + "\n"


def test_check_fails_a_caldav_calendar_whose_password_is_not_set(
    runner, write_config, tmp_path, monkeypatch
):
    monkeypatch.delenv("CALDAV_PASSWORD", raising=False)
    path = write_config(f"""
        state_db = "state.db"
        [boards.events]
        role = "events"
        source = "{EXAMPLE.parent / "boards" / "events.json"}"
        [calendar.caldav]
        url = "https://dav.example.org/otg/events/"
        username = "otg"
    """)
    missing = invoke(runner, "--config", str(path), "check")
    assert missing.exit_code == 1
    assert (
        "FAIL caldav: https://dav.example.org/otg/events/: CALDAV_PASSWORD is not set, needed for "
        "calendar.caldav: put it in the environment or a .env file beside the config"
    ) in missing.output.splitlines()

    monkeypatch.setenv("CALDAV_PASSWORD", "a-caldav-password")
    found = invoke(runner, "--config", str(path), "check")
    assert found.exit_code == 0, found.output
    assert "ok  caldav: https://dav.example.org/otg/events/ (not contacted; use --online)" in (
        found.output.splitlines()
    )
    assert "a-caldav-password" not in found.output


def state_db_and_events_config(write_config, output_dir: str | None = None):
    """A config with ``state.db`` beside it, the example's events board and no other."""
    output = f'output_dir = "{output_dir}"' if output_dir else ""
    return write_config(f"""
        state_db = "state.db"
        {output}
        [boards.events]
        role = "events"
        source = "{EXAMPLE.parent / "boards" / "events.json"}"
    """)


def test_check_leaves_no_file_beside_a_state_database_at_rest(runner, write_config, tmp_path):
    path = state_db_and_events_config(write_config, output_dir="out")
    assert invoke(runner, "--config", str(path), "sync").exit_code == 0
    before = sorted(p.name for p in tmp_path.iterdir())
    assert "state.db-wal" not in before  # the sync closed it: at rest

    result = invoke(runner, "--config", str(path), "check")

    assert result.exit_code == 0, result.output
    assert f"ok  state: {tmp_path / 'state.db'} (schema" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == before


@pytest.mark.parametrize(
    "args",
    [["status"], ["ledger", "list"], ["sync", "--dry-run"], ["roundup", "--dry-run"], ["sync"]],
)
def test_a_state_database_that_is_not_sqlite_gets_the_restore_advice(
    runner, write_config, tmp_path, args
):
    path = state_db_and_events_config(write_config)
    (tmp_path / "state.db").write_text("not a database")
    result = runner.invoke(cli.main, ["--config", str(path), *args])
    assert result.exit_code == 2
    assert result.stdout == ""
    verb = "used" if args == ["sync"] else "read"
    assert result.stderr == (
        f"error: state database {tmp_path / 'state.db'} cannot be {verb}: file is not a "
        "database — restore it from a backup, or move it aside to start afresh\n"
    )


def test_a_state_database_this_user_cannot_open_gets_the_permissions_advice(
    runner, write_config, tmp_path, monkeypatch
):
    path = state_db_and_events_config(write_config)
    invoke(runner, "--config", str(path), "sync")
    refused = sqlite3.OperationalError("unable to open database file")
    refused.sqlite_errorname = "SQLITE_CANTOPEN"  # what SQLite says for a file it may not read

    def connect(*args, **kwargs):
        raise refused

    monkeypatch.setattr("sync.state.store.sqlite3.connect", connect)
    result = runner.invoke(cli.main, ["--config", str(path), "status"])
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: state database {tmp_path / 'state.db'} cannot be read: it cannot be opened — "
        "run as a user that can read it and its folder (the user otg-sync runs as)\n"
    )


def test_check_finds_a_state_database_or_output_folder_that_cannot_be_used(
    runner, write_config, tmp_path
):
    path = state_db_and_events_config(write_config, output_dir="out")
    fresh = invoke(runner, "--config", str(path), "check")
    assert fresh.exit_code == 0
    assert f"ok  state: {tmp_path / 'state.db'} (created by the first sync)" in fresh.output
    (tmp_path / "state.db").write_text("not a database")
    (tmp_path / "out").write_text("a file where the folder goes")
    bad = invoke(runner, "--config", str(path), "check")
    assert bad.exit_code == 1
    assert (
        f"FAIL state: {tmp_path / 'state.db'} cannot be read: file is not a database — restore "
        "it from a backup, or move it aside to start afresh"
    ) in bad.output
    assert f"FAIL output: {tmp_path / 'out'} is not a folder — set output_dir to a folder" in (
        bad.output
    )
    assert not (tmp_path / "state.db-wal").exists()  # check opened it read-only
