"""Finalising: the featured cards labelled once, by --finalise or when the Medium post is seen
published."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import cli
from tests.conftest import DEMO_BOARDS
from tests.fakes.medium import FakeMedium
from tests.fakes.trello import FakeTrello


def test_finalise_labels_the_featured_cards_on_api_boards_once(write_config, runner, monkeypatch):
    export = json.loads((DEMO_BOARDS / "microactions.json").read_text(encoding="utf-8"))
    fake = FakeTrello()
    fake.add_board(export)
    monkeypatch.setenv("TRELLO_API_KEY", fake.key)
    monkeypatch.setenv("TRELLO_TOKEN", fake.token)
    config = write_config(
        f'state_db = "s.db"\n[boards.m]\nrole = "microactions"\nsource = "trello:{export["id"]}"\n'
    )
    args = ["--config", str(config), "roundup", "--to", "2026-11-25", "--finalise"]
    with fake.running():
        first = runner.invoke(cli.main, args)
        second = runner.invoke(cli.main, args)
        again = runner.invoke(cli.main, ["--config", str(config), "roundup", "--to", "2026-11-25"])
        after = runner.invoke(cli.main, ["--config", str(config), "roundup", "--to", "2026-11-26"])
    assert first.exit_code == 0, first.output
    board = fake.export(export["id"])
    [label] = [lbl for lbl in board["labels"] if lbl["name"] == "Roundup 2026-11-25"]
    labelled = [c for c in board["cards"] if label["id"] in c.get("idLabels", [])]
    assert len(labelled) == 11
    assert fake.count("POST", re.compile(r"^/1/labels$")) == 1
    assert second.exit_code == 0  # nothing left to label: no second label on any card
    assert fake.count("POST", re.compile(r"^/1/cards/[^/]+/idLabels$")) == 11
    assert "8 microactions done" in again.output  # re-printed, the period shows what it featured
    featured = [c["name"] for c in labelled]
    assert all(name in again.output for name in featured)
    assert not any(name in after.output for name in featured)  # not again in another period


def test_seeing_the_roundup_published_finalises_it(write_config, runner, monkeypatch):
    """A roundup drafted on Medium, once its post appears in the feed, labels what it featured."""
    export = json.loads((DEMO_BOARDS / "microactions.json").read_text(encoding="utf-8"))
    fake = FakeTrello()
    fake.add_board(export)
    medium = FakeMedium(token="medium-token-0123456789")
    for name, value in (
        ("TRELLO_API_KEY", fake.key),
        ("TRELLO_TOKEN", fake.token),
        ("MEDIUM_TOKEN", "medium-token-0123456789"),
    ):
        monkeypatch.setenv(name, value)
    feed = "https://medium.com/feed/@oneteamgov"
    config = write_config(f"""
        state_db = "s.db"
        [boards.m]
        role = "microactions"
        source = "trello:{export["id"]}"
        [boards.content]
        role = "content"
        source = "{DEMO_BOARDS / "content.json"}"
        [medium]
        target = "medium"
        feeds = ["{feed}"]
    """)
    with fake.running() as rsps:
        medium.install(rsps)
        medium.serve_feed(rsps, feed)
        drafted = runner.invoke(
            cli.main,
            ["--config", str(config), "roundup", "--to", "2026-11-25", "--target", "medium"],
        )
        assert drafted.exit_code == 0, drafted.output
        [post] = [p for p in medium.posts if "two weeks on" in p["title"]]
        runner.invoke(cli.main, ["--config", str(config), "sync", "--only", "microactions"])
        assert not any(
            "Roundup 2026-11-25" in (lbl.get("name") or "")
            for lbl in fake.export(export["id"])["labels"]
        )  # not published yet
        medium.publish(post["id"], datetime(2026, 11, 26, 9, tzinfo=UTC))
        seen = runner.invoke(cli.main, ["--config", str(config), "sync"])
        again = runner.invoke(cli.main, ["--config", str(config), "sync"])
    board = fake.export(export["id"])
    [label] = [lbl for lbl in board["labels"] if lbl["name"] == "Roundup 2026-11-25"]
    assert sum(label["id"] in c.get("idLabels", []) for c in board["cards"]) == 11, seen.output
    assert "label" not in [line.split()[0] for line in again.output.splitlines() if line]


def test_finalising_labels_the_events_held_not_the_ones_coming_up(
    write_config, runner, monkeypatch
):
    """An event previewed as coming up is not consumed: the next period reports it held."""
    export = json.loads((DEMO_BOARDS / "events.json").read_text(encoding="utf-8"))
    fake = FakeTrello()
    fake.add_board(export)
    monkeypatch.setenv("TRELLO_API_KEY", fake.key)
    monkeypatch.setenv("TRELLO_TOKEN", fake.token)
    config = write_config(
        f'state_db = "s.db"\n[boards.e]\nrole = "events"\nsource = "trello:{export["id"]}"\n'
    )
    args = ["--config", str(config), "roundup"]
    with fake.running():
        first = runner.invoke(cli.main, [*args, "--to", "2026-11-25", "--finalise"])
        nxt = runner.invoke(cli.main, [*args, "--from", "2026-11-26", "--to", "2026-12-09"])
    assert first.exit_code == 0 and nxt.exit_code == 0, first.output + nxt.output
    board = fake.export(export["id"])
    [label] = [lbl for lbl in board["labels"] if lbl["name"] == "Roundup 2026-11-25"]
    labelled = sorted(c["name"] for c in board["cards"] if label["id"] in c.get("idLabels", []))
    assert labelled == ["OneTeamGov Breakfast — Leeds", "OneTeamGov Breakfast — Manchester"]
    held = nxt.output.split("Held in the last 14 days:\n\n", 1)[1].split("\n\n", 1)[0]
    assert "- **OneTeamGov Breakfast — Leeds**, Wed 2 December, 08:00–09:00" in held
