"""What a run did: boards read, actions taken or planned, what was skipped and what failed.

One ``Report`` is built per run. The CLI prints it as text or JSON, the run history stores its
summary, and its ``exit_code`` is the command's: 0 all well, 1 something failed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from sync import progress
from sync.text import one_line, plural

if TYPE_CHECKING:
    from config import BoardConfig
    from sync.model import Board


@dataclass
class BoardSummary:
    name: str  # the config's name for the board
    role: str
    source: str
    title: str = ""  # the board's own name on Trello
    cards: int = 0
    states: dict[str, int] = field(default_factory=dict)
    deleted: int = 0
    history: int = 0
    read_only: bool = False


@dataclass
class Outcome:
    """One action: planned (dry run), done, skipped or failed."""

    kind: str  # create, update, cancel, delete, import, skip, conflict, ...
    target: str
    key: str
    title: str
    detail: str = ""
    status: str = "done"  # planned, done, skipped, failed, pending (waits for an operator)
    fields: list[str] = field(default_factory=list)  # for updates: what changed


class Actions(list[Outcome]):
    """A report's outcomes, each logged (one line, INFO) and counted on the progress line as it
    is added, not when the run ends: a log file says what a killed run had done, line by line,
    each with its own time."""

    def __init__(self, outcomes: Iterable[Outcome] = (), job: str = "") -> None:
        super().__init__(outcomes)
        self.log = logging.getLogger(f"jobs.{job or 'run'}")

    def append(self, outcome: Outcome) -> None:
        super().append(outcome)
        self._said(outcome)

    def extend(self, outcomes: Iterable[Outcome]) -> None:
        for outcome in outcomes:
            self.append(outcome)

    def __iadd__(self, outcomes: Iterable[Outcome]) -> Actions:  # type: ignore[override]
        self.extend(outcomes)
        return self

    def _said(self, outcome: Outcome) -> None:
        if isinstance(outcome, Outcome):  # (asdict rebuilds the list with dicts: not actions)
            self.log.info("%s", log_line(outcome))
            progress.action(outcome)


@dataclass
class Report:
    job: str
    dry_run: bool = False
    boards: list[BoardSummary] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    requests: dict[str, int] = field(default_factory=dict)
    run_id: int | None = None
    transient: bool = False  # a failure that a retry may cure (the network, a server down)
    config_error: bool = False  # a board's config cannot be used (exit 2, as a config error)

    def __post_init__(self) -> None:
        self.outcomes = Actions(self.outcomes, self.job)

    @property
    def ok(self) -> bool:
        return not self.failures and not any(o.status == "failed" for o in self.outcomes)

    @property
    def exit_code(self) -> int:
        return 2 if self.config_error else 0 if self.ok else 1

    def failure_lines(self) -> list[str]:
        """What failed, one line each: the run's failures, then each failed action that they
        do not already tell (a CalDAV server going down is one failure of the run, which names
        the request that failed)."""
        told = " ".join(self.failures)
        return self.failures + [
            outcome_line(o)
            for o in self.outcomes
            if o.status == "failed" and not (o.detail and o.detail in told)
        ]

    def waiting_lines(self) -> list[str]:
        """What waits for an operator (a Medium draft of unknown outcome), one line each: said
        every run until it is settled, without making the run a failed one."""
        return [outcome_line(o) for o in self.outcomes if o.status == "pending"]

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for outcome in self.outcomes:
            key = outcome.kind if outcome.status in ("done", "planned") else outcome.status
            counts[key] = counts.get(key, 0) + 1
        return counts

    def summary(self) -> dict[str, Any]:
        """The short form stored in the run history."""
        return {
            "boards": len(self.boards),
            "cards": sum(b.cards for b in self.boards),
            "counts": self.counts(),
            "warnings": len(self.warnings),
            "failures": self.failure_lines()[:20],
            "waiting": self.waiting_lines()[:20],
            "requests": self.requests,
        }

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, **asdict(self), "counts": self.counts()}


def summarise(board_cfg: BoardConfig, board: Board) -> BoardSummary:
    """What a report says of one board read. A card counts as done by the one rule the roundup
    uses too (``sync.trello.done``)."""
    from sync.trello.done import DoneRules, state_of  # here: `otg status` reads no board

    rules = DoneRules.of(board_cfg)
    states: dict[str, int] = {}
    for card in board.cards:
        key = state_of(card, rules)
        states[key] = states.get(key, 0) + 1
    return BoardSummary(
        name=board_cfg.name,
        role=board.role.value,
        source=board_cfg.source,
        title=board.name,
        cards=len(board.cards),
        states=states,
        deleted=len(board.deleted),
        history=board.actions_read,
        read_only=board.read_only,
    )


def log_line(outcome: Outcome) -> str:
    """An outcome as the log records it: ``done create calendar: Title (detail)``."""
    # "skipped skip" would say it twice: a skip's kind adds nothing to its status
    words = outcome.status if outcome.kind == "skip" else f"{outcome.status} {outcome.kind}"
    detail = f" ({outcome.detail})" if outcome.detail else ""
    return f"{words} {outcome.target}: {outcome.title}{detail}"


def outcome_line(outcome: Outcome) -> str:
    """An action that failed or waits, for stderr and the run history:
    ``create medium: Title — why``."""
    detail = f" — {outcome.detail}" if outcome.detail else ""
    return one_line(f"{outcome.kind} {outcome.target}: {outcome.title}{detail}")


def render_text(report: Report, failures: bool = True) -> str:
    """The report as text. ``failures=False`` leaves out the ``failed:`` lines, which the CLI
    prints on stderr instead."""
    lines: list[str] = []
    verb = "Would" if report.dry_run else ""
    for board in report.boards:
        states = ", ".join(f"{n} {s}" for s, n in sorted(board.states.items()))
        deleted = f"{board.deleted} deleted" if board.deleted else ""
        counts = "; ".join(part for part in (states, deleted) if part)
        counts = f" ({counts})" if counts else ""
        lines.append(
            f"{board.role:<13} {board.title or board.name}: {plural(board.cards, 'card')}{counts}"
        )
    for outcome in report.outcomes:
        word = outcome.kind if outcome.status in ("done", "planned") else outcome.status
        if verb and outcome.status == "planned":
            word = f"would {word}"
        detail = f" — {outcome.detail}" if outcome.detail else ""
        lines.append(f"{word:<16} {outcome.target:<12} {outcome.title}{detail}")
    for warning in report.warnings:
        lines.append(f"warning: {warning}")
    for failure in report.failures if failures else ():
        lines.append(f"failed: {failure}")
    lines.append(_closing_line(report))
    return "\n".join(one_line(line) for line in lines)  # a card name cannot break a line


def _closing_line(report: Report) -> str:
    counts = report.counts()
    done = ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "nothing to write"
    requests = sum(report.requests.values())
    parts = [f"{plural(len(report.boards), 'board')} read", done]
    if requests:
        parts.append(plural(requests, "request"))
    if report.warnings:
        parts.append(plural(len(report.warnings), "warning"))
    if report.failures:
        parts.append(f"{len(report.failures)} failed")
    prefix = "Dry run: " if report.dry_run else ""
    run = f" (run {report.run_id})" if report.run_id else ""
    return f"{prefix}{'; '.join(parts)}{run}."
