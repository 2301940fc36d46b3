"""The `[medium]` config section: defaults, every problem named with its key, no token in it."""

from __future__ import annotations

import pytest

from config import EXAMPLE, load_config
from config.medium import MediumConfig
from sync.errors import ConfigError

BOARD = '[boards.content]\nrole = "content"\nsource = "trello:AbCd1234"\n'


def test_defaults_write_drafts_to_the_folder_unless_a_token_is_set(write_config):
    cfg = load_config(write_config(BOARD))
    assert cfg.medium == MediumConfig()
    assert (cfg.medium.drafts_dir, cfg.medium.license, cfg.medium.feeds) == (
        "drafts",
        "all-rights-reserved",
        (),
    )
    assert cfg.medium.uses_api(None) is False and cfg.medium.uses_api("t") is True
    assert MediumConfig(target="drafts").uses_api("t") is False
    assert MediumConfig(target="medium").uses_api(None) is True


def test_every_key(write_config):
    cfg = load_config(
        write_config(
            BOARD
            + """
[medium]
target = "medium"
drafts_dir = "posts/drafts"
license = "cc-40-by-sa"
canonical_url = "https://oneteamgov.uk/blog/{slug}-{short_link}"
notify_followers = true
publication_id = "b45573563f5a"
feeds = ["https://medium.com/feed/@oneteamgov", "saved.xml"]
timeout = 7
"""
        )
    )
    assert cfg.medium == MediumConfig(
        target="medium",
        drafts_dir="posts/drafts",
        license="cc-40-by-sa",
        canonical_url="https://oneteamgov.uk/blog/{slug}-{short_link}",
        notify_followers=True,
        publication_id="b45573563f5a",
        feeds=("https://medium.com/feed/@oneteamgov", "saved.xml"),
        timeout=7.0,
    )


def test_every_problem_is_named_with_its_key_and_fix(write_config):
    path = write_config(
        BOARD
        + """
[medium]
target = "api"
drafts_dir = "../outside"
license = "cc-by"
canonical_url = "https://oneteamgov.uk/blog/{title}"
notify_followers = "yes"
publication_id = "../x"
feeds = ["ftp://medium.com/feed", 3]
timeout = 0
colour = 3
"""
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.problems == [
        "medium.colour: unknown key (known keys: canonical_url, drafts_dir, feeds, license, "
        "notify_followers, publication_id, target, timeout)",
        "medium.target: 'api' is not one of auto, drafts, medium",
        'medium.drafts_dir: "../outside" must be a folder inside output_dir, such as "drafts"',
        "medium.license: 'cc-by' is not one of all-rights-reserved, cc-40-by, cc-40-by-sa, "
        "cc-40-by-nd, cc-40-by-nc, cc-40-by-nc-nd, cc-40-by-nc-sa, cc-40-zero, public-domain",
        'medium.canonical_url: "https://oneteamgov.uk/blog/{title}" uses {title}; a pattern may '
        "use {slug}, {short_link}, {card_id}",
        "medium.notify_followers: must be true or false, got 'yes'",
        'medium.publication_id: "../x" is not a Medium publication id (letters and digits, e.g. '
        "b45573563f5a)",
        'medium.feeds: "ftp://medium.com/feed" is not an http(s) URL (use '
        "https://medium.com/feed/@username)",
        "medium.timeout: must be more than 0, got 0",
    ]


@pytest.mark.parametrize(
    "pattern, problem",
    [
        ("oneteamgov.uk/{slug}", '"oneteamgov.uk/{slug}" is not an http(s) URL'),
        ("https://x.uk/{slug", "is not a valid pattern"),
        ("https://x.uk/{}", "uses {}; a pattern may use"),
    ],
)
def test_canonical_url_patterns(write_config, pattern, problem):
    with pytest.raises(ConfigError) as caught:
        load_config(write_config(BOARD + f'[medium]\ncanonical_url = "{pattern}"\n'))
    assert problem in caught.value.problems[0]


def test_a_token_in_the_medium_section_is_refused(write_config):
    with pytest.raises(ConfigError) as caught:
        load_config(write_config(BOARD + '[medium]\ntoken = "abc"\n'))
    assert caught.value.problems == [
        "medium.token: secrets do not belong in the config file; remove it and set MEDIUM_TOKEN "
        "in the environment or in a .env file"
    ]


def test_the_token_comes_from_the_environment_only(write_config, monkeypatch):
    monkeypatch.setenv("MEDIUM_TOKEN", "from-the-environment")
    cfg = load_config(write_config(BOARD))
    assert cfg.secrets.get("MEDIUM_TOKEN") == "from-the-environment"
    assert "from-the-environment" not in repr(cfg)


def test_the_example_writes_drafts_to_the_folder_even_with_a_token(monkeypatch):
    monkeypatch.setenv("MEDIUM_TOKEN", "a-real-token")
    cfg = load_config(EXAMPLE)
    assert cfg.medium.target == "drafts" and not cfg.medium.uses_api("a-real-token")
    assert cfg.medium.feeds == ("medium-feed.xml",)
