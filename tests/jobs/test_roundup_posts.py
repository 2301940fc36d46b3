"""A drafted roundup reads the Medium feeds itself: a post published since the last sync read
them (that sync failed, say) is in it, not lost between two roundups; and a feed that cannot be
read leaves the roundup undrafted, as an unread board does (found by the simulation, seed 1032)."""

from __future__ import annotations

import pytest

import jobs.roundup
from jobs.roundup import next_period
from sync.content.plan import INTENT_KIND
from sync.state.store import State
from tests.fakes.faults import FOREVER, Fault, FaultInjector
from tests.fakes.trello import FakeClock
from tests.world import World

TITLE = "What I learned shadowing a call centre"


@pytest.fixture
def world(tmp_path, calendar_url, monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr("sync.http.monotonic", clock.now)
    monkeypatch.setattr("sync.http.pause", clock.sleep)
    world = World.build(tmp_path, calendar_url, clock)
    with world.serving():
        first = world.sync()  # the drafts made on Medium
        assert first.ok, first.failures
        world.later(hours=20)
        post = next(p for p in world.medium.posts if p["title"] == TITLE)
        world.medium.publish(post["id"], world.now)  # and no sync has read the feeds since
        world.later(hours=6)
        yield world


def draft_roundup(world: World):
    cfg = world.config()
    with State(cfg.state_db) as state:
        period = next_period(cfg, state, world.now)
        return jobs.roundup.run(cfg, state, period, target="drafts", now=world.now)


def test_a_post_published_since_the_last_sync_read_the_feeds_is_in_the_drafted_roundup(world):
    result = draft_roundup(world)
    assert result.report.ok, result.report.failures
    assert TITLE in [post.title for post in result.roundup.posts]
    [drafted] = (world.out / "drafts").glob("*.md")
    assert TITLE in drafted.read_text(encoding="utf-8")


def test_a_feed_that_cannot_be_read_leaves_the_roundup_undrafted(world, monkeypatch):
    with FaultInjector().installed(monkeypatch) as faults:
        faults.add(Fault("RSS", "GET", "", "status", status=502, times=FOREVER))
        result = draft_roundup(world)
    failures = result.report.failures
    assert any(line.startswith("rss: ") for line in failures), failures
    assert failures[-1].endswith(
        "was not drafted: 2 feeds could not be read; rerun when every board and feed can be read"
    ), failures
    assert not (world.out / "drafts").exists() or not list((world.out / "drafts").glob("*.md"))


def test_a_post_whose_draft_an_operator_settled_and_no_sync_recorded_yet_is_in_it(
    tmp_path, calendar_url, monkeypatch
):
    """The draft's POST lost its answer, the operator settled it with `otg ledger resolve`, the
    post was published, and the next sync was killed before it recorded the draft: the roundup
    drafted that morning knows the draft from the settled intent (found by the simulation, seed
    8023)."""
    clock = FakeClock()
    monkeypatch.setattr("sync.http.monotonic", clock.now)
    monkeypatch.setattr("sync.http.pause", clock.sleep)
    world = World.build(tmp_path, calendar_url, clock)
    with world.serving(), FaultInjector().installed(monkeypatch) as faults:
        faults.add(Fault("Medium", "POST", r"/posts$", "reset-after"))
        world.sync()
        faults.clear()
        with State(world.state_db) as state:
            [pending] = state.intents(INTENT_KIND, "pending")
        world.settle_as_an_operator()  # the draft is on Medium: settled with its URL
        world.later(hours=20)
        title = pending.payload["title"]
        settled = {p["title"]: p for p in world.medium.posts}
        world.medium.publish(settled[title]["id"], world.now)
        world.later(hours=6)
        result = draft_roundup(world)
    assert result.report.ok, result.report.failures
    assert title in [post.title for post in result.roundup.posts]
