"""Options where people type them: -v, -q and --log-file before or after the command, --json on
every command that reports, and every option from an OTG_* environment variable, said in --help."""

from __future__ import annotations

import json
import logging

import click
import pytest

import cli
from cli_support import setup_logging
from sync.content.plan import INTENT_KIND
from sync.state.store import State
from tests.conftest import DEMO_BOARDS
from tests.roundup.demo import demo_config


@pytest.fixture
def demo(write_config):
    return str(write_config(demo_config(DEMO_BOARDS)))


def invoke(runner, *args, **kwargs):
    return runner.invoke(cli.main, list(args), catch_exceptions=False, **kwargs)


@pytest.mark.parametrize("where", ["before", "after"])
def test_verbose_works_before_or_after_the_command(runner, demo, where):
    args = ["-v", "sync"] if where == "before" else ["sync", "-v"]
    result = invoke(runner, "--config", demo, *args)
    assert result.exit_code == 0
    assert "INFO" in result.stderr and "done create calendar: " in result.stderr


def test_v_before_and_after_add_up_to_debug(runner, demo):
    result = invoke(runner, "--config", demo, "-v", "sync", "-v")
    assert " DEBUG " in result.stderr


@pytest.mark.parametrize("args", [["-q", "sync"], ["sync", "-q"], ["sync", "--quiet"]])
def test_quiet_prints_nothing_when_all_is_well(runner, demo, args):
    result = invoke(runner, "--config", demo, *args)
    assert result.exit_code == 0
    assert result.output == ""  # cron mails nothing


def test_quiet_still_says_each_failure_on_stderr(runner, write_config, tmp_path):
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    path = write_config(f'[boards.e]\nrole = "events"\nsource = "{tmp_path / "broken.json"}"\n')
    result = invoke(runner, "--config", str(path), "sync", "-q")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith('failed: board "e": ')
    assert "is not valid JSON" in result.stderr


def test_log_file_after_the_command(runner, demo, tmp_path):
    log = tmp_path / "otg.log"
    result = invoke(runner, "sync", "--config", demo, "--log-file", str(log))
    assert result.exit_code == 0
    assert "done create calendar: " in log.read_text(encoding="utf-8")


def test_logging_set_up_again_closes_the_log_file_it_opened(tmp_path):
    """-v after the command sets logging up again: the log file opened first is closed, not
    left open beside the new one."""
    root = logging.getLogger()
    kept = root.handlers[:], root.level
    try:
        setup_logging(0, str(tmp_path / "first.log"))
        first = root.handlers[-1]
        setup_logging(1, str(tmp_path / "second.log"))
        second = root.handlers[-1]
        assert isinstance(first, logging.FileHandler) and first.stream is None  # closed
        assert isinstance(second, logging.FileHandler) and second.stream is not None
        setup_logging(0)  # no log file any more
        assert second.stream is None and root.handlers[-1] not in (first, second)
    finally:
        root.handlers[:], root.level = kept


def test_check_json(runner, demo):
    result = invoke(runner, "--config", demo, "check", "--json")
    data = json.loads(result.stdout)
    assert result.exit_code == 0 and data["ok"] is True
    events = next(c for c in data["checks"] if c["subject"] == "board events")
    assert events["ok"]
    assert events["message"].startswith('events, export of "OneTeamGov Spinoff Events"')


def test_check_quiet_says_only_what_fails(runner, demo, tmp_path):
    assert invoke(runner, "--config", demo, "check", "-q").output == ""
    (tmp_path / "bad.j2").write_text("{{ nope }}", encoding="utf-8")
    with open(demo, "a", encoding="utf-8") as config:
        config.write('\n[roundup]\ntemplate = "bad.j2"\n')
    result = invoke(runner, "--config", demo, "check", "-q")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith("FAIL roundup template: ")


def test_ledger_resolve_json(runner, write_config, tmp_path):
    path = write_config('state_db = "state.db"\n[boards.c]\nrole = "content"\nsource = "c.json"\n')
    with State(tmp_path / "state.db") as state:
        state.open_intent(INTENT_KIND, "card-1", {"title": "A post", "short_link": "qBq"})
    result = invoke(runner, "--config", str(path), "ledger", "resolve", "1", "--retry", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["intent"]["id"] == 1 and data["intent"]["status"] == "retry"
    assert data["message"].startswith("Intent 1 settled: nothing was created.")


def test_jobs_run_once_json(runner, demo):
    result = invoke(runner, "--config", demo, "jobs", "run-once", "sync", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert (data["job"], data["outcome"], data["run"]["status"]) == ("sync", "ok", "ok")
    assert data["run"]["counts"]["create"] > 0


def test_options_come_from_otg_variables(runner, demo, monkeypatch):
    monkeypatch.setenv("OTG_CONFIG", demo)
    monkeypatch.setenv("OTG_SYNC_DRY_RUN", "1")
    result = invoke(runner, "sync")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1].startswith("Dry run: ")
    monkeypatch.setenv("OTG_QUIET", "1")
    monkeypatch.delenv("OTG_SYNC_DRY_RUN")
    assert invoke(runner, "sync").output == ""


def test_a_bad_value_from_a_variable_names_the_variable(runner, demo, monkeypatch):
    monkeypatch.setenv("OTG_SYNC_WAIT", "-1")
    result = invoke(runner, "--config", demo, "sync", prog_name="otg")
    assert result.exit_code == 2
    assert result.output == (
        "error: Invalid value for '--wait' (env var: 'OTG_SYNC_WAIT'): -1.0 is not in the range "
        "x>=0. — see `otg sync --help`\n"
    )


def test_every_option_says_its_variable_in_help():
    def commands(group, path):
        for name, command in group.commands.items():
            here = f"{path}_{name.upper().replace('-', '_')}"
            if isinstance(command, click.Group):
                yield from commands(command, here)
            else:
                yield here, command

    for path, command in [("OTG", cli.main), *commands(cli.main, "OTG")]:
        for param in command.params:
            if not isinstance(param, click.Option) or param.is_eager:
                continue
            if param.name in ("config_path", "verbose", "quiet", "log_file") and path != "OTG":
                assert not param.allow_from_autoenv  # the group's variables only
                continue
            assert param.show_envvar, (path, param.opts)
            assert param.envvar.startswith(path + "_") or param.envvar in ("OTG_CONFIG",)


def test_help_shows_the_variables(runner):
    text = invoke(runner, "sync", "--help").output
    assert "OTG_SYNC_DRY_RUN" in text and "OTG_SYNC_JSON" in text
    assert "OTG_JOBS_RUN_ONCE_WAIT" in invoke(runner, "jobs", "run-once", "--help").output
