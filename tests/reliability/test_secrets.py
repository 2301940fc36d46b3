"""Secrets never leak, and card text never escapes its place.

Every `otg` command and subcommand (walked from ``cli.main``, so a new one cannot be forgotten)
runs with ``-vv`` and ``--log-file``, recognisable secrets in the environment and credentials
that fail everywhere: Trello (a revoked token), Medium (a revoked token) and CalDAV (401). Then
no secret is in the output, the log file, any file written, or the state database's bytes, and
the Trello token never travelled in a URL. A second round has the services echo the credentials
they were sent in their error pages (a misconfigured proxy does), which our messages quote.

And: a `.env` readable by others is one warning line, and a FAIL in `otg check` (one that is
0600 is neither); HTML and iCalendar special characters in card text are escaped in the drafts
and the feed; card names such as ``../../etc/passwd``, ``..``, ``/abs``, ``CON``, a NUL or 500
characters make safe file names inside the drafts folder.
"""

from __future__ import annotations

import base64
import json
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
from icalendar import Calendar

import cli
from jobs.scheduler import JobScheduler
from sync import stopping
from sync.content.medium import MediumClient, medium_session
from sync.errors import RemoteError
from tests.conftest import DEMO_BOARDS
from tests.fakes.boards import synthetic_board
from tests.fakes.medium import FakeMedium
from tests.fakes.trello import FakeClock, FakeTrello

TRELLO_KEY = "5ec7e75ec7e75ec7e75ec7e75ec7e75e"  # 32 hex, as Trello keys are
TRELLO_TOKEN = "ATTA" + "SecretTrelloToken" * 4 + "x4"  # 76 characters, as tokens are
MEDIUM_TOKEN = "2f" + "SecretMediumToken" * 3 + "9d"
CALDAV_PASSWORD = "Secret-CalDAV-Passw0rd"
CALDAV_USER = "organiser"
SECRETS = {
    "TRELLO_API_KEY": TRELLO_KEY,
    "TRELLO_TOKEN": TRELLO_TOKEN,
    "MEDIUM_TOKEN": MEDIUM_TOKEN,
    "CALDAV_PASSWORD": CALDAV_PASSWORD,
}
#: What must never be found: each secret, a telltale piece of it (a cut-off quote of it), and
#: the Basic credentials as they travel.
NEEDLES = [
    *SECRETS.values(),
    "SecretTrelloToken",
    "SecretMediumToken",
    "CalDAV-Passw0rd",
    TRELLO_KEY[8:24],
    base64.b64encode(f"{CALDAV_USER}:{CALDAV_PASSWORD}".encode()).decode(),
]
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


def _leaks(text: str | bytes) -> list[str]:
    data = text.encode("utf-8", "replace") if isinstance(text, str) else text
    return [needle for needle in NEEDLES if needle.encode() in data]


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
            assert not _leaks(result.output), (argv, _leaks(result.output), result.output)
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
        assert not _leaks(path.read_bytes()), (path, _leaks(path.read_bytes()))
    log = (world.root / "otg.log").read_text(encoding="utf-8")
    assert " INFO " in log and "Medium refused MEDIUM_TOKEN" in log  # the detail was logged
    # secrets travel in headers, never in URLs
    assert not world.trello.secrets_in_urls and not world.medium.token_in_urls
    for call in world.rsps.calls:
        assert not _leaks(call.request.url), call.request.url


def test_a_log_record_with_a_traceback_is_redacted_too(world, monkeypatch):
    """A debug line with ``exc_info`` (an unexpected error in a board, at -vv) carries the
    exception's text; a secret in it is redacted like one in the message."""

    def explode(*args, **kwargs):
        raise RuntimeError(f"request to https://x.invalid/?token={TRELLO_TOKEN} failed")

    monkeypatch.setattr("sync.trello.sources.TrelloReader.read", explode)
    result = world.otg("boards")
    log = (world.root / "otg.log").read_text(encoding="utf-8")
    assert "RuntimeError" in log and "Traceback" in log  # -vv logs the detail...
    assert not _leaks(log) and not _leaks(result.output)  # ...without the secret


# -- .env permissions ----------------------------------------------------------------------------


def _export_config(root: Path) -> Path:
    (root / "content.json").write_text(
        (DEMO_BOARDS / "content.json").read_text(encoding="utf-8"), encoding="utf-8"
    )
    config = root / "otg.toml"
    config.write_text('[boards.content]\nrole = "content"\nsource = "content.json"\n')
    return config


@pytest.mark.parametrize("mode, exposed", [(0o644, True), (0o640, True), (0o600, False)])
def test_check_fails_a_dotenv_readable_by_others(tmp_path, monkeypatch, mode, exposed):
    monkeypatch.chdir(tmp_path)
    config = _export_config(tmp_path)
    env = tmp_path / ".env"
    env.write_text(f"MEDIUM_TOKEN={MEDIUM_TOKEN}\n", encoding="utf-8")
    env.chmod(mode)
    result = CliRunner().invoke(cli.main, ["--config", str(config), "check"])
    assert result.exit_code == (1 if exposed else 0), result.output
    fail = f"FAIL secrets: {env} is readable by other users — chmod 600 {env}"
    assert (fail in result.stderr.splitlines()) is exposed, result.stderr  # a FAIL: on stderr
    assert result.output.count("is readable by other users") == exposed  # once, as the FAIL
    assert not _leaks(result.output)


@pytest.mark.parametrize(
    "command", [["status"], ["boards"], ["sync", "--dry-run"], ["roundup", "--dry-run"]]
)
def test_a_dotenv_readable_by_others_is_one_warning_line(tmp_path, monkeypatch, command):
    """Like every other warning: one ``warning:`` line on stderr, once, never a log line."""
    monkeypatch.chdir(tmp_path)
    config = _export_config(tmp_path)
    env = tmp_path / ".env"
    env.write_text(f"MEDIUM_TOKEN={MEDIUM_TOKEN}\n", encoding="utf-8")
    env.chmod(0o644)
    result = CliRunner().invoke(cli.main, ["--config", str(config), *command])
    assert result.exit_code == 0, result.output
    warning = f"warning: {env} is readable by other users: run chmod 600 {env}"
    said = "is readable by other users"
    assert [line for line in result.stderr.splitlines() if said in line] == [warning]
    assert "WARNING" not in result.stderr and said not in result.stdout
    assert not _leaks(result.output)
    env.chmod(0o600)
    again = CliRunner().invoke(cli.main, ["--config", str(config), *command])
    assert said not in again.output


@pytest.mark.parametrize("command", [["status"], ["check"], ["sync", "--dry-run"]])
def test_a_dotenv_that_is_not_utf8_is_one_line_and_exit_2_never_quoted(
    tmp_path, monkeypatch, command
):
    monkeypatch.chdir(tmp_path)
    config = _export_config(tmp_path)
    env = tmp_path / ".env"
    env.write_bytes(b"CALDAV_PASSWORD=s3cretpw\xff\n")
    env.chmod(0o600)
    result = CliRunner().invoke(cli.main, ["--config", str(config), *command])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f"error: {env} is not UTF-8 text — save it as UTF-8\n"
    assert "s3cret" not in result.output


def test_a_dotenv_that_cannot_be_read_is_one_line_and_exit_2(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = _export_config(tmp_path)
    env = tmp_path / ".env"
    env.write_text("CALDAV_PASSWORD=s3cretpw\n", encoding="utf-8")
    env.chmod(0o600)

    def refused(path, **kwargs):  # another user's file (a root test run could read any file)
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr("dotenv.dotenv_values", refused)  # imported where a .env is read
    result = CliRunner().invoke(cli.main, ["--config", str(config), "status"])
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: cannot read {env}: Permission denied — make it readable by the user otg-sync "
        f"runs as (and by no one else: chmod 600 {env})\n"
    )


# -- escaping card text: the drafts and the feed -------------------------------------------------

NASTY = "Tea & <script>alert(\"x\")</script> 'quoted'; a,b\\c\r\nBEGIN:VEVENT\nUID:evil\x1b[2J"
LIST_ID, BOARD_ID = "6b00000000000000000001a1", "6b00000000000000000000b1"


def _export(tmp_path: Path, role: str, list_name: str, cards: list[dict]) -> Path:
    board = {
        "id": BOARD_ID,
        "name": "Board <b>",
        "lists": [{"id": LIST_ID, "name": list_name}],
        "cards": [
            {
                "id": f"6b{n:022x}",
                "idList": LIST_ID,
                "desc": "Body <i>text</i> & more",
                "start": "2026-12-02T08:00:00.000Z",
                "due": "2026-12-02T09:00:00.000Z",
                **card,
            }
            for n, card in enumerate(cards, start=1)
        ],
    }
    (tmp_path / "board.json").write_text(json.dumps(board), encoding="utf-8")
    config = tmp_path / "otg.toml"
    config.write_text(
        f'state_db = "state.db"\n[boards.b]\nrole = "{role}"\nsource = "board.json"\n'
        '[calendar]\ndomain = "oneteamgov.uk"\n',
        encoding="utf-8",
    )
    return config


def test_card_text_is_escaped_in_the_feed(tmp_path):
    config = _export(
        tmp_path,
        "events",
        "Confirmed",
        [{"name": NASTY, "locationName": NASTY, "url": "https://trello.com/c/x\r\nUID:evil"}],
    )
    result = CliRunner().invoke(cli.main, ["--config", str(config), "sync"])
    assert result.exit_code == 0, result.output
    content = (tmp_path / "out" / "events.ics").read_bytes()
    lines = content.split(b"\r\n")
    assert lines.count(b"BEGIN:VEVENT") == 1 and not any(x.startswith(b"UID:evil") for x in lines)
    assert b"\x1b" not in content and b"\r\n\r\n" not in content
    [event] = Calendar.from_ical(content).walk("VEVENT")
    assert str(event["UID"]) == "trello-6b0000000000000000000001@oneteamgov.uk"
    expected = "Tea & <script>alert(\"x\")</script> 'quoted'; a,b\\c\nBEGIN:VEVENT\nUID:evil[2J"
    assert str(event["SUMMARY"]) == expected
    assert str(event["LOCATION"]) == expected
    assert "URL" not in event  # a link with a line break in it is no link
    assert b"SUMMARY:Tea & <script>alert(\"x\")</script> 'quoted'\\; a\\,b\\\\c\\nBEGIN" in content
    assert all(len(line) <= 75 for line in content.split(b"\r\n"))
    # and the report line for it is one line, without the terminal escape
    [line] = [line for line in result.output.splitlines() if line.startswith("create")]
    assert "\x1b" not in line and "BEGIN:VEVENT UID:evil" in line


def test_card_text_is_escaped_in_the_drafts(tmp_path):
    config = _export(
        tmp_path, "content", "Ready for Medium", [{"name": NASTY, "shortLink": "Ab12Cd34"}]
    )
    result = CliRunner().invoke(cli.main, ["--config", str(config), "sync"])
    assert result.exit_code == 0, result.output
    [page] = (tmp_path / "out" / "drafts").glob("*.html")
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html and "<i>" not in html
    assert (
        "<title>Tea &amp; &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &#x27;quoted&#x27;; "
        in html
    )
    assert "<h1>Tea &amp; &lt;script&gt;alert(\"x\")&lt;/script&gt; 'quoted'; a,b\\c" in html
    assert "<p>Body &lt;i&gt;text&lt;/i&gt; &amp; more</p>" in html
    markdown = page.with_suffix(".md").read_text(encoding="utf-8")
    front = markdown.split("\n---\n", 1)[0]
    assert len(front.splitlines()) == 6 and "\nUID:evil" not in front  # "---" and 5 keys


# -- file names from card names ------------------------------------------------------------------

HOSTILE_NAMES = [
    "../../etc/passwd",
    "..",
    ".",
    "/abs/path",
    "C:\\Windows\\win.ini",
    "CON",
    "nul",
    "a\x00b",
    "x" * 500,
    "🎉🎉🎉",
    "",
]
HOSTILE_LINKS = ["../../x", "", "ab\ncd", "CON", "Ab12Cd34\n", "a" * 300]


def test_card_names_make_safe_file_names_inside_the_drafts_folder(tmp_path):
    cards = [
        {"name": name or "untitled", "shortLink": link}
        for name in HOSTILE_NAMES
        for link in HOSTILE_LINKS[:2]
    ] + [{"name": "CON", "shortLink": link} for link in HOSTILE_LINKS]
    cards += [{"name": "..", "shortLink": "", "id": "../../.."}]
    config = _export(tmp_path, "content", "Ready for Medium", cards)
    result = CliRunner().invoke(cli.main, ["--config", str(config), "sync"])
    assert result.exit_code in (0, 1) and "Traceback" not in result.output, result.output
    drafts = tmp_path / "out" / "drafts"
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    outside = [
        p for p in written if not p.startswith(("out/drafts/", "board.json", "otg.toml", "state."))
    ]
    assert outside == ["out", "out/drafts"]
    names = [p.name for p in drafts.iterdir()]
    assert len(names) >= 2 * len(HOSTILE_NAMES)
    devices = {"CON", "PRN", "AUX", "NUL"} | {
        f"{d}{n}" for d in ("COM", "LPT") for n in "123456789"
    }
    for name in names:
        assert re.fullmatch(r"[a-z0-9][a-z0-9-]*-[A-Za-z0-9]{1,24}\.(md|html)", name), name
        assert len(name) <= 100 and name.split(".")[0].upper() not in devices


def test_a_secret_with_a_line_break_is_refused_by_name_never_quoted(tmp_path, monkeypatch):
    """A header cannot hold a line break, and the HTTP library's complaint quotes the header,
    token and all: so such a secret is refused when the config loads, by its name only."""
    monkeypatch.setenv("MEDIUM_TOKEN", MEDIUM_TOKEN + "\n")
    config = _export_config(tmp_path)
    result = CliRunner().invoke(cli.main, ["--config", str(config), "sync"])
    assert result.exit_code == 2
    assert "MEDIUM_TOKEN: holds a line break or another control character" in result.output
    assert not _leaks(result.output)


def test_a_request_that_cannot_be_sent_never_quotes_its_headers():
    with (
        responses.RequestsMock(assert_all_requests_are_fired=False),
        pytest.raises(RemoteError) as caught,
    ):
        MediumClient(medium_session(MEDIUM_TOKEN + "\r\nX-Evil: 1")).me()
    assert str(caught.value).startswith("Medium: GET https://api.medium.com/v1/me failed (")
    assert not _leaks(str(caught.value))
