"""Long runs say what they do as they go: each action is logged when it is taken (not when the
run ends), and a person at a terminal sees a progress line, which never shows in --json, with -q
or -v, or when stderr is not a terminal (cron, systemd)."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys

import pytest

import cli
import jobs.content
from sync import progress
from sync.report import Outcome, Report
from tests.conftest import DEMO_BOARDS
from tests.roundup.demo import demo_config


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_line_counts_boards_cards_and_actions_and_is_redrawn_at_most_ten_times_a_second():
    stream, clock = io.StringIO(), Clock()
    line = progress.Progress(stream, width=200, clock=clock)
    line.reading("events")
    assert stream.getvalue() == '\r\x1b[K0 boards read (0 cards) · reading board "events"'
    line.board_read(20_000)
    for _ in range(50):  # within the same tenth of a second: drawn once at most
        line.action(Outcome("create", "calendar", "k", "Title"))
    draws = stream.getvalue().count("\r")
    assert draws == 2
    clock.now = 0.2
    line.action(Outcome("skip", "drafts", "k", "Title", status="skipped"))
    assert stream.getvalue().endswith("\r\x1b[K1 board read (20,000 cards) · 50 create, 1 skipped")
    line.clear()
    assert stream.getvalue().endswith("\r\x1b[K")


def test_a_report_logs_each_action_as_it_is_added_and_feeds_the_progress_line(caplog):
    stream = io.StringIO()
    report = Report(job="sync")
    with caplog.at_level("INFO", logger="jobs.sync"), progress.shown_on(stream):
        report.outcomes.append(Outcome("create", "calendar", "k1", "Leeds breakfast"))
        assert [r.getMessage() for r in caplog.records] == ["done create calendar: Leeds breakfast"]
        report.outcomes += [Outcome("create", "drafts", "k2", "A post", status="failed")]
        assert caplog.records[-1].getMessage() == "failed create drafts: A post"
    assert "0 boards read (0 cards) · 1 create" in stream.getvalue()  # the next, a tenth later
    assert stream.getvalue().endswith("\r\x1b[K")  # cleared when the run ends


def test_the_log_file_holds_each_action_before_the_next_is_taken(runner, write_config, tmp_path,
                                                                 monkeypatch):  # fmt: skip
    """Killed while writing drafts, a run's log already says what it did before."""
    log = tmp_path / "otg.log"
    seen: list[str] = []
    write = jobs.content.write_placed

    def watching(*args, **kwargs):
        if not seen:  # the first draft: the calendar's actions are in the file already
            seen.append(log.read_text(encoding="utf-8"))
        return write(*args, **kwargs)

    monkeypatch.setattr(jobs.content, "write_placed", watching)
    config = write_config(demo_config(DEMO_BOARDS))
    result = runner.invoke(cli.main, ["--config", str(config), "--log-file", str(log), "sync"])
    assert result.exit_code == 0, result.output
    assert seen and seen[0].count("INFO jobs.sync: done create calendar: ") >= 10
    assert 'INFO sync.trello.sources: board "content": read, 14 cards' in seen[0]
    assert "done create drafts" not in seen[0]
    assert "done create drafts: " in log.read_text(encoding="utf-8")


def test_no_progress_line_when_stderr_is_not_a_terminal(runner, write_config):
    config = write_config(demo_config(DEMO_BOARDS))
    result = runner.invoke(cli.main, ["--config", str(config), "sync"])
    assert result.exit_code == 0
    assert "\r" not in result.output and "\x1b[K" not in result.output


@pytest.mark.skipif(shutil.which("script") is None, reason="no `script` (util-linux) for a TTY")
@pytest.mark.parametrize(
    ("args", "shown"),
    [([], True), (["--json"], False), (["-q"], False), (["-v"], False)],
)
def test_on_a_terminal_the_progress_line_shows_unless_asked_otherwise(
    write_config, tmp_path, args, shown
):
    config = write_config(demo_config(DEMO_BOARDS))
    command = " ".join([sys.executable, "-m", "cli", "--config", str(config), "sync", *args])
    result = subprocess.run(
        [str(shutil.which("script")), "-qec", command, "/dev/null"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "TERM": "xterm"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert ('reading board "events"' in result.stdout) is shown
    assert ("\x1b[K" in result.stdout) is shown
