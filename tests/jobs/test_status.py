"""Monitoring: `otg status` says why the last run failed and names what waits for an operator by
card title and board; `otg status --check` exits 1 for either, saying each on stderr; a request
waiting for an operator is said every night without making the night a failed one; the scheduler
logs each failure's reason."""

from __future__ import annotations

import json
import logging

import pytest

import cli
from jobs.runners import RUNNERS
from jobs.scheduler import JobScheduler
from sync.state.store import State
from tests.conftest import DEMO_BOARDS
from tests.content.medium_world import config, world  # the Trello and Medium fakes
from tests.roundup.demo import demo_config

__all__ = ["config", "world"]  # fixtures for this module's tests


def invoke(runner, *args):
    return runner.invoke(cli.main, list(args), catch_exceptions=False, prog_name="otg")


@pytest.fixture
def demo(write_config):
    return str(write_config(demo_config(DEMO_BOARDS)))


@pytest.fixture
def broken(write_config, tmp_path):
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    return str(
        write_config(f"""
        state_db = "state.db"
        [boards.events]
        role = "events"
        source = "{tmp_path / "broken.json"}"
    """)
    )


def test_a_healthy_state_checks_ok(runner, demo):
    assert invoke(runner, "--config", demo, "sync").exit_code == 0
    result = invoke(runner, "--config", demo, "status", "--check")
    assert result.exit_code == 0 and result.stderr == ""
    assert json.loads(invoke(runner, "--config", demo, "status", "--json").stdout)["healthy"]


def test_a_failed_run_fails_the_check_and_says_why(runner, broken, tmp_path):
    assert invoke(runner, "--config", broken, "sync").exit_code == 1
    plain = invoke(runner, "--config", broken, "status")
    assert plain.exit_code == 0  # without --check, status only shows
    assert f'failed: board "events": {tmp_path / "broken.json"} is not valid JSON' in plain.stdout
    checked = invoke(runner, "--config", broken, "status", "--check")
    assert checked.exit_code == 1
    assert checked.stderr.startswith(
        f'unhealthy: sync: last run 1 failed: board "events": {tmp_path / "broken.json"} is not '
        "valid JSON"
    )
    quiet = invoke(runner, "--config", broken, "-q", "status", "--check")
    assert (quiet.exit_code, quiet.stdout) == (1, "")  # the healthcheck line for cron
    assert quiet.stderr == checked.stderr
    as_json = invoke(runner, "--config", broken, "status", "--check", "--json")
    data = json.loads(as_json.stdout)
    assert as_json.exit_code == 1 and data["healthy"] is False
    assert data["problems"][0].startswith("sync: last run 1 failed: ")


def test_a_usage_error_is_2(runner, demo):
    assert invoke(runner, "--config", demo, "status", "--check", "--bogus").exit_code == 2


def test_a_lost_medium_answer_waits_for_an_operator_named_by_title_and_board(world, config, runner):
    path = config()
    world.medium.lose_next_response()
    first = invoke(runner, "--config", path, "sync")
    assert first.exit_code == 1  # that night, the create failed
    assert "failed: create medium: What I learned shadowing a call centre — " in first.stderr
    second = invoke(runner, "--config", path, "sync")
    assert second.exit_code == 0  # the next night is ok, and says what waits, again
    waiting = (
        'waiting for an operator: #1 "What I learned shadowing a call centre" on board '
        '"OneTeamGov Content": a Medium draft of unknown outcome since '
    )
    assert "waiting for an operator: pending medium: What I learned" in second.stderr
    status = invoke(runner, "--config", path, "status")
    assert status.stdout.startswith("sync         ok ")
    assert f"  {waiting.removeprefix('waiting for an operator: ')}" in status.stdout
    assert "`otg ledger resolve 1 --url URL` (or --retry, --abandon)" in status.stdout
    checked = invoke(runner, "--config", path, "-q", "status", "--check")
    assert checked.exit_code == 1 and checked.stdout == ""
    assert checked.stderr.startswith(f"unhealthy: {waiting}")
    invoke(runner, "--config", path, "ledger", "resolve", "1", "--retry")
    assert invoke(runner, "--config", path, "sync").exit_code == 0
    assert invoke(runner, "--config", path, "status", "--check").exit_code == 0


def test_a_killed_run_fails_the_check(runner, demo, tmp_path):
    assert invoke(runner, "--config", demo, "sync").exit_code == 0
    with State(tmp_path / "state.db") as state:
        state.start_run("roundup")  # and the process dies here
    checked = invoke(runner, "--config", demo, "status", "--check")
    assert checked.exit_code == 1
    assert checked.stderr.startswith("unhealthy: roundup: last run 2 killed: the process stopped")


def test_the_scheduler_logs_each_failure_with_its_reason(broken, caplog, tmp_path):
    from config import load_config

    cfg = load_config(broken)
    with caplog.at_level(logging.INFO, logger="jobs.scheduler"):
        outcome = JobScheduler(cfg, RUNNERS, sleep=lambda s: None).run_job(
            next(j for j in cfg.jobs if j.name == "sync"), scheduled=False
        )
    assert outcome == "failed"
    said = [(r.levelname, r.getMessage()) for r in caplog.records]
    assert ("ERROR", "job sync: failed (nothing to write; 1 failed)") in said
    assert any(
        level == "ERROR" and message.startswith('job sync: failed: board "events": ')
        for level, message in said
    ), said


def test_the_crontab_lines_are_commands_otg_takes():
    import shlex

    from tests.conftest import ROOT

    lines = [x for x in (ROOT / "deploy" / "crontab").read_text().splitlines() if "otg " in x]
    assert len(lines) == 2
    for line in lines:
        args = shlex.split(line.split(".venv/bin/otg ", 1)[1])
        name = next(a for a in args if a in cli.main.commands)
        ctx = cli.main.make_context("otg", args[: args.index(name)])
        assert ctx.params["quiet"] is True  # cron mails any output: only what went wrong
        command = cli.main.commands[name]
        command.make_context(name, args[args.index(name) + 1 :], parent=ctx)  # parses
