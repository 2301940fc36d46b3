"""Smaller ways to lose or double a write (issue 20, fix 8): Medium's ``GET /me`` is retried like
any other read; the first SIGTERM while a Medium POST is in flight says at once what it waits for;
and a Trello create that timed out is not sent again while it may still land (a 4-second-late
create and an immediate rerun made a second card), then is found by its marker."""

from __future__ import annotations

import os
import signal
from datetime import UTC, datetime, timedelta

import pytest

from sync import stopping
from sync.content.medium import MediumClient, medium_session
from tests.fakes.faults import Fault
from tests.world import THEIRS


def test_medium_profile_read_is_retried_like_other_reads(clean, harness):
    world = harness.world
    fault = harness.faults.add(Fault("Medium", "GET", r"/me$", "timeout", times=2))
    code, lines = harness.cli_sync()
    assert code == 0 and fault.hits == 2, lines
    world.assert_consistent()
    harness.converge()
    assert world.fingerprint() == clean["fingerprint"]


def test_the_first_sigterm_during_a_medium_post_says_what_it_waits_for(capfd, monkeypatch):
    session = medium_session("medium-token-0123456789", timeout=20)
    said = []

    def post(url, **kwargs):  # the answer is slow: the signal comes while it is awaited
        os.kill(os.getpid(), signal.SIGTERM)
        said.append(capfd.readouterr().err)
        raise AssertionError("the test stops here")

    monkeypatch.setattr(session, "post", post)
    stopping.reset()
    try:
        with stopping.graceful_signals(), pytest.raises(AssertionError):
            MediumClient(session, "pub").create_draft("/publications/pub/posts", {"title": "x"})
    finally:
        stopping.reset()
    [line] = said[0].splitlines()
    assert line.startswith("stopping after the current step (SIGTERM)"), line
    assert "waiting for Medium's answer to the draft just sent (at most 20 s)" in line, line
    assert "otg ledger" in line


def test_a_late_trello_create_and_an_immediate_rerun_make_one_card(clean, harness, monkeypatch):
    world = harness.world
    clock = [datetime(2026, 11, 25, 2, 0, tzinfo=UTC)]
    monkeypatch.setattr("jobs.events.calendar_imports.now_utc", lambda: clock[0])
    late = harness.faults.add(Fault("Trello", "POST", r"^/1/cards$", "late"))

    code, lines = harness.cli_sync()  # the import's create times out; Trello is still at it
    assert code == 1 and late.hits == 1, lines
    clock[0] += timedelta(seconds=1)
    code, lines = harness.cli_sync()  # an immediate rerun: the card is not on the board yet
    assert code == 1 and any("may still be making it" in x for x in lines), lines
    assert harness.faults.land() == 1  # ... and now it is

    clock[0] += timedelta(minutes=5)
    harness.converge()
    world.assert_consistent()
    assert [c for c in world.cards() if THEIRS in c["desc"]], "the imported card is there"
    assert world.fingerprint() == clean["fingerprint"]
    assert harness.creates() == clean["creates"]  # one card, made once
