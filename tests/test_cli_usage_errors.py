"""Usage errors of the `otg` command line: one line on stderr, exit 2, and nothing run or written,
for flags that need a card, a target or a table they do not have, and for what Click refuses."""

from __future__ import annotations

import pytest

import cli
from config import EXAMPLE
from sync.state.store import State
from tests.running_otg import example_copy


def _with_content(tmp_path, write_config) -> str:
    content = EXAMPLE.parent / "boards" / "content.json"
    extra = f'[boards.content]\nrole = "content"\nsource = "{content}"'
    return example_copy(tmp_path, write_config, extra)


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
    config = example_copy(tmp_path, write_config, caldav)
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
