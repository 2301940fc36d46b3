"""Shell completion works as the command reference says: `_OTG_COMPLETE=bash_source otg` prints
a script, and the shell's questions get otg's commands and options back."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

OTG = Path(sys.executable).with_name("otg")


def _otg(**env: str) -> str:
    done = subprocess.run(
        [str(OTG)],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout


@pytest.mark.parametrize(
    ("shell", "marker"), [("bash", "complete -o nosort -F"), ("zsh", "#compdef otg"), ("fish", "")]
)
def test_each_shell_gets_a_script(shell, marker):
    script = _otg(_OTG_COMPLETE=f"{shell}_source")
    assert "_otg_completion" in script and marker in script
    page = (ROOT / "docs" / "reference" / "commands.md").read_text(encoding="utf-8")
    assert f"_OTG_COMPLETE={shell}_source otg" in page


def test_commands_and_options_complete():
    jobs = _otg(_OTG_COMPLETE="bash_complete", COMP_WORDS="otg jobs ru", COMP_CWORD="2")
    assert jobs.split() == ["plain,run", "plain,run-once"]
    sync = _otg(_OTG_COMPLETE="bash_complete", COMP_WORDS="otg sync --dr", COMP_CWORD="2")
    assert sync.split() == ["plain,--dry-run"]
