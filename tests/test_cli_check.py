"""`otg check` and `otg check --online`, driven as a user would: the example config checks, and
the calendar, CalDAV and Medium targets are said as ok or FAIL with the fix, no secret shown."""

from __future__ import annotations

import pytest
import responses

import cli
from config import EXAMPLE
from tests.running_otg import invoke


def test_check_the_example(runner):
    result = invoke(runner, "--config", str(EXAMPLE), "check")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(f"ok  config: {EXAMPLE}: 3 boards, time zone Europe/London")
    assert lines[1].startswith("ok  state: ") and lines[2].startswith("ok  output: ")
    assert lines[3].startswith('ok  board microactions: microactions, export of "OneTeamGov')


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
