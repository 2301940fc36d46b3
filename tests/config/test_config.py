"""Config loading: defaults, every problem at once with its key and fix, secrets kept out."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from config import EXAMPLE, find_config_path, load_config
from sync.errors import ConfigError
from sync.model import Role

MINIMAL = """
[boards.events]
role = "events"
source = "trello:AbCd1234"
"""


def test_minimal_config_gets_defaults(write_config):
    cfg = load_config(write_config(MINIMAL))
    assert cfg.timezone == "Europe/London"
    assert cfg.state_db == cfg.base_dir / "otg-state.db"
    assert cfg.output_dir == cfg.base_dir / "out"
    assert cfg.trello.timeout == 20.0
    [board] = cfg.boards
    assert (board.name, board.role, board.is_api, board.board_ref) == (
        "events",
        Role.EVENTS,
        True,
        "AbCd1234",
    )


def test_every_problem_is_listed_at_once_with_key_and_fix(write_config):
    path = write_config("""
        timezone = "Europe/Londn"
        stat_db = "x.db"
        [boards.events]
        role = "event"
        source = "trello:not-an-id"
        [boards.content]
        role = "content"
        sorce = "content.json"
        [boards.content.lists]
        "Ready" = "readyish"
        [trello]
        timeout = "soon"
        [calendr]
        x = 1
    """)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    problems = caught.value.problems
    text = "\n".join(problems)
    assert 'timezone: unknown time zone "Europe/Londn"' in text
    assert 'stat_db: unknown key (did you mean "state_db"?)' in text
    assert "boards.events.role: 'event' is not one of microactions, events, content" in text
    assert "boards.events.source" in text and "8-character short link" in text
    assert 'boards.content.sorce: unknown key (did you mean "source"?)' in text
    assert "boards.content.source: missing" in text
    assert "'readyish' is not a state of the content role" in text
    assert "trello.timeout: must be a number, got 'soon'" in text
    assert "calendr: unknown key" in text
    assert len(problems) == 9
    assert str(caught.value).startswith(f"config in {path}: 9 problems:\n  - ")
    assert str(caught.value).count("\n  - ") == 9


@pytest.mark.parametrize(
    "line, key, env",
    [
        ('token = "ATTA' + "a" * 72 + '"', "trello.token", "TRELLO_TOKEN"),
        ('api_key = "0123456789abcdef0123456789abcdef"', "trello.api_key", "TRELLO_API_KEY"),
        ('note = "ATTA' + "b" * 72 + '"', "trello.note", "TRELLO_TOKEN"),
    ],
)
def test_a_secret_in_the_config_is_refused(write_config, line, key, env):
    path = write_config(MINIMAL + f"\n[trello]\n{line}\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert f"{key}: secrets do not belong in the config file" in message
    assert env in message
    assert "ATTA" not in message and "0123456789abcdef" not in message


def test_a_number_under_a_secret_like_name_is_an_unknown_key_not_a_secret(write_config):
    path = write_config(MINIMAL + "\n[trello]\nbogus_key = 1\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert "trello.bogus_key: unknown key" in message
    assert "secrets do not belong" not in message


def test_a_password_in_a_url_is_refused_and_never_quoted(write_config):
    path = write_config(
        MINIMAL
        + '\n[calendar.caldav]\nurl = "https://me:hunter2-secret@dav.example.org/cal/"\n'
        + '[medium]\nfeeds = ["https://me:hunter2-secret@medium.com/feed/@x"]\n'
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    for key in ("calendar.caldav.url", "medium.feeds"):
        assert f"{key}: must not contain a user name or password" in message
    assert "hunter2" not in message


def test_no_boards_is_a_problem(write_config):
    with pytest.raises(ConfigError, match=r"boards: no boards configured"):
        load_config(write_config('timezone = "UTC"\n'))


def test_missing_file_and_bad_toml(tmp_path, write_config):
    with pytest.raises(ConfigError, match="run `otg init`"):
        load_config(tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(write_config("[boards\nrole ="))


def test_config_path_resolution(tmp_path):
    assert find_config_path("a.toml", {"OTG_CONFIG": "b.toml"}) == Path("a.toml")
    assert find_config_path(None, {"OTG_CONFIG": "b.toml"}) == Path("b.toml")
    assert find_config_path(None, {}) == Path("otg.toml")


def test_secrets_come_from_the_environment_then_dotenv(write_config, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    env_file = tmp_path / ".env"
    env_file.write_text("TRELLO_API_KEY=from-dotenv\nTRELLO_TOKEN=token-from-dotenv\n")
    env_file.chmod(0o600)
    cfg = load_config(write_config(MINIMAL), environ={"TRELLO_TOKEN": "token-from-env"})
    assert cfg.secrets.get("TRELLO_API_KEY") == "from-dotenv"
    assert cfg.secrets.get("TRELLO_TOKEN") == "token-from-env"
    assert "token-from" not in repr(cfg) and "from-dotenv" not in repr(cfg)


@pytest.mark.skipif(os.name != "posix", reason="file modes")
def test_a_dotenv_readable_by_others_is_named_in_the_config(write_config, tmp_path, caplog):
    (tmp_path / ".env").write_text("TRELLO_TOKEN=x\n")
    (tmp_path / ".env").chmod(0o644)
    with caplog.at_level(logging.WARNING):
        cfg = load_config(write_config(MINIMAL))
    assert cfg.secrets.exposed == (tmp_path / ".env",)  # the commands say it, once each
    assert caplog.text == ""
    (tmp_path / ".env").chmod(0o600)
    assert load_config(write_config(MINIMAL)).secrets.exposed == ()


def test_relative_paths_are_relative_to_the_config_file(write_config):
    cfg = load_config(
        write_config(
            'state_db = "db/state.db"\n' + MINIMAL.replace("trello:AbCd1234", "boards/x.json")
        )
    )
    assert cfg.board_path(cfg.boards[0]) == cfg.base_dir / "boards" / "x.json"
    assert cfg.state_db == cfg.base_dir / "db" / "state.db"


def test_the_bundled_example_and_starter_configs_load():
    from config import STARTER

    assert load_config(EXAMPLE).boards
    assert {b.role for b in load_config(STARTER).boards} == set(Role)


@pytest.mark.parametrize(("value", "expected"), [("basic", "basic"), ("digest", "digest")])
def test_the_caldav_sign_in_is_chosen_in_the_config(
    write_config, value: str, expected: str
) -> None:
    path = write_config(f"""
        [boards.events]
        role = "events"
        source = "events.json"
        [calendar.caldav]
        url = "https://dav.example.org/cal/"
        auth = "{value}"
    """)
    assert load_config(path).calendar.caldav.auth == expected


def test_a_caldav_sign_in_we_do_not_speak_is_one_clear_problem(write_config) -> None:
    path = write_config("""
        [boards.events]
        role = "events"
        source = "events.json"
        [calendar.caldav]
        url = "https://dav.example.org/cal/"
        auth = "ntlm"
    """)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.problems == [
        "calendar.caldav.auth: 'ntlm' is not one of auto, basic, digest"
    ]
