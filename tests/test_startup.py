"""A command imports what it uses: `otg --help` and `otg status` start without the calendar,
Medium, Jinja2 or HTTP code (they cost 0.2–0.3 s to import, a command's whole budget is 0.12 s),
and without the model, the report or the planners (a few ms each; status reads the config and
the state, nothing more)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

#: What only the commands that sync, draft or publish need.
HEAVY = (
    "icalendar",
    "jinja2",
    "feedparser",
    "markdown",
    "requests",
    "trello",
    "msgspec",
    "sync.calendar.caldav",
    "sync.trello.api",
    "jobs.sync",
    "jobs.inspect",
    "logging.handlers",  # only with --log-file (sync/log_file.py)
    "dotenv",  # only when there is a .env to read
    "importlib.resources",
)
#: What `otg --help`, `otg status` and `otg jobs list` do without too: the card types, the
#: report, the planners (``otg ledger list`` names the content planner's intents: it has them).
LOOKING_ONLY = (
    "sync.model",
    "sync.report",
    "sync.trello.done",
    "sync.content.plan",
    "sync.roundup.gather",
    "sync.roundup.targets",
)


def imported_after(args: list[str], cwd) -> list[str]:
    """The HEAVY and LOOKING_ONLY modules a fresh Python has imported after running `otg ARGS`
    in-process."""
    code = textwrap.dedent(f"""
        import json, sys
        import cli
        try:
            cli.main({args!r}, standalone_mode=False)
        except SystemExit:
            pass
        print(json.dumps(sorted(m for m in {[*HEAVY, *LOOKING_ONLY]!r} if m in sys.modules)))
    """)
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_help_imports_none_of_the_jobs(tmp_path):
    assert imported_after(["--help"], tmp_path) == []


@pytest.mark.parametrize("args", [["status"], ["jobs", "list"], ["ledger", "list"]])
def test_looking_commands_import_none_of_the_sync_code(tmp_path, args):
    (tmp_path / "otg.toml").write_text(
        'state_db = "state.db"\n[boards.e]\nrole = "events"\nsource = "e.json"\n'
        '[calendar]\ndomain = "x.example"\n',
        encoding="utf-8",
    )
    imported = imported_after(["--config", str(tmp_path / "otg.toml"), *args], tmp_path)
    allowed = LOOKING_ONLY if args == ["ledger", "list"] else ()
    assert [module for module in imported if module not in allowed] == []


#: What a quiet night (nothing new; export boards, a feed, a drafts folder; no [site], no
#: [calendar.caldav], no Medium feeds to read) does without: the templates, the feed's renderer,
#: CalDAV, the Trello client, HTTP.
QUIET_NIGHT_WITHOUT = (
    "jinja2",
    "icalendar",
    "recurring_ical_events",
    "defusedxml",
    "trello",
    "sync.trello.api",
    "sync.calendar.caldav",
    "sync.calendar.inbound",
    "requests",
    "sync.http",
    "feedparser",
)


def test_a_quiet_night_imports_only_what_it_uses(tmp_path):
    """Jinja2 is for the roundup's post and the static site, icalendar for a feed with something
    new in it, the CalDAV code for a calendar server, py-trello for API boards, HTTP for anything
    sent: a night on export boards with nothing new does without them all (some 0.15 s of a small
    night's 0.4 s)."""
    config = tmp_path / "otg.toml"
    subprocess.run(
        [sys.executable, "-m", "cli", "init", "--example", str(config)], cwd=tmp_path, check=True
    )
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('feeds = ["medium-feed.xml"]', ""), encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "cli", "--config", str(config), "-q", "sync"],
        cwd=tmp_path,
        check=True,
    )
    feed = (tmp_path / "out" / "events.ics").read_bytes()
    code = textwrap.dedent(f"""
        import json, sys
        import cli
        try:
            cli.main(["--config", {str(config)!r}, "-q", "sync"], standalone_mode=False)
        except SystemExit as exc:
            assert not exc.code, exc.code
        print(json.dumps([m for m in {list(QUIET_NIGHT_WITHOUT)!r} if m in sys.modules]))
    """)
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
    assert (tmp_path / "out" / "events.ics").read_bytes() == feed
