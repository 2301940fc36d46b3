"""The Medium API target: each card's draft created at most once, through the intents table.

The protocol (docs/architecture.md, "How a run goes"):

1. an intent row is written *before* the POST, holding everything needed to record the draft;
2. the POST is sent once, never retried;
3. on 201 the intent is settled ``done`` with Medium's id and URL, then the draft is recorded;
4. when Medium answered with an error (401, 400, 429...), or the POST surely never left (no
   connection could be made, or a stop ended a wait before it: ``NotSent``), nothing was
   created: the intent is settled ``retry`` and a later sync may try again;
5. when the answer is lost (timeout, dropped connection, 5xx) or the process dies before step 3,
   the intent stays ``pending``: every later sync reports it and creates nothing for that card
   until an operator settles it (``otg ledger resolve``).

A crash between steps 3's settle and record is healed by the next sync, which records the draft
from the settled intent (``record_from_intent``) instead of creating another.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from config.medium import MediumConfig
from sync.content.draft import Draft
from sync.content.draft_records import record_from_intent
from sync.content.medium import NOTHING_MADE, MediumClient
from sync.content.plan import INTENT_KIND
from sync.errors import StateWriteError
from sync.state.records import Intent, SyncedItem
from sync.state.store import State


def payload_for(draft: Draft, cfg: MediumConfig) -> dict[str, Any]:
    """The POST body: always ``publishStatus: draft`` (Medium's default would publish)."""
    payload: dict[str, Any] = {
        "title": draft.title,
        "contentFormat": "html",
        "content": draft.html(),
        "tags": list(draft.tags),
        "publishStatus": "draft",
        "license": cfg.license,
        "notifyFollowers": cfg.notify_followers,
    }
    if draft.canonical_url:
        payload["canonicalUrl"] = draft.canonical_url
    return payload


def intent_payload(draft: Draft, version: int, path: str, board: str = "") -> dict[str, Any]:
    """What the intent row keeps: enough to record the draft without the card, and the board's
    name, for the operator (`otg status`)."""
    return {
        "board": board,
        "title": draft.title,
        "version": version,
        "hash": draft.digest(),
        "path": path,
        "canonical_url": draft.canonical_url,
        "tags": list(draft.tags),
        "board_id": draft.board_id,
        "short_link": draft.short_link,
        "card_url": draft.card_url,
    }


class MediumTarget:
    """Creates drafts on Medium (see the module docstring for the protocol)."""

    def __init__(self, client: MediumClient, state: State, cfg: MediumConfig) -> None:
        self.client = client
        self.state = state
        self.cfg = cfg

    def create(self, draft: Draft, version: int, now: datetime, board: str = "") -> SyncedItem:
        """Create one draft and record it. Raises the client's errors, after settling the
        intent when Medium surely created nothing; an unknown outcome leaves it pending."""
        path = self.client.posts_path()  # GET /me first: a refused token sends no POST
        payload = intent_payload(draft, version, path, board)
        intent_id = self.state.open_intent(INTENT_KIND, draft.card_id, payload)
        try:
            data = self.client.create_draft(path, payload_for(draft, self.cfg))
        except NOTHING_MADE as exc:
            self.state.settle_intent(intent_id, "retry", {"created": False, "error": str(exc)})
            raise
        result = {"id": data["id"], "url": data["url"], "publishStatus": data.get("publishStatus")}
        try:
            self.state.settle_intent(intent_id, "done", result)
        except StateWriteError as exc:  # the draft exists: say where, as only this run knows
            raise StateWriteError(
                f'{exc.message}; the draft of "{draft.title}" was created at {data["url"]}',
                f"{exc.fix.split('; the next sync')[0]}, then run `otg ledger resolve "
                f"{intent_id} --url {data['url']}`",
            ) from None
        stamp = now.isoformat(timespec="seconds")
        intent = Intent(
            intent_id, INTENT_KIND, draft.card_id, "done", payload, result, stamp, stamp
        )
        record = record_from_intent(intent, now)
        self.state.put_item(record)
        return record
