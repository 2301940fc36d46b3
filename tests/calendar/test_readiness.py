"""Organisers hear about their cards (issue 15, part 7): `otg events` lists the upcoming events and
what each lacks; the nightly sync comments on a Confirmed card once per lack and attaches the
calendar link once (both opt-in, both with an intent recorded first)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import requests

import jobs.sync
from cli import main
from config import load_config
from config.calendar import CalendarConfig
from sync.calendar.readiness import upcoming
from sync.dates import zone
from sync.model import Role
from sync.state.store import State
from sync.trello.parse import parse_board
from tests.fakes.kept_boards import BOARD_ID, card_id, export, write
from tests.fakes.trello import FakeClock, FakeTrello

NOW = datetime(2026, 12, 1, 2, tzinfo=UTC)
MEMBER = {"id": "5f00000000000000000e0001", "fullName": "Ada Lovelace", "username": "ada"}
SIGNUP = {"id": "5f00000000000000000f0001", "name": "Sign up", "url": "https://ti.to/otg/camp"}


def board() -> dict:
    cards = [
        {"list": "Confirmed", "name": "Breakfast with no date"},
        {
            "list": "Confirmed",
            "name": "Camp with gaps",
            "start": "2026-12-10T09:00:00.000Z",
            "due": "2026-12-10T17:00:00.000Z",
        },
        {
            "list": "Planning",
            "name": "Planning meetup",
            "start": "2026-12-05T18:00:00.000Z",
        },
        {
            "list": "Confirmed",
            "name": "Ready unconference",
            "start": "2026-12-03T09:00:00.000Z",
            "locationName": "Leeds Library",
            "idMembers": [MEMBER["id"]],
            "attachments": [SIGNUP],
        },
        {
            "list": "Confirmed",
            "name": "Held last month",
            "start": "2026-11-03T09:00:00.000Z",
        },
    ]
    data = export(["Planning", "Confirmed", "Done"], cards, name="Spinoff events")
    data["members"] = [MEMBER]
    data["checklists"] = [
        {
            "id": "5f0000000000000000c10001",
            "idCard": card_id(2),
            "name": "To do",
            "checkItems": [
                {"id": "i1", "name": "Book room", "state": "incomplete", "pos": 1}
                | {"due": "2026-12-04T12:00:00.000Z"},
                {"id": "i2", "name": "Send thanks", "state": "incomplete", "pos": 2}
                | {"due": "2026-12-12T12:00:00.000Z"},
                {"id": "i3", "name": "Order tea", "state": "complete", "pos": 3}
                | {"due": "2026-12-04T12:00:00.000Z"},
            ],
        }
    ]
    return data


def test_what_each_upcoming_event_lacks():
    events = parse_board(board(), role=Role.EVENTS, source="x")
    found = upcoming([events], CalendarConfig(domain="oneteamgov.uk"), zone("Europe/London"), NOW)
    assert [(u.card.name, [lack.kind for lack in u.lacks]) for u in found] == [
        ("Breakfast with no date", ["date", "signup", "organiser"]),
        ("Ready unconference", []),
        ("Planning meetup", ["place", "signup", "organiser"]),
        ("Camp with gaps", ["place", "signup", "organiser", "checklist"]),
    ]
    assert found[-1].lacks[-1].text == (
        "1 checklist item due before the event still open: Book room"
    )


def export_config(tmp_path, write_config):
    write(tmp_path / "events.json", board())
    return write_config("""
        state_db = "state.db"
        [boards.events]
        role = "events"
        source = "events.json"
    """)


def test_otg_events_lists_them_as_text_and_json(tmp_path, write_config, runner, monkeypatch):
    monkeypatch.setenv("OTG_NOW", NOW.isoformat())
    path = export_config(tmp_path, write_config)
    result = runner.invoke(main, ["events", "--config", str(path)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "(no date)              Breakfast with no date (Confirmed)"
    assert lines[1].strip().startswith("lacks no usable date: has no date")
    assert "Thu 03 Dec 2026 09:00  Ready unconference (Confirmed)" in lines
    assert lines[-1] == "4 upcoming events; 3 lacking something."
    data = json.loads(runner.invoke(main, ["events", "--config", str(path), "--json"]).output)
    assert [e["title"] for e in data["events"]][:2] == [
        "Breakfast with no date",
        "Ready unconference",
    ]
    assert data["events"][1]["start"] == "2026-12-03T09:00:00+00:00"
    assert data["events"][3]["lacks"][3]["kind"] == "checklist" and data["errors"] == []


@pytest.fixture
def fake(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr("sync.http.monotonic", clock.now)
    monkeypatch.setattr("sync.http.pause", clock.sleep)
    fake = FakeTrello(clock=clock)
    fake.add_board(board())
    monkeypatch.setenv("TRELLO_API_KEY", fake.key)
    monkeypatch.setenv("TRELLO_TOKEN", fake.token)
    with fake.running():
        yield fake


def api_config(write_config, extra: str) -> str:
    return str(
        write_config(f"""
        state_db = "state.db"
        [boards.events]
        role = "events"
        source = "trello:{BOARD_ID}"
        [calendar]
        domain = "oneteamgov.uk"
        {extra}
    """)
    )


COMMENTS = r"/1/cards/.*/actions/comments"
ATTACHMENTS = r"/1/cards/.*/attachments"


def sync(path, **kwargs):
    cfg = load_config(path)
    with State(cfg.state_db) as state:
        return jobs.sync.run(cfg, state, now=NOW, **kwargs)


def test_nothing_is_said_on_cards_unless_asked(fake, write_config):
    sync(api_config(write_config, ""))
    assert fake.count("POST", COMMENTS) == 0 and fake.count("POST", ATTACHMENTS) == 0


def test_a_confirmed_card_is_told_each_lack_once(fake, write_config):
    path = api_config(write_config, "comment_problems = true")
    dry = sync(path, dry_run=True)
    assert len([o for o in dry.outcomes if o.kind == "comment" and o.status == "planned"]) == 7
    assert fake.count("POST", COMMENTS) == 0
    report = sync(path)
    said = {(o.title, o.detail.split(":")[0]) for o in report.outcomes if o.kind == "comment"}
    assert said == {
        ("Breakfast with no date", "no usable date"),
        ("Breakfast with no date", "no sign-up link"),
        ("Breakfast with no date", "no organiser"),
        ("Camp with gaps", "no place"),
        ("Camp with gaps", "no sign-up link"),
        ("Camp with gaps", "no organiser"),
        ("Camp with gaps", "1 checklist item due before the event still open"),
    }
    assert fake.count("POST", COMMENTS) == 7
    text = fake.export(BOARD_ID)["actions"][0]["data"]["text"]
    assert text.startswith("otg-sync: this confirmed event has ")
    again = sync(path)
    assert not [o for o in again.outcomes if o.kind == "comment"]
    assert fake.count("POST", COMMENTS) == 7


def test_the_calendar_link_is_attached_once_even_after_a_lost_answer(fake, write_config):
    path = api_config(
        write_config,
        'event_link = "https://events.oneteamgov.uk/e/{uid}"',
    )
    fake.fail_after_apply("POST", ATTACHMENTS, requests.ConnectionError("lost"))
    first = sync(path)
    linked = [o for o in first.outcomes if o.kind == "attach"]
    assert sorted((o.title, o.status) for o in linked) == [
        ("Camp with gaps", "failed"),
        ("Held last month", "done"),
        ("Planning meetup", "done"),
        ("Ready unconference", "done"),
    ]
    second = sync(path)  # the board read shows the link there: the intent is settled
    assert [o.title for o in second.outcomes if o.kind == "attach"] == []
    with State(load_config(path).state_db) as state:
        assert next((i.status, i.result) for i in state.intents("trello-attachment")) == (
            "done",
            {"found": True},
        )
    assert fake.count("POST", ATTACHMENTS) == 4  # the lost answer's was found, not doubled
    camp = fake.card(card_id(2))
    assert [a["url"] for a in camp["attachments"]] == [
        f"https://events.oneteamgov.uk/e/trello-{card_id(2)}@oneteamgov.uk"
    ]
    assert camp["attachments"][0]["name"] == "On the events calendar"
    assert not [o for o in sync(path).outcomes if o.kind == "attach"]


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ('"caldav"', '"caldav" needs a [calendar.caldav] table'),
        ('"https://example.org/events"', 'is not "caldav" or a web address with {uid}'),
    ],
)
def test_a_bad_event_link_is_a_config_error(write_config, runner, value, said):
    path = api_config(write_config, f"event_link = {value}")
    result = runner.invoke(main, ["check", "--config", path])
    assert result.exit_code == 2 and said in result.output
