"""The content flow as a user runs it on export boards: `otg sync` writes drafts to the drafts
folder, a rerun writes nothing, a dry run touches nothing, bad cards are skipped with a reason,
and published posts are read from the feed. New versions of a draft are in
``test_content_new_version.py``, drafts removed by hand in ``test_drafts_gone.py``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import cli
import jobs.sync
from config import load_config
from sync.content.plan import TARGET
from sync.state.store import State
from tests.content.drafts_world import (
    FEED,
    FIRST_RUN,
    FIXTURES,
    NOW,
    STEMS,
    bad_board,
    drafts_config,  # noqa: F401 (the fixture `config`)
    invoke,
)


def test_the_demo_board_becomes_drafts_and_a_rerun_writes_nothing(runner, config, tmp_path):
    path = config()
    first = invoke(runner, "--config", path, "sync")
    assert first.exit_code == 0, first.output
    assert first.output.splitlines() == FIRST_RUN
    drafts = tmp_path / "out" / "drafts"
    assert sorted(p.name for p in drafts.iterdir()) == sorted(
        f"{stem}.{ext}" for stem in STEMS for ext in ("md", "html")
    )
    stamps = {p.name: p.stat().st_mtime_ns for p in drafts.iterdir()}
    second = invoke(runner, "--config", path, "sync")
    assert second.output.splitlines() == [
        FIRST_RUN[0],
        FIRST_RUN[5],  # the empty card is still in "ready", still without a description
        "1 board read; 1 skipped (run 2).",
    ]
    assert {p.name: p.stat().st_mtime_ns for p in drafts.iterdir()} == stamps
    with State(tmp_path / "state.db") as state:
        records = state.items(TARGET)
    assert len(records) == 4
    leadership = next(r for r in records.values() if r.status == "published")
    assert leadership.data["published_url"] == (
        "https://medium.com/@oneteamgov/leadership-is-a-team-sport-5e7c2a91d0f4"
    )
    assert leadership.data["published_at"] == "2026-11-20T09:15:00+00:00"


def test_the_nasty_card_gets_a_safe_name_and_escaped_html(runner, config, tmp_path):
    invoke(runner, "--config", config(), "sync")
    html = (tmp_path / "out" / "drafts" / f"{STEMS[0]}.html").read_text(encoding="utf-8")
    assert (
        '<h1>Notes from "the other side": ../policy meets &lt;b&gt;html&lt;/b&gt; delivery' in html
    )
    assert "&lt;kbd&gt;Ctrl&lt;/kbd&gt;" in html and "<kbd>" not in html
    written = {str(p.relative_to(tmp_path / "out")) for p in (tmp_path / "out").rglob("*")}
    assert written == {"drafts"} | {f"drafts/{s}.{ext}" for s in STEMS for ext in ("md", "html")}
    assert sorted(p.name for p in tmp_path.rglob("*policy*")) == [
        f"{STEMS[0]}.html",
        f"{STEMS[0]}.md",
    ]


def test_a_dry_run_shows_every_draft_and_touches_nothing(runner, config, tmp_path):
    result = invoke(runner, "--config", config(), "sync", "--dry-run")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[1] == (
        "would create     drafts       What I learned shadowing a call centre — "
        "drafts/what-i-learned-shadowing-a-call-centre-qBqgCgJ9.md and .html"
    )
    assert lines[-1] == "Dry run: 1 board read; 3 create, 1 publish, 5 skipped; 1 warning."
    assert sorted(p.name for p in tmp_path.iterdir()) == ["otg.toml"]
    data = json.loads(invoke(runner, "--config", config(), "sync", "--dry-run", "--json").output)
    creates = [o for o in data["outcomes"] if o["kind"] == "create"]
    assert [(o["target"], o["status"]) for o in creates] == [("drafts", "planned")] * 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["otg.toml"]


def test_a_dry_run_after_a_sync_plans_nothing_new(runner, config, tmp_path):
    invoke(runner, "--config", config(), "sync")
    before = sorted(p.name for p in (tmp_path / "out" / "drafts").iterdir())
    result = invoke(runner, "--config", config(), "sync", "--dry-run")
    assert "would create" not in result.output
    assert sorted(p.name for p in (tmp_path / "out" / "drafts").iterdir()) == before


def test_a_huge_description_is_skipped_and_the_others_are_drafted(runner, config, tmp_path):
    board = bad_board(
        tmp_path, **{"Two weeks on: what happened after OneTeamGov Global": "x" * 100_000}
    )
    result = invoke(runner, "--config", config(board=board), "sync")
    assert result.exit_code == 0
    assert (
        "skipped          drafts       Two weeks on: what happened after OneTeamGov Global — the "
        "description is 100,000 characters, more than Trello allows (16,384), so the export may "
        "be damaged: shorten it on Trello or export the board again"
    ) in result.output.splitlines()
    assert result.output.count("create           drafts") == 2


def test_a_broken_feed_is_one_line_and_the_drafts_are_still_made(runner, config, tmp_path):
    broken = tmp_path / "broken.xml"
    shutil.copy(FIXTURES / "broken-feed.xml", broken)
    html = tmp_path / "page.xml"
    html.write_text("<html><body>Moved</body></html>", encoding="utf-8")
    extra = f'feeds = ["{broken}", "{html}"]'
    path = Path(config())
    path.write_text(path.read_text(encoding="utf-8").replace(f'feeds = ["{FEED}"]', extra))
    result = runner.invoke(cli.main, ["--config", str(path), "sync"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert (
        f"warning: rss: feed {broken} is not well-formed (line 6: no element found); read 2 "
        "items from it anyway"
    ) in lines
    assert (
        f"failed: rss: feed {html} is not an RSS or Atom feed — check medium.feeds (a Medium "
        "feed is https://medium.com/feed/@username)"
    ) in lines
    assert result.output.count("create           drafts") == 3
    assert "publish          medium       Leadership is a team sport" in result.output


def test_a_drafts_folder_that_cannot_be_written_fails_each_card_alone(config, tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "drafts").write_text("a file where the folder should be")
    with State(tmp_path / "state.db") as state:
        report = jobs.sync.run(load_config(config()), state, now=NOW)
        # only the publication was recorded: no draft was made
        assert list(state.items(TARGET)) == ["6aa0462ebe229dd6da7c1113"]
    failed = [o for o in report.outcomes if o.status == "failed"]
    assert len(failed) == 3 and report.exit_code == 1
    assert failed[0].detail == (
        f"cannot write the draft {tmp_path}/out/drafts/what-i-learned-shadowing-a-call-centre-"
        "qBqgCgJ9.md: Not a directory — something else is in the way at that path: move it, or "
        "set medium.drafts_dir / output_dir in the config"
    )
