"""Bring a CalDAV calendar in step with the canonical event records.

Only events otg-sync created (known in the state store, target ``caldav``) are ever changed or
deleted. Each write is made with ``If-Match`` (or ``If-None-Match: *`` for a new one) and recorded
only after it succeeded, so a crash or a server going down mid-run leaves the state true, and the
next run converges. An unchanged calendar costs one PROPFIND and no writes.
"""

from __future__ import annotations

import re
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
from sync.calendar.caldav_plan import SHARED_FIELDS, Step, plan_caldav
from sync.calendar.ical_merge import MANAGED, merge
from sync.calendar.plan import TARGET as EVENTS
from sync.errors import AuthError, OtgError, RemoteError, StateError
from sync.http import where
from sync.report import Outcome, plural
from sync.state.records import CALDAV, SyncedItem
from sync.state.store import State
from sync.stopping import stop_requested

TARGET = CALDAV
TIMES = ("start", "end", "all_day")  # written together
OURS = re.compile(r"^trello-[0-9a-f]{24}@")  # the UIDs otg-sync gives the events it makes


class CalendarEmptied(OtgError):
    """The calendar holds none of our events although the state says it should (it was emptied,
    or calendar.caldav.url now names another calendar): stop."""


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
        planned = set(self.state.items(EVENTS))  # cards the events plan has a record of
        ours = {
            k: v
            for k, v in self.guard(server, recreate).items()
            if k not in hold
            # an event imported from the calendar whose card was never planned (its board not
            # read since): the partner's own, never deleted for want of a record
            and (k in planned or not v.data.get("imported"))
        }
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
                f"{where(self.client.url)}",
                "if you moved to this calendar on purpose, rerun with `otg sync "
                "--recreate-calendar` (the old calendar is left as it is); otherwise set "
                "calendar.caldav.url back",
            )
        if ours and not server and not recreate:
            raise CalendarEmptied(
                f"the CalDAV calendar {where(self.client.url)} is empty, but otg-sync created "
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
        self._intend(step, record, fields)
        try:
            etag = self.client.put(step.href, body, etag=etag, uid=step.uid)
        except PreconditionFailed:
            etag, detail, fields = self._adopt(step, record)
        except UidConflict:
            if OURS.match(step.uid):
                raise
            # the UID is an event's on the calendar that this card was imported from: it is
            # the partner's own, and stays; never advise deleting it
            raise OtgError(
                f"the calendar's own event with this UID, imported as this card, is kept as "
                f"it is ({step.uid[:80]})",
                "nothing to do: the next sync recognises it as this card's event",
            ) from None
        if step.kind == "restore":
            detail = "edited on the calendar; the board wins"
        self._record(step, record, etag, fields)
        if step.kind in ("create", "recreate") and not self.client.unique_uids:
            self._check_unique(step)
        return detail, etag

    def _intend(self, step: Step, record: SyncedItem, fields: tuple[str, ...] | None) -> None:
        """What we are about to write into an event we hold, recorded before sending: if the
        run dies after the server took it, the next run knows the change for ours (``sending``),
        not an edit made on the calendar."""
        item = self.state.item(TARGET, step.card_id)
        if item is not None:
            sending = _written(record, fields)
            self.state.put_item(
                SyncedItem(
                    TARGET,
                    item.key,
                    item.remote_id,
                    item.hash,
                    item.sequence,
                    item.etag,
                    item.status,
                    {**item.data, "sending": sending},
                )
            )

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
        written = _written(record, fields)
        if step.kind == "adopt":
            written = {} if before else written  # nothing was written: the server's stays
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


def _written(record: SyncedItem, fields: tuple[str, ...] | None) -> dict[str, object]:
    """The shared fields a write of ``fields`` (None: the whole event) puts on the calendar."""
    written = seen_fields(record)
    if fields is None:
        return written
    names = {*fields, *TIMES} if set(TIMES) & set(fields) else set(fields)
    return {k: v for k, v in written.items() if k in names}


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
