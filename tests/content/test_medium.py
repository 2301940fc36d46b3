"""The Medium client and the at-most-once protocol, against the stateful Medium fake."""

from __future__ import annotations

import signal
from datetime import UTC, datetime

import pytest
import requests

from config.medium import MediumConfig
from sync import stopping
from sync.content.draft import draft_for
from sync.content.medium import (
    MediumAuthError,
    MediumClient,
    MediumDailyLimit,
    MediumRateLimit,
    MediumRefused,
    MediumUnknownOutcome,
    medium_session,
)
from sync.content.medium_target import MediumTarget, payload_for
from sync.content.plan import INTENT_KIND, TARGET
from sync.errors import NotSent, Stopped
from sync.state.store import State
from tests.content.test_draft import card
from tests.fakes.medium import DEFAULT_TOKEN, PUBLICATION, USER, FakeMedium

NOW = datetime(2026, 11, 21, 2, tzinfo=UTC)
CFG = MediumConfig(canonical_url="https://oneteamgov.uk/blog/{slug}", license="cc-40-by")


@pytest.fixture
def medium():
    fake = FakeMedium()
    with fake.running():
        yield fake


def client(token: str = DEFAULT_TOKEN, publication: str = "") -> MediumClient:
    return MediumClient(medium_session(token, timeout=5), publication)


def target(state: State, **kwargs) -> MediumTarget:
    return MediumTarget(client(**kwargs), state, CFG)


def test_me_and_a_draft_with_every_field(medium):
    api = client()
    assert api.me()["username"] == "oneteamgov"
    draft = draft_for(card(), CFG)
    data = api.create_draft(api.posts_path(), payload_for(draft, CFG))
    assert (data["publishStatus"], data["title"], data["license"]) == (
        "draft",
        draft.title,
        "cc-40-by",
    )
    [post] = medium.posts
    assert post["request"] == {
        "title": "What I learned shadowing a call centre",
        "contentFormat": "html",
        "content": draft.html(),
        "tags": ["Culture", "Public Sector"],
        "publishStatus": "draft",
        "license": "cc-40-by",
        "notifyFollowers": False,
        "canonicalUrl": "https://oneteamgov.uk/blog/what-i-learned-shadowing-a-call-centre",
    }
    assert medium.count("GET") == 1  # /me is asked once per client
    assert [r.headers["Authorization"] for r in medium.received] == [f"Bearer {DEFAULT_TOKEN}"] * 2
    assert not medium.token_in_urls


def test_publish_status_is_always_draft_whatever_the_payload_says(medium):
    api = client()
    api.create_draft(api.posts_path(), {**payload_for(draft_for(card(), CFG), CFG), "x": 1})
    api.create_draft(
        api.posts_path(), {"title": "t", "contentFormat": "html", "content": "c"}
    )  # Medium's default would be public
    assert [p["publishStatus"] for p in medium.posts] == ["draft", "draft"]


def test_a_publication_gets_its_own_route_and_no_me(medium):
    api = client(publication=PUBLICATION)
    data = api.create_draft(api.posts_path(), payload_for(draft_for(card(), CFG), CFG))
    assert data["publicationId"] == PUBLICATION and medium.count("GET") == 0


def test_a_revoked_token_names_the_fix(medium):
    medium.revoke()
    with pytest.raises(MediumAuthError) as caught:
        client().me()
    assert str(caught.value) == (
        "Medium refused MEDIUM_TOKEN: 401 Token was invalid. (code 6003) — MEDIUM_TOKEN was "
        "revoked or mistyped; Medium issues no new tokens since 2025 — without a working token, "
        'unset it (or set medium.target = "drafts") to write drafts to the drafts folder instead'
    )
    assert DEFAULT_TOKEN not in str(caught.value)


def test_the_daily_limit_is_one_post_never_retried(medium, _no_real_waiting):
    medium.daily_limit = 0
    api = client(publication=PUBLICATION)
    with pytest.raises(MediumDailyLimit) as caught:
        api.create_draft(api.posts_path(), payload_for(draft_for(card(), CFG), CFG))
    assert caught.value.message == (
        "Medium's daily publishing limit is reached: 429 You have reached the daily limit of "
        "posts. (code 1007)"
    )
    assert medium.count("POST") == 1 and _no_real_waiting == []


def test_a_429_without_code_1007_is_a_rate_limit_not_the_daily_limit(medium):
    medium.fail_next(429, "Too many requests.", 429)
    api = client(publication=PUBLICATION)
    with pytest.raises(MediumRateLimit) as caught:
        api.create_draft(api.posts_path(), payload_for(draft_for(card(), CFG), CFG))
    assert not isinstance(caught.value, MediumDailyLimit)
    assert caught.value.message == "Medium is limiting requests: 429 Too many requests. (code 429)"
    assert medium.count("POST") == 1 and medium.posts == []


@pytest.mark.parametrize("exception", [requests.ConnectionError, requests.ReadTimeout])
def test_a_lost_answer_is_an_unknown_outcome_and_never_resent(medium, exception):
    medium.lose_next_response(exception)
    api = client(publication=PUBLICATION)
    with pytest.raises(MediumUnknownOutcome) as caught:
        api.create_draft(api.posts_path(), payload_for(draft_for(card(), CFG), CFG))
    assert len(medium.posts) == 1 and medium.count("POST") == 1  # created, once
    assert caught.value.fix == "the draft may have been created"
    assert caught.value.message.startswith(
        f"Medium: POST https://api.medium.com/v1/publications/{PUBLICATION}/posts "
    )


def test_a_server_error_may_have_created_it_too(medium):
    medium.fail_next(503, "Service unavailable", -1)
    api = client(publication=PUBLICATION)
    with pytest.raises(MediumUnknownOutcome):
        api.create_draft(api.posts_path(), payload_for(draft_for(card(), CFG), CFG))
    assert medium.count("POST") == 1


def test_a_refused_draft_created_nothing(medium):
    api = client()
    with pytest.raises(MediumRefused) as caught:
        api.create_draft(api.posts_path(), {"title": "", "contentFormat": "html", "content": ""})
    assert str(caught.value) == (
        "Medium refused the draft: 400 A title and content are required. (code 2004) — nothing "
        "was created; fix the card and sync again"
    )
    wrong = client(publication="000000000000")
    with pytest.raises(MediumRefused, match=r"check medium\.publication_id"):
        wrong.create_draft(wrong.posts_path(), payload_for(draft_for(card(), CFG), CFG))


# -- the at-most-once protocol -------------------------------------------------------------------


def test_an_intent_is_opened_before_the_post_and_settled_after(medium, tmp_path):
    seen_during_post: list[list[str]] = []
    with State(tmp_path / "s.db") as state:
        original = medium._answer_create

        def spy(request, body):
            seen_during_post.append([i.status for i in state.intents(INTENT_KIND)])
            return original(request, body)

        medium._answer_create = spy
        record = target(state).create(draft_for(card(), CFG), 1, NOW)
        [intent] = state.intents(INTENT_KIND)
        stored = state.item(TARGET, card().id)
    assert seen_during_post == [["pending"]]
    post = medium.posts[0]
    assert (intent.status, intent.result["id"], intent.result["url"]) == (
        "done",
        post["id"],
        post["url"],
    )
    assert intent.payload["title"] == "What I learned shadowing a call centre"
    assert stored == record
    assert (record.remote_id, record.data["url"], record.sequence, record.status) == (
        post["id"],
        post["url"],
        1,
        "drafted",
    )


def test_a_lost_answer_leaves_the_intent_pending(medium, tmp_path):
    medium.lose_next_response()
    with State(tmp_path / "s.db") as state:
        with pytest.raises(MediumUnknownOutcome):
            target(state).create(draft_for(card(), CFG), 1, NOW)
        assert [i.status for i in state.intents(INTENT_KIND)] == ["pending"]
        assert state.items(TARGET) == {}


def test_a_refusal_settles_the_intent_so_a_later_sync_may_retry(medium, tmp_path):
    medium.daily_limit = 0
    with State(tmp_path / "s.db") as state:
        with pytest.raises(MediumDailyLimit):
            target(state).create(draft_for(card(), CFG), 1, NOW)
        [intent] = state.intents(INTENT_KIND)
    assert intent.status == "retry" and intent.result["created"] is False


@pytest.mark.parametrize("timeout", [False, True])
def test_a_post_that_could_not_connect_settles_the_intent_and_the_next_try_creates_once(
    medium, tmp_path, timeout
):
    """No connection to Medium could be made (refused, no DNS, a connect timeout): the POST
    never left, so nothing exists and no operator needs to look; the next try creates it."""
    medium.refuse_next_connection(timeout=timeout)
    with State(tmp_path / "s.db") as state:
        with pytest.raises(NotSent) as caught:
            target(state, publication=PUBLICATION).create(draft_for(card(), CFG), 1, NOW)
        assert caught.value.fix == "check the network and rerun; nothing was sent"
        [intent] = state.intents(INTENT_KIND)
        assert (intent.status, intent.result["created"]) == ("retry", False)
        assert medium.count("POST") == 0 and medium.posts == []
        target(state, publication=PUBLICATION).create(draft_for(card(), CFG), 1, NOW)
        assert [i.status for i in state.intents(INTENT_KIND)] == ["retry", "done"]
    assert len(medium.posts) == 1 and medium.count("POST") == 1


@pytest.fixture
def stop_in_the_next_wait(monkeypatch):
    """Ctrl-C arrives during the session's next wait (a backoff, the rate limit)."""
    monkeypatch.setattr("sync.http.pause", lambda seconds: stopping.request_stop(signal.SIGINT))
    stopping.reset()
    yield
    stopping.reset()


def test_a_stop_in_a_backoff_before_the_post_settles_the_intent_and_sends_nothing(
    medium, tmp_path, stop_in_the_next_wait
):
    """Medium's session never retries, so it never waits before a POST; were it to (a 429
    retried after a backoff, a request window), a stop in that wait ends it before the POST is
    sent again: ``Stopped`` is not an unknown outcome, and nothing is left pending."""
    medium.fail_next(429, "Too many requests.", 429)
    with State(tmp_path / "s.db") as state:
        medium_target = target(state, publication=PUBLICATION)
        medium_target.client.session.retries = 1
        with pytest.raises(Stopped, match="stopped by a signal before retrying POST"):
            medium_target.create(draft_for(card(), CFG), 1, NOW)
        [intent] = state.intents(INTENT_KIND)
        assert intent.status == "retry" and medium.posts == []
        stopping.reset()
        target(state, publication=PUBLICATION).create(draft_for(card(), CFG), 1, NOW)
        assert [i.status for i in state.intents(INTENT_KIND)] == ["retry", "done"]
    assert len(medium.posts) == 1 and medium.count("POST") == 2  # the 429, then the one made


def test_a_refused_token_opens_no_intent_at_all(medium, tmp_path):
    medium.revoke()
    with State(tmp_path / "s.db") as state:
        with pytest.raises(MediumAuthError):
            target(state).create(draft_for(card(), CFG), 1, NOW)
        assert state.intents() == [] and medium.count("POST") == 0


def test_the_fake_answers_like_the_reference(medium):
    """The fake's own contract: the shapes reference/medium.md describes."""
    anonymous = requests.get("https://api.medium.com/v1/me", timeout=5)
    assert anonymous.status_code == 401
    assert anonymous.json() == {
        "errors": [{"message": "An access token is required.", "code": 6000}]
    }
    headers = {"Authorization": f"Bearer {DEFAULT_TOKEN}"}
    me = requests.get("https://api.medium.com/v1/me", headers=headers, timeout=5).json()
    assert me == {"data": USER}
    created = requests.post(
        f"https://api.medium.com/v1/users/{USER['id']}/posts",
        json={"title": "T", "contentFormat": "markdown", "content": "x", "tags": ["a" * 26, "b"]},
        headers=headers,
        timeout=5,
    )
    assert created.status_code == 201
    data = created.json()["data"]
    assert (data["publishStatus"], data["tags"]) == ("public", ["b"])  # Medium's own default
    assert set(data) == {
        "id",
        "title",
        "authorId",
        "tags",
        "url",
        "canonicalUrl",
        "publishStatus",
        "license",
        "licenseUrl",
    }
