"""A run's record in the run history: its start, and its end whatever happens.

A job records its start before it writes anything, and its end when it is done: ``ok``,
``failed`` (some items failed, the report says which) or ``interrupted`` (a stop was asked for).
If the job raises instead (a template error, a bug, a second Ctrl-C), the end is recorded all the
same, as ``crashed`` with the error's one line, or ``interrupted``: `otg status` then says what
happened, never "killed", which is kept for a process that died without a word.
"""

from __future__ import annotations

from contextlib import suppress
from types import TracebackType

from sync.errors import StateError
from sync.report import Report
from sync.state.store import State
from sync.stopping import STOPPED_NOW, stop_requested
from sync.text import one_line


def describe(exc: BaseException) -> str:
    """An exception as one line: ours as they are, anything else named as unexpected."""
    text = str(exc) or type(exc).__name__
    return one_line(text if hasattr(exc, "fix") else f"unexpected {type(exc).__name__}: {text}")


class RunRecord:
    """Use as a context manager around a job's work; call ``start()`` when the run begins (a job
    may start it late, or not at all for a dry run) and ``finish()`` at its normal end."""

    def __init__(self, state: State, job: str, report: Report) -> None:
        self.state, self.job, self.report = state, job, report
        self.run_id: int | None = None
        self.finished = False

    def start(self) -> None:
        self.run_id = self.state.start_run(self.job)

    def finish(self) -> None:
        """The normal end: ok, failed or interrupted, as the report says."""
        if self.run_id is None or self.finished:
            return
        self.finished = True
        report = self.report
        report.run_id = self.run_id
        status = "ok" if report.ok else "interrupted" if stop_requested() else "failed"
        try:
            self.state.finish_run(
                self.run_id, status, report.summary(), "; ".join(report.failures[:5]) or None
            )
        except StateError as exc:
            if not any(f.startswith(exc.message) for f in report.failures):
                report.failures.append(f"{exc} (this run is not in the history)")

    def ended_by(self, exc: BaseException) -> None:
        """The end of a run that raised: ``interrupted`` by a second Ctrl-C or SIGTERM, else
        ``crashed`` with the error's one line."""
        if self.run_id is None or self.finished:
            return
        self.finished = True
        with suppress(StateError):  # the state database may be why: the first error is said
            if isinstance(exc, KeyboardInterrupt):
                self.state.finish_run(
                    self.run_id, "interrupted", self.report.summary(), STOPPED_NOW
                )
            else:
                self.state.finish_run(self.run_id, "crashed", self.report.summary(), describe(exc))

    def __enter__(self) -> RunRecord:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is not None:
            self.ended_by(exc)
