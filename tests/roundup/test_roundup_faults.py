"""Proof under faults for the roundup's own calls: the Medium draft (`otg roundup --target
medium`), the Trello label and its use on each featured card (`--finalise`), and the Medium feed
whose post finalises a roundup drafted on Medium (`otg sync`).

Each case is told as a user would check it: the run says what failed (one line, naming the
service), nothing is made twice (the fakes count what was created), and once the fault is gone
(and an operator has settled what only a person can) reruns converge: one draft, one label, every
featured card labelled, and a last run with nothing left to do.

The setup: the demo microactions board on the Trello fake (11 cards featured in the fortnight to
25 November 2026), the demo content board as an export file, Medium on its fake, and its feed.
Faults are injected at the transport (tests/fakes/faults.py).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner

import cli
from config import load_config
from sync import stopping
from sync.roundup.targets import KIND
from sync.state.store import State
from sync.trello.api import TrelloApi
from tests.conftest import DEMO_BOARDS
from tests.fakes.faults import Fault, FaultInjector
from tests.fakes.medium import FakeMedium
from tests.fakes.trello import FakeClock, FakeTrello
from tests.reliability.test_faults import ALWAYS, TOO_MANY, assert_one_line_failures

LABEL = "Roundup 2026-11-25"
FEATURED = 11  # the microactions board's cards in the fortnight to 25 November 2026
TOKEN = "medium-token-0123456789"
FEED = "https://medium.com/feed/@oneteamgov"
LABEL_CREATE = r"^/1/labels$"
LABEL_ADD = r"^/1/cards/[^/]+/idLabels$"
MEDIUM_CREATE = r"/posts$"


@dataclass
class Setup:
    config: Path
    trello: FakeTrello
    medium: FakeMedium
    faults: FaultInjector
    board_id: str
    runner: CliRunner = field(default_factory=CliRunner)

    # -- running, as a user does -------------------------------------------------------------

    def otg(self, *args: str) -> tuple[int, list[str]]:
        result = self.runner.invoke(
            cli.main, ["--config", str(self.config), *args], catch_exceptions=False
        )
        lines = result.output.splitlines()
        if os.environ.get("OTG_FAULTS_SHOW"):
            print(f"\n== otg {' '.join(args)} (exit {result.exit_code})")
            print("\n".join(x for x in lines if x.startswith(("failed", "warning", "error"))))
        return result.exit_code, lines

    def roundup(self, *args: str) -> tuple[int, list[str]]:
        return self.otg("roundup", "--to", "2026-11-25", *args)

    def settle_as_an_operator(self) -> list[str]:
        """For each roundup draft of unknown outcome: look on Medium (the fake's posts), then
        `otg ledger resolve` it with the draft's URL, or allow a retry when there is none."""
        with State(load_config(self.config).state_db) as state:
            pending = state.intents(KIND, "pending")
        posts = {p["title"]: p for p in self.medium.posts}
        said = []
        for intent in pending:
            post = posts.get(intent.payload["title"])
            how = ["--url", post["url"]] if post else ["--retry"]
            code, lines = self.otg("ledger", "resolve", str(intent.id), *how)
            assert code == 0, lines
            said += lines
        return said

    # -- looking, as a user does -------------------------------------------------------------

    def board(self) -> dict[str, Any]:
        return self.trello.export(self.board_id)

    def labels(self) -> list[dict[str, Any]]:
        """The board's labels named like the period's roundup."""
        return [label for label in self.board()["labels"] if label["name"] == LABEL]

    def labelled(self) -> int:
        ids = {label["id"] for label in self.labels()}
        return sum(1 for card in self.board()["cards"] if ids & set(card.get("idLabels") or []))

    def sent(self, path: str) -> int:
        """POSTs that reached Trello (an injected error answer never does)."""
        return self.trello.count("POST", re.compile(path))

    def drafts(self) -> list[dict[str, Any]]:
        return [p for p in self.medium.posts if "two weeks on" in p["title"]]

    def assert_nothing_doubled(self) -> None:
        assert len(self.labels()) <= 1, f"the label was made twice: {self.labels()}"
        assert self.sent(LABEL_CREATE) <= 1
        assert len(self.drafts()) <= 1, "the roundup was drafted on Medium twice"

    def assert_converged(self) -> None:
        """One label, every featured card labelled once, and nothing left to do."""
        [label] = self.labels()
        assert self.labelled() == FEATURED
        assert self.sent(LABEL_CREATE) == 1
        assert self.sent(LABEL_ADD) == FEATURED  # each card labelled once, never again
        code, lines = self.roundup("--finalise")
        assert code == 0, lines
        assert not [line for line in lines if line.startswith(("label", "failed"))], lines
        warnings = [line for line in lines if line.startswith("warning: ")]
        assert all("is an export file" in w for w in warnings), warnings  # the content board
        assert label == self.labels()[0]


@pytest.fixture
def setup(write_config, monkeypatch) -> Iterator[Setup]:
    clock = FakeClock()
    monkeypatch.setattr("sync.http.monotonic", clock.now)  # back-offs take no real time
    monkeypatch.setattr("sync.http.pause", clock.sleep)
    export = json.loads((DEMO_BOARDS / "microactions.json").read_text(encoding="utf-8"))
    trello = FakeTrello(clock=clock)
    trello.add_board(export)
    medium = FakeMedium(token=TOKEN)
    for name, value in (
        ("TRELLO_API_KEY", trello.key),
        ("TRELLO_TOKEN", trello.token),
        ("MEDIUM_TOKEN", TOKEN),
    ):
        monkeypatch.setenv(name, value)
    config = write_config(f"""
        state_db = "state.db"
        output_dir = "out"
        [boards.microactions]
        role = "microactions"
        source = "trello:{export["id"]}"
        [boards.content]
        role = "content"
        source = "{DEMO_BOARDS / "content.json"}"
        [medium]
        target = "drafts"
        feeds = ["{FEED}"]
    """)
    with trello.running() as rsps, FaultInjector().installed(monkeypatch) as faults:
        medium.install(rsps)
        medium.serve_feed(rsps, FEED)
        yield Setup(config, trello, medium, faults, export["id"])


# -- the Medium draft ----------------------------------------------------------------------------

#: fault → (how it is injected, whether Medium may have made the draft)
MEDIUM_FAULTS: dict[str, tuple[dict[str, Any], bool]] = {
    "answer lost": ({"kind": "reset-after"}, True),
    "timeout": ({"kind": "timeout-after"}, True),
    "500": ({"kind": "status", "status": 500, "body": "Internal Server Error"}, True),
    "429": ({"kind": "status", "status": 429, "body": TOO_MANY["Medium"]}, False),
}


@pytest.mark.parametrize("fault", MEDIUM_FAULTS)
def test_a_medium_draft_fault_is_reported_never_doubled_and_settles(setup, fault):
    how, unknown = MEDIUM_FAULTS[fault]
    hit = setup.faults.add(Fault("Medium", "POST", MEDIUM_CREATE, **how))

    code, lines = setup.roundup("--target", "medium")
    assert hit.hits == 1
    assert_one_line_failures(code, lines, "Medium")
    setup.assert_nothing_doubled()

    code, lines = setup.roundup("--target", "medium")  # the fault is over; nobody has looked yet
    setup.assert_nothing_doubled()
    if unknown:  # it may exist: never sent again until someone says
        assert code == 1 and any("may or may not exist" in line for line in lines), lines
        assert any("otg ledger resolve" in line for line in lines), lines
        [said] = setup.settle_as_an_operator()
        assert said.startswith("Intent 1 settled")
        code, lines = setup.roundup("--target", "medium")
    assert code == 0, lines  # nothing was made on a 429: the rerun makes it

    code, lines = setup.roundup("--target", "medium")
    assert code == 0 and any("was already drafted" in line for line in lines), lines
    [draft] = setup.drafts()
    assert draft["publishStatus"] == "draft"
    assert setup.medium.count("POST") == 1  # Medium was asked to make it once


# -- the Trello label ----------------------------------------------------------------------------

#: fault → (how it is injected, whether Trello made the label all the same)
LABEL_FAULTS: dict[str, tuple[dict[str, Any], bool]] = {
    "answer lost": ({"kind": "reset-after"}, True),
    "timeout": ({"kind": "timeout-after"}, True),
    "500": ({"kind": "status", "status": 500, "body": "Internal Server Error"}, False),
}


@pytest.mark.parametrize("fault", LABEL_FAULTS)
def test_a_label_create_fault_never_makes_a_second_label(setup, fault):
    how, made = LABEL_FAULTS[fault]
    hit = setup.faults.add(Fault("Trello", "POST", LABEL_CREATE, **how))

    code, lines = setup.roundup("--finalise")
    assert hit.hits == 1
    setup.assert_nothing_doubled()
    text = "\n".join(lines)
    if made:  # found on the board, and used: the run goes on
        assert code == 0, text
        assert f"creating the label '{LABEL}' went wrong" in text and "Trello" in text, text
        assert setup.labelled() == FEATURED
    else:
        problems = assert_one_line_failures(code, lines, "Trello")
        assert any(f"{FEATURED} featured cards not labelled '{LABEL}'" in p for p in problems)
        assert setup.labelled() == 0

    setup.faults.clear()
    code, lines = setup.roundup("--finalise")
    assert code == 0, lines
    setup.assert_converged()


def test_a_lost_label_the_board_cannot_be_asked_about_is_found_by_the_rerun(setup):
    """The create's answer is lost and the labels cannot be read again: the cards wait, and the
    rerun finds the label with the board instead of making another."""
    setup.faults.add(Fault("Trello", "POST", LABEL_CREATE, "reset-after"))
    setup.faults.add(Fault("Trello", "GET", r"^/1/boards/[^/]+/labels$", "status", times=ALWAYS))

    code, lines = setup.roundup("--finalise")
    problems = assert_one_line_failures(code, lines, "Trello")
    assert any("rerun to label them" in p for p in problems), problems
    assert len(setup.labels()) == 1 and setup.labelled() == 0  # made, but not yet used

    setup.faults.clear()
    code, lines = setup.roundup("--finalise")
    assert code == 0, lines
    setup.assert_converged()


def test_the_reviewers_case_a_read_timeout_after_the_label_is_made(setup):
    setup.trello.fail_after_apply("POST", r"/1/labels", requests.ReadTimeout)
    first = setup.roundup("--finalise")
    second = setup.roundup("--finalise")
    assert first[0] == 0 and second[0] == 0, first[1] + second[1]
    assert any(line.startswith("warning: ") and LABEL in line for line in first[1]), first[1]
    assert len(setup.labels()) == 1 and setup.sent(LABEL_CREATE) == 1
    setup.assert_converged()


# -- labelling each card -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "how",
    [{"kind": "reset-after"}, {"kind": "status", "status": 500, "body": "Internal Server Error"}],
    ids=["answer lost", "500"],
)
def test_a_card_label_fault_is_reported_and_the_rerun_labels_the_rest(setup, how):
    hit = setup.faults.add(Fault("Trello", "POST", LABEL_ADD, **how))

    code, lines = setup.roundup("--finalise")
    assert hit.hits == 1
    problems = assert_one_line_failures(code, lines, "Trello")
    [problem] = [p for p in problems if not p.startswith("label trello: ")]  # in the report
    assert "/idLabels" in problem or "labelling card" in problem, problem
    [told] = [p for p in problems if p.startswith("label trello: ")]  # its one line on stderr
    assert told.endswith(problem.split(" — ", 1)[1]), (told, problem)
    setup.assert_nothing_doubled()
    assert setup.labelled() >= FEATURED - 1  # the other cards were labelled

    setup.faults.clear()
    code, lines = setup.roundup("--finalise")
    assert code == 0, lines
    setup.assert_converged()


# -- the feed that finalises a roundup drafted on Medium ----------------------------------------

FEED_FAULTS = {
    "timeout": {"kind": "timeout"},
    "connection reset": {"kind": "reset"},
    "500": {"kind": "status", "status": 500, "body": "Internal Server Error"},
    "not a feed": {"kind": "not-json"},
}


@pytest.mark.parametrize("fault", FEED_FAULTS)
def test_a_feed_that_cannot_be_read_finalises_nothing_until_it_can(setup, fault):
    code, lines = setup.roundup("--target", "medium")
    assert code == 0, lines
    [draft] = setup.drafts()
    setup.medium.publish(draft["id"], datetime(2026, 11, 26, 9, tzinfo=UTC))
    hit = setup.faults.add(Fault("RSS", "GET", r"^/feed/", times=ALWAYS, **FEED_FAULTS[fault]))

    code, lines = setup.otg("sync")
    assert hit.hits
    assert_one_line_failures(code, lines, r"^rss: feed https://")
    assert setup.labels() == []  # not seen published, so not finalised

    setup.faults.clear()
    code, lines = setup.otg("sync")
    assert code == 0, lines
    assert setup.labelled() == FEATURED
    code, lines = setup.otg("sync")
    assert code == 0 and not [line for line in lines if line.startswith("label")], lines
    setup.assert_converged()


# -- a stop (SIGTERM, Ctrl-C) while the featured cards are labelled ------------------------------


def finalise_from_a_clear_stop_flag(setup: Setup) -> tuple[int, list[str]]:
    """``roundup --target drafts --finalise`` with the stop flag clear at the start, and cleared
    again after so a stop the run asked for cannot reach the next test."""
    stopping.reset()
    try:
        return setup.roundup("--target", "drafts", "--finalise")
    finally:
        stopping.reset()


def test_a_stop_while_labelling_leaves_the_rest_for_the_rerun(setup, monkeypatch):
    """The stop is asked for (as SIGTERM does) just after the third card is labelled: the card
    it was on is labelled, no other, the run says so and is recorded as interrupted; the rerun
    labels the other eight, each once."""
    real = TrelloApi.add_label
    labelled: list[str] = []

    def then_stop_at_the_third(self: TrelloApi, card_id: str, label_id: str) -> object:
        answer = real(self, card_id, label_id)
        labelled.append(card_id)
        if len(labelled) == 3:
            stopping.request_stop()
        return answer

    monkeypatch.setattr(TrelloApi, "add_label", then_stop_at_the_third)
    code, lines = finalise_from_a_clear_stop_flag(setup)

    assert code == 1, lines
    assert setup.labelled() == 3 and setup.sent(LABEL_ADD) == 3
    assert (
        f"failed: stopped before every featured card was labelled {LABEL!r}; rerun "
        "`otg roundup --finalise` to label the rest"
    ) in lines
    with State(load_config(setup.config).state_db) as state:
        assert state.runs(limit=1)[0].status == "interrupted"

    code, lines = setup.roundup("--target", "drafts", "--finalise")
    assert code == 0, lines
    assert "warning: the roundup for 12–25 November 2026 was already drafted" in "\n".join(lines)
    setup.assert_converged()


def test_a_stop_while_the_boards_are_read_drafts_nothing(setup, monkeypatch):
    """Stopped after the first board is read: a roundup of part of the boards would miss their
    news and take the period's place, so none is drafted and nothing labelled."""
    real = TrelloApi.board

    def then_stop(self: TrelloApi, ref: str) -> dict[str, Any]:
        answer = real(self, ref)
        stopping.request_stop()
        return answer

    monkeypatch.setattr(TrelloApi, "board", then_stop)
    code, lines = finalise_from_a_clear_stop_flag(setup)

    assert code == 1, lines
    assert (
        "failed: the roundup for 12–25 November 2026 was not drafted: stopped by a signal; the "
        "next run drafts it"
    ) in lines
    assert not (setup.config.parent / "out").exists() and setup.labelled() == 0
