"""The state store's record of a card's draft (target ``content``, key = the card id).

One record per card: where the draft is (a Medium post, a file in the drafts folder, or a draft
link found on the card), its version (``sequence``), the hash of what it says (and in the drafts
folder, of each file written), whether the card shows it yet (``written_back``), and once
published, the public URL and date (the roundup reads them). Built here from a draft just made,
from a settled intent, or from a feed item.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

from sync.content.draft import Draft
from sync.content.drafts_folder import missing_files
from sync.content.plan import DRAFTED, PUBLISHED, TARGET
from sync.content.rss import FeedItem, medium_post_id
from sync.model import Card
from sync.state.records import Intent, SyncedItem


def draft_record(
    draft: Draft,
    *,
    via: str,
    version: int,
    now: datetime,
    url: str = "",
    remote_id: str = "",
    file: str = "",
    file_hashes: dict[str, str] | None = None,
) -> SyncedItem:
    """The record of a draft just made (``via``: "medium" or "folder"). ``file_hashes``: the
    hash of each file otg-sync wrote for the card, by name (this version's and earlier ones'),
    so that a new version can tell them from files edited by hand since."""
    return SyncedItem(
        target=TARGET,
        key=draft.card_id,
        remote_id=remote_id or draft.file_stem,
        hash=draft.digest(),
        sequence=version,
        status=DRAFTED,
        data={
            "via": via,
            "title": draft.title,
            "url": url,
            "file": file,
            **({"file_hashes": file_hashes} if file_hashes else {}),
            "canonical_url": draft.canonical_url,
            "tags": list(draft.tags),
            "board_id": draft.board_id,
            "short_link": draft.short_link,
            "card_url": draft.card_url,
            "created_at": now.isoformat(timespec="seconds"),
            "written_back": False,
        },
    )


def published_record(card: Card, record: SyncedItem | None, item: FeedItem) -> SyncedItem:
    """A record once its post is seen in a feed: public URL and date, write-back to do."""
    base = record or SyncedItem(
        target=TARGET,
        key=card.id,
        remote_id=min(item.post_ids, default=None),
        data={"via": "trello", "title": card.name, "board_id": card.board_id},
    )
    when = item.published_at.isoformat() if item.published_at else None
    data = {
        **base.data,
        "published_url": item.public_url,
        "published_at": when,
        "published_title": item.title,
        "written_back": False,
    }
    return replace(base, status=PUBLISHED, data=data)


def record_from_intent(intent: Intent, now: datetime) -> SyncedItem:
    """The record of a draft whose intent was settled ``done`` (by a sync or an operator)."""
    payload, result = intent.payload, intent.result
    url = str(result.get("url", ""))
    return SyncedItem(
        target=TARGET,
        key=intent.key,
        remote_id=str(result.get("id") or medium_post_id(url) or "") or None,
        hash=payload.get("hash"),
        sequence=int(payload.get("version", 1)),
        status=DRAFTED,
        data={
            "via": "medium",
            "title": payload.get("title", ""),
            "url": url,
            "file": "",
            "canonical_url": payload.get("canonical_url", ""),
            "tags": payload.get("tags", []),
            "board_id": payload.get("board_id", ""),
            "short_link": payload.get("short_link", ""),
            "card_url": payload.get("card_url", ""),
            "created_at": (intent.settled_at or now.isoformat(timespec="seconds")),
            "written_back": False,
            "intent": intent.id,
        },
    )


def with_files_gone(record: SyncedItem, files: tuple[str, ...], now: datetime) -> SyncedItem:
    """A drafts-folder record noting which of its files are gone from the folder (``files``),
    and since when, so that a sync says it once and `otg status` lists it; none: the mark goes."""
    data = {k: v for k, v in record.data.items() if k not in ("files_gone", "files_gone_at")}
    if files:
        noted = set(record.data.get("files_gone") or ())
        since = record.data.get("files_gone_at") if set(files) <= noted else None
        data["files_gone"] = list(files)
        data["files_gone_at"] = since or now.isoformat(timespec="seconds")
    return replace(record, data=data)


def missing_draft_files(
    output_dir: Path, stored: dict[str, SyncedItem]
) -> dict[str, tuple[str, ...]]:
    """Card id → the files of its draft (in the drafts folder) that are no longer there."""
    found = {}
    for key, record in stored.items():
        file = record.data.get("file") if record.data.get("via") == "folder" else ""
        if record.status == DRAFTED and file and (gone := missing_files(output_dir, file)):
            found[key] = gone
    return found
