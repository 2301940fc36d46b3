"""Content cards → Medium drafts (or the drafts folder), and published posts back onto the board.

Like the events flow: read the feeds, plan (pure, ``sync/content/plan.py``), then apply each
action in its own unit of work, recording only what succeeded, and report. Creates stop for the
rest of the run when Medium refuses the token, hits its daily limit or stops answering, because
every further POST would fail the same way (or worse, leave another draft in doubt).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from config import Config
from sync.content.draft_records import (
    draft_record,
    missing_draft_files,
    record_from_intent,
    with_files_gone,
)
from sync.content.draft_records import published_record as published
from sync.content.drafts_folder import (
    DraftsError,
    Placement,
    beside_note,
    file_digests,
    place_version,
    write_placed,
)
from sync.content.durable import Batch
from sync.content.plan import INTENT_KIND, TARGET, ContentAction, plan_content
from sync.content.published import same_url
from sync.content.rss import FeedItem, FeedReadError, read_feed
from sync.content.writeback import WriteBackError, apply_write_back, plan_write_back, target_list
from sync.errors import AuthError, OtgError, StateError
from sync.model import Board, Card
from sync.report import Outcome, Report
from sync.state.records import SyncedItem
from sync.state.store import State
from sync.stopping import stop_requested

if TYPE_CHECKING:  # the Trello client, for types: a night on export files needs none
    from sync.content.medium_target import MediumTarget
    from sync.trello.api import TrelloApi

#: How to name a card for --new-version.
CARD_FIX = "give the card's id, or the short link from its URL (trello.com/c/<short link>)"


def sync_content(
    cfg: Config,
    state: State,
    boards: list[Board],
    report: Report,
    *,
    dry_run: bool,
    now: datetime,
    trello: TrelloApi | None = None,
    new_version: Iterable[str] = (),
) -> list[FeedItem]:
    """The content flow; returns the feed items read, for the roundup's publication check."""
    items = read_feeds(cfg, report)
    stored = state.items(TARGET)
    plan = plan_content(
        boards,
        stored,
        state.intents(INTENT_KIND),
        cfg=cfg.medium,
        items=items,
        new_version=new_version,
        missing=missing_draft_files(cfg.output_dir, stored),
    )
    for ref in plan.unknown_refs:  # (when all were read, the sync refused it before starting)
        report.failures.append(
            f"--new-version {ref}: no such card on the content boards that could be read — "
            f"{CARD_FIX}"
        )
    flow = ContentFlow(cfg, state, report, dry_run=dry_run, now=now, trello=trello)
    flow.board_names = {board.id: board.name for board in boards}  # named in the ledger
    for action in plan.actions:
        if stop_requested() and not dry_run:
            report.failures.append(
                "content: stopped before every card was done; the next sync does the rest"
            )
            break
        flow.apply(action)
    flow.settle()
    flow.count_requests()
    return items


#: How a feed that cannot be read starts its failure line (the roundup counts them).
FEED_FAILURE = "rss: "


def read_feeds(cfg: Config, report: Report) -> list[FeedItem]:
    """Every configured feed's items; a feed that cannot be read is one failure line."""
    if not cfg.medium.feeds:
        return []
    from sync.http import PoliteSession  # here: a night without feeds sends no request

    session = PoliteSession(name="RSS", timeout=cfg.medium.timeout, retries=2)
    items: list[FeedItem] = []
    for feed in cfg.medium.feeds:
        try:
            read = read_feed(feed, session, cfg.base_dir)
        except FeedReadError as exc:
            report.failures.append(f"{FEED_FAILURE}{exc}")
            continue
        if read.warning:
            report.warnings.append(f"rss: {read.warning}")
        items += read.items
    if session.sent:
        report.requests["rss"] = session.sent
    return items


class ContentFlow:
    """Applies the plan's actions one by one (see the module docstring)."""

    def __init__(
        self,
        cfg: Config,
        state: State,
        report: Report,
        *,
        dry_run: bool,
        now: datetime,
        trello: TrelloApi | None,
    ) -> None:
        self.cfg, self.state, self.report = cfg, state, report
        self.dry_run, self.now, self.trello = dry_run, now, trello
        self.token = cfg.secrets.get("MEDIUM_TOKEN")
        self.via = "medium" if cfg.medium.uses_api(self.token) else "folder"
        self.target = "medium" if self.via == "medium" else "drafts"
        self.stopped = ""  # why no more drafts are created this run
        #: links attached this run, by card: the board was read before, so it does not show them
        self.attached: dict[str, list[str]] = {}
        self._medium: MediumTarget | None = None
        self.board_names: dict[str, str] = {}  # board id → its name on Trello
        # drafts written, not yet on disk nor recorded: (action, record, its outcome's index)
        self.unsettled: Batch[tuple[ContentAction, SyncedItem, int]] = Batch(
            cfg.output_dir / cfg.medium.drafts_dir
        )

    # -- outcomes ----------------------------------------------------------------------------

    def outcome(
        self, kind: str, target: str, key: str, title: str, detail: str, status: str = ""
    ) -> None:
        status = status or ("planned" if self.dry_run else "done")
        self.report.outcomes.append(Outcome(kind, target, key, title, detail, status))

    def warn(self, title: str, url: str, text: str) -> None:
        self.report.warnings.append(f'card "{title}" ({url}): {text}')

    def apply(self, action: ContentAction) -> None:
        card = action.card
        if action.kind == "pending":
            # said every run, but not a failure: the run is ok, `otg status --check` says 1
            self.outcome("pending", "medium", action.key, action.title, action.detail, "pending")
        elif action.kind == "skip":
            self.outcome("skip", self.target, action.key, action.title, action.detail, "skipped")
        elif action.kind == "stale" and card is not None:
            self.warn(card.name, card.url or card.id, f"the draft is stale: {action.detail}")
        elif action.kind == "ambiguous" and card is not None:
            self.warn(card.name, card.url or card.id, f"publication unclear: {action.detail}")
        elif action.kind == "create":
            self.create(action)
        elif action.kind == "adopt" and action.intent is not None:
            record = record_from_intent(action.intent, self.now)
            self.record(action, record, "record", "medium", action.detail)
        elif action.kind == "publish" and action.item is not None and card is not None:
            self.record(action, published(card, action.record, action.item), "publish", "medium")
        elif action.kind == "write-back" and action.record is not None:
            self.write_back(action.board, card, action.record)
        elif action.kind in ("gone", "found") and action.record is not None and card is not None:
            if action.kind == "gone":
                self.warn(card.name, card.url or card.id, action.detail)
            if not self.dry_run:
                self.state.put_item(with_files_gone(action.record, action.files, self.now))

    # -- creating drafts ---------------------------------------------------------------------

    def create(self, action: ContentAction) -> None:
        draft = action.draft
        if draft is None or action.card is None:
            return
        for warning in draft.warnings:
            self.warn(draft.title, draft.card_url or draft.card_id, warning)
        if self.stopped:
            self.outcome(
                "create",
                self.target,
                draft.card_id,
                draft.title,
                f"not sent: {self.stopped}",
                "skipped",
            )
            return
        if self.via == "medium" and not self.token:
            self.stopped = "MEDIUM_TOKEN is not set"
            self.outcome(
                "create", "medium", draft.card_id, draft.title, str(self.no_token()), "failed"
            )
            return
        version = f"version {action.version}; " if action.version > 1 else ""
        folder = self.cfg.output_dir / self.cfg.medium.drafts_dir
        written = dict(action.record.data.get("file_hashes") or {}) if action.record else {}
        placement: Placement | None = None
        detail = "a Medium draft"
        if self.via == "folder":
            try:  # reads only: where the files go, clear of any edited by hand
                placement = place_version(
                    folder, draft, self.cfg.medium, version=action.version, written=written
                )
            except DraftsError as exc:
                self.outcome("create", self.target, draft.card_id, draft.title, str(exc), "failed")
                return
            detail = f"{self.cfg.medium.drafts_dir}/{placement.files.markdown.name} and .html"
            detail += beside_note(self.cfg.medium.drafts_dir, placement)
        if self.dry_run:
            self.outcome("create", self.target, draft.card_id, draft.title, version + detail)
            provisional = draft_record(
                draft, via=self.via, version=action.version, now=self.now, url="(new)"
            )
            self.after_record(action.board, action.card, provisional)
            return
        try:
            if placement is not None:
                # on disk with the rest of the batch (see settle): recorded once it is
                write_placed(folder, draft, self.cfg.medium, placement, durable=False)
                record = draft_record(
                    draft,
                    via="folder",
                    version=action.version,
                    now=self.now,
                    file=f"{self.cfg.medium.drafts_dir}/{placement.files.markdown.name}",
                    file_hashes={**written, **file_digests(placement, draft, self.cfg.medium)},
                )
                self.outcome("create", self.target, draft.card_id, draft.title, version + detail)
                item = (action, record, len(self.report.outcomes) - 1)
                if not action.board or action.board.read_only:  # no write-back: say so now
                    self.after_record(action.board, action.card, record)
                if self.unsettled.add(item, placement.files.markdown, placement.files.html):
                    self.settle()
                return
            else:
                board = self.board_names.get(draft.board_id, "")
                record = self.medium().create(draft, action.version, self.now, board=board)
                detail = record.data["url"]
        except StateError:
            raise  # nothing can be recorded: the run stops (see StateError)
        except OtgError as exc:
            self.outcome(
                "create",
                self.target,
                draft.card_id,
                draft.title,
                self.failed(exc, draft.card_id),
                "failed",
            )
            return
        self.outcome("create", self.target, draft.card_id, draft.title, version + detail)
        self.after_record(action.board, action.card, record)

    def medium(self) -> MediumTarget:
        if self._medium is None:
            # imported here: drafts written to a folder need no HTTP stack
            from sync.content.medium import MediumClient, medium_session
            from sync.content.medium_target import MediumTarget

            if not self.token:
                raise self.no_token()
            client = MediumClient(
                medium_session(self.token, self.cfg.medium.timeout), self.cfg.medium.publication_id
            )
            self._medium = MediumTarget(client, self.state, self.cfg.medium)
        return self._medium

    @staticmethod
    def no_token() -> AuthError:
        return AuthError(
            'medium.target is "medium" but MEDIUM_TOKEN is not set',
            'set it in the environment or a .env file, or set medium.target = "drafts"',
        )

    def failed(self, exc: OtgError, card_id: str) -> str:
        """The line for a failed create; stops further creates when they would fail too."""
        from sync.content import medium  # Medium's failures (a drafts folder needs none of it)

        if isinstance(exc, medium.MediumRateLimit):
            daily = isinstance(exc, medium.MediumDailyLimit)
            wait = exc.retry_after or (24 * 3600 if daily else None)
            if wait is None:  # Medium said neither why nor for how long: the next sync retries
                self.stopped = "Medium is limiting requests; the next sync retries"
                return f"{exc.message} — no more drafts are sent this run; the next sync retries"
            when = (self.now + timedelta(seconds=wait)).astimezone(self.cfg.tz)
            limit = "Medium's daily limit is reached" if daily else "Medium is limiting requests"
            self.stopped = f"{limit}; try again after {when:%a %d %b %H:%M}"
            return (
                f"{exc.message} — no more drafts are sent this run; try again after "
                f"{when:%a %d %b %H:%M} ({self.cfg.timezone})"
            )
        if isinstance(exc, medium.MediumUnknownOutcome):
            pending = self.state.intents(INTENT_KIND, "pending")
            ref = max((i.id for i in pending if i.key == card_id), default=0)
            self.stopped = "Medium did not answer an earlier request"
            return (
                f"{exc.message}: the draft may have been created, so it will not be sent again "
                f"— check your Medium drafts, then `otg ledger resolve {ref} --url URL` "
                "(or `--retry` if there is none)"
            )
        if not isinstance(exc, (DraftsError, medium.MediumRefused)):  # those concern this card only
            refused = isinstance(exc, (medium.MediumAuthError, AuthError))
            self.stopped = "Medium refused the token" if refused else "Medium could not be reached"
        return str(exc)

    def settle(self) -> None:
        """The drafts written since the last call, made durable together, then each recorded
        and written back to its card as a draft made alone would be. If they cannot be made
        durable, none is recorded and each outcome says why; the next sync finds the files as
        it would write them and records them then (sync/content/durable.py)."""
        batch, error = self.unsettled.settle()
        for action, record, index in batch:
            if error is not None:
                done = self.report.outcomes[index]
                self.report.outcomes[index] = replace(done, detail=str(error), status="failed")
                continue
            self.state.put_item(record)
            if action.board and not action.board.read_only:
                self.write_back(action.board, action.card, record)

    # -- recording and writing back ----------------------------------------------------------

    def record(
        self, action: ContentAction, record: SyncedItem, kind: str, target: str, detail: str = ""
    ) -> None:
        if not self.dry_run:
            self.state.put_item(record)
        self.outcome(kind, target, record.key, action.title, detail or action.detail)
        self.after_record(action.board, action.card, record)

    def after_record(self, board: Board | None, card: Card | None, record: SyncedItem) -> None:
        """Write back to an API board; on an export file, say it was skipped (once)."""
        if board is None or card is None:
            return
        if board.read_only:
            state = "published" if record.status == "published" else "drafted"
            try:
                name = f'"{target_list(board, state).name}"'
            except WriteBackError:
                name = f"the {state} list"
            self.outcome(
                "move",
                "trello",
                card.id,
                card.name,
                f"not moved to {name}: the board is an export file (read-only) — move it by hand",
                "skipped",
            )
            return
        self.write_back(board, card, record)

    def write_back(self, board: Board | None, card: Card | None, record: SyncedItem) -> None:
        if board is None or card is None:
            return
        try:
            plan = plan_write_back(board, card, record)
        except WriteBackError as exc:
            self.outcome("move", "trello", card.id, card.name, str(exc), "failed")
            return
        if plan.link and any(same_url(plan.link, u) for u in self.attached.get(card.id, [])):
            plan = replace(plan, link="", link_name="")  # a draft published the same night
        if not plan.empty:
            if self.dry_run:
                self.outcome("move", "trello", card.id, card.name, plan.describe())
                return
            try:
                if self.trello is None:
                    raise OtgError("no Trello connection for an API board", "report this")
                if plan.link:  # sent, or maybe sent: not again this run (the next run checks)
                    self.attached.setdefault(card.id, []).append(plan.link)
                apply_write_back(self.trello, plan)
            except OtgError as exc:
                self.outcome("move", "trello", card.id, card.name, str(exc), "failed")
                return
            self.outcome("move", "trello", card.id, card.name, plan.describe())
        if not self.dry_run:
            self.state.put_item(replace(record, data={**record.data, "written_back": True}))

    def count_requests(self) -> None:
        if self._medium is not None and self._medium.client.session.sent:
            self.report.requests["medium"] = self._medium.client.session.sent
        if self.trello is not None:
            self.report.requests["trello"] = self.trello.session.sent
