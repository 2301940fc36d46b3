"""Calendar → events board: edits made on the calendar reach their cards
(``jobs/events/calendar_edits.py``), events people added on the calendar become cards (once), and
an imported event deleted there cancels its card (``jobs/events/calendar_imports.py``). Each
change to the board is written through ``jobs/events/board_writes.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from config import Config
from jobs.events.board_writes import BoardWrites
from jobs.events.calendar_edits import adopt_etag, edit_card
from jobs.events.calendar_imports import cancel_deleted, import_events
from sync.calendar.caldav import CalDavClient, Resource
from sync.calendar.caldav_target import TARGET as CALDAV
from sync.calendar.ical_read import Unreadable, read_event
from sync.calendar.inbound import FOREIGN, IMPORTED, classify, to_fetch
from sync.calendar.plan import EventChange
from sync.model import Board
from sync.report import Outcome, Report, plural
from sync.state.records import SyncedItem
from sync.state.store import State

if TYPE_CHECKING:  # the Trello client, for types: a night on export files needs none
    from sync.trello.api import TrelloApi


@dataclass
class Inbound:
    cfg: Config
    state: State
    client: CalDavClient
    report: Report
    trello: Callable[[], TrelloApi]
    dry_run: bool
    now: datetime
    #: card id → the fields edited on the calendar where the board won: to be put back
    put_back: dict[str, tuple[str, ...]] = field(default_factory=dict)
    bodies: dict[str, Resource] = field(default_factory=dict)  # the events fetched this run

    def run(
        self, server: dict[str, Resource], boards: list[Board], changes: list[EventChange]
    ) -> frozenset[str]:
        """Bring calendar-side news to the board. Returns the cards whose events the outbound
        sync must leave alone this run."""
        writes = BoardWrites(self.cfg, self.state, self.report, self.trello, self.dry_run, self.now)
        ours = self.state.items(CALDAV)
        imported = self.state.items(IMPORTED)
        # imports recorded halfway by an older version (the card's row, not its event's): the
        # partner's event is found again at its href and recorded as this card's, never copied
        orphans = {
            k: i.data["href"]
            for k, i in imported.items()
            if i.status != "deleted" and k not in ours and i.data.get("href") in server
        }
        hrefs = sorted({*to_fetch(server, ours, self.state.items(FOREIGN)), *orphans.values()})
        bodies = self.bodies = self.client.fetch(hrefs) if hrefs else {}
        for card_id, href in orphans.items():
            item = self.readopt(card_id, imported[card_id], href, bodies.get(href))
            if item is not None:
                ours[card_id] = item
        found = classify(
            server,
            ours,
            bodies,
            imported_uids=[i.remote_id for i in imported.values()],
            tz=self.cfg.tz,
            now=self.now,
            default_minutes=self.cfg.calendar.default_duration_minutes,
        )
        cards = {card.id: (board, card) for board in boards for card in board.cards}
        writes.read_ids = {board.id for board in boards if board.read_whole}
        by_card = {change.card_id: change for change in changes}
        hold = {
            k
            for k, item in imported.items()
            if item.status == "deleted" or item.data.get("recurring")
        }
        for card_id, etag in found.etags.items():
            adopt_etag(writes, ours[card_id], etag, found.seen.get(card_id))
        for edit in found.edits:
            if edit_card(writes, edit, cards.get(edit.card_id), by_card.get(edit.card_id)):
                if not self._agreed(edit):  # applied and agreed: the card's own change goes on
                    hold.add(edit.card_id)
            else:
                self.put_back[edit.card_id] = edit.fields
        for card_id in found.deleted:
            if card_id in imported and imported[card_id].status != "deleted":
                cancel_deleted(writes, card_id, imported[card_id], cards.get(card_id))
                hold.add(card_id)
        for problem in found.unreadable:
            self.report.warnings.append(
                f"calendar: the event at {problem.href} cannot be read "
                f"({problem.reason}); left alone"
            )
        for event, why in found.passed_over:  # fetched only when new or changed: said once
            self.report.outcomes.append(
                Outcome(
                    "skip", "trello", event.uid, event.summary, f"not imported: {why}", "skipped"
                )
            )
        import_events(writes, found.new, boards)
        hold |= writes.imported_now  # the planner has not seen these cards yet: next run
        if writes.not_made:
            self.report.failures.append(
                f"calendar → board: stopped before {plural(writes.not_made, 'change')}; "
                "the next sync makes them"
            )
        if not self.dry_run:
            for href, (etag, why) in found.ignored.items():
                self.state.put_item(
                    SyncedItem(FOREIGN, href, remote_id=href, etag=etag, status=why)
                )
        return frozenset(hold)

    def readopt(
        self, card_id: str, imported: SyncedItem, href: str, body: Resource | None
    ) -> SyncedItem | None:
        """The calendar event a card was imported from, recorded as the card's event again (as
        the import would have), when it is there with the same UID."""
        if body is None:
            return None
        cfg = self.cfg
        event = read_event(
            href,
            body.data or "",
            tz=cfg.tz,
            now=self.now,
            default_minutes=cfg.calendar.default_duration_minutes,
        )
        if isinstance(event, Unreadable) or event.uid != imported.remote_id:
            return None
        item = SyncedItem(
            CALDAV,
            card_id,
            href,
            None,
            0,
            body.etag,
            "live",
            {"summary": event.summary, "seen": event.fields(), "imported": True},
        )
        if not self.dry_run:
            self.state.put_item(item)
        return item

    def _agreed(self, edit) -> bool:
        """Whether the calendar's edit is now on its card and agreement recorded (not a dry
        run, no failure): then a change the card made meanwhile is written this same run."""
        item = None if self.dry_run else self.state.item(CALDAV, edit.card_id)
        return item is not None and item.etag == edit.etag
