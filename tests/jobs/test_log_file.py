"""Logging for unattended runs: `--log-file` gets a timestamped line per action and no secret, and
a log file that cannot be written is one line, never a failed run or a traceback per line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import cli
from tests.conftest import ROOT

# each test starts and ends with no stop asked (a stop asked by one would end the next one's run)
pytestmark = pytest.mark.usefixtures("fresh_stop_flag")


def test_the_log_file_has_a_timestamped_line_per_action_and_no_secret(
    cfg, runner, tmp_path, monkeypatch
):
    monkeypatch.setenv("CALDAV_PASSWORD", "hunter2-very-secret")
    log = tmp_path / "otg.log"
    result = runner.invoke(cli.main, ["--config", str(cfg.path), "--log-file", str(log), "sync"])
    assert result.exit_code == 0
    lines = log.read_text().splitlines()
    actions = [line for line in lines if " done create calendar: " in line]
    assert len(actions) == 13
    assert all(line[:4].isdigit() and "T" in line[:20] for line in lines)
    assert "hunter2" not in log.read_text()


def test_a_log_file_that_cannot_be_written_is_one_line(cfg, runner, tmp_path):
    result = runner.invoke(
        cli.main,
        [
            "--config",
            str(cfg.path),
            "--log-file",
            str(tmp_path / "no" / "such" / "otg.log"),
            "status",
        ],
    )
    assert result.exit_code == 2
    assert result.output.startswith("error: cannot write the log file ")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
def test_a_log_file_on_a_full_disk_is_one_warning_and_the_run_goes_on(cfg):
    """The disk fills mid-run: the sync still does its work; the log's failure is one line
    (the logging module alone prints a traceback per log line)."""
    args = ["--config", str(cfg.path), "-v", "--log-file", "/dev/full", "sync"]
    result = subprocess.run(
        [sys.executable, "-m", "cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "Logging error" not in result.stderr
    assert result.stderr.count("warning: cannot write the log file /dev/full") == 1
    assert "No space left on device; this run logs no more to it" in result.stderr
    assert (cfg.path.parent / "out" / "events.ics").exists()  # the run did its work
