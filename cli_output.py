"""What the `otg` commands print, beside the plumbing in cli_support.py: a run's report and each
failure's one line on stderr, what -q leaves out, the progress line on a terminal, and the
output of `otg check`, `otg status` (with --check, the healthcheck) and `otg jobs run-once`."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from typing import TYPE_CHECKING, Any

import click

from cli_support import (
    _SECRETS,
    json_text,
    look_at_state,
    open_state,
    quiet,
    run_lock,
    verbosity,
)
from sync import progress
from sync.redaction import redact
from sync.text import one_line

if TYPE_CHECKING:  # each printer imports the job it shows: `otg --help` stays quick
    import jobs.inspect
    from config import Config
    from sync.report import Report
    from sync.state.store import State


def say(ctx: click.Context, text: str) -> None:
    """A command's normal output on stdout, which -q leaves out."""
    if not quiet(ctx):
        click.echo(text)


def show_report(ctx: click.Context, report: Report, as_json: bool, to_stderr: bool = False) -> None:
    """A run's report: as JSON (which holds the failures), or as text on stdout (on stderr with
    ``to_stderr``; none with -q) and each failure's one line on stderr, with what waits for an
    operator, so that cron's mail and the journal say why."""
    if as_json:
        click.echo(json_text(report.to_dict()))
        return
    if quiet(ctx):
        tell_failures(report.failure_lines(), report.waiting_lines())
        return
    from sync.report import render_text  # here: `otg --help` and `otg status` print no report

    *body, closing = render_text(report, failures=False).splitlines()
    if body:
        click.echo("\n".join(body), err=to_stderr)
    tell_failures(report.failure_lines(), report.waiting_lines())  # where they always were
    click.echo(closing, err=to_stderr)


def tell_failures(failures: Sequence[str], waiting: Sequence[str] = ()) -> None:
    """Each failure's one line on stderr, then each request that waits for an operator."""
    for line in failures:
        click.echo(redact(one_line(f"failed: {line}"), _SECRETS), err=True)
    for line in waiting:
        click.echo(redact(one_line(f"waiting for an operator: {line}"), _SECRETS), err=True)


@contextmanager
def progress_line(ctx: click.Context, as_json: bool = False) -> Iterator[None]:
    """The progress line on stderr (sync/progress.py), for a person at a terminal only: never
    with --json, -q or -v, nor when stderr is a file, a pipe or the journal (cron, systemd)."""
    stream = sys.stderr
    if as_json or quiet(ctx) or verbosity(ctx) or not stream.isatty():
        yield
        return
    with progress.shown_on(stream, width=shutil.get_terminal_size().columns):
        yield


@contextmanager
def a_run(
    ctx: click.Context, cfg: Config, what: str, wait: float, looking: bool, as_json: bool
) -> Iterator[State]:
    """What a run needs: the run lock (none when it only looks: a dry run, a printed roundup),
    the state, and the progress line."""
    with ExitStack() as stack:
        stack.enter_context(run_lock(cfg, what, wait, looking))
        state = stack.enter_context(open_state(cfg, looking))
        stack.enter_context(progress_line(ctx, as_json))
        yield state


def print_check(ctx: click.Context, result: jobs.inspect.CheckResult, as_json: bool) -> None:
    """`otg check`: each check on a line, a FAIL on stderr like every failure (-q: those alone)."""
    if as_json:
        import jobs.inspect

        click.echo(json_text(jobs.inspect.check_data(result)))
        return
    for item in result.checks:
        word = "warn" if item.warn else "ok " if item.ok else "FAIL"
        if not item.ok or not quiet(ctx):
            click.echo(one_line(f"{word} {item.subject}: {item.message}"), err=not item.ok)


def example_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--example",
        is_flag=True,
        help="Write the bundled example instead: a config reading the demo boards (Trello "
        "exports written beside it), so that every command can be tried offline.",
    )(command)


def print_resolved(
    ctx: click.Context, state: State, intent_id: int, said: str, as_json: bool
) -> None:
    """`otg ledger resolve`: what was settled, or with --json the intent as it is now."""
    if not as_json:
        say(ctx, said)
        return
    intent = next(i for i in state.intents() if i.id == intent_id)
    import jobs.ledger

    click.echo(json_text({"message": said, "intent": jobs.ledger.as_data(intent)}))


def health_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--check",
        "health",
        is_flag=True,
        help="Exit 1 when a job's last run failed, crashed or was killed, or a request waits for "
        "an operator, saying each on stderr (for monitors, cron and systemd).",
    )(command)


def print_status(
    ctx: click.Context, cfg: Config, data: dict[str, Any], health: bool, as_json: bool
) -> None:
    """`otg status`; with ``health`` (--check), exit 1 when something needs an operator, each
    problem on stderr (in the JSON with --json)."""
    if as_json:
        click.echo(json_text(data))
    else:
        if not cfg.state_db.exists():
            say(
                ctx,
                f"No runs yet: there is no state database at {cfg.state_db} "
                "(the first sync creates it).",
            )
        import jobs.status

        say(ctx, jobs.status.render_status(data, cfg.tz))
    if health and not data["healthy"]:
        for problem in [] if as_json else data["problems"]:
            click.echo(f"unhealthy: {one_line(problem)}", err=True)
        sys.exit(1)


def print_run_once(ctx: click.Context, cfg: Config, job: str, outcome: str, as_json: bool) -> None:
    """`otg jobs run-once`: the outcome (why it failed was logged on stderr as it happened), or
    with --json the outcome and the run as the history has it."""
    if not as_json:
        say(ctx, f"{job}: {outcome}")
        return
    with look_at_state(cfg) as state:
        import jobs.status

        last = jobs.status.last_run(state, job)
    click.echo(json_text({"job": job, "outcome": outcome, "run": last}))
