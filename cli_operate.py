"""The operators' commands: `otg status` (what happened, what needs an operator), `otg jobs`
(the scheduler) and `otg ledger` (requests that cannot be safely retried). ``cli.py`` adds them
to the `otg` group."""

from __future__ import annotations

import logging
import sys

import click

from cli_output import health_option, print_resolved, print_run_once, print_status
from cli_support import (
    json_option,
    json_text,
    load,
    look_at_state,
    open_state,
    quiet,
    run_lock,
    verbosity,
    wait_option,
    with_config,
)
from jobs.lock import lock_for
from jobs.runners import RUNNERS  # the job names only: each job is imported when it runs
from sync import stopping
from sync.dates import now_utc
from sync.errors import UsageError
from sync.stopping import graceful_signals

# -- the ledger ----------------------------------------------------------------------------------


@click.group()
def ledger() -> None:
    """Requests that cannot be safely retried (Medium drafts): list them and settle them."""


@ledger.command("list")
@json_option
@with_config
@click.pass_context
def ledger_list(ctx: click.Context, as_json: bool) -> None:
    """List every intent, pending and settled, oldest first."""
    import jobs.ledger

    cfg = load(ctx)
    with look_at_state(cfg) as state:
        found = jobs.ledger.intents(state)
    if as_json:
        click.echo(json_text([jobs.ledger.as_data(i) for i in found]))
    else:
        click.echo(jobs.ledger.render(found))


@ledger.command("resolve")
@click.argument("intent_id", metavar="ID", type=int)
@click.option("--url", help="The draft was created: this is its URL (it is recorded and linked).")
@click.option("--retry", is_flag=True, help="No draft was created: allow one more attempt.")
@click.option("--abandon", is_flag=True, help="Do not draft this card automatically any more.")
@json_option
@wait_option
@with_config
@click.pass_context
def ledger_resolve(
    ctx: click.Context,
    intent_id: int,
    url: str | None,
    retry: bool,
    abandon: bool,
    as_json: bool,
    wait: float,
) -> None:
    """Settle intent ID after checking Medium: --url URL, --retry or --abandon."""
    import jobs.ledger

    cfg = load(ctx)
    if not cfg.state_db.exists():
        raise UsageError(f"there is no state database at {cfg.state_db}", "run `otg sync` first")
    # the same lock as a sync: an intent is never settled under a run that is reading it
    with run_lock(cfg, "otg ledger resolve", wait), open_state(cfg) as state:
        said = jobs.ledger.resolve(state, intent_id, url=url, retry=retry, abandon=abandon)
        print_resolved(ctx, state, intent_id, said, as_json)


# -- scheduled jobs ------------------------------------------------------------------------------


@click.group("jobs")
def jobs_group() -> None:
    """Scheduled jobs: list them, run the scheduler, or run one job now."""


@jobs_group.command("list")
@json_option
@with_config
@click.pass_context
def jobs_list(ctx: click.Context, as_json: bool) -> None:
    """Each job, when it runs, and its next three runs in local time."""
    import jobs.status

    cfg = load(ctx)
    rows = jobs.status.schedule_rows(cfg, now_utc(), available=set(RUNNERS))
    click.echo(json_text(rows) if as_json else jobs.status.render_schedule(rows))


@jobs_group.command("run")
@with_config
@click.pass_context
def jobs_run(ctx: click.Context) -> None:
    """Run the scheduler until SIGTERM or Ctrl-C (for systemd, or a terminal)."""
    from jobs.scheduler import JobScheduler

    cfg = load(ctx)
    if verbosity(ctx) == 0 and not quiet(ctx):  # unattended: one line per job and action
        logging.getLogger().handlers[0].setLevel(logging.INFO)
        logging.getLogger().setLevel(logging.INFO)
    with graceful_signals():
        JobScheduler(cfg, RUNNERS).run_forever()


@jobs_group.command("run-once")
@click.argument("name", metavar="JOB", type=click.Choice(sorted(RUNNERS)))
@json_option
@wait_option
@with_config
@click.pass_context
def jobs_run_once(ctx: click.Context, name: str, as_json: bool, wait: float) -> None:
    """Run one job now, as the scheduler would (lock, retries, run history).

    JOB is sync, publication or roundup (see `otg jobs list`)."""
    from jobs.scheduler import JobScheduler

    cfg = load(ctx)
    job = next(j for j in cfg.jobs if j.name == name)
    with graceful_signals():
        outcome = JobScheduler(cfg, RUNNERS, lock_wait=wait).run_job(job, scheduled=False)
    print_run_once(ctx, cfg, name, outcome, as_json)
    sys.exit(stopping.exit_code({"ok": 0, "busy": 3}.get(outcome, 1)))


@click.command()
@health_option
@json_option
@with_config
@click.pass_context
def status(ctx: click.Context, health: bool, as_json: bool) -> None:
    """The last run of each job, what it did, what needs an operator, and the next runs.

    Exit 0; with --check, 1 when something needs an operator."""
    import jobs.status

    cfg = load(ctx)
    with look_at_state(cfg) as state:
        busy = lock_for(cfg.state_db, "otg status").held()
        data = jobs.status.status(
            cfg,
            state,
            now_utc(),
            set(RUNNERS),
            in_progress=busy,
            scheduler=jobs.status.scheduler_running(cfg.state_db),
        )
    print_status(ctx, cfg, data, health, as_json)
