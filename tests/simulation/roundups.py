"""The roundups of the simulation: the scheduler's roundup job run as it runs nightly (its
fortnightly slot, Wednesdays at 08:00 local time; and once more at the end, as `otg jobs run-once
roundup`), each covering from the end of the last drafted period to now and drafted to the drafts
folder; and the check against what the drafted roundups actually say.

What each roundup says is read from its Markdown (the bundled template): the team news, the
microactions done, the events held and the posts published, by title, mapped to cards by the
names the cards had when it was drafted. What was truly done or held, and when, is what the
simulation knows it did (``Truth``): the microactions people moved to Done and the posts they
published (at the simulated moment), and the event cards whose end passed while they were in
Planning or Confirmed, not archived, when the roundup was drafted. Then, over all the roundups:

- every item truly done, held or published in a drafted period appears in that period's roundup;
  a microaction whose time the product only estimates is left out and *said* ("N more done before
  the board's history begins"), so a missing one is excused by that count alone;
- nothing appears that was not done, held or published in its roundup's period;
- no item appears in two roundups.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pytest

from config.jobs import JobConfig
from jobs.runners import RUNNERS
from jobs.scheduler import JobScheduler
from jobs.timetable import local_at, runs_on
from sync.content.markdown_html import escape_text
from sync.roundup.period import drafted_period
from sync.roundup.targets import TARGET as ROUNDUPS
from sync.state.store import State
from tests.world import EVENT_LIST_IDS, EVENTS_BOARD, World

HELD_LISTS = {EVENT_LIST_IDS["Planning"], EVENT_LIST_IDS["Confirmed"]}
SECTIONS = {
    "## The team and admin": "team",
    "## Microactions": "microactions",
    "Held in the last": "held",
    "Happening now:": "",
    "Coming up:": "",
    "## What we have written": "posts",
    "## News from elsewhere": "",
}
LEFT_OUT = re.compile(r"(\d+) more done before the board's history begins")


@dataclass
class Drafted:
    """One roundup the job drafted: its period, when, its text, and the cards it names."""

    start: datetime
    end: datetime
    made_at: datetime
    text: str
    said: dict[str, list[str]]  # section → card ids, in order ("?title" for one no card had)
    left_out: int  # microactions it says were left out for want of a known time
    held: set[str]  # event cards truly held in its period, as the boards were when drafted
    maybe_held: set[str]  # event cards whose end fell in its period, in any list


@dataclass
class Truth:
    """What people did, and when: card id → the moment."""

    done: dict[str, datetime] = field(default_factory=dict)  # microactions moved to Done
    published: dict[str, datetime] = field(default_factory=dict)  # content cards' posts


def roundup_job(world: World) -> JobConfig:
    return next(job for job in world.config().jobs if job.name == "roundup")


def scheduled_roundup(world: World, monkeypatch: pytest.MonkeyPatch) -> Drafted | None:
    """The roundup job at its slot today, when today is its day and the slot is still ahead."""
    cfg = world.config()
    job = roundup_job(world)
    today = world.now.astimezone(cfg.tz).date()
    slot = local_at(today, job.time, cfg.tz)
    if not runs_on(job, today) or slot <= world.now:
        return None
    world.later(seconds=(slot - world.now).total_seconds())
    return run_roundup(world, monkeypatch, scheduled=True)


def run_roundup(
    world: World, monkeypatch: pytest.MonkeyPatch, *, scheduled: bool
) -> Drafted | None:
    """The scheduler's roundup job, now (at its slot, or as `otg jobs run-once roundup`): the
    roundup it drafted, or None when it drafted none (a board unread, say)."""
    cfg = world.config()
    with State(world.state_db) as state:
        before = set(state.items(ROUNDUPS))
    with monkeypatch.context() as patch:
        patch.setattr("sync.dates.now_utc", lambda: world.now)
        scheduler = JobScheduler(cfg, RUNNERS, now=lambda: world.now, sleep=lambda _: None)
        outcome = scheduler.run_job(roundup_job(world), scheduled=scheduled)
    with State(world.state_db) as state:
        made = {k: r for k, r in state.items(ROUNDUPS).items() if k not in before}
    assert len(made) <= 1, made
    if not made:
        assert outcome != "ok", "the roundup job said ok and drafted nothing"
        return None
    [record] = made.values()
    period = drafted_period(record.data, cfg.tz)
    assert period is not None and period.start and period.end, record.data
    return _read(world, Path(record.data["where"]), period.start, period.end)


def _read(world: World, path: Path, start: datetime, end: datetime) -> Drafted:
    text = path.read_text(encoding="utf-8")
    names: dict[str, list[str]] = {}
    for card in world.cards():
        key = escape_text(" ".join(card["name"].split()))
        names.setdefault(key, []).append(card["id"])
    said: dict[str, list[str]] = {"team": [], "microactions": [], "held": [], "posts": []}
    section = ""
    for line in text.splitlines():
        heading = next((SECTIONS[h] for h in SECTIONS if line.startswith(h)), None)
        if heading is not None:
            section = heading
        elif line.startswith("## "):
            section = ""
        elif section and line.startswith("- "):
            said[section].append(_card_named(line[2:], section, names))
    found = LEFT_OUT.search(text)
    held, maybe = set(), set()
    for card in world.trello.export(EVENTS_BOARD)["cards"]:
        due = card.get("due") and datetime.fromisoformat(card["due"].replace("Z", "+00:00"))
        if due and start < due <= end and card["idList"] != EVENT_LIST_IDS["Cancelled"]:
            maybe.add(card["id"])
            if card["idList"] in HELD_LISTS and not card.get("closed"):
                held.add(card["id"])
    return Drafted(
        start, end, world.now, text, said, int(found.group(1)) if found else 0, held, maybe
    )


def _card_named(entry: str, section: str, names: dict[str, list[str]]) -> str:
    """The card an entry names: "Title (who)", "**Title**, when", "[Title](url)"."""
    if section == "held":
        entry = entry.removeprefix("**").split("**, ", 1)[0]
    elif section == "posts" and entry.startswith("["):
        entry = entry[1:].rsplit("](", 1)[0]
    best = max((key for key in names if entry == key or entry.startswith(key + " (")), key=len,
               default="")  # fmt: skip
    cards = names.get(best, [])
    assert len(cards) <= 1, f"{entry!r} names {len(cards)} cards: the check would guess"
    return cards[0] if cards else f"?{entry}"


def check_roundups(drafted: list[Drafted], truth: Truth, began: datetime) -> None:
    """Every item done, held or published in a drafted period appears in exactly that period's
    roundup (estimated times excepted, and said); nothing else appears; none appears twice.
    ``began``: when the simulation began; what a roundup lists from before it (the boards'
    own history) is checked for appearing once only."""
    assert drafted, "no roundup was drafted: the check would prove nothing"
    for earlier, later in itertools.pairwise(drafted):  # back to back: nothing falls between
        assert later.start == earlier.end, (earlier.end, later.start)
    seen: Counter[str] = Counter()
    problems = []
    for one in drafted:
        ids = {card for section in one.said.values() for card in section}
        seen.update(ids)
        where = f"roundup {one.start:%d %b %H:%M}–{one.end:%d %b %H:%M}"
        unknown = [card for card in ids if card.startswith("?")]
        problems += [f"{where} names no card: {card[1:]!r}" for card in unknown]
        done = {c for c, at in truth.done.items() if one.start <= at < one.end}
        published = {c for c, at in truth.published.items() if one.start <= at < one.end}
        missing_done = done - set(one.said["microactions"]) - set(one.said["team"])
        if len(missing_done) > one.left_out:
            problems.append(f"{where}: microactions done in it are missing: {missing_done}")
        if one.held - set(one.said["held"]):
            problems.append(f"{where}: events held are missing: {one.held - set(one.said['held'])}")
        if published - set(one.said["posts"]):
            problems.append(
                f"{where}: posts published are missing: {published - set(one.said['posts'])}"
            )
        # nothing else: a microaction people did at another time, an event not over in it
        others = {c for c, at in truth.done.items() if not one.start <= at < one.end}
        wrong = (set(one.said["microactions"]) | set(one.said["team"])) & others
        wrong |= set(one.said["held"]) - one.maybe_held
        wrong |= set(one.said["posts"]) & {
            c for c, at in truth.published.items() if not one.start <= at < one.end
        }
        if one.start >= began:  # all of its period simulated: people did all it lists
            wrong |= (set(one.said["microactions"]) | set(one.said["team"])) - set(truth.done)
            wrong |= set(one.said["posts"]) - set(truth.published)
        problems += [f"{where} lists {card}, not done or held in it" for card in wrong]
    twice = [card for card, n in seen.items() if n > 1 and not card.startswith("?")]
    problems += [f"{card} appears in {seen[card]} roundups" for card in twice]
    assert not problems, "\n".join(problems)
