"""The content flow on a live board with a Medium token, against the Trello and Medium fakes in
one ``responses`` mock: drafts created at most once, linked and moved on Trello, published posts
found in the feed; and every way it can go wrong: a crash between POST and record, a lost answer,
the daily limit, a revoked token, a failed write-back. Requests are counted in the fakes."""

from __future__ import annotations

import json
import signal
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import requests

import cli
import jobs.sync
from config import load_config
from sync import stopping
from sync.content.medium import medium_session
from sync.content.plan import INTENT_KIND, TARGET
from sync.state.store import State
from tests.conftest import DEMO_BOARDS, ROOT, load_json
from tests.fakes.medium import FakeMedium
from tests.fakes.trello import FakeClock, FakeTrello

NOW = datetime(2026, 12, 8, 2, tzinfo=UTC)
FEED_URL = "https://medium.com/feed/@oneteamgov"
SAVED_FEED_URL = "https://medium.com/feed/oneteamgov-publication"
BOARD = "wkduWOam"
DRAFTED_LIST = "6a73267b21a2e11dd2adb933"
PUBLISHED_LIST = "6a73267b6e5f716427933d0d"
CALL_CENTRE, ROUNDUP, NASTY = (
    "6adb8dfd0506c32d1435c34b",
    "6ae85389fb0e65b9ff42e1ca",
    ("6afddee801d60285e185b3de"),
)
EMPTY, LEADERSHIP = "6af5ff1d5589febaa03b078c", "6aa0462ebe229dd6da7c1113"
READY = [CALL_CENTRE, ROUNDUP, NASTY]


class Crash(BaseException):
    """The process dies here (a BaseException: nothing in the code under test catches it)."""


@dataclass
class World:
    trello: FakeTrello
    medium: FakeMedium
    rsps: object

    def card(self, card_id: str) -> dict:
        return self.trello.card(card_id)

    def links(self, card_id: str) -> list[tuple[str, str]]:
        return [(a["name"], a["url"]) for a in self.card(card_id)["attachments"]]


@pytest.fixture
def world(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr("sync.http.monotonic", clock.now)
    monkeypatch.setattr("sync.http.pause", clock.sleep)
    trello, medium = FakeTrello(clock=clock), FakeMedium()
    trello.add_board(load_json(DEMO_BOARDS / "content.json"))
    with trello.running() as rsps:
        medium.install(rsps)
        medium.serve_feed(rsps, FEED_URL)
        saved = (ROOT / "tests" / "fixtures" / "medium-feed.xml").read_text(encoding="utf-8")
        rsps.add("GET", SAVED_FEED_URL, body=saved, content_type="text/xml")
        monkeypatch.setenv("TRELLO_API_KEY", trello.key)
        monkeypatch.setenv("TRELLO_TOKEN", trello.token)
        monkeypatch.setenv("MEDIUM_TOKEN", medium.token)
        yield World(trello, medium, rsps)


@pytest.fixture
def config(write_config):
    def make(feeds: tuple[str, ...] = (FEED_URL,), extra: str = "") -> str:
        return str(
            write_config(f"""
            state_db = "state.db"
            [boards.content]
            role = "content"
            source = "trello:{BOARD}"
            [medium]
            feeds = {json.dumps(list(feeds))}
            canonical_url = "https://oneteamgov.uk/blog/{{slug}}"
            {extra}
        """)
        )

    return make


def sync(path: str, state: State, now: datetime = NOW, **kwargs):
    return jobs.sync.run(load_config(path), state, now=now, **kwargs)


def lines(report, kind: str | None = None) -> list[tuple[str, str, str, str]]:
    return [
        (o.kind, o.target, o.status, o.key)
        for o in report.outcomes
        if kind is None or o.kind == kind
    ]


def test_ready_cards_become_drafts_linked_and_moved_and_a_rerun_sends_nothing(
    world, config, tmp_path
):
    with State(tmp_path / "state.db") as state:
        report = sync(config(), state)
        assert report.exit_code == 0, report.failures
        assert lines(report) == [
            ("create", "medium", "done", CALL_CENTRE),
            ("move", "trello", "done", CALL_CENTRE),
            ("create", "medium", "done", ROUNDUP),
            ("move", "trello", "done", ROUNDUP),
            ("skip", "medium", "skipped", EMPTY),
            ("create", "medium", "done", NASTY),
            ("move", "trello", "done", NASTY),
        ]
        [post, *_] = world.medium.posts
        assert report.outcomes[0].detail == post["url"]
        assert report.outcomes[1].detail == 'to "In Medium drafts"; medium draft link attached'
        assert [p["publishStatus"] for p in world.medium.posts] == ["draft"] * 3
        assert world.medium.count("POST") == 3 and world.medium.count("GET") == 1
        assert [(r.method, r.path.split("/")[-1]) for r in world.trello.writes()] == [
            ("POST", "attachments"),
            ("PUT", CALL_CENTRE),
            ("POST", "attachments"),
            ("PUT", ROUNDUP),
            ("POST", "attachments"),
            ("PUT", NASTY),
        ]
        for card_id, made in zip(READY, world.medium.posts, strict=True):
            assert world.card(card_id)["idList"] == DRAFTED_LIST
            assert world.links(card_id) == [("Medium draft", made["url"])]
        assert report.requests == {"rss": 1, "medium": 4, "trello": 8}
        assert [i.status for i in state.intents(INTENT_KIND)] == ["done"] * 3
        record = state.item(TARGET, CALL_CENTRE)
        assert (record.remote_id, record.data["written_back"]) == (post["id"], True)

        world.trello.requests.clear()
        again = sync(config(), state, NOW + timedelta(days=1))
    assert lines(again) == [("skip", "medium", "skipped", EMPTY)]
    assert world.medium.count("POST") == 3 and world.medium.count("GET") == 1
    assert world.trello.writes() == []
    assert again.requests == {"rss": 1, "trello": 2}


def test_a_published_draft_moves_its_card_to_published_once(world, config, tmp_path):
    with State(tmp_path / "state.db") as state:
        sync(config(), state)
        post = world.medium.posts[0]
        world.medium.publish(post["id"], NOW + timedelta(days=2))
        report = sync(config(), state, NOW + timedelta(days=3))
        assert lines(report)[1:] == [
            ("publish", "medium", "done", CALL_CENTRE),
            ("move", "trello", "done", CALL_CENTRE),
        ]
        public = post["url"]
        assert report.outcomes[1].detail == (
            f"published 10 Dec 2026 at {public} (matched on id, title)"
        )
        assert report.outcomes[2].detail == 'to "Published"'  # the draft's link is the post's
        assert world.card(CALL_CENTRE)["idList"] == PUBLISHED_LIST
        assert world.links(CALL_CENTRE) == [("Medium draft", public)]
        record = state.item(TARGET, CALL_CENTRE)
        assert (record.status, record.data["published_url"], record.data["published_at"]) == (
            "published",
            public,
            "2026-12-10T02:00:00+00:00",
        )
        world.trello.requests.clear()
        third = sync(config(), state, NOW + timedelta(days=4))
    assert lines(third) == [("skip", "medium", "skipped", EMPTY)] and world.trello.writes() == []


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


def test_the_daily_limit_stops_creates_and_says_when_to_try_again(world, config, tmp_path):
    world.medium.daily_limit = 1
    with State(tmp_path / "state.db") as state:
        report = sync(config(), state)
        assert [(o.kind, o.status, o.detail) for o in report.outcomes[2:5]] == [
            (
                "create",
                "failed",
                "Medium's daily publishing limit is reached: 429 You have reached the daily "
                "limit of posts. (code 1007) — no more drafts are sent this run; try again after "
                "Wed 09 Dec 02:00 (Europe/London)",
            ),
            ("skip", "skipped", report.outcomes[3].detail),
            (
                "create",
                "skipped",
                "not sent: Medium's daily limit is reached; try again after Wed 09 Dec 02:00",
            ),
        ]
        assert world.medium.count("POST") == 2 and report.exit_code == 1
        assert [i.status for i in state.intents(INTENT_KIND)] == ["done", "retry"]
        world.medium.daily_limit = 10
        tomorrow = sync(config(), state, NOW + timedelta(days=1))
    assert [(o.kind, o.key) for o in tomorrow.outcomes if o.kind == "create"] == [
        ("create", ROUNDUP),
        ("create", NASTY),
    ]
    assert world.medium.count("POST") == 4


def test_a_429_that_is_not_the_daily_limit_is_worded_as_such_and_retried_next_sync(
    world, config, tmp_path
):
    """Medium's 429 without code 1007 (a burst, a proxy) is not the daily limit: nothing made,
    no more drafts this run, and no promise of a day's wait."""
    world.medium.fail_next(429, "Too many requests.", 429)
    with State(tmp_path / "state.db") as state:
        report = sync(config(), state)
        failed = [o for o in report.outcomes if o.status == "failed"]
        assert [(o.kind, o.detail) for o in failed] == [
            (
                "create",
                "Medium is limiting requests: 429 Too many requests. (code 429) — no more drafts "
                "are sent this run; the next sync retries",
            )
        ]
        assert "not sent: Medium is limiting requests; the next sync retries" in [
            o.detail for o in report.outcomes if o.status == "skipped"
        ]
        assert world.medium.count("POST") == 1 and world.medium.posts == []
        assert [i.status for i in state.intents(INTENT_KIND)] == ["retry"]
        later = sync(config(), state, NOW + timedelta(hours=1))
    assert later.exit_code == 0 and len(world.medium.posts) == 3


def test_a_revoked_token_is_one_clear_line_and_other_cards_are_still_processed(
    world, config, runner
):
    world.medium.revoke()
    path = config(feeds=(SAVED_FEED_URL,))
    result = runner.invoke(cli.main, ["-vv", "--config", path, "sync"], catch_exceptions=False)
    assert result.exit_code == 1
    out = result.output.splitlines()
    assert (
        "failed           medium       What I learned shadowing a call centre — Medium refused "
        "MEDIUM_TOKEN: 401 Token was invalid. (code 6003) — MEDIUM_TOKEN was revoked or "
        "mistyped; Medium issues no new tokens since 2025 — without a working token, unset it "
        '(or set medium.target = "drafts") to write drafts to the drafts folder instead'
    ) in out
    assert (
        'skipped          medium       Notes from "the other side": ../policy meets <b>html</b> '
        "delivery — not sent: Medium refused the token"
    ) in out
    # the card drafted by hand is found in the feed and moved: the token is not needed for that
    assert world.card(LEADERSHIP)["idList"] == PUBLISHED_LIST
    assert world.medium.count("POST") == 0
    for secret in (world.medium.token, world.trello.token, world.trello.key):
        assert secret not in result.output
    assert not world.medium.token_in_urls and not world.trello.secrets_in_urls


def test_drafts_without_a_token_go_to_the_folder_and_still_move_the_card(
    world, config, tmp_path, monkeypatch
):
    monkeypatch.delenv("MEDIUM_TOKEN")
    with State(tmp_path / "state.db") as state:
        report = sync(config(), state)
    # the card moves once its draft is on disk: after the batch of drafts is made durable
    done = lines(report)
    created = done.index(("create", "drafts", "done", CALL_CENTRE))
    moved = done.index(("move", "trello", "done", CALL_CENTRE))
    assert created < moved
    assert report.outcomes[moved].detail == 'to "In Medium drafts"'  # a local file is no link
    assert world.medium.received == [] and world.links(CALL_CENTRE) == []
    assert world.card(CALL_CENTRE)["idList"] == DRAFTED_LIST
    assert (tmp_path / "out" / "drafts").is_dir()


def test_target_medium_without_a_token_names_the_fix(world, config, tmp_path, monkeypatch):
    monkeypatch.delenv("MEDIUM_TOKEN")
    with State(tmp_path / "state.db") as state:
        report = sync(config(extra='target = "medium"'), state)
    assert report.outcomes[0].detail == (
        'medium.target is "medium" but MEDIUM_TOKEN is not set — set it in the environment or a '
        '.env file, or set medium.target = "drafts"'
    )
    assert world.trello.writes() == []


def test_a_dry_run_sends_nothing_and_records_nothing(world, config, tmp_path):
    with State(tmp_path / "state.db") as state:
        report = sync(config(), state, dry_run=True)
        assert state.items(TARGET) == {} and state.intents() == []
    assert lines(report)[:2] == [
        ("create", "medium", "planned", CALL_CENTRE),
        ("move", "trello", "planned", CALL_CENTRE),
    ]
    assert report.outcomes[1].detail == 'to "In Medium drafts"; medium draft link attached'
    assert world.medium.received == [] and world.trello.writes() == []
    assert not (tmp_path / "out").exists()


def test_a_stale_draft_is_reported_and_new_version_makes_a_second(world, config, tmp_path):
    with State(tmp_path / "state.db") as state:
        sync(config(), state)
        requests.put(
            f"https://api.trello.com/1/cards/{CALL_CENTRE}",
            json={"desc": "# What I learned\n\nA shorter version."},
            headers={
                "Authorization": f'OAuth oauth_consumer_key="{world.trello.key}", '
                f'oauth_token="{world.trello.token}"'
            },
            timeout=5,
        )
        report = sync(config(), state)
        assert next(w for w in report.warnings if "stale" in w).endswith(
            "Medium cannot update a draft — edit it there, or run `otg sync --new-version "
            "qBqgCgJ9` for a fresh one"
        )
        assert world.medium.count("POST") == 3
        fresh = sync(config(), state, new_version=("qBqgCgJ9",))
        assert lines(fresh)[:2] == [
            ("create", "medium", "done", CALL_CENTRE),
            ("move", "trello", "done", CALL_CENTRE),
        ]
        assert fresh.outcomes[0].detail.startswith("version 2; https://medium.com/@oneteamgov/")
        assert fresh.outcomes[1].detail == "medium draft link attached"  # already in the list
        assert state.item(TARGET, CALL_CENTRE).sequence == 2
        again = sync(config(), state)
    assert not [w for w in again.warnings if "stale" in w]
    assert world.medium.count("POST") == 4
    assert [name for name, _ in world.links(CALL_CENTRE)] == ["Medium draft", "Medium draft"]


def test_a_failed_move_is_retried_without_a_second_link(world, config, tmp_path):
    world.trello.fail_next("PUT", f"/1/cards/{CALL_CENTRE}", status=500)
    with State(tmp_path / "state.db") as state:
        first = sync(config(), state)
        assert (first.outcomes[1].status, first.exit_code) == ("failed", 1)
        assert first.outcomes[1].detail.startswith("Trello answered 500 updating card")
        second = sync(config(), state)
    assert lines(second)[0] == ("move", "trello", "done", CALL_CENTRE)
    assert second.outcomes[0].detail == 'to "In Medium drafts"'
    assert len(world.links(CALL_CENTRE)) == 1
    assert world.card(CALL_CENTRE)["idList"] == DRAFTED_LIST


def test_a_lost_attachment_answer_never_doubles_the_link(world, config, tmp_path):
    world.trello.fail_after_apply(
        "POST", f"/1/cards/{CALL_CENTRE}/attachments", requests.ConnectionError
    )
    with State(tmp_path / "state.db") as state:
        first = sync(config(), state)
        assert first.outcomes[1].status == "failed"
        second = sync(config(), state)
    assert second.outcomes[0].detail == 'to "In Medium drafts"'
    assert len(world.links(CALL_CENTRE)) == 1
    assert world.medium.count("POST") == 3


def test_a_broken_feed_on_the_web_is_one_line(world, config, tmp_path):
    world.rsps.add("GET", "https://medium.com/feed/@gone", status=404)
    with State(tmp_path / "state.db") as state:
        report = sync(config(feeds=("https://medium.com/feed/@gone",)), state)
    assert report.failures == [
        "rss: feed https://medium.com/feed/@gone answered 404 Not Found — check medium.feeds (a "
        "Medium feed is https://medium.com/feed/@username)"
    ]
    assert world.medium.count("POST") == 3
