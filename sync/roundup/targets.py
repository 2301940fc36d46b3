"""The roundup as a draft, once per period: in the drafts folder, or on Medium.

The same at-most-once machinery as content drafts. The state store keeps one record per period
(target ``roundup``); a second roundup for the same period reports the first instead of making
another, unless a new version is asked for. A Medium POST is preceded by an intent (kind
``roundup-post``) and settled right after (``retry`` when Medium surely made nothing: it refused,
or the POST was never sent); one whose outcome is unknown stays pending, blocks that period, and
is settled by an operator with `otg ledger resolve`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from config import Config
from sync.content.draft import Draft, slugify
from sync.content.drafts_folder import write_draft
from sync.errors import OtgError
from sync.roundup.gather import TITLE, Period
from sync.state.records import ROUNDUP, SyncedItem
from sync.state.store import State

TARGET = ROUNDUP
KIND = "roundup-post"


class RoundupPending(OtgError):
    """An earlier Medium POST for this period has an unknown outcome."""


@dataclass(frozen=True)
class Placed:
    """Where a roundup draft is, and whether this run made it."""

    where: str  # a file path or a Medium URL
    made: bool
    version: int


def record_key(target: str, period: Period) -> str:
    """Once per period and per target: a drafts-folder draft does not stop a Medium one."""
    return f"{target}:{period.key}"


def roundup_draft(markdown: str, title: str, period: Period, cfg: Config, version: int) -> Draft:
    """The roundup as a draft. ``title`` is plain text from the data (``Rendered.title``), never
    read back from the Markdown, where card text is escaped."""
    suffix = f"-v{version}" if version > 1 else ""
    return Draft(
        card_id=f"roundup:{period.last.isoformat()}",
        board_id="",
        short_link="",
        card_url="",
        title=title or TITLE.format(label=period.label),
        markdown=markdown,
        tags=cfg.roundup.tags,
        canonical_url="",
        slug=f"{slugify('two weeks on')}{suffix}",  # + the period's last day, as the id
    )


def place(
    state: State,
    cfg: Config,
    period: Period,
    markdown: str,
    *,
    title: str,
    target: str,
    new_version: bool,
    now: datetime,
    featured: list[str] | None = None,
) -> Placed:
    """Put the roundup for ``period`` where ``target`` says, at most once per period."""
    record = state.item(TARGET, record_key(target, period))
    if record is not None and not new_version:
        return Placed(record.data.get("where", ""), False, record.sequence)
    version = record.sequence + 1 if record else 1
    start, end = period.bounds(cfg.tz)
    draft = roundup_draft(markdown, title, period, cfg, version)
    if target == "drafts":
        files, _ = write_draft(
            cfg.output_dir / cfg.medium.drafts_dir, draft, cfg.medium, replace=new_version
        )
        where = str(files.markdown)
    else:
        where = _post(state, cfg, period, draft, version)
    state.put_item(
        SyncedItem(
            TARGET,
            record_key(target, period),
            remote_id=where,
            sequence=version,
            status="drafted",
            data={
                "where": where,
                "via": target,
                "made_at": now.isoformat(),
                "title": draft.title,
                "first_day": period.first.isoformat(),
                "last_day": period.last.isoformat(),
                "start": start.isoformat(),  # the instants it covered: the next starts at "end"
                "end": end.isoformat(),
                "featured": list(featured or []),
            },
        )
    )
    return Placed(where, True, version)


def _post(state: State, cfg: Config, period: Period, draft: Draft, version: int) -> str:
    # imported here: a roundup printed or put in the drafts folder needs no HTTP stack
    from sync.content.medium import NOTHING_MADE, MediumClient, medium_session
    from sync.content.medium_target import payload_for

    for intent in state.intents(KIND):
        if intent.key != period.key:
            continue
        if intent.status == "pending":
            raise RoundupPending(
                f"the Medium draft of the roundup for {period.label} may or may not exist "
                f"(intent {intent.id}, sent {intent.created_at})",
                f"check Medium, then `otg ledger resolve {intent.id} --url URL` or --retry",
            )
        if intent.status == "done" and intent.payload.get("version") == version:
            return str(intent.result.get("url", ""))  # settled, not yet recorded
    token = cfg.secrets.get("MEDIUM_TOKEN")
    if not token:
        raise OtgError(
            "MEDIUM_TOKEN is not set, needed for --target medium",
            "set it in the environment or a .env file, or use --target drafts",
        )
    client = MediumClient(medium_session(token, cfg.medium.timeout), cfg.medium.publication_id)
    path = client.posts_path()
    intent_id = state.open_intent(
        KIND, period.key, {"title": draft.title, "version": version, "path": path}
    )
    try:
        data = client.create_draft(path, payload_for(draft, cfg.medium))
    except NOTHING_MADE as exc:
        state.settle_intent(intent_id, "retry", {"created": False, "error": str(exc)})
        raise
    state.settle_intent(intent_id, "done", {"id": data["id"], "url": data["url"]})
    return str(data["url"])


def written_file(placed: Placed) -> Path | None:
    path = Path(placed.where)
    return path if placed.where and path.suffix == ".md" else None
