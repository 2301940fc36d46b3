"""What the calendar → board steps of one run share: the settings, state and report, and how each
change to the board is written: reported, made unless this is a dry run, and left for the next run
once a stop is requested."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING

from config import Config
from sync.calendar.plan import TARGET as EVENTS
from sync.calendar.plan import Imported
from sync.errors import OtgError, StateError
from sync.report import Outcome, Report
from sync.state.records import IMPORTED
from sync.state.store import State
from sync.stopping import stop_requested

if TYPE_CHECKING:  # the Trello client, for types: a night on export files needs none
    from sync.trello.api import TrelloApi


def series_cards(state: State) -> set[str]:
    """Cards made from a repeating event on the calendar: the series is the calendar's (read,
    never written), and the feed leaves it out rather than carry it as a one-off."""
    return {k for k, item in state.items(IMPORTED).items() if item.data.get("recurring")}


def imported_events(state: State) -> dict[str, Imported]:
    """Cards made from calendar events, for the planner: card id → the event's identity."""
    return {
        card_id: Imported(
            item.remote_id or "", item.data.get("status", "CONFIRMED"), item.data.get("sequence", 0)
        )
        for card_id, item in state.items(IMPORTED).items()
    }


@dataclass
class BoardWrites:
    cfg: Config
    state: State
    report: Report
    trello: Callable[[], TrelloApi]
    dry_run: bool
    now: datetime
    read_ids: set[str] = field(default_factory=set)  # the events boards read whole this run
    imported_now: set[str] = field(default_factory=set)  # cards made (or found) this run
    not_made: int = 0  # changes for the board left for the next run: a stop was requested

    @cached_property
    def imported(self) -> dict[str, Imported]:
        """The cards made from calendar events, read once, when an edit first needs them (edits
        are applied before this run's imports and deletions, which change them)."""
        return imported_events(self.state)

    def write(self, outcome: Outcome, apply: Callable[[], None]) -> None:
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

    def on_unread_board(self, card_id: str) -> dict | None:
        """The card's event as last synced, if its board could not be read this run."""
        record = self.state.item(EVENTS, card_id)
        event = record.data.get("event") if record else None
        unread = isinstance(event, dict) and event.get("board_id") not in self.read_ids
        return event if unread else None
