"""The content flow with a Medium token when the process dies or the answer is lost: a crash
between POST and record, after the record, a lost answer, a stop in a backoff, a POST that never
connected. Drafts are created at most once, and what is unknown is shown for the operator."""

from __future__ import annotations

import json
import signal

import pytest

import cli
from sync import stopping
from sync.content.medium import medium_session
from sync.content.plan import TARGET
from sync.state.store import State
from tests.content.medium_world import (
    CALL_CENTRE,
    DRAFTED_LIST,
    NASTY,
    ROUNDUP,
    Crash,
    lines,
    sync,
)


def test_a_crash_between_post_and_settle_creates_nothing_twice(
    world, config, tmp_path, runner, monkeypatch
):
    path = config()
    original = State.settle_intent

    def crash_once(self, *args, **kwargs):
        monkeypatch.setattr(State, "settle_intent", original)
        raise Crash

    monkeypatch.setattr(State, "settle_intent", crash_once)
    with State(tmp_path / "state.db") as state, pytest.raises(Crash):
        sync(path, state)
    assert world.medium.count("POST") == 1  # the draft exists on Medium; we do not know it
    lost = world.medium.posts[0]

    rerun = runner.invoke(cli.main, ["--config", path, "sync"], catch_exceptions=False)
    assert rerun.exit_code == 0  # waiting for an operator, said every night, is not a failure
    assert rerun.stderr.startswith(
        "waiting for an operator: pending medium: What I learned shadowing a call centre — "
        "intent 1 of "
    )
    assert rerun.output.splitlines()[1] == (
        "pending          medium       What I learned shadowing a call centre — intent 1 of "
        + rerun.output.split("intent 1 of ", 1)[1].split(" UTC", 1)[0]
        + " UTC is unsettled: the draft may exist on Medium, so it is not sent again — check "
        "your Medium drafts, then `otg ledger resolve 1 --url URL` (or `--retry` if there is "
        "none)"
    )
    assert world.medium.count("POST") == 3  # the two other cards; never the first again
    assert world.links(CALL_CENTRE) == []

    listed = runner.invoke(cli.main, ["--config", path, "ledger", "list"])
    assert listed.output.splitlines()[0].split() == [
        "id",
        "status",
        "created",
        "(UTC)",
        "card",
        "result",
    ]
    assert listed.output.splitlines()[1].split()[:2] == ["1", "pending"]
    assert "unsettled: check Medium, then otg ledger resolve 1 --url URL" in listed.output
    data = json.loads(
        runner.invoke(cli.main, ["--config", path, "ledger", "list", "--json"]).output
    )
    assert [(i["id"], i["status"], i["key"]) for i in data] == [
        (1, "pending", CALL_CENTRE),
        (2, "done", ROUNDUP),
        (3, "done", NASTY),
    ]

    resolved = runner.invoke(
        cli.main, ["--config", path, "ledger", "resolve", "1", "--url", lost["url"]]
    )
    assert resolved.exit_code == 0
    assert resolved.output == (
        'Intent 1 settled: the draft of "What I learned shadowing a call centre" is '
        f"{lost['url']}. The next `otg sync` records it, attaches it to the card and moves the "
        "card on.\n"
    )
    third = runner.invoke(cli.main, ["--config", path, "sync"], catch_exceptions=False)
    assert third.exit_code == 0, third.output
    assert third.output.splitlines()[1:3] == [
        f"record           medium       What I learned shadowing a call centre — {lost['url']} "
        "(intent 1)",
        'move             trello       What I learned shadowing a call centre — to "In Medium '
        'drafts"; medium draft link attached',
    ]
    assert world.medium.count("POST") == 3
    assert world.links(CALL_CENTRE) == [("Medium draft", lost["url"])]
    assert world.card(CALL_CENTRE)["idList"] == DRAFTED_LIST
    again = runner.invoke(cli.main, ["--config", path, "ledger", "resolve", "1", "--retry"])
    assert again.exit_code == 2
    assert again.output.startswith('error: intent 1 ("What I learned shadowing a call centre") is')


def test_a_crash_after_settle_is_recorded_from_the_intent_not_resent(
    world, config, tmp_path, monkeypatch
):
    original = State.put_item

    def crash_on_the_record(self, item):
        if item.target == TARGET:
            monkeypatch.setattr(State, "put_item", original)
            raise Crash
        return original(self, item)

    monkeypatch.setattr(State, "put_item", crash_on_the_record)
    with State(tmp_path / "state.db") as state:
        with pytest.raises(Crash):
            sync(config(), state)
        report = sync(config(), state)
    assert lines(report)[:2] == [
        ("record", "medium", "done", CALL_CENTRE),
        ("move", "trello", "done", CALL_CENTRE),
    ]
    assert world.medium.count("POST") == 3  # one per card, ever


def test_a_lost_answer_stops_creates_and_the_operator_can_allow_a_retry(
    world, config, tmp_path, runner
):
    path = config()
    world.medium.lose_next_response()
    first = runner.invoke(cli.main, ["--config", path, "sync"], catch_exceptions=False)
    assert first.exit_code == 1
    out = first.output.splitlines()
    assert out[1] == (
        "failed           medium       What I learned shadowing a call centre — Medium: POST "
        "https://api.medium.com/v1/users/5303d74c64f66366f00cb9b2a94f3251bf5/posts could not "
        "connect: the draft may have been created, so it will not be sent again — check your "
        "Medium drafts, then `otg ledger resolve 1 --url URL` (or `--retry` if there is none)"
    )
    assert out[2] == (
        "skipped          medium       Two weeks on: what happened after OneTeamGov Global — not "
        "sent: Medium did not answer an earlier request"
    )
    assert world.medium.count("POST") == 1
    second = runner.invoke(cli.main, ["--config", path, "sync"], catch_exceptions=False)
    assert second.exit_code == 0 and world.medium.count("POST") == 3  # the other two, once
    assert "waiting for an operator: pending medium: What I learned" in second.stderr
    retry = runner.invoke(cli.main, ["--config", path, "ledger", "resolve", "1", "--retry"])
    assert retry.output == (
        'Intent 1 settled: nothing was created. The next `otg sync` tries "What I learned '
        'shadowing a call centre" once more.\n'
    )
    third = runner.invoke(cli.main, ["--config", path, "sync"], catch_exceptions=False)
    assert third.exit_code == 0 and world.medium.count("POST") == 4
    assert len(world.links(CALL_CENTRE)) == 1


def test_a_stop_in_a_backoff_before_a_create_leaves_nothing_pending_and_the_rerun_creates_once(
    world, config, runner, monkeypatch
):
    """Ctrl-C lands while the session waits to resend a POST Medium answered 429: the wait ends
    and the POST is not sent. Medium's own session never retries (so never waits before a POST);
    here it is made to, to show that such a stop is not taken for a lost answer."""

    def retrying(token: str, timeout: float = 20.0):
        session = medium_session(token, timeout)
        session.retries = 1
        return session

    monkeypatch.setattr("sync.content.medium.medium_session", retrying)  # imported when used
    monkeypatch.setattr("sync.http.pause", lambda seconds: stopping.request_stop(signal.SIGINT))
    world.medium.fail_next(429, "Too many requests.", 429)
    path = config()
    stopping.reset()
    try:
        stopped = runner.invoke(cli.main, ["--config", path, "sync"], catch_exceptions=False)
    finally:
        stopping.reset()
    assert stopped.exit_code == 130, stopped.output
    assert (
        "failed           medium       What I learned shadowing a call centre — Medium: stopped "
        "by a signal before retrying POST https://api.medium.com/v1/users/"
        "5303d74c64f66366f00cb9b2a94f3251bf5/posts (429 rate limited) — nothing was sent; the "
        "next run picks up the rest"
    ) in stopped.output.splitlines()
    assert world.medium.count("POST") == 1 and world.medium.posts == []
    ledger = runner.invoke(cli.main, ["--config", path, "ledger", "list"])
    assert "pending" not in ledger.output and "unsettled" not in ledger.output
    assert ledger.output.splitlines()[1].split()[:2] == ["1", "retry"]

    rerun = runner.invoke(cli.main, ["--config", path, "sync"], catch_exceptions=False)
    assert rerun.exit_code == 0, rerun.output
    assert world.medium.count("POST") == 4 and len(world.medium.posts) == 3  # each card once
    assert [p["title"] for p in world.medium.posts].count(
        "What I learned shadowing a call centre"
    ) == 1
    assert len(world.links(CALL_CENTRE)) == 1


def test_a_post_that_could_not_connect_is_not_pending_and_the_next_sync_creates_it(
    world, config, runner
):
    """No connection to Medium could be made for the POST (refused, no DNS): it never left, so
    it is not one for `otg ledger`; the next sync creates the draft, once."""
    path = config()
    world.medium.refuse_next_connection()
    first = runner.invoke(cli.main, ["--config", path, "sync"], catch_exceptions=False)
    assert first.exit_code == 1
    out = first.output.splitlines()
    assert out[1] == (
        "failed           medium       What I learned shadowing a call centre — Medium: POST "
        "https://api.medium.com/v1/users/5303d74c64f66366f00cb9b2a94f3251bf5/posts could not "
        "connect — check the network and rerun; nothing was sent"
    )
    assert world.medium.count("POST") == 0
    ledger = runner.invoke(cli.main, ["--config", path, "ledger", "list"])
    assert "pending" not in ledger.output
    second = runner.invoke(cli.main, ["--config", path, "sync"], catch_exceptions=False)
    assert second.exit_code == 0, second.output
    assert world.medium.count("POST") == 3 and len(world.medium.posts) == 3
    assert len(world.links(CALL_CENTRE)) == 1
