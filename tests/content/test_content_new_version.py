"""A new version of a draft, on export boards: a card edited after its draft was made is said
to be stale, and `otg sync --new-version CARD` writes it again, in place when its files are
untouched, beside them when they were edited by hand; an unknown card is a usage error."""

from __future__ import annotations

import cli
import jobs.sync
from config import load_config
from sync.content.plan import TARGET
from sync.state.store import State
from tests.content.drafts_world import (
    NOW,
    STEMS,
    bad_board,
    drafts_config,  # noqa: F401 (the fixture `config`)
    invoke,
)


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
