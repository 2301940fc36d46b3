"""Bring a CalDAV calendar in step with the canonical event records.

Only events otg-sync created (known in the state store, target ``caldav``) are ever changed or
deleted. Each write is made with ``If-Match`` (or ``If-None-Match: *`` for a new one) and recorded
only after it succeeded, so a crash or a server going down mid-run leaves the state true, and the
next run converges. An unchanged calendar costs one PROPFIND and no writes.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from sync import ical
from sync.caldav import CalDavClient, PreconditionFailed, Resource, normalise_href
from sync.errors import AuthError, OtgError, RemoteError, StateError
from sync.report import Outcome, plural
from sync.state import State, SyncedItem
from sync.stopping import stop_requested

TARGET = "caldav"
#: What flows back from the calendar to a card (the description does not: ours adds links).
SHARED_FIELDS = ("summary", "start", "end", "all_day", "location", "status")


class CalendarEmptied(OtgError):
    """The calendar holds none of our events although the state says it should (it was emptied,
    or calendar.caldav.url now names another calendar): stop."""


@dataclass
class Step:
    kind: str  # create, update, restore, recreate, cancel, delete
    card_id: str
    title: str
    href: str
    body: bytes = b""
    digest: str = ""
    etag: str | None = None  # the server's current ETag, for If-Match
    uid: str = ""


def plan_caldav(
    records: dict[str, SyncedItem],
    ours: dict[str, SyncedItem],
    server: dict[str, Resource],
    href_for: Callable[[str], str],
) -> list[Step]:
    """What to write so that the server holds exactly ``records`` (of our events)."""
    steps: list[Step] = []
    for card_id, record in sorted(records.items()):
        body = ical.single(record)
        digest = hashlib.sha256(body).hexdigest()[:16]
        item = ours.get(card_id)
        href = item.remote_id if item and item.remote_id else href_for(record.remote_id or "")
        there = server.get(href)
        title = record.data["event"]["summary"]
        if item is None:
            kind = "create"
        elif there is None:
            kind = "recreate"  # deleted on the server: the board still wants it
        elif item.hash != digest:
            kind = (
                "cancel"
                if record.status == "cancelled" and item.status != "cancelled"
                else "update"
            )
        elif there.etag != item.etag:
            kind = "restore"  # edited on the calendar; the board wins
        else:
            continue
        # a create never replaces what is there (If-None-Match): `_adopt` decides whose it is
        etag = there.etag if there and kind != "create" else None
        steps.append(Step(kind, card_id, title, href, body, digest, etag, record.remote_id or ""))
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
    ) -> tuple[list[Outcome], list[str]]:
        """Make the calendar hold ``records``. ``server`` is its listing if the caller has one;
        ``hold`` names cards whose events are left exactly as they are this run."""
        server = self.client.list() if server is None else server
        ours = {k: v for k, v in self.guard(server, recreate).items() if k not in hold}
        records = {k: v for k, v in records.items() if k not in hold}
        steps = plan_caldav(records, ours, server, self.client.href_for)
        return self._apply_all(steps, records, dry_run)

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
        self, steps: list[Step], records: dict[str, SyncedItem], dry_run: bool
    ) -> tuple[list[Outcome], list[str]]:
        outcomes: list[Outcome] = []
        failures: list[str] = []
        missing_etag = False
        for index, step in enumerate(steps):
            if stop_requested() and not dry_run:
                failures.append(
                    f"CalDAV: stopped before {plural(len(steps) - index, 'change')}; "
                    "the next sync makes them"
                )
                break
            if dry_run:
                outcomes.append(
                    Outcome(step.kind, TARGET, step.card_id, step.title, status="planned")
                )
                continue
            try:
                detail, etag = self._apply(step, records.get(step.card_id))
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

    def _apply(self, step: Step, record: SyncedItem | None) -> tuple[str, str | None]:
        if step.kind == "delete":
            self.client.delete(step.href, etag=step.etag)
            self.state.delete_item(TARGET, step.card_id)
            return "", None
        detail = ""
        try:
            etag = self.client.put(step.href, step.body, etag=step.etag)
        except PreconditionFailed:
            etag, detail = self._adopt(step)
        if step.kind == "restore":
            detail = "edited on the calendar; the board wins"
        self.state.put_item(
            SyncedItem(
                TARGET,
                step.card_id,
                remote_id=step.href,
                hash=step.digest,
                etag=etag,
                status=record.status if record else None,
                data={"summary": step.title, "seen": seen_fields(record) if record else {}},
            )
        )
        return detail, etag

    def _adopt(self, step: Step) -> tuple[str | None, str]:
        """A PUT's precondition failed. A create found something at our href: ours from an
        interrupted run, or not ours. Any other write found our event changed since we listed
        the calendar: the board wins, as it does for a restore."""
        existing = self.client.fetch([step.href]).get(step.href)
        if existing is None or step.uid not in _uids(existing.data or ""):
            raise OtgError(
                f"an event otg-sync did not create is at {step.href}; left alone",
                "remove it from the calendar if it is a leftover",
            )
        detail = (
            "found from an earlier run"
            if step.kind == "create"
            else "changed on the calendar meanwhile; the board wins"
        )
        return self.client.put(step.href, step.body, etag=existing.etag), detail

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


def failure_line(exc: Exception) -> str:
    """A report line for a CalDAV failure, saying CalDAV once (the session's errors say it)."""
    text = str(exc)
    return text if text.startswith("CalDAV") else f"CalDAV: {text}"


def _uids(text: str) -> set[str]:
    """The UIDs in iCalendar text. Unfolds first: a long UID line is folded, and the XML of a
    REPORT has turned its CRLF into LF, so the fold is a newline and a space or tab."""
    unfolded = re.sub(r"\r?\n[ \t]", "", text)
    return {
        line.split(":", 1)[1].strip()
        for line in unfolded.splitlines()
        if line.upper().startswith("UID:")
    }
