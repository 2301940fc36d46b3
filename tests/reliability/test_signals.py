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
from sync.state.store import State
from tests.conftest import ROOT
from tests.fakes.boards import synthetic_board
from tests.servers.radicale import PASSWORD, USER, server_events


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
    assert process.returncode == 143, output  # 128 + SIGTERM, as a shell reports a signal
    assert output.startswith(
        "stopping after the current step (SIGTERM); send it again to stop now\n"
    )
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


# -- Ctrl-C and SIGTERM on a run that is waiting: prompt, one line, 130 or 143 ------------------

STOPPING = "stopping after the current step; Ctrl-C again to stop now"
STOPPING_TERM = "stopping after the current step (SIGTERM); send it again to stop now"


def trello_config(tmp_path):
    config = tmp_path / "otg.toml"
    config.write_text(
        'state_db = "state.db"\n[boards.events]\nrole = "events"\nsource = "trello:AbCd1234"\n'
    )
    return config


def start(tmp_path, mood: str, *args: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "TRELLO_API_KEY": "k" * 32,
        "TRELLO_TOKEN": "t" * 64,
        "OTG_FAKE_TRELLO": mood,
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.reliability.signal_child",
            "--config",
            str(trello_config(tmp_path)),
            *args,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(process: subprocess.Popen, text: str) -> str:
    """Read stderr until a line holds ``text``; everything read so far."""
    seen = ""
    while text not in seen:
        line = process.stderr.readline()
        assert line, f"the process ended before saying {text!r}: {seen}"
        seen += line
    return seen


def stop(process: subprocess.Popen, sig: int) -> tuple[str, str, float]:
    started = time.monotonic()
    process.send_signal(sig)
    out, err = process.communicate(timeout=60)
    return out, err, time.monotonic() - started


def last_run_status(tmp_path) -> str:
    with State(tmp_path / "state.db") as state:
        return state.runs()[0].status


def test_ctrl_c_during_a_backoff_wait_stops_at_once_with_130(tmp_path):
    """Trello answers 429: the sync waits 10 s or more before each retry. Ctrl-C does not sleep
    through it: one line says it is stopping, the run is recorded as interrupted, exit 130."""
    process = start(tmp_path, "429", "-v", "sync")
    before = wait_for(process, "429 rate limited; retry 1/")
    out, err, took = stop(process, signal.SIGINT)
    assert took < 5, f"took {took:.1f}s to stop"
    assert process.returncode == 130, before + err
    assert err.count(STOPPING) == 1 and err.startswith(STOPPING), err
    assert "Traceback" not in before + err
    assert "stopped by a signal: what was done is recorded; the next run picks up the rest" in err
    assert out.splitlines()[-1].endswith("failed (run 1).")  # the report, its failures on stderr
    assert last_run_status(tmp_path) == "interrupted"


def test_sigterm_on_run_once_does_not_retry_the_job_and_exits_143(tmp_path):
    """The scheduler retries a job that failed for a transient reason; not one that was told to
    stop, and it never says it will."""
    process = start(tmp_path, "429", "-v", "jobs", "run-once", "sync")
    before = wait_for(process, "429 rate limited; retry 1/")
    out, err, took = stop(process, signal.SIGTERM)
    assert took < 5, f"took {took:.1f}s to stop"
    assert process.returncode == 143, before + err
    assert out == "sync: interrupted\n"
    assert STOPPING_TERM in err
    assert "transient failure" not in before + err and "retry 2/" not in err
    assert "Traceback" not in before + err
    assert last_run_status(tmp_path) == "interrupted"


def test_a_second_ctrl_c_stops_now_even_mid_request(tmp_path):
    """A request that hangs is not cut short by the first Ctrl-C (the step finishes); the second
    one stops at once, and the run is still recorded as interrupted, not left running."""
    process = start(tmp_path, "hang", "sync")
    wait_for(process, "fake trello: hanging")
    process.send_signal(signal.SIGINT)
    assert wait_for(process, STOPPING)
    time.sleep(0.5)
    assert process.poll() is None  # the step it is on goes on
    _, err, took = stop(process, signal.SIGINT)
    assert took < 5, f"took {took:.1f}s to stop"
    assert process.returncode == 130, err
    assert err.strip() == (
        "stopped now: what was done is recorded; the next run picks up the rest (see `otg status`)"
    )
    assert last_run_status(tmp_path) == "interrupted"
