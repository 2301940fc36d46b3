"""`otg check` echoes no secret (issue 20, fix 5): every URL it shows drops its query string and
its user name and password, and every known secret is cut from every line, offline and online."""

from __future__ import annotations

from pathlib import Path

import pytest
import responses
from click.testing import CliRunner

import cli
from sync.http import where
from tests.conftest import ROOT

MEDIUM_TOKEN = "2fSecretMediumTokenInTheQuery9d"
TRELLO_KEY = "5ec7e75ec7e75ec7e75ec7e75ec7e75e"
CALDAV_PASSWORD = "Secret-CalDAV-Passw0rd"
FEED = f"https://medium.com/feed/@oneteamgov?token={MEDIUM_TOKEN}#{CALDAV_PASSWORD}"
CALDAV = f"https://dav.example.org/cal/events/?key={TRELLO_KEY}&password={CALDAV_PASSWORD}"
NEEDLES = [MEDIUM_TOKEN, TRELLO_KEY, CALDAV_PASSWORD, "token=", "key=", "#"]


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "events.json").write_text(
        '{"id": "b1", "name": "Events", "cards": [], "lists": []}'
    )
    (tmp_path / "otg.toml").write_text(
        f"""\
state_db = "state.db"
output_dir = "out"

[boards.events]
role = "events"
source = "events.json"

[boards.content]
role = "content"
source = "events.json"

[calendar]
domain = "oneteamgov.uk"

[calendar.caldav]
url = "{CALDAV}"
username = "organiser"

[medium]
feeds = ["{FEED}"]
"""
    )
    monkeypatch.setenv("MEDIUM_TOKEN", MEDIUM_TOKEN)
    monkeypatch.setenv("CALDAV_PASSWORD", CALDAV_PASSWORD)
    monkeypatch.setenv("TRELLO_API_KEY", TRELLO_KEY)
    return tmp_path / "otg.toml"


@pytest.mark.parametrize("online", [False, True])
def test_check_shows_no_query_string_no_userinfo_and_no_secret(config, online):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        feed = (ROOT / "tests" / "fixtures" / "medium-feed.xml").read_bytes()
        rsps.get("https://medium.com/feed/@oneteamgov", body=feed)
        rsps.add("PROPFIND", "https://dav.example.org/cal/events/", status=401, body="no")
        rsps.get("https://api.medium.com/v1/me", status=401, body="{}")
        args = ["--config", str(config), "check", *(["--online"] if online else [])]
        result = CliRunner().invoke(cli.main, args)
    text = result.output
    assert "Traceback" not in text, text
    assert "https://medium.com/feed/@oneteamgov" in text, text
    assert online or "https://dav.example.org/cal/events/ (not contacted" in text, text
    assert [n for n in NEEDLES if n in text] == [], text


def test_a_url_in_a_message_has_no_user_name_password_query_or_fragment():
    shown = where(f"https://reader:{CALDAV_PASSWORD}@dav.example.org:8443/cal/?key={TRELLO_KEY}#x")
    assert shown == "https://dav.example.org:8443/cal/"
    assert where("boards/feed.xml") == "boards/feed.xml"
