"""Plan the content flow: (content cards, what was drafted, open intents, the feeds) → actions.
Pure: no I/O, so ``--dry-run`` is this plan printed, and every case is tested here.

The state store keeps one record per card (target ``content``): the draft's version, where it
is (a Medium post or a file in the drafts folder), its content hash, and once published, the
public URL and date. Decision table, per visible card:

| the card                              | no record                | record "drafted"        |
|---------------------------------------|--------------------------|-------------------------|
| a pending intent for it               | pending (never resent)   | pending                 |
| a settled intent newer than the record| adopt (record the draft) | adopt                   |
| in "ready"                            | create (or skip: why)    | stale if edited         |
| in "drafted"                          | watch the feeds          | stale if edited; watch  |
| named by ``--new-version``            | create if ready          | create version n + 1    |
| record not yet written back (API)     | —                        | write-back              |
| its drafts-folder files newly gone    | —                        | gone (said once)        |

A draft's files gone from the drafts folder (``missing``: an editor pasted it into Medium and
removed them) are said once and noted in the record (``gone``); when fewer are missing than
noted, the note is only updated (``found``). A record "published" needs nothing more (but its
write-back, if that failed). Watched cards that appear in a feed become ``publish`` (or
``ambiguous``: see ``sync/content/published.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from config.medium import MediumConfig
from sync.content.draft import Draft, draft_for
from sync.content.published import Tracked, match_published
from sync.content.rss import FeedItem, medium_post_id
from sync.model import Board, Card
from sync.state.records import CONTENT, DRAFTED, PUBLISHED, Intent, SyncedItem
from sync.trello.lists import fold

TARGET = CONTENT
INTENT_KIND = "medium-post"


@dataclass(frozen=True)
class ContentAction:
    kind: str  # create, skip, pending, adopt, stale, write-back, publish, ambiguous, gone, found
    title: str
    card: Card | None = None
    board: Board | None = None
    detail: str = ""
    draft: Draft | None = None
    record: SyncedItem | None = None
    version: int = 1
    intent: Intent | None = None
    item: FeedItem | None = None
    candidates: tuple[FeedItem, ...] = ()
    files: tuple[str, ...] = ()  # gone, found: the draft's files missing from the drafts folder

    @property
    def key(self) -> str:
        return self.card.id if self.card else (self.intent.key if self.intent else "")


@dataclass
class ContentPlan:
    actions: list[ContentAction] = field(default_factory=list)
    unknown_refs: list[str] = field(default_factory=list)  # --new-version names of no card


def latest_intents(intents: Iterable[Intent]) -> dict[str, Intent]:
    """The newest intent per card."""
    latest: dict[str, Intent] = {}
    for intent in sorted(intents, key=lambda i: i.id):
        latest[intent.key] = intent
    return latest


def own_links(record: SyncedItem | None) -> tuple[str, ...]:
    """Links otg-sync attached for a record: never part of the draft's content."""
    if record is None:
        return ()
    return tuple(u for u in (record.data.get("url"), record.data.get("published_url")) if u)


def plan_content(
    boards: Iterable[Board],
    stored: dict[str, SyncedItem],
    intents: Iterable[Intent],
    *,
    cfg: MediumConfig,
    items: Iterable[FeedItem] = (),
    new_version: Iterable[str] = (),
    missing: Mapping[str, tuple[str, ...]] | None = None,
) -> ContentPlan:
    """``missing``: card id → the files of its drafts-folder draft no longer in the folder."""
    boards = list(boards)
    missing = missing or {}
    plan = ContentPlan()
    latest = latest_intents(i for i in intents if i.kind == INTENT_KIND)
    pending = {key: i for key, i in latest.items() if i.status == "pending"}
    refs = set(new_version)
    cards = [(b, c) for b in boards for c in b.cards if c.visible]
    found = {c.id for _, c in cards} | {c.short_link for _, c in cards}
    plan.unknown_refs = sorted(refs - found)
    for intent in pending.values():
        title = intent.payload.get("title", intent.key)
        plan.actions.append(ContentAction("pending", title, intent=intent, detail=_pending(intent)))
    tracked: dict[str, tuple[Board, Card, SyncedItem | None]] = {}
    for board, card in cards:
        record = stored.get(card.id)
        wanted = card.id in refs or card.short_link in refs
        if card.id in pending:
            continue
        settled = latest.get(card.id)
        if settled and settled.status == "done" and _newer(settled, record):
            plan.actions.append(
                ContentAction(
                    "adopt",
                    settled.payload.get("title", card.name),
                    card,
                    board,
                    f"{settled.result.get('url', '')} (intent {settled.id})",
                    intent=settled,
                )
            )
            continue
        if wanted or (record is None and card.state == "ready"):
            if latest.get(card.id) and latest[card.id].status == "abandoned" and not wanted:
                continue  # an operator said: no draft for this card
            plan.actions.append(_create(board, card, record, wanted, cfg))
            continue
        if record is None:
            if card.state == DRAFTED:
                tracked[card.id] = (board, card, None)
            continue
        if not record.data.get("written_back") and not board.read_only:
            plan.actions.append(ContentAction("write-back", card.name, card, board, record=record))
        if record.status == DRAFTED:
            if card.state in ("ready", DRAFTED):
                stale = _stale(card, record, cfg)
                if stale:
                    plan.actions.append(stale)
            gone = _gone(board, card, record, missing.get(card.id, ()))
            if gone:
                plan.actions.append(gone)
            tracked[card.id] = (board, card, record)
    plan.actions += _publication(tracked, items, stored)
    return plan


def _newer(intent: Intent, record: SyncedItem | None) -> bool:
    """A settled draft the state has no record of yet (a crash, or `otg ledger resolve`)."""
    return record is None or record.sequence < int(intent.payload.get("version", 1))


def _create(
    board: Board, card: Card, record: SyncedItem | None, wanted: bool, cfg: MediumConfig
) -> ContentAction:
    if record is not None and record.status == PUBLISHED:
        return ContentAction(
            "skip",
            card.name,
            card,
            board,
            f"already published ({record.data.get('published_url', '')}); --new-version "
            "makes new drafts of unpublished cards only",
            record=record,
        )
    if record is None and card.state != "ready":
        return ContentAction(
            "skip",
            card.name,
            card,
            board,
            f"has no draft yet and is in {card.list_name or 'no list'}, not a ready list "
            "— move it to the ready list instead",
        )
    draft = draft_for(card, cfg, own_links(record))
    if draft.problem:
        return ContentAction("skip", card.name, card, board, draft.problem, draft=draft)
    version = record.sequence + 1 if record is not None else 1
    detail = f"version {version}" if version > 1 else ""
    return ContentAction(
        "create", draft.title, card, board, detail, draft=draft, record=record, version=version
    )


def _stale(card: Card, record: SyncedItem, cfg: MediumConfig) -> ContentAction | None:
    draft = draft_for(card, cfg, own_links(record))
    if draft.problem or draft.digest() == record.hash:
        return None
    data = record.data
    what = [
        name
        for name, changed in (
            ("title", draft.title != data.get("title")),
            ("tags", list(draft.tags) != list(data.get("tags", []))),
        )
        if changed
    ] or ["description, checklists or links"]
    where = data.get("url") or data.get("file") or "the drafts folder"
    ref = card.short_link or card.id
    return ContentAction(
        "stale",
        card.name,
        card,
        detail=(
            f"the card's {' and '.join(what)} changed after its draft was made "
            f"({where}, {str(data.get('created_at', ''))[:10]}); Medium cannot update a draft — "
            f"edit it there, or run `otg sync --new-version {ref}` for a fresh one"
        ),
        draft=draft,
        record=record,
    )


def _gone(
    board: Board, card: Card, record: SyncedItem, missing: tuple[str, ...]
) -> ContentAction | None:
    """A drafts-folder draft whose files are not all there any more: said once (``gone``), when
    a file goes that was not noted yet; a file back is only noted (``found``)."""
    noted = tuple(record.data.get("files_gone") or ())
    if record.data.get("via") != "folder" or set(missing) == set(noted):
        return None
    if set(missing) <= set(noted):
        return ContentAction("found", card.name, card, board, record=record, files=missing)
    names = f"{missing[0]} and .html are" if len(missing) == 2 else f"{missing[0]} is"
    them = "them" if len(missing) == 2 else "it"
    return ContentAction(
        "gone",
        card.name,
        card,
        board,
        f"its draft {names} no longer in the drafts folder (pasted into Medium and removed?); "
        "said once, and listed by `otg status` — the card still has the text: "
        f"`otg sync --new-version {card.short_link or card.id}` writes {them} again",
        record=record,
        files=missing,
    )


def _publication(
    tracked: dict[str, tuple[Board, Card, SyncedItem | None]],
    items: Iterable[FeedItem],
    stored: dict[str, SyncedItem],
) -> list[ContentAction]:
    items = list(items)
    if not tracked or not items:
        return []
    claimed = {
        u for r in stored.values() if r.status == PUBLISHED for u in (*own_links(r), r.remote_id)
    }
    fresh = [i for i in items if not ({i.public_url, i.guid} | i.post_ids) & (claimed - {None, ""})]
    watch = [_tracked(card, record) for _, card, record in tracked.values()]
    actions = []
    for match in match_published(watch, fresh):
        board, card, record = tracked[match.card_id]
        if match.item is None:
            links = ", ".join(i.public_url for i in match.candidates)
            actions.append(
                ContentAction(
                    "ambiguous",
                    card.name,
                    card,
                    board,
                    f"{match.ambiguous}: {links} — not moved; move the card by hand if it is "
                    "published",
                    record=record,
                    candidates=match.candidates,
                )
            )
            continue
        when = match.item.published_at
        actions.append(
            ContentAction(
                "publish",
                card.name,
                card,
                board,
                f"published {when:%d %b %Y} at {match.item.public_url} (matched on "
                f"{', '.join(match.signals)})"
                if when
                else f"published at {match.item.public_url}",
                record=record,
                item=match.item,
            )
        )
    return actions


def _tracked(card: Card, record: SyncedItem | None) -> Tracked:
    ids = {medium_post_id(a.url) for a in card.attachments} - {None}
    titles = {fold(card.name)}
    canonical, drafted_at = "", None
    if record is not None:
        titles.add(fold(record.data.get("title", "")))
        if record.data.get("via") == "medium" and record.remote_id:
            ids = {record.remote_id}  # the draft we made is the one to find
        canonical = record.data.get("canonical_url", "")
        created = record.data.get("created_at")
        drafted_at = datetime.fromisoformat(created) if created else None
    return Tracked(
        card.id, frozenset(t for t in titles if t), frozenset(ids), canonical, drafted_at
    )


def _pending(intent: Intent) -> str:
    return (
        f"intent {intent.id} of {intent.created_at[:16].replace('T', ' ')} UTC is unsettled: the "
        "draft may exist on Medium, so it is not sent again — check your Medium drafts, then "
        f"`otg ledger resolve {intent.id} --url URL` (or `--retry` if there is none)"
    )
