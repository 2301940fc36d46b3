"""The roundup put where asked: once per period in the drafts folder or on Medium, its title,
what a fault leaves, --output, and printing that saves nothing."""

from __future__ import annotations

import json
import shutil
import signal
from pathlib import Path

import pytest

import cli
from config import load_config
from sync import stopping
from sync.content.medium import medium_session
from sync.state.store import State
from tests.conftest import DEMO_BOARDS
from tests.fakes.medium import FakeMedium
from tests.fakes.trello import FakeTrello
from tests.roundup.demo import GOLDEN, demo_config


def test_drafts_once_per_period_unless_a_new_version(demo, runner, tmp_path):
    args = ["--config", str(demo), "roundup", "--to", "2026-11-25", "--target", "drafts"]
    first = runner.invoke(cli.main, args)
    assert first.exit_code == 0, first.output
    draft = tmp_path / "out" / "drafts" / "two-weeks-on-20261125.md"
    assert "# One Team Government: two weeks on (12–25 November 2026)" in draft.read_text()
    again = runner.invoke(cli.main, args)
    assert "was already drafted" in again.output and again.exit_code == 0
    looked = runner.invoke(cli.main, [*args, "--dry-run"])  # says what the run would say
    assert looked.exit_code == 0, looked.output
    assert (
        f"warning: the roundup for 12–25 November 2026 was already drafted: {draft} "
        "(pass --new-version for another)"
    ) in looked.output.splitlines()
    planned = runner.invoke(cli.main, [*args, "--dry-run", "--new-version"]).output
    assert any(line.startswith("would draft      drafts") for line in planned.splitlines())
    newer = runner.invoke(cli.main, [*args, "--new-version"])
    assert "(version 2)" in newer.output
    assert sorted(p.name for p in draft.parent.glob("two-weeks-on-*.md")) == [
        "two-weeks-on-20261125.md",
        "two-weeks-on-v2-20261125.md",
    ]


def test_a_board_that_cannot_be_read_drafts_nothing_until_it_can(write_config, runner, tmp_path):
    """A roundup from part of the boards would leave their news out, and as the period's draft
    it would block the right one: nothing is drafted, written or printed, and exit 1."""
    boards = tmp_path / "boards"
    shutil.copytree(DEMO_BOARDS, boards)
    config = write_config(demo_config(boards))
    good = (boards / "microactions.json").read_text(encoding="utf-8")
    (boards / "microactions.json").write_text(good[: len(good) // 2], encoding="utf-8")
    drafts = tmp_path / "out" / "drafts"
    args = ["--config", str(config), "roundup", "--to", "2026-11-25"]
    for extra in (["--target", "drafts"], ["--output", str(tmp_path / "r.md")], []):
        result = runner.invoke(cli.main, [*args, *extra])
        assert result.exit_code == 1, result.output
        assert (
            "failed: the roundup for 12–25 November 2026 was not drafted: 1 board could "
            "not be read; rerun when every board can be read" in result.output
        )
        assert "two weeks on" not in result.output.lower()
    assert not (tmp_path / "r.md").exists() and not list(drafts.glob("two-weeks-on-*"))
    (boards / "microactions.json").write_text(good, encoding="utf-8")
    mended = runner.invoke(cli.main, [*args, "--target", "drafts"])
    assert mended.exit_code == 0 and "was already drafted" not in mended.output
    assert "Set up a shared OneTeamGov events calendar" in (
        drafts / "two-weeks-on-20261125.md"
    ).read_text(encoding="utf-8")


def test_medium_once_per_period_with_an_intent_first(demo, runner, monkeypatch):
    monkeypatch.setenv("MEDIUM_TOKEN", "medium-token-0123456789")
    medium = FakeMedium(token="medium-token-0123456789")
    with medium.running():
        args = ["--config", str(demo), "roundup", "--to", "2026-11-25", "--target", "medium"]
        first = runner.invoke(cli.main, args)
        second = runner.invoke(cli.main, args)
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert medium.count("POST") == 1
    [post] = medium.posts
    assert post["request"]["publishStatus"] == "draft"
    assert post["request"]["tags"] == ["OneTeamGov", "Public Sector", "Reform"]
    assert "was already drafted: https://medium.com/" in second.output
    with State(load_config(demo).state_db) as state:
        [intent] = state.intents("roundup-post")
    assert intent.status == "done"


#: A team card whose name is full of Markdown's characters, and a template that prints it first.
SPECIAL = "Big *news* [from] #Leeds_HQ (at last) <3"
FIRST_LINE_TEMPLATE = "# {{ team[0].title }}: two weeks on\n\n{{ period.label }}\n"


@pytest.fixture
def special_demo(write_config, tmp_path):
    boards = tmp_path / "boards"
    shutil.copytree(DEMO_BOARDS, boards)
    export = json.loads((boards / "microactions.json").read_text(encoding="utf-8"))
    for found in export["cards"]:
        if found["name"] == "Set up a shared OneTeamGov events calendar":
            found["name"] = SPECIAL
    (boards / "microactions.json").write_text(json.dumps(export), encoding="utf-8")
    return write_config(demo_config(boards))


def roundup_on_medium(config: Path, runner, monkeypatch, template: str, tmp_path: Path) -> dict:
    """The post Medium received for the demo period, rendered with ``template``."""
    path = tmp_path / "custom.md.j2"
    path.write_text(template, encoding="utf-8")
    monkeypatch.setenv("MEDIUM_TOKEN", "medium-token-0123456789")
    medium = FakeMedium(token="medium-token-0123456789")
    args = ["--config", str(config), "roundup", "--to", "2026-11-25", "--template", str(path)]
    with medium.running():
        result = runner.invoke(cli.main, [*args, "--target", "medium"])
    assert result.exit_code == 0, result.output
    [post] = medium.posts
    return post["request"]


def test_the_medium_title_is_the_computed_title_not_the_first_markdown_line(
    special_demo, runner, monkeypatch, tmp_path
):
    sent = roundup_on_medium(special_demo, runner, monkeypatch, FIRST_LINE_TEMPLATE, tmp_path)
    assert sent["title"] == "One Team Government: two weeks on (12–25 November 2026)"
    assert sent["content"].startswith(  # the template's first line, as the card has it
        "<h1>Big *news* [from] #Leeds_HQ (at last) &lt;3: two weeks on</h1>\n"
    )


def test_a_template_may_set_the_title_and_it_is_sent_as_plain_text(
    special_demo, runner, monkeypatch, tmp_path
):
    template = (
        '{% set title = "Two weeks on: " ~ team[0].title ~ " (" ~ period.label ~ ")" %}\n'
        + FIRST_LINE_TEMPLATE
    )
    sent = roundup_on_medium(special_demo, runner, monkeypatch, template, tmp_path)
    assert sent["title"] == f"Two weeks on: {SPECIAL} (12–25 November 2026)"
    assert "\\" not in sent["title"]


def test_the_drafts_folder_roundup_has_the_same_title(special_demo, runner, tmp_path):
    path = tmp_path / "custom.md.j2"
    path.write_text(FIRST_LINE_TEMPLATE, encoding="utf-8")
    args = ["--config", str(special_demo), "roundup", "--to", "2026-11-25", "--template", str(path)]
    assert runner.invoke(cli.main, [*args, "--target", "drafts"]).exit_code == 0
    drafts = tmp_path / "out" / "drafts"
    markdown = (drafts / "two-weeks-on-20261125.md").read_text(encoding="utf-8")
    page = (drafts / "two-weeks-on-20261125.html").read_text(encoding="utf-8")
    assert 'title: "One Team Government: two weeks on (12–25 November 2026)"\n' in markdown
    assert "<title>One Team Government: two weeks on (12–25 November 2026)</title>" in page


def test_a_title_medium_would_ignore_is_a_warning(special_demo, runner, tmp_path):
    path = tmp_path / "long.md.j2"
    path.write_text('{% set title = "Two weeks on " * 10 %}\n' + FIRST_LINE_TEMPLATE, "utf-8")
    args = ["--config", str(special_demo), "roundup", "--to", "2026-11-25", "--template", str(path)]
    result = runner.invoke(cli.main, [*args, "--target", "drafts"])
    assert result.exit_code == 0, result.output
    assert (
        "warning: the roundup's title is over 100 characters, and Medium ignores such a title: "
        "shorten the title the template sets"
    ) in result.output.splitlines()


def test_a_lost_answer_leaves_the_period_pending_for_an_operator(demo, runner, monkeypatch):
    monkeypatch.setenv("MEDIUM_TOKEN", "medium-token-0123456789")
    medium = FakeMedium(token="medium-token-0123456789")
    with medium.running():
        medium.lose_next_response()
        args = ["--config", str(demo), "roundup", "--to", "2026-11-25", "--target", "medium"]
        lost = runner.invoke(cli.main, args)
        blocked = runner.invoke(cli.main, args)
    assert lost.exit_code == 1 and blocked.exit_code == 1
    assert "may or may not exist (intent 1" in blocked.output
    assert "otg ledger resolve 1 --url URL" in blocked.output
    assert medium.count("POST") == 1  # never sent twice
    assert "medium-token" not in lost.output + blocked.output


def test_a_stop_in_a_backoff_before_the_post_leaves_nothing_pending_and_the_rerun_drafts_once(
    demo, runner, monkeypatch
):
    """Ctrl-C while the session waits to resend the roundup's POST (answered 429): it is not
    sent, so the period is not blocked for an operator. Medium's own session never retries; it is
    made to here, so that there is a wait for the stop to cut short."""

    def retrying(token: str, timeout: float = 20.0):
        session = medium_session(token, timeout)
        session.retries = 1
        return session

    monkeypatch.setenv("MEDIUM_TOKEN", "medium-token-0123456789")
    monkeypatch.setattr("sync.content.medium.medium_session", retrying)
    monkeypatch.setattr("sync.http.pause", lambda seconds: stopping.request_stop(signal.SIGTERM))
    medium = FakeMedium(token="medium-token-0123456789")
    medium.fail_next(429, "Too many requests.", 429)
    args = ["--config", str(demo), "roundup", "--to", "2026-11-25", "--target", "medium"]
    stopping.reset()
    try:
        with medium.running():
            stopped = runner.invoke(cli.main, args)
    finally:
        stopping.reset()
    assert stopped.exit_code == 143, stopped.output
    assert "stopped by a signal before retrying POST" in stopped.output
    assert "nothing was sent" in stopped.output
    ledger = runner.invoke(cli.main, ["--config", str(demo), "ledger", "list"])
    assert "pending" not in ledger.output and "unsettled" not in ledger.output
    with medium.running():
        again = runner.invoke(cli.main, args)
    assert again.exit_code == 0, again.output
    assert "may or may not exist" not in again.output
    assert medium.count("POST") == 2 and len(medium.posts) == 1  # the 429, then the draft
    with State(load_config(demo).state_db) as state:
        assert [i.status for i in state.intents("roundup-post")] == ["retry", "done"]


def test_a_roundup_post_that_could_not_connect_is_not_pending(demo, runner, monkeypatch):
    monkeypatch.setenv("MEDIUM_TOKEN", "medium-token-0123456789")
    medium = FakeMedium(token="medium-token-0123456789")
    args = ["--config", str(demo), "roundup", "--to", "2026-11-25", "--target", "medium"]
    with medium.running():
        medium.refuse_next_connection(timeout=True)
        refused = runner.invoke(cli.main, args)
        again = runner.invoke(cli.main, args)
    assert (
        refused.exit_code == 1
        and "timed out — check the network and rerun; nothing was sent" in refused.output
    )
    assert again.exit_code == 0, again.output
    assert medium.count("POST") == 1 and len(medium.posts) == 1


def test_output_to_a_file(demo, runner, tmp_path):
    target = tmp_path / "posts" / "roundup.md"
    result = runner.invoke(
        cli.main, ["--config", str(demo), "roundup", "--to", "2026-11-25", "--output", str(target)]
    )
    assert result.output == f"Wrote the roundup for 12–25 November 2026 to {target}.\n"
    assert target.read_text().startswith("# One Team Government: two weeks on")
    assert Path(target).parent.is_dir()


def _state_folder(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Each file and folder in ``folder`` (the boards kept beside the database too): its bytes
    and its mtime."""
    return {
        str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else b"", p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
    }


@pytest.mark.parametrize("api", [False, True], ids=["export boards", "an API board"])
def test_printing_a_roundup_leaves_the_state_exactly_as_it_was(
    write_config, runner, monkeypatch, tmp_path, api
):
    """Printing (stdout, --output, --json) is not a run: the state is read as a dry run reads it
    (a copy in memory), so no lock is taken and nothing is saved, not even an API board's
    history; what real runs recorded (the published posts) is still seen."""
    export = json.loads((DEMO_BOARDS / "microactions.json").read_text(encoding="utf-8"))
    fake = FakeTrello()
    fake.add_board(export)
    monkeypatch.setenv("TRELLO_API_KEY", fake.key)
    monkeypatch.setenv("TRELLO_TOKEN", fake.token)
    text = demo_config(DEMO_BOARDS).replace('"state.db"', '"state/otg-state.db"')
    if api:
        text = text.replace(f'"{DEMO_BOARDS}/microactions.json"', f'"trello:{export["id"]}"')
        assert "trello:" in text
    config = write_config(text)
    args = ["--config", str(config), "roundup", "--from", "2026-11-12", "--to", "2026-11-25"]
    written = tmp_path / "posts" / "roundup.md"
    with fake.running():
        fresh = runner.invoke(cli.main, args)  # on a fresh machine: no database made
        assert fresh.exit_code == 0 and not (tmp_path / "state").exists(), fresh.output
        synced = runner.invoke(cli.main, ["--config", str(config), "sync"])
        assert synced.exit_code == 0, synced.output
        before = _state_folder(tmp_path / "state")
        printed = runner.invoke(cli.main, args)
        to_file = runner.invoke(cli.main, [*args, "--output", str(written)])
        as_json = runner.invoke(cli.main, [*args, "--json"])
    assert (printed.exit_code, printed.stderr) == (0, ""), printed.output
    assert printed.stdout == GOLDEN.read_text(encoding="utf-8")  # the published posts included
    assert to_file.exit_code == 0, to_file.output
    assert written.read_text(encoding="utf-8") == GOLDEN.read_text(encoding="utf-8")
    assert as_json.exit_code == 0 and json.loads(as_json.stdout)["ok"] is True
    assert _state_folder(tmp_path / "state") == before  # no -wal/-shm, no lock, no byte changed
