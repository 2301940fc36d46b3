"""The content flow as a user runs it on export boards: `otg sync` writes drafts to the drafts
folder, a rerun writes nothing, a dry run touches nothing, bad cards are skipped with a reason,
and published posts are read from the feed."""

from __future__ import annotations

import json
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

import cli
import jobs.sync
from config import EXAMPLE, load_config
from sync.content.plan import TARGET
from sync.state.store import State
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


@pytest.fixture
def config(write_config, tmp_path):
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


def bad_board(tmp_path, **desc_by_name) -> str:
    data = json.loads((DEMO_BOARDS / "content.json").read_text(encoding="utf-8"))
    for card in data["cards"]:
        if card["name"] in desc_by_name:
            card["desc"] = desc_by_name[card["name"]]
    path = tmp_path / "content.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


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


def test_an_edited_card_is_stale_and_new_version_replaces_its_files(config, tmp_path):
    with State(tmp_path / "state.db") as state:
        jobs.sync.run(load_config(config()), state, now=NOW)
        name = "What I learned shadowing a call centre"
        edited = load_config(config(board=bad_board(tmp_path, **{name: "Rewritten."})))
        report = jobs.sync.run(edited, state, now=NOW)
        assert [o.kind for o in report.outcomes] == ["skip"]
        [stale] = [w for w in report.warnings if "stale" in w]
        assert stale == (
            f'card "{name}" (https://trello.com/c/qBqgCgJ9/10-what-i-learned-shadowing-a-call-'
            "centre): the draft is stale: the card's description, checklists or links changed "
            "after its draft was made (drafts/what-i-learned-shadowing-a-call-centre-qBqgCgJ9.md, "
            "2026-12-08); Medium cannot update a draft — edit it there, or run `otg sync "
            "--new-version qBqgCgJ9` for a fresh one"
        )
        fresh = jobs.sync.run(edited, state, now=NOW, new_version=("qBqgCgJ9",))
        assert [(o.kind, o.detail) for o in fresh.outcomes if o.kind == "create"] == [
            ("create", f"version 2; drafts/{STEMS[2]}.md and .html")
        ]
        assert state.item(TARGET, "6adb8dfd0506c32d1435c34b").sequence == 2
        again = jobs.sync.run(edited, state, now=NOW)
    assert not [w for w in again.warnings if "stale" in w]
    text = (tmp_path / "out" / "drafts" / f"{STEMS[2]}.md").read_text(encoding="utf-8")
    assert text.endswith("# What I learned shadowing a call centre\n\nRewritten.\n")


def test_an_unknown_new_version_card_is_a_usage_error_before_the_sync(runner, config, tmp_path):
    result = runner.invoke(cli.main, ["--config", config(), "sync", "--new-version", "zzzz9999"])
    assert result.exit_code == 2
    assert result.output == (
        "error: --new-version zzzz9999: no such card on the content boards — give the card's id, "
        "or the short link from its URL (trello.com/c/<short link>); nothing was changed\n"
    )
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    unread = runner.invoke(
        cli.main, ["--config", config(board=str(broken)), "sync", "--new-version", "zzzz9999"]
    )
    assert unread.exit_code == 1  # the card may be on the board that could not be read
    assert (
        "failed: --new-version zzzz9999: no such card on the content boards that could be read "
        "— give the card's id, or the short link from its URL (trello.com/c/<short link>)\n"
    ) in unread.output
    only = runner.invoke(
        cli.main, ["--config", config(), "sync", "--only", "events", "--new-version", "x"]
    )
    assert only.exit_code == 2
    assert only.output == "error: --new-version needs the content boards — add --only content\n"


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


def test_new_version_never_overwrites_a_draft_edited_by_hand(runner, config, tmp_path):
    """The hand-edited files stay as they are; the new version goes beside them (-v2)."""
    path = config()
    assert invoke(runner, "--config", path, "sync").exit_code == 0
    drafts = tmp_path / "out" / "drafts"
    edited = drafts / f"{STEMS[2]}.md"
    mine = edited.read_text(encoding="utf-8") + "\nMY EDIT\n"
    edited.write_text(mine, encoding="utf-8")
    html = (drafts / f"{STEMS[2]}.html").read_bytes()
    line = (
        "drafts       What I learned shadowing a call centre — version 2; "
        f"drafts/{STEMS[2]}-v2.md and .html (beside drafts/{STEMS[2]}.md: edited by hand since, "
        "so left as it is)"
    )
    args = ("--config", path, "sync", "--only", "content", "--new-version", "qBqgCgJ9")
    planned = invoke(runner, *args, "--dry-run")
    assert planned.exit_code == 0, planned.output
    assert f"would create     {line}" in planned.output.splitlines()
    assert not (drafts / f"{STEMS[2]}-v2.md").exists()

    result = invoke(runner, *args)
    assert result.exit_code == 0, result.output
    assert f"create           {line}" in result.output.splitlines()
    assert edited.read_text(encoding="utf-8") == mine
    assert (drafts / f"{STEMS[2]}.html").read_bytes() == html
    fresh = (drafts / f"{STEMS[2]}-v2.md").read_text(encoding="utf-8")
    assert "MY EDIT" not in fresh and fresh.startswith('---\ntitle: "What I learned shadowing')
    assert (drafts / f"{STEMS[2]}-v2.html").exists()
    with State(tmp_path / "state.db") as state:
        record = state.item(TARGET, "6adb8dfd0506c32d1435c34b")
    assert (record.sequence, record.data["file"]) == (2, f"drafts/{STEMS[2]}-v2.md")

    # a third version: the untouched -v2 files are otg's own, but the original name is still
    # taken by the edited file, so it goes beside it again; nothing is overwritten
    third = invoke(runner, *args)
    assert third.exit_code == 0, third.output
    assert f"version 3; drafts/{STEMS[2]}-v3.md and .html (beside" in third.output
    assert edited.read_text(encoding="utf-8") == mine


def test_new_version_replaces_untouched_files_in_place(runner, config, tmp_path):
    path = config()
    invoke(runner, "--config", path, "sync")
    result = invoke(runner, "--config", path, "sync", "--new-version", "qBqgCgJ9")
    assert result.exit_code == 0, result.output
    assert (
        "create           drafts       What I learned shadowing a call centre — version 2; "
        f"drafts/{STEMS[2]}.md and .html"
    ) in result.output.splitlines()
    assert sorted(p.name for p in (tmp_path / "out" / "drafts").iterdir()) == sorted(
        f"{stem}.{ext}" for stem in STEMS for ext in ("md", "html")
    )


# -- drafts removed from the drafts folder by hand --------------------------------------------

CALL_CENTRE_URL = "https://trello.com/c/qBqgCgJ9/10-what-i-learned-shadowing-a-call-centre"
GONE_WARNING = (
    f'warning: card "What I learned shadowing a call centre" ({CALL_CENTRE_URL}): its draft '
    f"drafts/{STEMS[2]}.md and .html {{verb}} no longer in the drafts folder (pasted into Medium "
    "and removed?); said once, and listed by `otg status` — the card still has the text: "
    "`otg sync --new-version qBqgCgJ9` writes {pronoun} again"
)
RERUN = [FIRST_RUN[0], FIRST_RUN[5]]  # the board, and the card with no description


def test_a_draft_removed_from_the_folder_is_said_once_and_new_version_writes_it_again(
    runner, config, tmp_path
):
    path = config()
    assert invoke(runner, "--config", path, "sync").exit_code == 0
    drafts = tmp_path / "out" / "drafts"
    for ext in ("md", "html"):  # the editor pasted it into Medium and tidied up
        (drafts / f"{STEMS[2]}.{ext}").unlink()
    others = {p.name: p.read_bytes() for p in drafts.iterdir()}

    planned = invoke(runner, "--config", path, "sync", "--dry-run")
    warning = GONE_WARNING.format(verb="are", pronoun="them")
    assert warning in planned.output.splitlines()

    noticed = invoke(runner, "--config", path, "sync")
    assert noticed.exit_code == 0, noticed.output
    assert noticed.output.splitlines() == [
        *RERUN,
        warning,
        "1 board read; 1 skipped; 1 warning (run 2).",
    ]
    assert {p.name: p.read_bytes() for p in drafts.iterdir()} == others  # nothing else touched

    quiet = invoke(runner, "--config", path, "sync")  # said once: no nagging every night
    assert quiet.output.splitlines() == [*RERUN, "1 board read; 1 skipped (run 3)."]

    status = invoke(runner, "--config", path, "status")
    assert (
        "1 draft is no longer in the drafts folder (`otg sync --new-version CARD` writes it again):"
    ) in status.output.splitlines()
    assert re.search(
        rf"^  qBqgCgJ9 What I learned shadowing a call centre: drafts/{STEMS[2]}\.md and \.html "
        r"\(gone since \w{3} \d{2} \w{3}\)$",
        status.output,
        re.M,
    ), status.output
    data = json.loads(invoke(runner, "--config", path, "status", "--json").output)
    assert data["drafts_gone"] == [
        {
            "card": "qBqgCgJ9",
            "title": "What I learned shadowing a call centre",
            "files": [f"drafts/{STEMS[2]}.md", f"drafts/{STEMS[2]}.html"],
            "since": data["drafts_gone"][0]["since"],
        }
    ]

    again = invoke(runner, "--config", path, "sync", "--new-version", "qBqgCgJ9")
    assert again.exit_code == 0, again.output
    assert (
        "create           drafts       What I learned shadowing a call centre — version 2; "
        f"drafts/{STEMS[2]}.md and .html"
    ) in again.output.splitlines()
    assert (
        (drafts / f"{STEMS[2]}.md")
        .read_text(encoding="utf-8")
        .startswith('---\ntitle: "What I learned shadowing a call centre"')
    )
    assert (drafts / f"{STEMS[2]}.html").exists()
    after = invoke(runner, "--config", path, "status")
    assert "no longer in the drafts folder" not in after.output


def test_one_file_removed_is_named_and_files_put_back_are_no_longer_listed(
    runner, config, tmp_path
):
    path = config()
    invoke(runner, "--config", path, "sync")
    html = tmp_path / "out" / "drafts" / f"{STEMS[2]}.html"
    kept = html.read_bytes()
    html.unlink()
    noticed = invoke(runner, "--config", path, "sync")
    assert (
        f'warning: card "What I learned shadowing a call centre" ({CALL_CENTRE_URL}): its draft '
        f"drafts/{STEMS[2]}.html is no longer in the drafts folder (pasted into Medium and "
        "removed?); said once, and listed by `otg status` — the card still has the text: "
        "`otg sync --new-version qBqgCgJ9` writes it again"
    ) in noticed.output.splitlines()
    assert (
        f"drafts/{STEMS[2]}.html (gone since" in invoke(runner, "--config", path, "status").output
    )

    html.write_bytes(kept)  # moved back
    back = invoke(runner, "--config", path, "sync")
    assert back.output.splitlines() == [*RERUN, "1 board read; 1 skipped (run 3)."]
    assert "no longer in the drafts folder" not in invoke(runner, "--config", path, "status").output
    html.unlink()  # and gone again: said again, once
    assert "is no longer in the drafts folder" in invoke(runner, "--config", path, "sync").output
