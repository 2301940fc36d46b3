"""Inputs that used to end in "unexpected … please report it", hang or read forever (issue 20,
fix 7): each is now one line and a documented exit code, `otg check` has one FAIL line for the
board it concerns (and goes on with the others), and a config error quotes a short prefix of a
bad value, never the whole of it."""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli
from tests.conftest import DEMO_BOARDS

BASE = """\
timezone = "Europe/London"
state_db = "state.db"
output_dir = "out"

[boards.events]
role = "events"
source = "{events}"

[boards.microactions]
role = "microactions"
source = "{microactions}"

[calendar]
domain = "oneteamgov.uk"
feed = "events.ics"
"""


def otg(config: Path, *args: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(cli.main, ["--config", str(config), *args])
    return result.exit_code, result.output.splitlines()


def one_line_error(code: int, lines: list[str], exit_code: int) -> str:
    assert code == exit_code, lines
    text = "\n".join(lines)
    assert "Traceback" not in text and "unexpected" not in text, text
    return text


@pytest.fixture
def write(tmp_path: Path):
    def make(events: str = str(DEMO_BOARDS / "events.json"), extra: str = "") -> Path:
        path = tmp_path / "otg.toml"
        micro = DEMO_BOARDS / "microactions.json"
        path.write_text(BASE.format(events=events, microactions=micro) + extra)
        return path

    return make


def _export(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def sources(tmp_path: Path) -> dict[str, str]:
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    board = json.loads((DEMO_BOARDS / "events.json").read_text())
    deep = json.dumps(board).replace(
        '"cards": [', '"junk": ' + "[" * 1000 + "]" * 1000 + ', "cards": [', 1
    )
    return {
        "a FIFO": str(fifo),
        "/dev/zero": "/dev/zero",
        "/dev/urandom": "/dev/urandom",
        "1,000-deep arrays": _export(tmp_path, "deep.json", deep),
        # where the reader looks (one under a key it never reads is skipped: tests/trello/
        # test_schema.py)
        "a 5,000-digit number": _export(
            tmp_path, "big.json", json.dumps(board)[:-1] + ', "labelNames": ' + "9" * 5000 + "}"
        ),
    }


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    "what", ["a FIFO", "/dev/zero", "/dev/urandom", "1,000-deep arrays", "a 5,000-digit number"]
)
def test_a_board_source_no_export_is_one_line_and_check_fails_that_board_only(
    write, tmp_path, what
):
    config = write(events=sources(tmp_path)[what])
    code, lines = otg(config, "sync")
    text = one_line_error(code, lines, 1)
    assert any(x.startswith('failed: board "events":') for x in lines), text
    assert "microactions" in text  # the other board was read

    code, lines = otg(config, "check")
    assert code == 1, lines
    assert [x.split(":")[0] for x in lines if x.startswith("FAIL")] == ["FAIL board events"], lines
    assert any(x.startswith("ok  board microactions") for x in lines), lines


@pytest.mark.parametrize(
    ("extra", "said"),
    [
        ('state_db = "/"\n', 'state_db: "/" is a folder'),
        ('output_dir = "' + "x" * 1_000_000 + '"\n', "is too long (1,000,000 characters"),
        ('[roundup]\ntemplate = "' + "t/" * 3000 + '"\n', "is too long"),
        ("deep = " + "[" * 2000 + "]" * 2000 + "\n", "nested too deeply"),
        ('timezone = "' + "Europe/" * 20_000 + '"\n', "timezone"),
    ],
    ids=["state_db /", "a 1 MB output_dir", "a long template path", "deep TOML", "a long zone"],
)
def test_a_bad_config_value_is_one_short_line(write, extra, said):
    config = write()
    text = config.read_text()
    if extra.startswith(("state_db", "output_dir", "timezone")):  # replaces the key's line
        key = extra.split(" ", 1)[0]
        text = "\n".join(x for x in text.splitlines() if not x.startswith(key + " ")) + "\n"
        text = extra + text
    else:
        text = extra + text if extra.startswith("deep") else text + extra
    config.write_text(text)
    for command in ("check", "sync"):
        code, lines = otg(config, command)
        error = one_line_error(code, lines, 2)
        assert said in error and len(error) < 1000, error[:300]


def damage(db: Path) -> None:
    """Every page after the first overwritten: the header is intact, the rest is noise."""
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(db.read_bytes())
    noise = random.Random(1)
    for i in range(4096, len(data)):
        data[i] = noise.randrange(256)
    db.write_bytes(bytes(data))


def test_a_state_database_with_damaged_pages_is_one_line_everywhere(write, tmp_path):
    config = write()
    assert otg(config, "sync")[0] == 0
    damage(tmp_path / "state.db")
    for command in (["status"], ["ledger", "list"], ["sync", "--dry-run"], ["boards"], ["events"]):
        code, lines = otg(config, *command)
        error = one_line_error(code, lines, 2)
        assert "the state database cannot be read" in error and "malformed" in error, error
    code, lines = otg(config, "sync")
    assert "malformed" in one_line_error(code, lines, 1)
    code, lines = otg(config, "check")
    assert code == 1 and any(x.startswith("FAIL state:") and "damaged" in x for x in lines), lines


@pytest.fixture
def full_disk():
    # outside pytest's temporary folders: one left mounted by a killed run would break them
    folder = Path(tempfile.mkdtemp(prefix="otg-small-disk-"))
    mount, umount = shutil.which("mount"), shutil.which("umount")
    if mount is None or umount is None or os.geteuid() != 0:
        pytest.skip("needs root and mount to make a small disk")
    small = [mount, "-t", "tmpfs", "-o", "size=12k", "tmpfs", str(folder)]
    if subprocess.run(small, capture_output=True, check=False).returncode != 0:
        pytest.skip("tmpfs cannot be mounted here")
    try:
        with (folder / "fill").open("wb") as fill:
            try:
                fill.write(b"\0" * 2**20)
                fill.flush()
            except OSError:
                pass
        yield folder
    finally:
        done = subprocess.run([umount, str(folder)], capture_output=True, check=False)
        if done.returncode != 0:  # a file left open: detach it anyway, never leave a mount
            subprocess.run([umount, "-l", str(folder)], capture_output=True, check=False)
        shutil.rmtree(folder, ignore_errors=True)


def test_a_full_disk_at_the_first_page_is_the_disk_is_full(write, full_disk):
    config = write()
    config.write_text(config.read_text().replace('"state.db"', f'"{full_disk}/state/otg.db"'))
    code, lines = otg(config, "sync")
    error = one_line_error(code, lines, 1)
    assert "the disk is full" in error, error
