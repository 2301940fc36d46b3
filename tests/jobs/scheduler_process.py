"""`otg jobs run` in a process of its own, for the tests of the scheduler lock and of what
`otg status` says about a running scheduler."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def start_scheduler(cfg) -> subprocess.Popen:
    """`otg jobs run` in a process of its own, returned once it says it has started."""
    process = subprocess.Popen(
        [sys.executable, "-m", "cli", "--config", str(cfg.path), "jobs", "run"],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen = []
    while "scheduler started" not in (line := process.stderr.readline()):
        seen.append(line)
        assert line, f"the scheduler did not start: {''.join(seen)}"
    return process
