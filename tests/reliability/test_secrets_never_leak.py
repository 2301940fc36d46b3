"""Secrets never leak, whatever the command.

Every `otg` command and subcommand (walked from ``cli.main``, so a new one cannot be forgotten)
runs with ``-vv`` and ``--log-file``, recognisable secrets in the environment and credentials
that fail everywhere: Trello (a revoked token), Medium (a revoked token) and CalDAV (401). Then
no secret is in the output, the log file, any file written, or the state database's bytes, and
the Trello token never travelled in a URL. A second round has the services echo the credentials
they were sent in their error pages (a misconfigured proxy does), which our messages quote. And a
log record with a traceback is redacted too.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import click
import pytest
import responses
from click.testing import CliRunner, Result

import cli
from jobs.scheduler import JobScheduler
from sync import stopping
from tests.conftest import DEMO_BOARDS
from tests.fakes.boards import synthetic_board
from tests.fakes.medium import FakeMedium
from tests.fakes.trello import FakeClock, FakeTrello
from tests.reliability.known_secrets import (
    CALDAV_PASSWORD,
    CALDAV_USER,
    MEDIUM_TOKEN,
    SECRETS,
    TRELLO_KEY,
    TRELLO_TOKEN,
    leaks,
)

CALDAV_URL = "https://dav.example.org/calendars/organiser/spinoff-events/"
FEED_URL = "https://medium.com/feed/@oneteamgov"
EVENTS_BOARD = "AbCd1234"

CONFIG = f"""\
state_db = "state.db"
output_dir = "out"

[boards.events]
role = "events"
source = "trello:{EVENTS_BOARD}"

[boards.content]
role = "content"
source = "content.json"

[calendar]
domain = "oneteamgov.uk"

[calendar.caldav]
url = "{CALDAV_URL}"
username = "{CALDAV_USER}"

[medium]
feeds = ["{FEED_URL}"]
"""

#: Every leaf command, with the arguments that make it do its work (and meet the credentials).
RUNS: dict[str, list[list[str]]] = {
    "init": [
        ["{root}/starter.toml"],
        ["{root}/from.toml", "--from", EVENTS_BOARD],
        ["{root}/starter.toml", "--github-actions"],
    ],
    "events": [[], ["--json"]],
    "check": [[], ["--online"]],
    "boards": [[], ["--json"]],
    "sync": [[], ["--dry-run"], ["--json"], ["--only", "content", "--new-version", "qBqgCgJ9"]],
    "ledger list": [[], ["--json"]],
    "ledger resolve": [["1", "--retry"], ["1", "--url", "https://medium.com/p/8c1f2e3d4a5b"]],
    "roundup": [
        [],
        ["--target", "medium"],
        ["--target", "drafts"],
        ["--finalise", "--dry-run"],
        ["--json"],
        ["--output", "{root}/out/roundup.md"],
    ],
    "jobs list": [[], ["--json"]],
    "jobs run": [[]],
    "jobs run-once": [["sync"], ["roundup"], ["publication"]],
    "status": [[], ["--json"]],
    "site": [[], ["--dry-run"], ["--json"]],
}


def leaf_commands(group: click.Group, prefix: str = "") -> Iterator[str]:
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from leaf_commands(command, f"{prefix}{name} ")
        else:
            yield f"{prefix}{name}"


def test_every_command_is_run_by_the_secrets_test():
    assert sorted(leaf_commands(cli.main)) == sorted(RUNS)


@dataclass
class World:
    root: Path
    trello: FakeTrello
    medium: FakeMedium
    rsps: responses.RequestsMock
    caught_up: list[object]
    waits: list[float]

    def otg(self, *args: str) -> Result:
        self.caught_up.clear()
        log = self.root / "otg.log"
        base = ["-vv", "--log-file", str(log), "--config", str(self.root / "otg.toml")]
        return CliRunner().invoke(cli.main, base + list(args))


def _caldav_refuses(echo: bool):
    def answer(request) -> tuple[int, dict[str, str], str]:
        body = "Unauthorized"
        if echo:  # a proxy that quotes what it was sent
            body += f": {request.headers.get('Authorization', '')} ({CALDAV_PASSWORD})"
        return 401, {"WWW-Authenticate": 'Basic realm="dav"'}, body

    return answer


@pytest.fixture(params=["refused", "refused-and-echoed"])
def world(request, tmp_path, monkeypatch) -> Iterator[World]:
    echo = request.param == "refused-and-echoed"
    clock = FakeClock()
    monkeypatch.setattr("sync.http.monotonic", clock.now)
    monkeypatch.setattr("sync.http.pause", clock.sleep)
    # `jobs run` catches up (the missed sync runs), then stops instead of waiting for 02:00
    caught_up = []
    catch_up = JobScheduler.catch_up
    monkeypatch.setattr(JobScheduler, "catch_up", lambda self: caught_up.append(catch_up(self)))
    monkeypatch.setattr("jobs.scheduler.stop_requested", lambda: bool(caught_up))
    # the scheduler's retry waits are recorded, not waited: refused credentials are no reason
    waits: list[float] = []
    monkeypatch.setattr(stopping._stop, "wait", waits.append)
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "otg.toml").write_text(CONFIG, encoding="utf-8")
    shutil.copy(DEMO_BOARDS / "content.json", tmp_path / "content.json")
    trello = FakeTrello(key=TRELLO_KEY, token=TRELLO_TOKEN, clock=clock)
    events = synthetic_board(5, role="events")
    events["shortLink"] = EVENTS_BOARD
    trello.add_board(events)
    trello.revoke_token()
    medium = FakeMedium(token=MEDIUM_TOKEN)
    medium.revoke()
    with trello.running() as rsps:
        if echo:
            trello.fail_next(None, r"/1/.*", 401, f"invalid token {TRELLO_TOKEN}", times=1000)
            for method, path in (("GET", "/me"), ("POST", "/users/[^/]+/posts")):
                rsps.add(
                    method,
                    re.compile(re.escape("https://api.medium.com/v1") + path),
                    status=401,
                    json={
                        "errors": [{"message": f"Token {MEDIUM_TOKEN} was invalid.", "code": 6003}]
                    },
                )
        medium.install(rsps)
        rsps.add("GET", FEED_URL, status=404, body="Not Found")
        for method in ("PROPFIND", "REPORT", "PUT", "DELETE", "GET"):
            rsps.add_callback(
                method,
                re.compile(re.escape("https://dav.example.org/") + ".*"),
                _caldav_refuses(echo),
            )
        yield World(tmp_path, trello, medium, rsps, caught_up, waits)
    stopping.reset()


def _older_run(root: Path) -> None:
    """A sync long ago in the history, so that `jobs run` catches up (and meets the credentials)."""
    db = sqlite3.connect(root / "state.db")
    db.execute(
        "INSERT INTO runs (job, started_at, finished_at, status) VALUES "
        "('sync', '2020-01-01T02:00:00+00:00', '2020-01-01T02:01:00+00:00', 'ok')"
    )
    db.commit()
    db.close()


def test_no_command_leaks_a_secret_with_failing_credentials_and_verbose_logs(world):
    outputs: dict[str, Result] = {}
    for command, runs in RUNS.items():
        for args in runs:
            if command == "jobs run":
                _older_run(world.root)
            argv = command.split() + [a.format(root=world.root) for a in args]
            result = world.otg(*argv)
            outputs[" ".join(argv)] = result
            assert result.exception is None or isinstance(result.exception, SystemExit), (
                argv,
                result.output,
            )
            assert result.exit_code in (0, 1, 2, 3), (argv, result.output)
            assert "Traceback" not in result.output, (argv, result.output)
            assert not leaks(result.output), (argv, leaks(result.output), result.output)
    # the credentials really were tried, and refused, by every kind of run
    assert world.trello.count() > 0 and world.medium.count() > 0
    assert "jobs.scheduler: job sync: failed" in outputs["jobs run"].output  # caught up
    assert world.waits == []  # refused credentials are not retried: waiting cannot cure them
    assert [outputs[f"jobs run-once {job}"].stdout for job in ("sync", "roundup")] == [
        "sync: failed\n",
        "roundup: failed\n",
    ]
    refused = outputs["sync"].output
    assert "Trello refused the credentials" in refused
    assert "Medium refused MEDIUM_TOKEN" in refused
    assert f'the CalDAV server refused PROPFIND as "{CALDAV_USER}" (401)' in refused
    # nothing written anywhere holds a secret: the log, the state database, drafts, the feed
    files = [p for p in world.root.rglob("*") if p.is_file()]
    names = {p.name for p in files}
    assert {"otg.log", "state.db"} <= names
    for path in files:
        assert not leaks(path.read_bytes()), (path, leaks(path.read_bytes()))
    log = (world.root / "otg.log").read_text(encoding="utf-8")
    assert " INFO " in log and "Medium refused MEDIUM_TOKEN" in log  # the detail was logged
    # secrets travel in headers, never in URLs
    assert not world.trello.secrets_in_urls and not world.medium.token_in_urls
    for call in world.rsps.calls:
        assert not leaks(call.request.url), call.request.url


def test_a_log_record_with_a_traceback_is_redacted_too(world, monkeypatch):
    """A debug line with ``exc_info`` (an unexpected error in a board, at -vv) carries the
    exception's text; a secret in it is redacted like one in the message."""

    def explode(*args, **kwargs):
        raise RuntimeError(f"request to https://x.invalid/?token={TRELLO_TOKEN} failed")

    monkeypatch.setattr("sync.trello.sources.TrelloReader.read", explode)
    result = world.otg("boards")
    log = (world.root / "otg.log").read_text(encoding="utf-8")
    assert "RuntimeError" in log and "Traceback" in log  # -vv logs the detail...
    assert not leaks(log) and not leaks(result.output)  # ...without the secret
