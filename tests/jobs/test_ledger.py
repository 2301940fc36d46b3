"""`otg ledger`: listing intents and settling them, with every mistake an operator can make."""

from __future__ import annotations

import json

import pytest

import cli
from sync.content.plan import INTENT_KIND
from sync.state.store import State

PAYLOAD = {"title": "What I learned shadowing a call centre", "version": 1, "short_link": "qBq"}


@pytest.fixture
def ledger(write_config, tmp_path):
    path = write_config('state_db = "state.db"\n[boards.c]\nrole = "content"\nsource = "c.json"\n')
    with State(tmp_path / "state.db") as state:
        state.open_intent(INTENT_KIND, "card-1", PAYLOAD)
        done = state.open_intent(INTENT_KIND, "card-2", {**PAYLOAD, "title": "Two weeks on"})
        state.settle_intent(done, "done", {"id": "8c1f2e3d4a5b", "url": "https://medium.com/p/x"})
        refused = state.open_intent(INTENT_KIND, "card-3", {**PAYLOAD, "title": "Refused"})
        state.settle_intent(refused, "retry", {"created": False, "error": "Medium refused it"})
    return str(path), tmp_path / "state.db"


def invoke(runner, *args):
    return runner.invoke(cli.main, list(args), catch_exceptions=False)


def test_list_shows_pending_and_settled_intents(runner, ledger):
    path, _ = ledger
    out = invoke(runner, "--config", path, "ledger", "list").output.splitlines()
    assert out[0].split() == ["id", "status", "created", "(UTC)", "card", "result"]
    assert out[1].split()[:2] == ["1", "pending"]
    assert out[1].endswith(
        "What I learned shadowing a call centre  unsettled: check Medium, then otg ledger "
        "resolve 1 --url URL, --retry or --abandon"
    )
    assert out[2].endswith("Two weeks on                            https://medium.com/p/x")
    assert out[3].endswith("Refused                                 not created: Medium refused it")
    data = json.loads(invoke(runner, "--config", path, "ledger", "list", "--json").output)
    assert [(i["id"], i["status"], i["payload"]["title"]) for i in data] == [
        (1, "pending", "What I learned shadowing a call centre"),
        (2, "done", "Two weeks on"),
        (3, "retry", "Refused"),
    ]


def test_list_on_a_fresh_machine(runner, write_config, tmp_path):
    path = write_config('state_db = "s.db"\n[boards.c]\nrole = "content"\nsource = "c.json"\n')
    result = invoke(runner, "--config", str(path), "ledger", "list")
    assert result.output == "No intents recorded: nothing that cannot be retried has been sent.\n"
    assert not (tmp_path / "s.db").exists()
    resolve = invoke(runner, "--config", str(path), "ledger", "resolve", "1", "--retry")
    assert resolve.exit_code == 2
    assert resolve.output == (
        f"error: there is no state database at {tmp_path / 's.db'} — run `otg sync` first\n"
    )


def test_resolve_with_the_url_records_the_draft(runner, ledger):
    path, db = ledger
    url = "https://medium.com/@oneteamgov/what-i-learned-5e7c2a91d0f4"
    result = invoke(runner, "--config", path, "ledger", "resolve", "1", "--url", url)
    assert result.exit_code == 0
    with State(db) as state:
        [intent] = [i for i in state.intents() if i.id == 1]
    assert (intent.status, intent.result) == (
        "done",
        {"id": "5e7c2a91d0f4", "url": url, "by": "otg ledger resolve"},
    )


def test_resolve_abandon(runner, ledger):
    path, db = ledger
    result = invoke(runner, "--config", path, "ledger", "resolve", "1", "--abandon")
    assert result.output == (
        'Intent 1 abandoned: "What I learned shadowing a call centre" will not be drafted '
        "automatically any more (`otg sync --new-version qBq` drafts it on request).\n"
    )
    with State(db) as state:
        assert state.intents(status="abandoned")[0].id == 1


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["1"],
            "error: say what happened with exactly one of --url URL, --retry or --abandon — see "
            "`otg ledger resolve --help`\n",
        ),
        (
            ["1", "--retry", "--abandon"],
            "error: say what happened with exactly one of --url URL, --retry or --abandon — see "
            "`otg ledger resolve --help`\n",
        ),
        (["9", "--retry"], "error: there is no intent 9 — see `otg ledger list` for the ids\n"),
        (
            ["1", "--url", "medium.com/p/x"],
            'error: "medium.com/p/x" is not the URL of a draft — copy it from Medium, e.g. '
            "https://medium.com/p/8c1f2e3d4a5b/edit\n",
        ),
        (
            ["2", "--retry"],
            'error: intent 2 ("Two weeks on") is already settled: done, https://medium.com/p/x — '
            "nothing to do\n",
        ),
        (
            ["3", "--retry"],
            'error: intent 3 ("Refused") is already settled: retry, not created: Medium refused '
            "it — nothing to do\n",
        ),
    ],
)
def test_resolve_mistakes_are_one_line_and_change_nothing(runner, ledger, args, message):
    path, db = ledger
    with State(db) as state:
        before = state.intents()
    result = runner.invoke(cli.main, ["--config", path, "ledger", "resolve", *args])
    assert (result.exit_code, result.output) == (2, message)
    with State(db) as state:
        assert state.intents() == before


def test_a_refused_intent_may_still_be_abandoned_or_given_a_url(runner, ledger):
    path, _ = ledger
    assert invoke(runner, "--config", path, "ledger", "resolve", "3", "--abandon").exit_code == 0
