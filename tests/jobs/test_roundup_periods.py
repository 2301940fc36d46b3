"""Consecutive scheduled roundups over six simulated weeks, on the injectable clock (``OTG_NOW``).

The boards are re-exported before each run, holding the cards as they stand then and the history
up to then. Every microaction done in the six weeks is in exactly one post, every event held is
in exactly one "held" list, and nothing appears that the history does not show: cards done before
the history begins (bulk-stamped), a due date ticked outside Done, a card moved back out of Done.
The second scheduled run fails (its board cannot be read) and the scheduler, started again that
afternoon, catches it up, once; what was done between the failed run and the catch-up is in that
post, and what was done after it, in the next.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from click.testing import CliRunner

import cli
from config import load_config
from jobs.runners import RUNNERS
from jobs.scheduler import JobScheduler
from sync.dates import format_utc
from sync.state.store import State
from tests.conftest import DEMO_BOARDS
from tests.fakes.faults import Fault, FaultInjector
from tests.fakes.trello import FakeTrello

DOING, DONE = "5f00000000000000000000d1", "5f00000000000000000000d2"
CONFIRMED, HELD = "5f00000000000000000000e1", "5f00000000000000000000e2"
START = datetime(2026, 10, 28, 0, tzinfo=UTC)  # six weeks of history, to 9 December
#: The scheduled roundups (every other Wednesday at 08:00, London = UTC in winter); the second
#: fails and is caught up at 14:00.
RUNS = [datetime(2026, 11, 11, 8, tzinfo=UTC), datetime(2026, 11, 25, 8, tzinfo=UTC)]
CAUGHT_UP = datetime(2026, 11, 25, 14, tzinfo=UTC)
LAST = datetime(2026, 12, 9, 8, tzinfo=UTC)


def at(day: int, hour: float = 12.0, month: int = 11) -> datetime:
    return datetime(2026, month, day, tzinfo=UTC) + timedelta(hours=hour)


@dataclass
class Card:
    n: int
    name: str
    moves: list[tuple[datetime, str, str]] = field(default_factory=list)  # (when, from, to)
    created: datetime = START
    extra: dict[str, Any] = field(default_factory=dict)
    last_activity: datetime | None = None
    home: str = ""  # the list it starts in ("": the board's first)

    @property
    def id(self) -> str:
        return f"{int(self.created.timestamp()):08x}00000000000000{self.n:02d}"

    def list_at(self, moment: datetime, first: str) -> str:
        now = first
        for when, _, to in sorted(self.moves):
            if when < moment:
                now = to
        return now


def microactions() -> list[Card]:
    cards = []
    for n, day in enumerate([1, 5, 10, 12, 13, 18, 20, 24, 28], start=1):  # days of November
        cards.append(Card(n, f"Microaction {n}", [(at(day), DOING, DONE)]))
    cards += [
        Card(10, "Done on roundup day after the draft", [(at(11, 9.5), DOING, DONE)]),
        Card(11, "Done between the failed run and the catch-up", [(at(25, 10), DOING, DONE)]),
        Card(12, "Done after the catch-up", [(at(25, 15), DOING, DONE)]),
        Card(13, "Done in December", [(at(3, 9, month=12), DOING, DONE)]),
        Card(  # in and out of Done within a period: never done when a post was drafted
            14, "Moved back out of Done", [(at(15), DOING, DONE), (at(17), DONE, DOING)]
        ),
        Card(  # done, undone, done again two periods later: one post, the later one
            15,
            "Done again later",
            [(at(2), DOING, DONE), (at(4), DONE, DOING), (at(1, 10, month=12), DOING, DONE)],
        ),
    ]
    old = datetime(2026, 3, 1, tzinfo=UTC)
    for n in (20, 21, 22):  # done in March, bulk-edited on 19 November: no move in the history
        cards.append(Card(n, f"Bulk-stamped {n}", created=old, last_activity=at(19), home=DONE))
    cards.append(  # its due ticked in Doing: done only where the config says so
        Card(
            23, "Ticked in Doing", extra={"dueComplete": True, "dateCompleted": format_utc(at(16))}
        )
    )
    return cards


#: Events: (n, name, start, end).
EVENTS = [
    (1, "Breakfast one", at(4, 8), at(4, 9)),
    (2, "Breakfast two", at(11, 7), at(11, 9)),  # over before the first draft
    (3, "Previewed then held", at(20, 8), at(20, 9)),  # coming up in the first post
    (4, "Camp over the catch-up", at(25, 13), at(26, 17)),  # happening at the catch-up
    (5, "Breakfast three", at(2, 8, month=12), at(2, 9, month=12)),
    (6, "Winter social", at(16, 18, month=12), at(16, 21, month=12)),  # after the last: coming
]


def event_cards() -> list[Card]:
    return [
        Card(n, name, extra={"start": format_utc(s), "due": format_utc(e)})
        for n, name, s, e in EVENTS
    ]


def export(
    board_id: str, cards: list[Card], lists: list[tuple[str, str]], moment: datetime
) -> dict:
    first = lists[0][0]
    actions, out = [], []
    for card in cards:
        if card.created < moment and card.created >= START:
            actions.append(_action(card, card.created, "createCard", {"list": {"id": first}}))
        for when, came, to in card.moves:
            if when < moment:
                moved = {
                    "listBefore": {"id": came},
                    "listAfter": {"id": to},
                    "old": {"idList": came},
                }
                actions.append(
                    _action(
                        card, when, "updateCard", {**moved, "card": {"id": card.id, "idList": to}}
                    )
                )
        times = [w for w, _, _ in card.moves if w < moment] + [card.created]
        activity = (
            card.last_activity if card.last_activity and card.last_activity < moment else None
        )
        out.append(
            {
                "id": card.id,
                "name": card.name,
                "idList": card.list_at(moment, card.home or first),
                "closed": False,
                "dateLastActivity": format_utc(activity or max(times)),
                **card.extra,
            }
        )
    actions.sort(key=lambda a: a["date"], reverse=True)
    return {
        "id": board_id,
        "name": board_id,
        "lists": [
            {"id": i, "name": name, "closed": False, "pos": p} for p, (i, name) in enumerate(lists)
        ],
        "cards": out,
        "actions": actions,
    }


def _action(card: Card, when: datetime, kind: str, data: dict) -> dict:
    stamp = f"{int(when.timestamp()):08x}"
    return {
        "id": f"{stamp}{card.n:02d}{len(data):02d}000000000000",
        "type": kind,
        "date": format_utc(when),
        "data": {"card": {"id": card.id, "name": card.name}, **data},
    }


def write_boards(folder: Path, moment: datetime) -> None:
    m = export(
        "5f00000000000000000000b1", microactions(), [(DOING, "Doing"), (DONE, "Done")], moment
    )
    e = export(
        "5f00000000000000000000b2",
        event_cards(),
        [(CONFIRMED, "Confirmed"), (HELD, "Held")],
        moment,
    )
    (folder / "m.json").write_text(json.dumps(m), encoding="utf-8")
    (folder / "e.json").write_text(json.dumps(e), encoding="utf-8")


def sections(post: str) -> dict[str, list[str]]:
    """The names a post lists: microactions, and events held, happening now and coming up."""
    found: dict[str, list[str]] = {"done": [], "held": [], "now": [], "coming": []}
    where = ""
    for line in post.splitlines():
        if line.startswith("## "):
            where = "done" if line == "## Microactions" else ""
        elif line.startswith("Held in the last"):
            where = "held"
        elif line == "Happening now:":
            where = "now"
        elif line == "Coming up:":
            where = "coming"
        elif line.startswith("- ") and where:
            found[where].append(re.sub(r"^- (\*\*)?(.*?)(\*\*,.*)?$", r"\2", line))
    return found


def test_three_scheduled_roundups_over_six_weeks_tell_the_truth_once(
    write_config, tmp_path, monkeypatch, caplog
):
    config = write_config(
        """
        state_db = "state.db"
        output_dir = "out"
        [boards.microactions]
        role = "microactions"
        source = "m.json"
        [boards.events]
        role = "events"
        source = "e.json"
        [boards.events.lists]
        Held = "done"
        [jobs.sync]
        enabled = false
        [jobs.publication]
        enabled = false
        """
    )
    cfg = load_config(config)
    [job] = [j for j in cfg.jobs if j.name == "roundup"]
    clock = {"now": RUNS[0]}
    sleeps: list[float] = []

    def scheduler() -> JobScheduler:
        return JobScheduler(cfg, RUNNERS, now=lambda: clock["now"], sleep=sleeps.append)

    def at_moment(moment: datetime) -> None:
        clock["now"] = moment
        monkeypatch.setenv("OTG_NOW", moment.isoformat())
        write_boards(tmp_path, moment)

    at_moment(RUNS[0])
    assert scheduler().run_job(job) == "ok"
    at_moment(RUNS[1])
    (tmp_path / "m.json").write_text("{", encoding="utf-8")  # the export half-written: unreadable
    with caplog.at_level(logging.INFO):
        assert scheduler().run_job(job) == "failed"
    assert any("job roundup: failed: board" in r.getMessage() for r in caplog.records)
    status = otg_status(config)
    assert 'failed: board "microactions"' in status
    at_moment(CAUGHT_UP)  # the scheduler starts again that afternoon
    assert scheduler().catch_up() == ["roundup"]
    assert scheduler().catch_up() == []  # once per period: drafted now, nothing more to catch up
    at_moment(LAST)
    assert scheduler().run_job(job) == "ok"

    drafts = sorted((tmp_path / "out" / "drafts").glob("two-weeks-on-*.md"))
    posts = [sections(p.read_text(encoding="utf-8")) for p in drafts]
    assert [p.name for p in drafts] == [
        "two-weeks-on-20261111.md",
        "two-weeks-on-20261125.md",
        "two-weeks-on-20261209.md",
    ]
    done = [name for post in posts for name in post["done"]]
    expected = [f"Microaction {n}" for n in range(1, 10)] + [
        "Done on roundup day after the draft",
        "Done between the failed run and the catch-up",
        "Done after the catch-up",
        "Done in December",
        "Done again later",
    ]
    assert sorted(done) == sorted(expected)  # each once, and nothing else
    assert "Done on roundup day after the draft" in posts[1]["done"]
    assert "Done between the failed run and the catch-up" in posts[1]["done"]
    assert "Done after the catch-up" in posts[2]["done"]
    held = [name for post in posts for name in post["held"]]
    assert sorted(held) == sorted(name for _, name, _, end in EVENTS if end <= LAST)
    assert (
        posts[0]["coming"][0] == "Previewed then held" and "Previewed then held" in posts[1]["held"]
    )
    assert (
        posts[1]["now"] == ["Camp over the catch-up"]
        and "Camp over the catch-up" in posts[2]["held"]
    )
    assert "3 more done before the board's history begins: not listed" in drafts[1].read_text()
    with State(cfg.state_db) as state:
        runs = [r.status for r in reversed(state.runs("roundup", limit=10))]
    assert runs == ["ok", "failed", "ok", "ok"]
    status = otg_status(config)
    assert (
        "last roundup drafted: 25 November – 9 December 2026, covering from Wed 25 Nov 2026 "
        "14:00 to Wed 09 Dec 2026 08:00" in status
    )


def otg_status(config: Path) -> str:
    return CliRunner().invoke(cli.main, ["--config", str(config), "status"]).output


def test_the_roundup_job_is_retried_after_a_network_failure(write_config, monkeypatch):
    """Trello cannot be reached on the first try (the session itself retries nothing here): the
    job says why, waits, tries again and drafts the roundup once."""
    export_data = json.loads((DEMO_BOARDS / "microactions.json").read_text(encoding="utf-8"))
    trello = FakeTrello()
    trello.add_board(export_data)
    monkeypatch.setenv("TRELLO_API_KEY", trello.key)
    monkeypatch.setenv("TRELLO_TOKEN", trello.token)
    monkeypatch.setenv("OTG_NOW", "2026-11-25T08:00:00Z")
    cfg = load_config(
        write_config(f"""
        state_db = "state.db"
        output_dir = "out"
        [trello]
        retries = 0
        [boards.m]
        role = "microactions"
        source = "trello:{export_data["id"]}"
        """)
    )
    [job] = [j for j in cfg.jobs if j.name == "roundup"]
    sleeps: list[float] = []
    with trello.running(), FaultInjector().installed(monkeypatch) as faults:
        faults.add(Fault("Trello", "GET", r"^/1/boards/[^/]+$", "reset"))
        outcome = JobScheduler(cfg, RUNNERS, sleep=sleeps.append).run_job(job)
    assert outcome == "ok" and sleeps == [60.0]
    with State(cfg.state_db) as state:
        runs = list(reversed(state.runs("roundup", limit=5)))
    assert [r.status for r in runs] == ["failed", "ok"]
    assert "board" in runs[0].summary["failures"][0]
    assert len(list((cfg.output_dir / "drafts").glob("two-weeks-on-*.md"))) == 1
