"""What the nightly sync tells organisers on their event cards, both opt-in and both at most once:
a comment on a Confirmed card for each thing it lacks (`calendar.comment_problems`; what it lacks
is ``sync/calendar/readiness.py``'s), and the calendar event's link attached to its card once the
event is on the calendar (`calendar.event_link`). Trello cannot deduplicate either request, so an
intent is recorded before each is sent (``comment_once``, ``attach_once``), and a card that was
told once is never told again, even if the comment or attachment is later removed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING
from urllib.parse import quote, urljoin

from config import Config
from sync.calendar.event_cards import comment_once
from sync.calendar.plan import LIVE, TARGET
from sync.calendar.readiness import upcoming
from sync.errors import OtgError, StateError
from sync.model import Board, Card
from sync.report import Outcome, Report
from sync.state.records import CALDAV
from sync.state.store import State

if TYPE_CHECKING:  # the Trello client, for types: a night on export files needs none
    from sync.trello.api import TrelloApi

COMMENT_KIND = "trello-comment"
ATTACH_KIND = "trello-attachment"
LINK_NAME = "On the events calendar"


def leave_notes(
    cfg: Config,
    state: State,
    boards: list[Board],
    report: Report,
    *,
    dry_run: bool,
    now: datetime,
    trello: Callable[[], TrelloApi],
    held: set[str],
) -> None:
    """Comments and links for the cards of the API boards read (not those in ``held``: the
    boards the mass-change guard stopped)."""
    writable = [b for b in boards if not b.read_only and b.id not in held]
    if not writable:
        return
    told = {
        i.key
        for i in state.intents()
        if i.status == "done" and i.kind in (COMMENT_KIND, ATTACH_KIND)
    }
    if cfg.calendar.comment_problems:
        _comments(cfg, state, writable, report, dry_run, now, trello, told)
    if cfg.calendar.event_link:
        _links(cfg, state, writable, report, dry_run, trello, told)


def _comments(
    cfg: Config,
    state: State,
    boards: list[Board],
    report: Report,
    dry_run: bool,
    now: datetime,
    trello: Callable[[], TrelloApi],
    told: set[str],
) -> None:
    """A comment on each Confirmed card for each thing it lacks, once."""
    for item in upcoming(boards, cfg.calendar, cfg.tz, now):
        if item.card.state != "confirmed":
            continue
        for lack in item.lacks:
            purpose = f"lack:{lack.kind}"
            if f"{item.card.id}:{purpose}" in told:
                continue
            text = (
                f"otg-sync: this confirmed event has {lack.text}. (Said once; `otg events` "
                "lists what each upcoming event lacks.)"
            )
            send = partial(_comment, trello, state, item.card.id, purpose, text)
            _write(report, item.card, "comment", lack.text, dry_run, send)


def _links(
    cfg: Config,
    state: State,
    boards: list[Board],
    report: Report,
    dry_run: bool,
    trello: Callable[[], TrelloApi],
    told: set[str],
) -> None:
    """The calendar event's link on each card whose event is on the calendar, once."""
    events, caldav = state.items(TARGET), state.items(CALDAV)
    for board in boards:
        for card in board.cards:
            record = events.get(card.id)
            if not card.visible or record is None or record.status != LIVE:
                continue
            href = caldav[card.id].remote_id if card.id in caldav else None
            url = event_url(cfg, record.remote_id or "", href)
            if not url or f"{card.id}:calendar-link" in told:
                continue
            if any(a.url == url for a in card.attachments):  # a lost answer's, say
                if not dry_run:
                    _settle_found(state, f"{card.id}:calendar-link")
                continue
            send = partial(_attach, trello, state, card, url)
            _write(report, card, "attach", "calendar link", dry_run, send)


def _comment(
    trello: Callable[[], TrelloApi], state: State, card_id: str, purpose: str, text: str
) -> None:
    comment_once(trello(), state, card_id, purpose, text)


def _attach(trello: Callable[[], TrelloApi], state: State, card: Card, url: str) -> None:
    attach_once(trello(), state, card, url)


def event_url(cfg: Config, uid: str, href: str | None) -> str:
    """The link to a card's event: on the CalDAV server, or the configured address."""
    link = cfg.calendar.event_link
    if link == "caldav":
        caldav = cfg.calendar.caldav
        return urljoin(caldav.url, href) if caldav and href else ""
    return link.replace("{uid}", quote(uid, safe="@")) if uid else ""


def attach_once(api: TrelloApi, state: State, card: Card, url: str) -> None:
    """Attach the link at most once: an intent first, and a look at the card's attachments before
    a second try after a run that stopped halfway."""
    key = f"{card.id}:calendar-link"
    pending = [i for i in state.intents(ATTACH_KIND) if i.key == key]
    if pending and pending[-1].status == "done":
        return
    if pending:  # an earlier try may have reached Trello
        if any(a.get("url") == url for a in api.attachments(card.id)):
            state.settle_intent(pending[-1].id, "done", {"found": True})
            return
        intent = pending[-1].id
    else:
        intent = state.open_intent(ATTACH_KIND, key, {"url": url})
    api.attach_link(card.id, url, LINK_NAME)
    state.settle_intent(intent, "done", {})


def _settle_found(state: State, key: str) -> None:
    """The link is on the card: an intent left pending by a run that stopped is done."""
    for intent in state.intents(ATTACH_KIND, "pending"):
        if intent.key == key:
            state.settle_intent(intent.id, "done", {"found": True})


def _write(
    report: Report, card: Card, kind: str, what: str, dry_run: bool, send: Callable[[], None]
) -> None:
    """One note, reported; a failure is this card's, and the others go on."""
    status = "planned" if dry_run else "done"
    detail = what
    if not dry_run:
        try:
            send()
        except StateError:
            raise  # nothing can be recorded: the run stops (see StateError)
        except OtgError as exc:
            status, detail = "failed", f"{what}: {exc}"
    report.outcomes.append(Outcome(kind, "trello", card.id, card.name, detail, status))
