"""Finalising a roundup: the cards its post featured (reported as done or held) get the period's
label on the API boards, once, so that no later roundup reports them again. By `otg roundup
--finalise`, or by a sync that sees the roundup drafted on Medium published in the feed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

from config import Config
from sync.content.rss import FeedItem, medium_post_id
from sync.dates import now_utc
from sync.errors import OtgError
from sync.model import Board
from sync.report import Outcome, Report
from sync.roundup.gather import Period, Roundup
from sync.state.records import ROUNDUP as ROUNDUPS
from sync.state.store import State
from sync.stopping import stop_requested

if TYPE_CHECKING:  # the API client (py-trello, requests) is imported when a label is made
    from sync.trello.api import TrelloApi

#: What a stop (SIGTERM, Ctrl-C) before the labelling ends leaves: a rerun labels the rest.
STOPPED_LABELLING = (
    "stopped before every featured card was labelled {label!r}; rerun `otg roundup --finalise` "
    "to label the rest"
)


def finalise(
    cfg: Config,
    period: Period,
    boards: list[Board],
    roundup: Roundup,
    report: Report,
    dry_run: bool,
    trello: Callable[[], TrelloApi],
) -> None:
    """Label every featured card on the API boards with the period's roundup label."""
    if not _label_cards(cfg, period, boards, set(roundup.featured), report, dry_run, trello):
        report.failures.append(STOPPED_LABELLING.format(label=label_name(cfg, period)))


def label_name(cfg: Config, period: Period) -> str:
    return cfg.roundup.featured_label.replace("{date}", period.last.isoformat())


def _label_cards(
    cfg: Config,
    period: Period,
    boards: list[Board],
    featured: set[str],
    report: Report,
    dry_run: bool,
    trello: Callable[[], TrelloApi],
) -> bool:
    """Label the featured cards. False when a stop (SIGTERM, Ctrl-C) came first: it is checked
    before each card, and the cards not labelled yet are left for a rerun (which reads the
    board, so it never labels a card twice)."""
    name = label_name(cfg, period)
    for board in boards:
        cards = [c for c in board.cards if c.id in featured and name not in c.label_names]
        if not cards:
            continue
        if board.read_only:
            report.warnings.append(
                f'board "{board.name}" is an export file: its '
                f"{len(cards)} featured cards cannot be labelled {name!r}"
            )
            continue
        if dry_run:
            report.outcomes += [
                Outcome("label", "trello", c.id, c.name, name, "planned") for c in cards
            ]
            continue
        label = _board_label(board, name, len(cards), report, trello)
        if label is None:
            continue
        for card in cards:
            if stop_requested():
                return False
            outcome = Outcome("label", "trello", card.id, card.name, name)
            try:
                trello().add_label(card.id, label)
            except OtgError as exc:  # labelling twice cannot double anything: the next run retries
                outcome.status, outcome.detail = "failed", str(exc)
            report.outcomes.append(outcome)
    return True


def _board_label(
    board: Board, name: str, count: int, report: Report, trello: Callable[[], TrelloApi]
) -> str | None:
    """The id of the board's label ``name``: the one it has, or one made now; None (and a
    failure in the report) when there is none to use.

    A create that fails may still have made the label (its answer was lost), and a second create
    would make a second label of that name. So it is never sent again: the board's labels are
    read once more, and the label is used if it is there; if not, the cards wait for a rerun,
    which reads the board (and finds the label, if it was made after all) before anything else.
    """
    found = next((lbl.id for lbl in board.labels if lbl.name == name), None)
    if found:
        return found
    try:  # the answer is checked to hold the new label's id (TrelloApi.create_label)
        return trello().create_label(board.id, name, "purple")["id"]
    except OtgError as exc:
        problem = exc.message
    found = _label_on_trello(board, name, trello)
    if found:
        report.warnings.append(
            f'board "{board.name}": creating the label {name!r} went wrong ({problem}), but '
            "Trello made it all the same: using it"
        )
        return found
    report.outcomes.append(
        Outcome(
            "label",
            "trello",
            board.id,
            f'board "{board.name}"',
            f"{count} featured cards not labelled {name!r}: creating the label failed "
            f"({problem}) — rerun to label them (the label is looked for first, never made twice)",
            "failed",
        )
    )
    return None


def _label_on_trello(board: Board, name: str, trello: Callable[[], TrelloApi]) -> str | None:
    """The id of the label ``name`` as the board has it now (GET its labels), or None."""
    try:
        labels = trello().labels(board.id, f'board "{board.name}"')
    except OtgError:  # unreadable: the cards wait for a rerun
        return None
    return next((label["id"] for label in labels if label.get("name") == name), None)


def finalise_published(
    cfg: Config,
    state: State,
    boards: list[Board],
    items: list[FeedItem],
    report: Report,
    *,
    dry_run: bool,
    trello: Callable[[], TrelloApi],
) -> None:
    """A roundup drafted on Medium whose post now appears in the feed is finalised: its featured
    cards get the period's label, once (the record remembers)."""
    for record in state.items(ROUNDUPS).values():
        data = record.data
        if data.get("via") != "medium" or data.get("finalised_at"):
            continue
        post = medium_post_id(data.get("where", ""))
        if not any(
            (post and post in item.post_ids) or item.title == data.get("title") for item in items
        ):
            continue
        last = date.fromisoformat(data["last_day"])
        period = Period(last - timedelta(days=13), last)
        before = len(report.outcomes)
        if not _label_cards(
            cfg, period, boards, set(data.get("featured", [])), report, dry_run, trello
        ):
            return  # stopped: the next sync labels the rest, then finalises it
        if not dry_run and not any(o.status == "failed" for o in report.outcomes[before:]):
            state.put_item(replace(record, data={**data, "finalised_at": now_utc().isoformat()}))
