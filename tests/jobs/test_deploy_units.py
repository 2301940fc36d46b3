"""The deployment files in deploy/: the systemd units say what the README says, and
`systemd-analyze verify` accepts them where it is installed."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read(ROOT / "deploy" / name)
    return parser


def test_the_systemd_units_say_what_the_readme_says():
    service = _unit("otg-sync.service")
    assert service["Service"]["ExecStart"].endswith(" jobs run")
    assert service["Service"]["KillSignal"] == "SIGTERM"
    nightly = _unit("otg-sync-nightly.service")
    assert nightly["Service"]["Type"] == "oneshot" and " sync " in nightly["Service"]["ExecStart"]
    timer = _unit("otg-sync-nightly.timer")
    assert timer["Timer"]["OnCalendar"] == "*-*-* 02:00:00"
    assert timer["Timer"]["Persistent"] == "true"
    readme = (ROOT / "README.md").read_text()
    for name in ("otg-sync.service", "otg-sync-nightly.timer", "deploy/crontab"):
        assert name in readme


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
@pytest.mark.parametrize(
    "name", ["otg-sync.service", "otg-sync-nightly.service", "otg-sync-nightly.timer"]
)
def test_systemd_analyze_verifies_the_units(tmp_path, name):
    otg = Path(sys.executable).with_name("otg")
    for unit in ("otg-sync.service", "otg-sync-nightly.service", "otg-sync-nightly.timer"):
        text = (ROOT / "deploy" / unit).read_text()
        text = text.replace("/srv/otg-sync/.venv/bin/otg", str(otg))
        text = text.replace("User=otg", "User=root")
        text = text.replace("Group=otg", "Group=root")
        (tmp_path / unit).write_text(text)
    result = subprocess.run(
        [shutil.which("systemd-analyze") or "systemd-analyze", "verify", str(tmp_path / name)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    problems = [line for line in result.stderr.splitlines() if str(tmp_path) in line]
    assert result.returncode == 0 and not problems, result.stderr
