"""The content flow's decision table and the publication matcher: pure, every case."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from config.medium import MediumConfig
from sync.content.draft import draft_for
from sync.content.draft_records import draft_record, published_record
from sync.content.plan import INTENT_KIND, PUBLISHED, TARGET, plan_content
from sync.content.published import Tracked, match_published, same_url
from sync.content.rss import FeedItem
from sync.model import Attachment, Board, Role, TrelloList
from sync.state.records import Intent, SyncedItem
from tests.content.test_draft import card

CFG = MediumConfig()
NOW = datetime(2026, 11, 21, 2, tzinfo=UTC)
LISTS = (
    TrelloList("l-ready", "Ready for Medium", pos=1, state="ready"),
    TrelloList("l-drafted", "In Medium drafts", pos=2, state="drafted"),
    TrelloList("l-published", "Published", pos=3, state="published"),
)


def board(*cards, read_only: bool = False) -> Board:
    return Board(
        id="6b0000000000000000000b01",
        name="Content",
        role=Role.CONTENT,
        source="x",
        lists=LISTS,
        cards=cards,
        read_only=read_only,
    )


def drafted(c, **data) -> SyncedItem:
    record = draft_record(
        draft_for(c, CFG),
        via="medium",
        version=1,
        now=NOW,
        url="https://medium.com/@otg/what-i-learned-5e7c2a91d0f4",
        remote_id="5e7c2a91d0f4",
    )
    return replace(record, data={**record.data, **data})


def intent(status: str, key: str = "6b0000000000000000000c01", n: int = 1, **result) -> Intent:
    payload = {"title": "What I learned shadowing a call centre", "version": 1, "hash": "h"}
    return Intent(n, INTENT_KIND, key, status, payload, result, "2026-11-20T02:00:00+00:00", None)


def plan(*cards, stored=(), intents=(), items=(), new_version=(), read_only=False, missing=None):
    result = plan_content(
        [board(*cards, read_only=read_only)],
        {r.key: r for r in stored},
        intents,
        cfg=CFG,
        items=items,
        new_version=new_version,
        missing=missing,
    )
    return [(a.kind, a.title, a.detail) for a in result.actions], result


def kinds(*args, **kwargs) -> list[str]:
    return [kind for kind, _, _ in plan(*args, **kwargs)[0]]


# -- creating --------------------------------------------------------------------------------


def test_a_ready_card_without_a_draft_is_created():
    [(kind, title, detail)], result = plan(card())
    assert (kind, title, detail) == ("create", "What I learned shadowing a call centre", "")
    assert result.actions[0].version == 1 and result.actions[0].draft.tags == (
        "Culture",
        "Public Sector",
    )


@pytest.mark.parametrize("state", ["idea", "drafting", "published", None])
def test_cards_elsewhere_are_left_alone(state):
    assert kinds(card(state=state)) == []


def test_archived_cards_and_cards_in_archived_lists_are_left_alone():
    assert kinds(card(closed=True), card("c2", list_closed=True)) == []


def test_a_card_that_cannot_be_drafted_is_skipped_with_the_reason():
    [(kind, _, detail)], _ = plan(card(desc=""))
    assert kind == "skip" and detail.startswith("the card has no description")


def test_an_already_drafted_card_is_not_created_again():
    c = card()
    assert kinds(c, stored=[drafted(c, written_back=True)]) == []
    assert kinds(replace(c, state="drafted"), stored=[drafted(c, written_back=True)]) == []


def test_a_pending_intent_blocks_the_create_and_is_reported():
    [(kind, title, detail)], _ = plan(card(), intents=[intent("pending")])
    assert (kind, title) == ("pending", "What I learned shadowing a call centre")
    assert detail == (
        "intent 1 of 2026-11-20 02:00 UTC is unsettled: the draft may exist on Medium, so it is "
        "not sent again — check your Medium drafts, then `otg ledger resolve 1 --url URL` (or "
        "`--retry` if there is none)"
    )


def test_a_pending_intent_is_reported_even_when_its_card_is_gone():
    assert kinds(intents=[intent("pending", key="gone")]) == ["pending"]


def test_a_refused_or_retried_intent_allows_a_create():
    for status in ("retry",):
        assert kinds(card(), intents=[intent("pending"), intent(status, n=2)]) == ["create"]


def test_an_abandoned_intent_stops_automatic_drafts_but_not_a_requested_one():
    assert kinds(card(), intents=[intent("abandoned")]) == []
    assert kinds(card(), intents=[intent("abandoned")], new_version=["qBqgCgJ9"]) == ["create"]


def test_a_settled_intent_without_a_record_is_adopted_not_recreated():
    done = intent("done", url="https://medium.com/p/5e7c2a91d0f4", id="5e7c2a91d0f4")
    [(kind, _, detail)], _ = plan(card(), intents=[done])
    assert (kind, detail) == ("adopt", "https://medium.com/p/5e7c2a91d0f4 (intent 1)")
    c = card()
    assert kinds(c, stored=[drafted(c, written_back=True)], intents=[done]) == []


# -- write-back, staleness, new versions ------------------------------------------------------


def test_a_draft_not_yet_written_back_is_written_back_on_api_boards_only():
    c = card()
    assert kinds(c, stored=[drafted(c)]) == ["write-back"]
    assert kinds(c, stored=[drafted(c)], read_only=True) == []


def test_an_edited_card_is_stale_and_says_what_changed():
    c = card()
    record = drafted(c, written_back=True)
    [(kind, _, detail)], _ = plan(replace(c, desc="New text", state="drafted"), stored=[record])
    assert kind == "stale"
    assert detail == (
        "the card's description, checklists or links changed after its draft was made "
        "(https://medium.com/@otg/what-i-learned-5e7c2a91d0f4, 2026-11-21); Medium cannot update "
        "a draft — edit it there, or run `otg sync --new-version qBqgCgJ9` for a fresh one"
    )
    [(_, _, detail)], _ = plan(replace(c, name="A new title"), stored=[record])
    assert detail.startswith("the card's title changed after")


def test_moving_the_card_or_attaching_our_link_is_not_an_edit():
    c = card()
    record = drafted(c, written_back=True)
    linked = replace(
        c,
        state="drafted",
        attachments=(Attachment("a", "the draft", record.data["url"]),),
    )
    assert kinds(linked, stored=[record]) == []


def test_a_published_card_is_never_stale():
    c = card()
    record = replace(drafted(c, written_back=True), status=PUBLISHED)
    assert kinds(replace(c, desc="typo fixed", state="published"), stored=[record]) == []


def test_new_version_makes_the_next_version_by_id_or_short_link():
    c = card()
    record = drafted(c, written_back=True)
    for ref in (c.id, c.short_link):
        [(kind, _, detail)], result = plan(c, stored=[record], new_version=[ref])
        assert (kind, detail, result.actions[0].version) == ("create", "version 2", 2)


def test_new_version_of_unknown_published_or_unready_cards():
    c = card()
    _, result = plan(c, new_version=["nope1234"])
    assert result.unknown_refs == ["nope1234"]
    published = replace(drafted(c, published_url="https://medium.com/x"), status=PUBLISHED)
    [(kind, _, detail)], _ = plan(c, stored=[published], new_version=[c.short_link])
    assert kind == "skip" and detail.startswith("already published (https://medium.com/x)")
    [(kind, _, detail)], _ = plan(replace(c, state="idea"), new_version=[c.short_link])
    assert kind == "skip" and "not a ready list" in detail


# -- publication --------------------------------------------------------------------------------


def item(title="What I learned shadowing a call centre", post="5e7c2a91d0f4", **fields) -> FeedItem:
    base = dict(
        title=title,
        link=f"https://medium.com/@otg/{post}-slug-{post}?source=rss-1",
        guid=f"https://medium.com/p/{post}",
        published_at=datetime(2026, 11, 25, 9, tzinfo=UTC),
    )
    return FeedItem(**{**base, **fields})


def test_a_drafted_card_in_the_feed_is_published():
    c = replace(card(), state="drafted")
    record = drafted(c, written_back=True)
    [(kind, _, detail)], result = plan(c, stored=[record], items=[item()])
    assert kind == "publish"
    assert detail == (
        "published 25 Nov 2026 at https://medium.com/@otg/5e7c2a91d0f4-slug-5e7c2a91d0f4 "
        "(matched on id, title)"
    )
    new = published_record(c, record, result.actions[0].item)
    assert (new.status, new.data["published_url"], new.data["published_at"]) == (
        PUBLISHED,
        "https://medium.com/@otg/5e7c2a91d0f4-slug-5e7c2a91d0f4",
        "2026-11-25T09:00:00+00:00",
    )
    assert new.data["written_back"] is False


def test_a_card_drafted_by_hand_is_found_by_its_draft_link():
    c = replace(
        card(name="Leadership is a team sport"),
        state="drafted",
        attachments=(Attachment("a", "Medium draft", "https://medium.com/p/5e7c2a91d0f4/edit"),),
    )
    [(kind, _, _)], result = plan(c, items=[item(title="Leadership: a team sport")])
    assert kind == "publish" and result.actions[0].record is None
    new = published_record(c, None, result.actions[0].item)
    assert (new.remote_id, new.data["via"]) == ("5e7c2a91d0f4", "trello")


def test_a_retitled_post_is_found_by_id_and_a_folder_draft_by_title():
    c = replace(card(), state="drafted")
    assert kinds(c, stored=[drafted(c, written_back=True)], items=[item(title="New!")]) == [
        "publish"
    ]
    folder = replace(drafted(c, written_back=True, via="folder"), remote_id="slug-qBqgCgJ9")
    assert kinds(c, stored=[folder], items=[item(post="aaaabbbbcccc")]) == ["publish"]


def test_an_already_claimed_post_is_not_matched_again():
    c, other = replace(card(), state="drafted"), card("c2", name="Other")
    claimed = replace(
        drafted(other, published_url="https://medium.com/@otg/x-5e7c2a91d0f4"),
        key="c2",
        status=PUBLISHED,
    )
    assert kinds(c, stored=[claimed], items=[item()]) == []


def test_ambiguous_matches_are_reported_not_guessed():
    c = replace(card(), state="drafted")
    record = drafted(c, written_back=True)
    same_title_other_id = item(post="999999999999")
    [(kind, _, detail)], _ = plan(c, stored=[record], items=[same_title_other_id])
    assert kind == "ambiguous"
    assert detail.startswith("a post has the draft's title but not its Medium id")
    folder = replace(record, data={**record.data, "via": "folder"}, remote_id="slug")
    two = [item(post="aaaaaaaaaaaa"), item(post="bbbbbbbbbbbb")]
    [(kind, _, detail)], _ = plan(c, stored=[folder], items=two)
    assert (kind, detail.split(":")[0]) == ("ambiguous", "more than one post has the draft's title")


def test_two_cards_with_one_title_are_ambiguous():
    a = replace(card("a", short_link="aaaaaaaa"), state="drafted")
    b = replace(card("b", short_link="bbbbbbbb"), state="drafted")
    rec_a = replace(drafted(a, written_back=True, via="folder"), key="a", remote_id="x")
    rec_b = replace(drafted(b, written_back=True, via="folder"), key="b", remote_id="y")
    assert kinds(a, b, stored=[rec_a, rec_b], items=[item(post="cccccccccccc")]) == [
        "ambiguous",
        "ambiguous",
    ]


def test_a_post_published_before_the_draft_was_made_is_not_it():
    c = replace(card(), state="drafted")
    folder = replace(drafted(c, written_back=True, via="folder"), remote_id="slug")
    old = item(post="cccccccccccc", published_at=datetime(2025, 1, 1, tzinfo=UTC))
    assert kinds(c, stored=[folder], items=[old]) == []


def test_the_canonical_url_is_a_strong_signal():
    tracked = Tracked(
        "c1", frozenset({"something else"}), canonical_url="https://oneteamgov.uk/blog/x/"
    )
    on_own_domain = FeedItem("Other", "http://OneTeamGov.uk/blog/x?utm=1", "g", None)
    [match] = match_published([tracked], [on_own_domain])
    assert match.item is on_own_domain and match.signals == ("canonical",)


def test_the_same_post_in_two_feeds_counts_once():
    tracked = Tracked("c1", frozenset(), frozenset({"5e7c2a91d0f4"}))
    twice = [item(), item(link="https://otg.pub/leadership-5e7c2a91d0f4")]
    [match] = match_published([tracked], twice)
    assert match.item is not None


@pytest.mark.parametrize(
    "a, b, same",
    [
        ("https://medium.com/p/x/", "http://MEDIUM.com/p/x?source=rss", True),
        ("https://medium.com/p/x", "https://medium.com/p/y", False),
        ("", "", False),
        ("x", "x", False),
    ],
)
def test_same_url(a, b, same):
    assert same_url(a, b) is same


def test_records_go_to_the_content_target():
    assert drafted(card()).target == TARGET == "content"


# -- drafts-folder files removed by hand -------------------------------------------------------

MD, HTML = "drafts/what-i-learned-qBqgCgJ9.md", "drafts/what-i-learned-qBqgCgJ9.html"


def in_folder(c, **data) -> SyncedItem:
    return drafted(c, via="folder", url="", file=MD, written_back=True, **data)


@pytest.mark.parametrize(
    ("noted", "missing", "expected"),
    [
        ((), (MD, HTML), ["gone"]),  # newly gone: said
        ((MD, HTML), (MD, HTML), []),  # noted already: quiet
        ((HTML,), (MD, HTML), ["gone"]),  # one more gone: said
        ((MD, HTML), (HTML,), ["found"]),  # one back: the note is updated, quietly
        ((MD, HTML), (), ["found"]),  # both back
        ((), (), []),
    ],
)
def test_draft_files_gone_from_the_folder_are_said_once(noted, missing, expected):
    c = card(list_id="l-drafted", list_name="In Medium drafts", state="drafted")
    record = in_folder(c, **({"files_gone": list(noted)} if noted else {}))
    assert kinds(c, stored=[record], missing={c.id: missing} if missing else {}) == expected


def test_a_medium_draft_has_no_files_to_miss():
    c = card(list_id="l-drafted", list_name="In Medium drafts", state="drafted")
    assert kinds(c, stored=[drafted(c, written_back=True)], missing={c.id: (MD, HTML)}) == []


def test_new_version_of_a_draft_whose_files_are_gone_creates_it():
    c = card(list_id="l-drafted", list_name="In Medium drafts", state="drafted")
    record = in_folder(c, files_gone=[MD, HTML])
    assert kinds(c, stored=[record], missing={c.id: (MD, HTML)}, new_version=[c.id]) == ["create"]
