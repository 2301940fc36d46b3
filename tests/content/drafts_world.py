"""The world the content flow's tests on export boards run in (the drafts folder, no Medium
token): the demo content board and the example Medium feed; a config writer, the fixture
``config`` (a module imports ``drafts_config`` to have it in place of conftest.py's Medium one);
what the first sync says; a board with some cards' descriptions changed. Used by
``test_content_job.py``, ``test_content_new_version.py`` and ``test_drafts_gone.py``."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

import cli
from config import EXAMPLE
from tests.conftest import DEMO_BOARDS, ROOT

FEED = EXAMPLE.parent / "medium-feed.xml"
FIXTURES = ROOT / "tests" / "fixtures"
NOW = datetime(2026, 12, 8, 2, tzinfo=UTC)
STEMS = [
    "notes-from-the-other-side-policy-meets-b-html-b-delivery-NgOtb0KR",
    "two-weeks-on-what-happened-after-oneteamgov-global-HTppxgHl",
    "what-i-learned-shadowing-a-call-centre-qBqgCgJ9",
]
FIRST_RUN = [
    "content       OneTeamGov Content: 14 cards (2 drafted, 2 drafting, 3 idea, 3 published, "
    "4 ready)",
    "create           drafts       What I learned shadowing a call centre — "
    "drafts/what-i-learned-shadowing-a-call-centre-qBqgCgJ9.md and .html",
    'skipped          trello       What I learned shadowing a call centre — not moved to "In '
    'Medium drafts": the board is an export file (read-only) — move it by hand',
    "create           drafts       Two weeks on: what happened after OneTeamGov Global — "
    "drafts/two-weeks-on-what-happened-after-oneteamgov-global-HTppxgHl.md and .html",
    "skipped          trello       Two weeks on: what happened after OneTeamGov Global — not "
    'moved to "In Medium drafts": the board is an export file (read-only) — move it by hand',
    "skipped          drafts       Small things, done often: a year of microactions — the card "
    "has no description: write the post in the card's description (Markdown), then sync again",
    'create           drafts       Notes from "the other side": ../policy meets <b>html</b> '
    "delivery — drafts/notes-from-the-other-side-policy-meets-b-html-b-delivery-NgOtb0KR.md and "
    ".html",
    'skipped          trello       Notes from "the other side": ../policy meets <b>html</b> '
    'delivery — not moved to "In Medium drafts": the board is an export file (read-only) — move '
    "it by hand",
    "publish          medium       Leadership is a team sport — published 20 Nov 2026 at "
    "https://medium.com/@oneteamgov/leadership-is-a-team-sport-5e7c2a91d0f4 (matched on id, "
    "title)",
    'skipped          trello       Leadership is a team sport — not moved to "Published": the '
    "board is an export file (read-only) — move it by hand",
    'warning: card "What I learned shadowing a call centre" (https://trello.com/c/qBqgCgJ9/10-'
    'what-i-learned-shadowing-a-call-centre): tag "Ways of working across government '
    'boundaries" is over 25 characters (Medium ignores it); dropped',
    "1 board read; 3 create, 1 publish, 5 skipped; 1 warning (run 1).",
]


@pytest.fixture(name="config")
def drafts_config(write_config, tmp_path):
    def make(extra: str = "", board: str = str(DEMO_BOARDS / "content.json")) -> str:
        return str(
            write_config(f"""
            state_db = "state.db"
            [boards.content]
            role = "content"
            source = "{board}"
            [medium]
            feeds = ["{FEED}"]
            {extra}
        """)
        )

    return make


def invoke(runner, *args):
    return runner.invoke(cli.main, list(args), catch_exceptions=False)


def bad_board(tmp_path, **desc_by_name) -> str:
    data = json.loads((DEMO_BOARDS / "content.json").read_text(encoding="utf-8"))
    for card in data["cards"]:
        if card["name"] in desc_by_name:
            card["desc"] = desc_by_name[card["name"]]
    path = tmp_path / "content.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)
