"""`otg jobs run` in a process of its own, for the tests of the scheduler lock and of what
`otg status` says about a running scheduler."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def jobs_run(cfg) -> list[str]:
    """The command line of `otg jobs run` on ``cfg``."""
    return [sys.executable, "-m", "cli", "--config", str(cfg.path), "jobs", "run"]


def second_scheduler(cfg) -> subprocess.CompletedProcess[str]:
    """`otg jobs run` started while one runs (it should be refused at once), once it ended."""
    return subprocess.run(
        jobs_run(cfg), cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )


def start_scheduler(cfg) -> subprocess.Popen:
    """`otg jobs run` in a process of its own, returned once it says it has started."""
    process = subprocess.Popen(
        jobs_run(cfg),
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen = []
    while "scheduler started" not in (line := process.stderr.readline()):
        seen.append(line)
        assert line, f"the scheduler did not start: {''.join(seen)}"
    return process
