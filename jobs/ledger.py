"""`otg ledger`: the intents of requests that cannot be safely retried, and how an operator
settles them.

A Medium draft is created by a POST that has no idempotency key. When its answer is lost, the
intent stays *pending* and no sync sends it again, because only a person can look at Medium and
see whether the draft exists. They then settle it here: ``--url`` (it exists: record it, and the
next sync links and moves the card), ``--retry`` (it does not: allow one more attempt) or
``--abandon`` (do not draft this card automatically any more).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any
from urllib.parse import urlsplit

from sync.content.plan import INTENT_KIND
from sync.content.rss import medium_post_id
from sync.errors import UsageError
from sync.state.records import Intent
from sync.state.store import State
from sync.text import one_line

SETTLED_BY = "otg ledger resolve"


def intents(state: State) -> list[Intent]:
    return state.intents()


def as_data(intent: Intent) -> dict[str, Any]:
    return asdict(intent)


def _result(intent: Intent) -> str:
    if intent.status == "pending":
        return (
            f"unsettled: check Medium, then otg ledger resolve {intent.id} --url URL, "
            "--retry or --abandon"
        )
    if intent.status == "done":
        return str(intent.result.get("url", ""))
    if intent.result.get("error"):
        return f"not created: {intent.result['error']}"[:160]
    by = " (by an operator)" if intent.result.get("by") == SETTLED_BY else ""
    return ("may be tried again" if intent.status == "retry" else "abandoned") + by


def render(found: list[Intent]) -> str:
    if not found:
        return "No intents recorded: nothing that cannot be retried has been sent."
    rows = [("id", "status", "created (UTC)", "card", "result")]
    for intent in found:
        title = one_line(str(intent.payload.get("title", intent.key)))
        title = title if len(title) <= 40 else title[:39] + "…"
        created = intent.created_at[:16].replace("T", " ")
        rows.append((str(intent.id), intent.status, created, title, _result(intent)))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return "\n".join(
        "  ".join(cell.ljust(widths[i]) if i < 4 else cell for i, cell in enumerate(row)).rstrip()
        for row in rows
    )


def resolve(state: State, intent_id: int, *, url: str | None, retry: bool, abandon: bool) -> str:
    """Settle one intent; returns the line to print. Raises ``UsageError`` with the fix."""
    if sum((url is not None, retry, abandon)) != 1:
        raise UsageError(
            "say what happened with exactly one of --url URL, --retry or --abandon",
            "see `otg ledger resolve --help`",
        )
    found = {i.id: i for i in state.intents()}
    intent = found.get(intent_id)
    if intent is None:
        raise UsageError(f"there is no intent {intent_id}", "see `otg ledger list` for the ids")
    title = intent.payload.get("title", intent.key)
    allowed = ("pending",) if retry else ("pending", "retry")
    if intent.status not in allowed:
        raise UsageError(
            f'intent {intent_id} ("{title}") is already settled: {intent.status}, '
            f"{_result(intent)}",
            "nothing to do",
        )
    if url is not None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise UsageError(
                f'"{url}" is not the URL of a draft',
                "copy it from Medium, e.g. https://medium.com/p/8c1f2e3d4a5b/edit",
            )
        state.settle_intent(
            intent_id, "done", {"id": medium_post_id(url) or "", "url": url, "by": SETTLED_BY}
        )
        what = "the draft" if intent.kind == INTENT_KIND else "the result"
        return (
            f'Intent {intent_id} settled: {what} of "{title}" is {url}. The next `otg sync` '
            "records it, attaches it to the card and moves the card on."
        )
    if retry:
        state.settle_intent(intent_id, "retry", {"by": SETTLED_BY})
        return (
            f'Intent {intent_id} settled: nothing was created. The next `otg sync` tries "{title}" '
            "once more."
        )
    state.settle_intent(intent_id, "abandoned", {"by": SETTLED_BY})
    ref = intent.payload.get("short_link") or intent.key
    return (
        f'Intent {intent_id} abandoned: "{title}" will not be drafted automatically any more '
        f"(`otg sync --new-version {ref}` drafts it on request)."
    )
