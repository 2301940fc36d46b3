"""What the state store hands back: a synced item, an intent, a run. Plain values, no SQLite.

The planning modules (the calendar's and the content flow's decision tables, the feed) read and
build these without needing the store itself (``sync/state/store.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SyncedItem:
    target: str
    key: str
    remote_id: str | None = None
    hash: str | None = None
    sequence: int = 0
    etag: str | None = None
    status: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Intent:
    id: int
    kind: str
    key: str
    status: str
    payload: dict[str, Any]
    result: dict[str, Any]
    created_at: str
    settled_at: str | None


@dataclass(frozen=True)
class Run:
    id: int
    job: str
    started_at: str
    finished_at: str | None
    status: str
    dry_run: bool
    summary: dict[str, Any]
    error: str | None


#: The targets records are kept under, and the statuses a draft's record has, named here (not in
#: the planners that write them) so that `otg status`, which only reads them, imports no planner,
#: and a night without CalDAV none of the CalDAV code.
CONTENT, ROUNDUP = "content", "roundup"
DRAFTED, PUBLISHED = "drafted", "published"
CALDAV = "caldav"  # href → the event on the CalDAV server (sync/calendar/caldav_target.py)
IMPORTED = "calendar-imported"  # card id → the UID and href it was imported from
