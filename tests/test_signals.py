"""SIGTERM in the middle of a real sync (a subprocess writing to a real Radicale): the run stops
after the item it is on, says so, records the run as interrupted, and the rerun converges with
nothing doubled."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime

from icalendar import Calendar

import jobs.sync
from config import load_config
from sync.state import State
from tests.conftest import ROOT
from tests.fakes.boards import synthetic_board
from tests.radicale_server import PASSWORD, USER, server_events


def uids(calendar_url: str) -> Counter[str]:
    found: Counter[str] = Counter()
    for _, text in server_events(calendar_url).values():
        for event in Calendar.from_ical(text).walk("VEVENT"):
            found[str(event["UID"])] += 1
    return found


def test_sigterm_mid_sync_stops_cleanly_and_the_rerun_converges(
    tmp_path, calendar_url, monkeypatch
):
    (tmp_path / "events.json").write_text(json.dumps(synthetic_board(150, role="events")))
    config = tmp_path / "otg.toml"
    config.write_text(f"""
state_db = "state.db"
[boards.events]
role = "events"
source = "events.json"
[calendar]
domain = "oneteamgov.uk"
[calendar.caldav]
url = "{calendar_url}"
username = "{USER}"
""")
    env = {**os.environ, "CALDAV_PASSWORD": PASSWORD}
    process = subprocess.Popen(
        [sys.executable, "-m", "cli", "--config", str(config), "sync"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 60
    while len(uids(calendar_url)) < 5:
        assert process.poll() is None, process.stdout.read()
        assert time.monotonic() < deadline, "the sync never started writing"
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 1, output
    assert "stopped by a signal: what was done is recorded; the next run picks up the rest" in (
        output
    )
    assert "Traceback" not in output
    written = uids(calendar_url)
    assert max(written.values()) == 1
    monkeypatch.setenv("CALDAV_PASSWORD", PASSWORD)
    cfg = load_config(config)
    with State(cfg.state_db) as state:
        assert state.runs()[0].status == "interrupted"
        assert len(state.items("caldav")) <= len(written)  # recorded only what was written
        events = len(state.items("events"))
        report = jobs.sync.run(cfg, state, now=datetime.now(UTC))
        assert report.ok, report.failures
        again = jobs.sync.run(cfg, state, now=datetime.now(UTC))
    final = uids(calendar_url)
    assert max(final.values()) == 1 and len(final) == len(state_events(cfg))
    assert len(final) >= events and len(final) > len(written)
    assert again.outcomes == [] and again.requests == {"caldav": 1}


def state_events(cfg) -> dict:
    with State(cfg.state_db) as state:
        return state.items("events")
