"""A community's day on the boards and the calendar, drawn from a seeded ``random.Random``.

Organisers create, move, rename, archive and delete event cards, and move content cards with a
description to "Ready for Medium"; people add events of their own to the calendar and edit the
title of one of ours there; Medium publishes drafts; people finish microactions (moved to Done,
drawn from a second generator, ``more``, so that the seeds' stories from before it stand). What
people did is remembered, so that the invariants can tell a user's change from one otg-sync made,
and when they finished a microaction or published a post (``truth``), so that the roundups can be
checked against it."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, timedelta

from sync.content.plan import TARGET as CONTENT
from sync.state.store import State
from tests.servers.radicale import put_event
from tests.simulation.roundups import Truth
from tests.world import CONTENT_BOARD, EVENT_LIST_IDS, EVENTS_BOARD, World

PUBLISHED_LISTS = ("Planning", "Confirmed")
MOVABLE = ("Inbox", "Planning", "Confirmed", "Cancelled")
#: The lists otg-sync may move a content card to, as the docs say (draft made, post published).
WRITE_BACK_LISTS = ("In Medium drafts", "Published")


def stamp(moment) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


@dataclass
class Community:
    world: World
    rng: random.Random
    seed: int
    #: card id → the list a person last put it in (cards people made or moved)
    placed: dict[str, str] = field(default_factory=dict)
    deleted: set[str] = field(default_factory=set)  # cards people deleted
    partner_uids: set[str] = field(default_factory=set)  # events people added on the calendar
    made: int = 0
    done: list[str] = field(default_factory=list)  # what happened, for a failure's story
    truth: Truth = field(default_factory=Truth)  # when microactions were done, posts published
    more: random.Random = field(init=False)  # the draws added later, apart from ``rng``

    def __post_init__(self) -> None:
        self.more = random.Random(f"{self.seed}/community")

    def day(self) -> None:
        """One to four things people do between two nights."""
        for _ in range(self.rng.randint(1, 4)):
            action = self.rng.choice(
                [
                    *(self.new_event, self.new_event, self.move, self.rename, self.archive),
                    *(self.delete, self.ready_for_medium, self.partner_event, self.publish),
                ]
            )
            action()
        if self.more.random() < 0.5:
            self.microaction_done()

    # -- the events board --------------------------------------------------------------------

    def cards(self, board: str = EVENTS_BOARD) -> list[dict]:
        return [
            c
            for c in self.world.trello.export(board)["cards"]
            if not c.get("closed") and c["id"] not in self.deleted
        ]

    def new_event(self) -> None:
        self.made += 1
        begin = self.world.now.replace(hour=18, minute=0, second=0, microsecond=0)
        begin += timedelta(days=self.rng.randint(2, 40))
        lst = self.rng.choice(MOVABLE[:3])
        card = self.world.trello.as_a_user(
            "POST",
            "/cards",
            idList=EVENT_LIST_IDS[lst],
            name=f"Sim {self.seed} event {self.made}",
            desc=f"Come along ({self.made}).",
            start=stamp(begin),
            due=stamp(begin + timedelta(hours=self.rng.randint(1, 3))),
        )
        self.placed[card["id"]] = EVENT_LIST_IDS[lst]
        self.done.append(f"new event card {card['name']} in {lst}")

    def _pick(self, board: str = EVENTS_BOARD) -> dict | None:
        cards = self.cards(board)
        return self.rng.choice(cards) if cards else None

    def move(self) -> None:
        card = self._pick()
        if card is not None:
            lst = self.rng.choice(MOVABLE)
            self.world.trello.as_a_user("PUT", f"/cards/{card['id']}", idList=EVENT_LIST_IDS[lst])
            self.placed[card["id"]] = EVENT_LIST_IDS[lst]
            self.done.append(f"moved {card['name']} to {lst}")

    def rename(self) -> None:
        card = self._pick()
        if card is not None:
            name = f"{card['name'].split(' (')[0]} ({self.rng.randint(1, 99)})"
            self.world.trello.as_a_user("PUT", f"/cards/{card['id']}", name=name)
            self.done.append(f"renamed {card['name']} to {name}")

    def archive(self) -> None:
        card = self._pick()
        if card is not None:
            self.world.trello.as_a_user("PUT", f"/cards/{card['id']}", closed=True)
            self.done.append(f"archived {card['name']}")

    def delete(self) -> None:
        card = self._pick()
        if card is not None and self.rng.random() < 0.5:
            self.world.trello.as_a_user("DELETE", f"/cards/{card['id']}")
            self.deleted.add(card["id"])
            self.done.append(f"deleted {card['name']}")

    # -- content and Medium ------------------------------------------------------------------

    def ready_for_medium(self) -> None:
        lists = {x["name"]: x["id"] for x in self.world.trello.export(CONTENT_BOARD)["lists"]}
        ideas = [
            c
            for c in self.cards(CONTENT_BOARD)
            if c["idList"] in (lists["Ideas"], lists["Drafting"]) and len(c["desc"]) > 40
        ]
        if ideas:
            card = self.rng.choice(ideas)
            ready = lists["Ready for Medium"]
            self.world.trello.as_a_user("PUT", f"/cards/{card['id']}", idList=ready)
            self.placed[card["id"]] = ready
            self.done.append(f"{card['name']} ready for Medium")

    def publish(self) -> None:
        medium = self.world.medium
        drafts = [p for p in medium.posts if p["id"] not in medium.published]
        if drafts:
            post = self.rng.choice(drafts)
            self.world.medium.publish(post["id"], self.world.now)
            self.done.append(f"published {post['title']}")
            with State(self.world.state_db) as state:  # the card the draft was made from
                made = [k for k, x in state.items(CONTENT).items() if x.remote_id == post["id"]]
            made += [c["id"] for c in self.cards(CONTENT_BOARD) if c["name"] == post["title"]]
            if made:
                self.truth.published.setdefault(made[0], self.world.now)

    # -- microactions ------------------------------------------------------------------------

    def microaction_done(self) -> None:
        board = self.world.trello.export(self.world.microactions)
        lists = {x["name"]: x["id"] for x in board["lists"]}
        todo = [
            c
            for c in board["cards"]
            if not c.get("closed") and c["idList"] in (lists["Ideas"], lists["Doing"])
        ]
        if todo:
            card = self.more.choice(todo)
            self.world.trello.as_a_user("PUT", f"/cards/{card['id']}", idList=lists["Done"])
            self.placed[card["id"]] = lists["Done"]
            self.truth.done[card["id"]] = self.world.now
            self.done.append(f"microaction {card['name']} done")

    # -- the calendar ------------------------------------------------------------------------

    def partner_event(self) -> None:
        self.made += 1
        uid = f"sim-{self.seed}-{self.made}@partner.example"
        begin = self.world.now + timedelta(days=self.rng.randint(3, 30))
        put_event(
            self.world.calendar_url,
            f"partner-{self.made}.ics",
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Partner//App//EN\r\nBEGIN:VEVENT\r\n"
            f"UID:{uid}\r\nDTSTAMP:20261120T100000Z\r\nDTSTART:{begin:%Y%m%dT%H%M00Z}\r\n"
            f"DURATION:PT2H\r\nSUMMARY:Partner meetup {self.made}\r\nEND:VEVENT\r\n"
            "END:VCALENDAR\r\n",
        )
        self.partner_uids.add(uid)
        self.done.append(f"partner event {uid}")
