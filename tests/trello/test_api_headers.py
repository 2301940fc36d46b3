"""What every request to Trello carries, against the stateful Trello fake: the credentials in the
Authorization header, never the URL, and otg-sync's own User-Agent."""

from __future__ import annotations

from sync import __version__
from sync.state.store import State
from tests.trello.api_boards import add, api_config, connected, sync


def test_credentials_travel_in_the_header_never_the_url(fake, secrets, write_config, tmp_path):
    board = add(fake, 10)
    with State(tmp_path / "state.db") as state:
        sync(api_config(write_config, {"m": ("microactions", board["id"])}), state)
    assert not fake.secrets_in_urls
    for request in fake.requests:
        assert request.headers["Authorization"] == (
            f'OAuth oauth_consumer_key="{fake.key}", oauth_token="{fake.token}"'
        )
        assert fake.token not in request.url and not request.body


def test_trello_hears_otg_sync_and_its_version_not_py_trello(fake):
    """py-trello sets its own User-Agent on each request; the session's wins."""
    board = add(fake, 3, role="events")
    api = connected(fake)
    api.me()
    api.board(board["shortLink"])
    assert fake.requests
    agents = {r.headers.get("User-Agent") for r in fake.requests}
    assert agents == {f"otg-sync/{__version__} (+https://github.com/oneteamgov/otg-sync)"}
