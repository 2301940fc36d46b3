"""Bring a CalDAV calendar in step with the canonical event records.

Only events otg-sync created (known in the state store, target ``caldav``) are ever changed or
deleted. Each write is made with ``If-Match`` (or ``If-None-Match: *`` for a new one) and recorded
only after it succeeded, so a crash or a server going down mid-run leaves the state true, and the
next run converges. An unchanged calendar costs one PROPFIND and no writes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from sync.calendar import ical
from sync.calendar.caldav import (
    CalDavClient,
    CalDavError,
    PreconditionFailed,
    Resource,
    UidConflict,
    normalise_href,
    uids,
)
from sync.calendar.ical_merge import MANAGED, merge
from sync.errors import AuthError, OtgError, RemoteError, StateError
from sync.report import Outcome, plural
from sync.state.records import SyncedItem
from sync.state.store import State
from sync.stopping import stop_requested

TARGET = "caldav"
#: What flows back from the calendar to a card (the description does not: ours adds links).
SHARED_FIELDS = ("summary", "start", "end", "all_day", "location", "status")
TIMES = ("start", "end", "all_day")  # written together


class CalendarEmptied(OtgError):
    """The calendar holds none of our events although the state says it should (it was emptied,
    or calendar.caldav.url now names another calendar): stop."""


@dataclass
class Step:
    kind: str  # create, update, restore, recreate, cancel, delete; adopt: record only
    card_id: str
    title: str
    href: str
    body: bytes = b""  # ours whole: for a new event (or one the server lost)
    etag: str | None = None  # the server's current ETag, for If-Match
    uid: str = ""
    #: the fields to write into the server's copy of the event, keeping everything else in it;
    #: None: ``body``, ours whole
    fields: tuple[str, ...] | None = None


def plan_caldav(
    records: dict[str, SyncedItem],
    ours: dict[str, SyncedItem],
    server: dict[str, Resource],
    href_for: Callable[[str], str],
    put_back: dict[str, tuple[str, ...]] | None = None,
) -> list[Step]:
    """What to write so that the server holds exactly ``records`` (of our events).

    An event that is there is changed only in the fields whose value on the card changed since
    the server last agreed with it (``agreed``), plus, if it was edited on the calendar and the
    board won, the fields edited there (``put_back``: unknown means every field)."""
    put_back = put_back or {}
    steps: list[Step] = []
    for card_id, record in sorted(records.items()):
        item = ours.get(card_id)
        href = item.remote_id if item and item.remote_id else href_for(record.remote_id or "")
        there = server.get(href)
        title = record.data["event"]["summary"]
        uid = record.remote_id or ""
        if item is None or there is None:  # new, or deleted on the server: the board wants it
            kind = "create" if item is None else "recreate"
            # a create never replaces what is there (If-None-Match): `_adopt` decides whose it is
            body = ical.single(record)
            steps.append(Step(kind, card_id, title, href, body, None, uid))
            continue
        wanted, base = record.data["event"], agreed(item, record)
        # a partner's event: only what a card shares with it is ours to change (its text, its
        # link and the rest stay the partner's as they wrote them)
        ours_to_change = SHARED_FIELDS if item.data.get("imported") else MANAGED
        changed = {name for name in ours_to_change if wanted.get(name) != base.get(name)}
        edited = there.etag != item.etag
        if not changed and not edited:
            if item.data.get("event") != wanted:  # agreed without a write: say so, once
                steps.append(Step("adopt", card_id, title, href, b"", item.etag, uid))
            continue
        if not changed:
            kind = "restore"  # edited on the calendar; the board wins
        elif record.status == "cancelled" and item.status != "cancelled":
            kind = "cancel"
        else:
            kind = "update"
        fields = changed | (
            set(put_back.get(card_id, MANAGED)) & set(ours_to_change) if edited else set()
        )
        steps.append(
            Step(
                kind,
                card_id,
                title,
                href,
                etag=there.etag,
                uid=uid,
                fields=tuple(name for name in MANAGED if name in fields),
            )
        )
    for card_id, item in sorted(ours.items()):
        if card_id not in records and item.remote_id:
            there = server.get(item.remote_id)
            steps.append(
                Step(
                    "delete",
                    card_id,
                    item.data.get("summary", card_id),
                    item.remote_id,
                    etag=there.etag if there else None,
                )
            )
    return steps


def agreed(item: SyncedItem, record: SyncedItem) -> dict[str, object]:
    """The event's fields as the server last agreed with the board: what we last wrote there
    (or learnt from it). An imported event agrees with its card as imported: the calendar's
    own title, times, place and status (``seen``); the rest is the card's from the start. An
    item recorded by an older version knows only a digest of what it wrote."""
    if "event" in item.data:
        return item.data["event"]
    if item.data.get("imported") or item.hash is None:  # (older versions: no flag, no hash)
        seen = item.data.get("seen") or {}
        return {**record.data["event"], **{k: v for k, v in seen.items() if k in SHARED_FIELDS}}
    legacy = hashlib.sha256(ical.single(record)).hexdigest()[:16]
    return record.data["event"] if item.hash == legacy else {}


class CalDavTarget:
    def __init__(self, client: CalDavClient, state: State) -> None:
        self.client = client
        self.state = state

    def sync(
        self,
        records: dict[str, SyncedItem],
        *,
        dry_run: bool,
        recreate: bool = False,
        server: dict[str, Resource] | None = None,
        hold: frozenset[str] = frozenset(),
        put_back: dict[str, tuple[str, ...]] | None = None,
        bodies: dict[str, Resource] | None = None,
    ) -> tuple[list[Outcome], list[str]]:
        """Make the calendar hold ``records``. ``server`` is its listing if the caller has one;
        ``hold`` names cards whose events are left exactly as they are this run; ``put_back``
        the fields edited on the calendar where the board won; ``bodies`` events already
        fetched this run."""
        server = self.client.list() if server is None else server
        ours = {k: v for k, v in self.guard(server, recreate).items() if k not in hold}
        records = {k: v for k, v in records.items() if k not in hold}
        steps = plan_caldav(records, ours, server, self.client.href_for, put_back)
        return self._apply_all(steps, records, dry_run, bodies or {})

    def guard(self, server: dict[str, Resource], recreate: bool) -> dict[str, SyncedItem]:
        """Stop if the calendar lost our events (wiped, or the URL names another calendar);
        with ``recreate``, what went with the old calendar is forgotten. Returns our items."""
        ours = self.state.items(TARGET)
        here = normalise_href(urlsplit(self.client.url).path)
        elsewhere = {
            key
            for key, item in ours.items()
            if item.remote_id and not item.remote_id.startswith(here)
        }
        if elsewhere and not recreate:
            raise CalendarEmptied(
                f"otg-sync's {len(elsewhere)} events are in another calendar, not in "
                f"{self.client.url}",
                "if you moved to this calendar on purpose, rerun with `otg sync "
                "--recreate-calendar` (the old calendar is left as it is); otherwise set "
                "calendar.caldav.url back",
            )
        if ours and not server and not recreate:
            raise CalendarEmptied(
                f"the CalDAV calendar {self.client.url} is empty, but otg-sync created "
                f"{len(ours)} events there",
                "if it was emptied or replaced on purpose, rerun with `otg sync "
                "--recreate-calendar`; otherwise check calendar.caldav.url",
            )
        if recreate:  # forget what is gone with the old calendar: it is created afresh
            ours = {} if not server else {k: v for k, v in ours.items() if k not in elsewhere}
        return ours

    def _apply_all(
        self,
        steps: list[Step],
        records: dict[str, SyncedItem],
        dry_run: bool,
        bodies: dict[str, Resource],
    ) -> tuple[list[Outcome], list[str]]:
        outcomes: list[Outcome] = []
        failures: list[str] = []
        missing_etag = False
        if not dry_run:
            try:
                bodies = self._fetch_for(steps, bodies)
            except (AuthError, RemoteError, CalDavError) as exc:
                return [], [f"{failure_line(exc)}; no change made, the next sync makes them"]
        for index, step in enumerate(steps):
            if stop_requested() and not dry_run:
                failures.append(
                    f"CalDAV: stopped before {plural(len(steps) - index, 'change')}; "
                    "the next sync makes them"
                )
                break
            if step.kind == "adopt":
                if not dry_run:
                    self._record(step, records[step.card_id], step.etag, None)
                continue
            if dry_run:
                outcomes.append(
                    Outcome(step.kind, TARGET, step.card_id, step.title, status="planned")
                )
                continue
            try:
                detail, etag = self._apply(step, records.get(step.card_id), bodies)
            except (AuthError, RemoteError) as exc:  # the server is gone or refuses us: stop
                failures.append(
                    f"{failure_line(exc)}; {plural(len(steps) - index - 1, 'more change')} "
                    "not made, the next sync will make them"
                )
                outcomes.append(
                    Outcome(step.kind, TARGET, step.card_id, step.title, str(exc), status="failed")
                )
                break
            except StateError:
                raise  # nothing can be recorded: the run stops (see StateError)
            except OtgError as exc:
                outcomes.append(
                    Outcome(step.kind, TARGET, step.card_id, step.title, str(exc), status="failed")
                )
                continue
            missing_etag = missing_etag or (step.kind != "delete" and etag is None)
            outcomes.append(Outcome(step.kind, TARGET, step.card_id, step.title, detail))
        if missing_etag:  # the server sent no ETag with a PUT: learn them now, once
            self._refresh_etags()
        return outcomes, failures

    def _fetch_for(self, steps: list[Step], known: dict[str, Resource]) -> dict[str, Resource]:
        """The server's copy of every event a step writes into (one REPORT for those not
        already fetched this run as they are now)."""
        wanted = [s for s in steps if s.fields is not None]
        missing = [s.href for s in wanted if s.href not in known or known[s.href].etag != s.etag]
        return {**known, **(self.client.fetch(missing) if missing else {})}

    def _apply(
        self, step: Step, record: SyncedItem | None, bodies: dict[str, Resource]
    ) -> tuple[str, str | None]:
        if step.kind == "delete":
            self.client.delete(step.href, etag=step.etag)
            self.state.delete_item(TARGET, step.card_id)
            return "", None
        assert record is not None  # every step but a delete is for a record
        detail = ""
        body, etag, fields = step.body, step.etag, step.fields
        if fields is not None:
            there = bodies.get(step.href)
            if there is not None and there.etag != step.etag:  # edited since we listed it
                fields = tuple(n for n in MANAGED if n in {*fields, *SHARED_FIELDS})
                detail = "changed on the calendar meanwhile; the board wins"
            body, etag, fields = _merged(there, record, fields, step.etag)
        try:
            etag = self.client.put(step.href, body, etag=etag, uid=step.uid)
        except PreconditionFailed:
            etag, detail, fields = self._adopt(step, record)
        if step.kind == "restore":
            detail = "edited on the calendar; the board wins"
        self._record(step, record, etag, fields)
        if step.kind in ("create", "recreate") and not self.client.unique_uids:
            self._check_unique(step)
        return detail, etag

    def _check_unique(self, step: Step) -> None:
        """A new event of ours: is its UID now held twice? Radicale and Xandikos refuse a second
        event with one UID, SabreDAV (Nextcloud, Baïkal) takes it, and calendar apps then show
        both. There, one REPORT by UID per event created (none on a quiet night) tells; if it
        cannot be asked, the event stands as written."""
        try:
            copies = [href for href in self.client.holders(step.uid) if href != step.href]
        except (RemoteError, CalDavError):  # the write is made and recorded; the next one says
            return
        if copies:
            raise UidConflict(
                f"our event is at {step.href}, but another event in the calendar has the same "
                f"UID, at {copies[0]} (a copy imported from our feed, say): calendar apps may "
                "show it twice",
                f"delete the copy at {copies[0]} from the calendar",
                copies[0],
            )

    def _record(
        self, step: Step, record: SyncedItem, etag: str | None, fields: tuple[str, ...] | None
    ) -> None:
        """What the server now holds: the board's fields it agrees with, and what it says of
        the fields a card shares (``seen``: the card's where written, else as it was)."""
        item = self.state.item(TARGET, step.card_id)
        before = dict(item.data.get("seen") or {}) if item else {}
        written = seen_fields(record)
        if step.kind == "adopt":
            written = {} if before else written  # nothing was written: the server's stays
        elif fields is not None:
            if set(TIMES) & set(fields):
                fields = (*fields, *TIMES)
            written = {k: v for k, v in written.items() if k in fields}
        seen = {**before, **written}
        self.state.put_item(
            SyncedItem(
                TARGET,
                step.card_id,
                remote_id=step.href,
                hash=record.hash,
                etag=etag,
                status=record.status,
                data={"summary": step.title, "seen": seen, "event": record.data["event"]},
            )
        )

    def _adopt(self, step: Step, record: SyncedItem) -> tuple[str | None, str, tuple | None]:
        """A PUT's precondition failed. A create found something at our href: ours from an
        interrupted run, or not ours. Any other write found our event changed since we listed
        the calendar: the board wins, as it does for a restore (the fields a card shares are
        put back; the rest of the event is kept)."""
        existing = self.client.fetch([step.href]).get(step.href)
        if existing is None or step.uid not in uids(existing.data or ""):
            raise OtgError(
                f"an event otg-sync did not create is at {step.href}; left alone",
                "remove it from the calendar if it is a leftover",
            )
        if step.fields is None:
            detail = "found from an earlier run" if step.kind == "create" else ""
            detail = detail or "changed on the calendar meanwhile; the board wins"
            etag = self.client.put(step.href, step.body, etag=existing.etag, uid=step.uid)
            return etag, detail, None
        fields = tuple(n for n in MANAGED if n in {*step.fields, *SHARED_FIELDS})
        body, _, fields = _merged(existing, record, fields, existing.etag)
        detail = "changed on the calendar meanwhile; the board wins"
        return self.client.put(step.href, body, etag=existing.etag), detail, fields

    def _refresh_etags(self) -> None:
        server = self.client.list()
        for card_id, item in self.state.items(TARGET).items():
            there = server.get(item.remote_id or "")
            if there and item.etag is None:
                self.state.put_item(
                    SyncedItem(
                        TARGET,
                        card_id,
                        item.remote_id,
                        item.hash,
                        item.sequence,
                        there.etag,
                        item.status,
                        item.data,
                    )
                )


def seen_fields(record: SyncedItem) -> dict[str, object]:
    """What the calendar now says of the fields a card shares with it: a later difference
    between this and the server's copy is an edit made on the calendar."""
    event = record.data["event"]
    return {name: event[name] for name in SHARED_FIELDS}


def _merged(
    there: Resource | None, record: SyncedItem, fields: tuple[str, ...], etag: str | None
) -> tuple[bytes, str | None, tuple[str, ...] | None]:
    """The body to PUT: ``fields`` written into the server's copy, its ETag, and the fields
    written; ours whole (None) when the server's copy cannot be read or was lost."""
    body = merge(there.data or "", record, fields) if there is not None else None
    if there is None or body is None:
        return ical.single(record), etag, None
    return body, there.etag, fields


def failure_line(exc: Exception) -> str:
    """A report line for a CalDAV failure, saying CalDAV once (the session's errors say it)."""
    text = str(exc)
    return text if text.startswith("CalDAV") else f"CalDAV: {text}"
