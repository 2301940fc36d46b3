"""Drafts removed from the drafts folder by hand (pasted into Medium and tidied up): said once,
listed by `otg status` until they are back or written again with `otg sync --new-version`."""

from __future__ import annotations

import json
import re

from tests.content.drafts_world import (
    FIRST_RUN,
    STEMS,
    drafts_config,  # noqa: F401 (the fixture `config`)
    invoke,
)

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
