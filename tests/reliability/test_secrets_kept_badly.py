"""A secret kept badly is said in one line and never quoted: a `.env` readable by others is one
warning line, and a FAIL in `otg check` (one that is 0600 is neither); a `.env` that is not UTF-8
or cannot be read is one error line and exit 2; a secret with a line break is refused by its name
when the config loads, and a request that cannot be sent never quotes its headers.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import responses
from click.testing import CliRunner

import cli
from sync.content.medium import MediumClient, medium_session
from sync.errors import RemoteError
from tests.conftest import DEMO_BOARDS
from tests.reliability.known_secrets import MEDIUM_TOKEN, leaks

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
    assert not leaks(result.output)


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
    assert not leaks(result.output)
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


# -- a secret with a line break --------------------------------------------------------------------


def test_a_secret_with_a_line_break_is_refused_by_name_never_quoted(tmp_path, monkeypatch):
    """A header cannot hold a line break, and the HTTP library's complaint quotes the header,
    token and all: so such a secret is refused when the config loads, by its name only."""
    monkeypatch.setenv("MEDIUM_TOKEN", MEDIUM_TOKEN + "\n")
    config = _export_config(tmp_path)
    result = CliRunner().invoke(cli.main, ["--config", str(config), "sync"])
    assert result.exit_code == 2
    assert "MEDIUM_TOKEN: holds a line break or another control character" in result.output
    assert not leaks(result.output)


def test_a_request_that_cannot_be_sent_never_quotes_its_headers():
    with (
        responses.RequestsMock(assert_all_requests_are_fired=False),
        pytest.raises(RemoteError) as caught,
    ):
        MediumClient(medium_session(MEDIUM_TOKEN + "\r\nX-Evil: 1")).me()
    assert str(caught.value).startswith("Medium: GET https://api.medium.com/v1/me failed (")
    assert not leaks(str(caught.value))
