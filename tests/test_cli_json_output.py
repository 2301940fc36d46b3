"""`--json` on every command that reports: non-ASCII text kept as it is, and no crash when the
terminal is ASCII."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tests.running_otg import example_copy, invoke

JSON_COMMANDS = [
    ["sync", "--dry-run"],
    ["roundup", "--dry-run"],
    ["boards"],
    ["status"],
    ["ledger", "list"],
    ["jobs", "list"],
]


@pytest.mark.parametrize("args", JSON_COMMANDS, ids=" ".join)
def test_json_output_keeps_non_ascii_text_as_it_is(runner, tmp_path, write_config, args):
    config = example_copy(tmp_path, write_config)
    if args[0] == "status":
        invoke(runner, "--config", config, "sync")  # a run for it to show
    result = invoke(runner, "--config", config, *args, "--json")
    assert "\\u" not in result.stdout
    json.loads(result.stdout)
    if args[0] == "sync":
        assert '"Breakfast club — Belfast"' in result.stdout
    if args[0] == "roundup":
        assert "–" in result.stdout  # the period's dash: "8–21 November 2026"


def test_json_to_an_ascii_terminal_does_not_crash(tmp_path, write_config):
    config = example_copy(tmp_path, write_config)
    done = subprocess.run(
        [sys.executable, "-m", "cli", "--config", config, "sync", "--dry-run", "--json"],
        cwd=ROOT,
        capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": "ascii", "LC_ALL": "C"},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Breakfast club — Belfast" in done.stdout.decode("utf-8")
