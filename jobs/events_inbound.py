"""Calendar → events board: edits made on the calendar reach their cards, events people added on
the calendar become cards (once), and an imported event deleted there cancels its card.

Creating a card or a comment is not idempotent on Trello, so each is recorded as an intent first.
Before any card is created again, the board (read afresh at the start of every run) is searched
for the event's marker, ``otg-uid: <UID>``, which every imported card carries in its description.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

from config import Config
from sync.caldav import CalDavClient, Resource
from sync.caldav_target import TARGET as CALDAV
from sync.caldav_target import TIMES, agreed
from sync.calendar_inbound import (
    FOREIGN,
    IMPORTED,
    Edit,
    NewEvent,
    calendar_wins,
    card_changed,
    classify,
    to_fetch,
)
from sync.calendar_plan import TARGET as EVENTS
from sync.calendar_plan import EventChange, Imported, plan_card
from sync.errors import OtgError, StateError
from sync.event_cards import (
    DESC_LIMIT,
    MARKER,
    STATE_FOR_STATUS,
    card_description,
    comment_once,
    import_board,
    list_for,
    list_named,
    marker_of,
    trello_dates,
)
from sync.events import time_fields
from sync.model import Board, Card, CustomField
from sync.report import Outcome, Report, plural
from sync.state import State, SyncedItem
from sync.stopping import stop_requested
from sync.trello_api import TrelloApi

log = logging.getLogger(__name__)


def imported_events(state: State) -> dict[str, Imported]:
    """Cards made from calendar events, for the planner: card id → the event's identity."""
    return {
        card_id: Imported(
            item.remote_id or "", item.data.get("status", "CONFIRMED"), item.data.get("sequence", 0)
        )
        for card_id, item in state.items(IMPORTED).items()
    }


@dataclass
class Inbound:
    cfg: Config
    state: State
    client: CalDavClient
    report: Report
    trello: Callable[[], TrelloApi]
    dry_run: bool
    now: datetime
    imported_now: set[str] = field(default_factory=set)  # cards made (or found) this run
    #: card id → the fields edited on the calendar where the board won: to be put back
    put_back: dict[str, tuple[str, ...]] = field(default_factory=dict)
    bodies: dict[str, Resource] = field(default_factory=dict)  # the events fetched this run
    read_ids: set[str] = field(default_factory=set)  # the events boards read this run
    not_made: int = 0  # changes for the board left for the next run: a stop was requested

    def run(
        self, server: dict[str, Resource], boards: list[Board], changes: list[EventChange]
    ) -> frozenset[str]:
        """Bring calendar-side news to the board. Returns the cards whose events the outbound
        sync must leave alone this run."""
        ours = self.state.items(CALDAV)
        imported = self.state.items(IMPORTED)
        hrefs = to_fetch(server, ours, self.state.items(FOREIGN))
        bodies = self.bodies = self.client.fetch(hrefs) if hrefs else {}
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
        self.read_ids = {board.id for board in boards}
        by_card = {change.card_id: change for change in changes}
        hold = {
            k
            for k, item in imported.items()
            if item.status == "deleted" or item.data.get("recurring")
        }
        for card_id, etag in found.etags.items():
            self._adopt_etag(ours[card_id], etag)
        for edit in found.edits:
            if self._edit(edit, cards.get(edit.card_id), by_card.get(edit.card_id)):
                hold.add(edit.card_id)
        for card_id in found.deleted:
            if card_id in imported and imported[card_id].status != "deleted":
                self._deleted(card_id, imported[card_id], cards.get(card_id))
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
        self._import(found.new, boards)
        hold |= self.imported_now  # the planner has not seen these cards yet: next run
        if self.not_made:
            self.report.failures.append(
                f"calendar → board: stopped before {plural(self.not_made, 'change')}; "
                "the next sync makes them"
            )
        if not self.dry_run:
            for href, (etag, why) in found.ignored.items():
                self.state.put_item(
                    SyncedItem(FOREIGN, href, remote_id=href, etag=etag, status=why)
                )
        return frozenset(hold)

    # -- edits made on the calendar ----------------------------------------------------------

    def _adopt_etag(self, item: SyncedItem, etag: str | None) -> None:
        if not self.dry_run:
            self.state.put_item(
                SyncedItem(
                    item.target,
                    item.key,
                    item.remote_id,
                    item.hash,
                    item.sequence,
                    etag,
                    item.status,
                    item.data,
                )
            )

    def _edit(
        self, edit: Edit, found: tuple[Board, Card] | None, change: EventChange | None
    ) -> bool:
        if not self.dry_run and stop_requested():
            self.not_made += 1  # left on the calendar for the next run to decide and apply
            return True
        title, what = edit.event.summary, ", ".join(edit.fields)
        board, card = found if found else (None, None)
        if found is None and self._on_unread_board(edit.card_id):
            # the card is not gone: its board could not be read. Putting the board's version
            # back would lose the edit, so it waits (the next run fetches it again)
            self.report.warnings.append(
                f'calendar: "{title}" was edited on the calendar ({what}), but its board could '
                "not be read this run: left for the next sync"
            )
            return True
        if board is None or card is None or board.read_only:
            where = f'board "{board.name}" is an export file' if board else "its card is gone"
            self.report.warnings.append(
                f'calendar: "{title}" was edited on the calendar ({what}),'
                f" but {where}: the board's version is put back"
            )
            self.put_back[edit.card_id] = edit.fields
            return False
        # the card's event now: planned this run, or recorded by a run that could not write
        # the calendar (a stop, the server down), so a change not yet written still counts
        record = change.record if change and change.record else self.state.item(EVENTS, card.id)
        both = card_changed(edit, record, self.state.item(CALDAV, card.id))
        wins = calendar_wins(edit, both, card, self.cfg.calendar.conflict)
        if both:
            winner = "the calendar" if wins else "the board"
            self.report.outcomes.append(
                Outcome(
                    "conflict",
                    "calendar",
                    card.id,
                    title,
                    f"changed on both sides ({what} on the calendar); {winner} wins "
                    f"(calendar.conflict = {self.cfg.calendar.conflict})",
                    status="planned" if self.dry_run else "done",
                )
            )
        if not wins:
            self.put_back[edit.card_id] = edit.fields
            return False
        targets = self._time_targets(edit, board, card)
        if isinstance(targets, str):
            # the card cannot take the new times where its event reads them: recording
            # agreement would lose the edit, and putting the board's version back would too
            self.report.warnings.append(
                f'calendar: the event of card "{card.name}" was edited on the calendar ({what}), '
                f"but {targets}; the edit waits for the next sync"
            )
            return True
        shape = self._cannot_take(edit, card)
        if shape:
            # applying it would record agreement with an event the card does not make: the
            # feed would keep the card's shape and the calendar the edit, each sure of its own
            self.report.warnings.append(
                f'calendar: the event of card "{card.name}" was edited on the calendar ({what}), '
                f"but {shape}; the edit waits for the next sync"
            )
            return True
        names = [f'"{field.name}"' for field in targets.values()]
        into = f" (times into custom field{'s' if len(names) > 1 else ''} {', '.join(names)})"
        self._write(
            Outcome(
                "update",
                "trello",
                card.id,
                card.name,
                f"edited on the calendar: {what}{into if names else ''}",
                fields=list(edit.fields),
            ),
            lambda: self._apply_edit(edit, board, card, targets),
        )
        return True

    def _time_targets(self, edit: Edit, board: Board, card: Card) -> dict[str, CustomField] | str:
        """Where edited times go on the card: ``start``/``due`` → the date custom field the
        event reads that time from (``calendar.start_field``/``end_field``); a time not named
        here goes to the card's own start or due. A reason instead when a field cannot be
        written, so the edit is neither applied halfway nor recorded as agreed."""
        if not set(TIMES) & set(edit.fields):
            return {}
        start_field, end_field = time_fields(card, self.cfg.calendar)
        if start_field and start_field == end_field:
            return (
                f'calendar.start_field and calendar.end_field are both "{start_field}", which '
                "holds one time, not a start and an end: set calendar.end_field to another date "
                'field (or "" for the card\'s due)'
            )
        targets: dict[str, CustomField] = {}
        for key, name, setting in (
            ("start", start_field, "calendar.start_field"),
            ("due", end_field, "calendar.end_field"),
        ):
            if not name:
                continue
            found = [f for f in board.custom_fields if f.name == name and f.type == "date"]
            if len(found) != 1:
                has = f"{len(found)} date fields" if found else "no date field"
                return (
                    f"its {'start' if key == 'start' else 'end'} comes from the custom field "
                    f'"{name}" ({setting}) and board "{board.name}" has {has} of that name: '
                    f"keep one date field of that name on the board, or change {setting}"
                )
            targets[key] = found[0]
        return targets

    def _cannot_take(self, edit: Edit, card: Card) -> str | None:
        """Why the card cannot take the edit's times, if so: its all-day label or checkbox
        makes its event all-day whatever its times, and the calendar made the event timed."""
        if edit.event.all_day or not set(TIMES) & set(edit.fields):
            return None
        cal = self.cfg.calendar
        if card.custom_fields.get(cal.all_day_field) is True:
            by = f'checkbox "{cal.all_day_field}" (calendar.all_day_field)'
            fix = "untick the checkbox on"
        elif cal.all_day_label and cal.all_day_label in card.label_names:
            by = f'label "{cal.all_day_label}" (calendar.all_day_label)'
            fix = "remove the label from"
        else:
            return None
        return (
            f"the card is all-day by its {by} and cannot take the calendar's times: {fix} the "
            "card and set the same times on it, or make the event all-day again on the calendar"
        )

    def _on_unread_board(self, card_id: str) -> dict | None:
        """The card's event as last synced, if its board could not be read this run."""
        record = self.state.items(EVENTS).get(card_id)
        event = record.data.get("event") if record else None
        unread = isinstance(event, dict) and event.get("board_id") not in self.read_ids
        return event if unread else None

    def _apply_edit(
        self, edit: Edit, board: Board, card: Card, targets: dict[str, CustomField]
    ) -> None:
        """Write the edit to the card: each time where the event reads it (the card's start
        or due, or a date custom field), the rest to the card. Every write is a PUT, so a rerun
        after a failure halfway writes the same values again."""
        event = edit.event
        fields: dict[str, object] = {}
        custom: dict[CustomField, str] = {}
        if "summary" in edit.fields:
            fields["name"] = event.summary
        if set(TIMES) & set(edit.fields):
            start, due = trello_dates(event, self.cfg)
            for key, value in (("start", start), ("due", due)):
                if key in targets:
                    custom[targets[key]] = value
                else:
                    fields[key] = value
        if "location" in edit.fields:
            fields["locationName"] = event.location
        if "status" in edit.fields:
            list_id = list_for(board, STATE_FOR_STATUS.get(event.status, ""))
            if list_id:
                fields["idList"] = list_id
        api = self.trello()
        for custom_field, value in custom.items():
            api.set_custom_field(card.id, custom_field.id, {"date": value})
        if fields or not custom:
            api.update_card(card.id, **fields)
        dates = {f.name: _utc(value) for f, value in custom.items()}
        self._agree(edit, _card_after(card, board, fields, dates))

    def _agree(self, edit: Edit, card: Card) -> None:
        """Record that card and calendar now agree: the card's event record as the planner
        makes it of the card as it now is, and the calendar's copy as agreeing with it in the
        fields edited there (a field the card changed meanwhile is still to be written). The
        next run then plans no change and writes nothing back."""
        before = self.state.item(EVENTS, card.id)
        change = plan_card(
            card,
            before,
            cfg=self.cfg.calendar,
            tz=self.cfg.tz,
            now=self.now,
            imported=imported_events(self.state),
        )
        record = change.record if change and change.record else before
        if record is not None and record.sequence < edit.event.sequence:
            # the calendar's revision counts: the next one we write must be newer still
            record = replace(record, sequence=edit.event.sequence)
        if record is not None and record is not before:
            self.state.put_item(record)
        item = self.state.item(CALDAV, card.id)
        if item is None:
            return
        data = {**item.data, "seen": edit.event.fields()}
        if record is not None and before is not None:
            edited = set(edit.fields) | (set(TIMES) if set(TIMES) & set(edit.fields) else set())
            now = record.data["event"]
            data["event"] = {
                **agreed(item, before),
                **{name: now[name] for name in edited if name in now},
            }
        self.state.put_item(
            SyncedItem(
                CALDAV,
                card.id,
                item.remote_id,
                item.hash,
                item.sequence,
                edit.etag,
                item.status,
                data,
            )
        )

    # -- imported events deleted on the calendar ---------------------------------------------

    def _deleted(self, card_id: str, imported: SyncedItem, found: tuple[Board, Card] | None):
        board, card = found if found else (None, None)
        title = card.name if card else card_id
        if found is None and (event := self._on_unread_board(card_id)):
            title = str(event.get("summary") or title)
            self.report.warnings.append(
                f'calendar: the event of "{title}" was deleted on the calendar, but its board '
                "could not be read this run: left for the next sync"
            )
            return
        if board is None or card is None or board.read_only:
            self.report.warnings.append(
                f'calendar: the event of "{title}" was deleted on the '
                "calendar; its card cannot be updated from here"
            )
            return
        cancelled = list_named(board, self.cfg.calendar.cancelled_list) or list_for(
            board, "cancelled"
        )

        def apply() -> None:
            api = self.trello()
            comment_once(
                api,
                self.state,
                card.id,
                "calendar-deleted",
                "The event was deleted from the events calendar, so this card was "
                f"moved to {self.cfg.calendar.cancelled_list}.",
            )
            if cancelled and card.list_id != cancelled:
                api.update_card(card.id, idList=cancelled)
            self.state.put_item(
                SyncedItem(
                    IMPORTED, card.id, imported.remote_id, status="deleted", data=imported.data
                )
            )
            self.state.delete_item(CALDAV, card.id)

        self._write(
            Outcome(
                "cancel",
                "trello",
                card.id,
                card.name,
                "its event was deleted on the calendar: commented and moved to "
                f"{self.cfg.calendar.cancelled_list}",
            ),
            apply,
        )

    # -- events added on the calendar --------------------------------------------------------

    def _import(self, new: list[NewEvent], boards: list[Board]) -> None:
        if not new or not self.cfg.calendar.import_list:
            return
        board = import_board(self.cfg, boards)
        if board is None or board.read_only:
            name = f'"{board.name}" is an export file (read-only)' if board else "is not read"
            self.report.warnings.append(
                f"calendar: {plural(len(new), 'event')} added on the calendar cannot be imported: "
                f"the events board {name}"
            )
            return
        list_id = list_named(board, self.cfg.calendar.import_list)
        if list_id is None:
            self.report.failures.append(
                f'calendar: board "{board.name}" has no list "{self.cfg.calendar.import_list}" '
                "for imported events — create it, or set calendar.import_list"
            )
            return
        markers = {
            marker_of(card.desc): card for b in boards for card in b.cards if MARKER in card.desc
        }
        for item in new:
            existing = markers.get(item.event.uid)
            if existing is not None:  # created by an earlier run that stopped before recording
                self._write(
                    Outcome(
                        "import",
                        "trello",
                        existing.id,
                        existing.name,
                        "found on the board from an earlier run",
                    ),
                    lambda i=item, c=existing.id: self._record_import(i, c),
                )
                continue
            self._write(
                Outcome(
                    "import",
                    "trello",
                    item.event.uid,
                    item.event.summary,
                    "; ".join([f"new card in {self.cfg.calendar.import_list}", *_notes(item)]),
                ),
                lambda i=item: self._create_card(i, list_id),
            )

    def _create_card(self, item: NewEvent, list_id: str) -> None:
        event = item.event
        start, due = trello_dates(event, self.cfg)
        pending = [i for i in self.state.intents("trello-card", "pending") if i.key == event.uid]
        intent = (
            pending[0].id
            if pending
            else self.state.open_intent(
                "trello-card", event.uid, {"list": list_id, "name": event.summary}
            )
        )
        card = self.trello().create_card(
            list_id,
            event.summary,
            desc=card_description(event),
            start=start,
            due=due,
            **({"locationName": event.location} if event.location else {}),
        )
        self.state.settle_intent(intent, "done", {"card": card["id"]})
        self._record_import(item, card["id"])

    def _record_import(self, item: NewEvent, card_id: str) -> None:
        event = item.event
        for intent in self.state.intents("trello-card", "pending"):
            if intent.key == event.uid:
                self.state.settle_intent(intent.id, "done", {"card": card_id})
        self.state.put_item(
            SyncedItem(
                IMPORTED,
                card_id,
                event.uid,
                status="card",
                data={
                    "href": item.href,
                    "status": event.status,
                    "sequence": event.sequence,
                    "recurring": bool(event.rrule),
                },
            )
        )
        self.state.put_item(
            SyncedItem(
                CALDAV,
                card_id,
                item.href,
                None,
                0,
                item.etag,
                "live",
                {"summary": event.summary, "seen": event.fields(), "imported": True},
            )
        )
        self.state.delete_item(FOREIGN, item.href)
        self.imported_now.add(card_id)

    def _write(self, outcome: Outcome, apply: Callable[[], None]) -> None:
        """Report a change; make it unless this is a dry run; one failure never stops the rest.
        Once a stop is requested (SIGTERM, Ctrl-C), the changes not yet begun are left for the
        next run: each one is begun and recorded whole (an intent and its settling included)."""
        if self.dry_run:
            outcome.status = "planned"
        elif stop_requested():
            self.not_made += 1
            return
        else:
            try:
                apply()
            except StateError:
                raise  # nothing can be recorded: the run stops (see StateError)
            except OtgError as exc:
                outcome.status, outcome.detail = "failed", str(exc)
        self.report.outcomes.append(outcome)


def _card_after(
    card: Card, board: Board, fields: dict[str, object], dates: dict[str, datetime]
) -> Card:
    """The card as Trello has it after ``update_card(**fields)`` and setting the date custom
    fields ``dates`` (by name)."""
    changes: dict[str, object] = {}
    if "name" in fields:
        changes["name"] = fields["name"]
    for name in ("start", "due"):
        if name in fields:
            changes[name] = _utc(str(fields[name]))
    if dates:
        changes["custom_fields"] = {**card.custom_fields, **dates}
    if "locationName" in fields:
        changes["location_name"] = fields["locationName"]
    moved = next((lst for lst in board.lists if lst.id == fields.get("idList")), None)
    if moved is not None:
        changes.update(list_id=moved.id, list_name=moved.name, state=moved.state)
    return replace(card, **changes)


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _notes(item: NewEvent) -> list[str]:
    """What the card had to make up or leave out, for the report."""
    event = item.event
    notes = list(event.notes)
    if event.description not in card_description(event):
        notes.append(
            f"its description ({len(event.description):,} characters) is cut to fit Trello's "
            f"{DESC_LIMIT:,}"
        )
    return notes
