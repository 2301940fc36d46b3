"""Medium RSS: parsing the fixtures, post ids from links and guids, broken feeds in one line."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import requests
import responses

from sync.content.rss import FeedReadError, medium_post_id, parse_feed, read_feed
from sync.http import PoliteSession
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures"


def test_a_medium_feed_gives_title_link_guid_date_and_tags():
    read = parse_feed((FIXTURES / "medium-feed.xml").read_bytes(), "feed.xml")
    assert read.warning == ""
    first = read.items[0]
    assert (first.title, first.guid, first.published_at, first.categories) == (
        "Leadership is a team sport",
        "https://medium.com/p/5e7c2a91d0f4",
        datetime(2026, 11, 20, 9, 15, tzinfo=UTC),
        ("leadership", "culture"),
    )
    assert first.public_url == (
        "https://medium.com/@oneteamgov/leadership-is-a-team-sport-5e7c2a91d0f4"
    )
    assert first.post_ids == {"5e7c2a91d0f4"}
    assert [i.title for i in read.items][1] == (
        "How we ran OTG Camp Edinburgh (and what we’d change)"
    )
    assert len(read.items) == 4


def test_a_cut_off_feed_is_read_as_far_as_it_goes_with_one_warning():
    read = parse_feed((FIXTURES / "broken-feed.xml").read_bytes(), "broken.xml")
    assert read.warning == (
        "feed broken.xml is not well-formed (line 6: no element found); read 2 items from it anyway"
    )
    assert [i.post_ids for i in read.items] == [{"5e7c2a91d0f4"}, {"f04a6c28e9d1"}]


@pytest.mark.parametrize(
    "content",
    [b"", b"<html><body><h1>Page not found</h1></body></html>", b"\x00\xff garbage", b"{}"],
)
def test_something_that_is_not_a_feed_is_a_clear_error(content):
    with pytest.raises(FeedReadError) as caught:
        parse_feed(content, "https://medium.com/feed/@nobody")
    assert str(caught.value).startswith(
        "feed https://medium.com/feed/@nobody is not an RSS or Atom feed"
    )
    assert str(caught.value).endswith(
        "— check medium.feeds (a Medium feed is https://medium.com/feed/@username)"
    )


def test_an_empty_feed_is_fine():
    empty = b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>'
    assert parse_feed(empty, "x").items == ()


@pytest.mark.parametrize(
    "url, post_id",
    [
        ("https://medium.com/p/8c1f2e3d4a5b", "8c1f2e3d4a5b"),
        ("https://medium.com/p/5e7c2a91d0f4/edit", "5e7c2a91d0f4"),
        ("https://medium.com/@otg/why-it-matters-8c1f2e3d4a5b?source=rss----2", "8c1f2e3d4a5b"),
        ("https://medium.com/oneteamgov/p/abcdef123456", "abcdef123456"),
        ("https://blog.oneteamgov.uk/why-it-matters-8c1f2e3d4a5b/", "8c1f2e3d4a5b"),
        ("https://oneteamgov.uk/blog/why-it-matters", None),
        ("https://medium.com/@otg/week-1", None),
        ("", None),
    ],
)
def test_post_ids_in_links_and_guids(url, post_id):
    assert medium_post_id(url) == post_id


def test_feeds_are_fetched_with_our_session_and_failures_are_one_line(tmp_path):
    session = PoliteSession(name="RSS", timeout=3, retries=1)
    body = (FIXTURES / "medium-feed.xml").read_bytes()
    with responses.RequestsMock() as rsps:
        rsps.add("GET", "https://medium.com/feed/@oneteamgov", body=body)
        rsps.add("GET", "https://medium.com/feed/@gone", status=410)
        rsps.add("GET", "https://medium.com/feed/@slow", body=requests.ReadTimeout())
        assert len(read_feed("https://medium.com/feed/@oneteamgov", session, tmp_path).items) == 4
        with pytest.raises(FeedReadError) as gone:
            read_feed("https://medium.com/feed/@gone?x=secret", session, tmp_path)
        with pytest.raises(FeedReadError) as slow:
            read_feed("https://medium.com/feed/@slow", session, tmp_path)
    assert str(gone.value).startswith("feed https://medium.com/feed/@gone answered 410 Gone — ")
    assert str(slow.value) == (
        "feed https://medium.com/feed/@slow timed out — rerun later; check medium.feeds (a "
        "Medium feed is https://medium.com/feed/@username)"
    )
    assert session.sent == 1 + 1 + 2  # a read is retried once, here


def test_a_saved_feed_file_is_read_relative_to_the_config(tmp_path):
    (tmp_path / "saved.xml").write_bytes((FIXTURES / "medium-feed.xml").read_bytes())
    session = PoliteSession(name="RSS")
    assert len(read_feed("saved.xml", session, tmp_path).items) == 4
    with pytest.raises(FeedReadError, match=r"cannot read feed .*missing\.xml: No such file"):
        read_feed("missing.xml", session, tmp_path)
    assert session.sent == 0
