"""The `otg` command line: options → load config → call a job → messages and exit code.

Exit codes: 0 all well, 1 some items failed, 2 a usage or config error, 3 another run holds the
lock. Errors the user can fix are printed as one line with the fix; nothing prints a traceback
unless -vv asks for it. The plumbing (error handling, logging, shared options) is cli_support.py.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from cli_operate import jobs_group, ledger, status
from cli_output import (
    a_run,
    example_option,
    print_check,
    say,
    show_report,
)
from cli_support import (
    OtgGroup,
    dry_run_option,
    global_options,
    json_option,
    json_text,
    load,
    look_at_state,
    open_state,
    run_lock,
    setup_logging,
    show_envvars,
    wait_option,
    with_config,
)
from sync import stopping
from sync.dates import now_utc
from sync.errors import UsageError
from sync.roles import Role
from sync.text import one_line

if TYPE_CHECKING:  # each command imports what it uses: `otg --help` stays quick
    import config as config_pkg


@click.group(cls=OtgGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(None, "--version", package_name="otg-sync", prog_name="otg")
@global_options
@click.pass_context
def main(ctx: click.Context, **options: Any) -> None:
    """otg-sync keeps One Team Government's Trello boards, events calendar and Medium drafts
    in step.

    Every option can be set in the environment too: OTG_VERBOSE=1, OTG_SYNC_DRY_RUN=1 (OTG_,
    the command, the option); each command's --help names them."""
    ctx.ensure_object(dict).update(options)  # config_path, verbose, quiet, log_file
    setup_logging(options["verbose"], options["log_file"], options["quiet"])


@main.command()
@click.argument("path", type=click.Path(dir_okay=False), default="otg.toml")
@click.option("--force", is_flag=True, help="Overwrite existing files.")
@click.option(
    "--from",
    "from_board",
    metavar="EXPORT_OR_TRELLO_ID",
    help="Propose the board table and its list mapping from this board's own lists: a JSON "
    "export's path, or a Trello board id or short link (read with TRELLO_API_KEY/TRELLO_TOKEN).",
)
@click.option(
    "--role",
    type=click.Choice([r.value for r in Role]),
    help="The --from board's role (default: guessed from its list names).",
)
@click.option(
    "--github-actions",
    is_flag=True,
    help="Also write the nightly GitHub Actions workflow (sync, state branch, GitHub Pages) to "
    ".github/workflows/ beside PATH; an existing PATH is kept.",
)
@example_option
def init(path: str, force: bool, from_board: str | None, role: str | None, **more: bool) -> None:
    """Write a commented starter config to PATH (default ./otg.toml)."""
    import config.bundled
    import jobs.init

    if more["example"]:  # the demo, with its boards beside it
        lines = config.bundled.write_example(Path(path), force=force, alone=not from_board)
    else:
        lines = jobs.init.write(
            Path(path), force=force, source=from_board, role=role,
            github_actions=more["github_actions"],
        )  # fmt: skip
    for line in lines:
        click.echo(one_line(line))


@main.command()
@click.option(
    "--online",
    is_flag=True,
    help="Also contact Trello, CalDAV, Medium and the feeds: credentials and access.",
)
@json_option
@with_config
@click.pass_context
def check(ctx: click.Context, online: bool, as_json: bool) -> None:
    """Check the config, export files and folders (--online also contacts the services)."""
    import jobs.inspect

    result = jobs.inspect.check(load(ctx, warn=False), online=online)
    print_check(ctx, result, as_json)
    sys.exit(0 if result.ok else 1)


@main.command()
@json_option
@with_config
@click.pass_context
def boards(ctx: click.Context, as_json: bool) -> None:
    """List each board, its lists mapped to states, and card counts."""
    import jobs.inspect

    cfg = load(ctx)
    with look_at_state(cfg) as state:
        read, errors = jobs.inspect.boards(cfg, state)
    if as_json:
        click.echo(json_text(jobs.inspect.boards_data(read, errors)))
    else:
        if read:  # none read: only the errors, and no blank line before them
            click.echo("\n\n".join(jobs.inspect.render_board(b, m) for b, m in read))
        for error in errors:
            click.echo(one_line(f"error: {error}"), err=True)
    sys.exit(1 if errors else 0)


@main.command()
@json_option
@with_config
@click.pass_context
def events(ctx: click.Context, as_json: bool) -> None:
    """List the events boards' upcoming events and what each lacks (date, place, sign-up link,
    organiser, open checklist items due before the event)."""
    import jobs.events.listing

    cfg = load(ctx)
    with look_at_state(cfg) as state:
        found, errors = jobs.events.listing.events(cfg, state, now_utc())
    if as_json:
        click.echo(json_text(jobs.events.listing.as_data(found, errors, cfg.tz)))
    else:
        click.echo(jobs.events.listing.render(found, cfg.tz))
        for error in errors:
            click.echo(one_line(f"error: {error}"), err=True)
    sys.exit(1 if errors else 0)


@main.command()
@dry_run_option
@json_option
@click.option(
    "--only",
    "only",
    multiple=True,
    type=click.Choice([r.value for r in Role]),
    help="Sync only boards of this role (repeatable).",
)
@click.option(
    "--recreate-calendar",
    is_flag=True,
    help="The CalDAV calendar was emptied or replaced on purpose: create our events again.",
)
@click.option(
    "--new-version",
    "new_version",
    multiple=True,
    metavar="CARD",
    help="Create a fresh Medium draft for this content card (id or short link; repeatable).",
)
@click.option(
    "--allow-mass-cancel",
    is_flag=True,
    help="Let through what the mass-change guard stopped (many events cancelled at once, or a "
    "renamed list), and accept the renamed lists.",
)
@wait_option
@with_config
@click.pass_context
def sync(
    ctx: click.Context,
    dry_run: bool,
    as_json: bool,
    only: tuple[str, ...],
    recreate_calendar: bool,
    new_version: tuple[str, ...],
    wait: float,
    allow_mass_cancel: bool,
) -> None:
    """Read every board and bring the targets in step (--dry-run changes nothing)."""
    import jobs.sync
    from jobs.content import CARD_FIX

    new_version = tuple(ref.strip() for ref in new_version)
    if not all(new_version):
        raise UsageError("--new-version needs a card", CARD_FIX)
    cfg = load(ctx)
    if new_version and only and Role.CONTENT.value not in only:
        raise UsageError("--new-version needs the content boards", "add --only content")
    if recreate_calendar:
        _refuse_recreate_without_caldav(cfg, only)
    with a_run(ctx, cfg, "otg sync", wait, dry_run, as_json) as state:
        report = jobs.sync.run(
            cfg,
            state,
            dry_run=dry_run,
            only=[Role(o) for o in only],
            recreate_calendar=recreate_calendar,
            new_version=new_version,
            allow_mass_cancel=allow_mass_cancel,
        )
    show_report(ctx, report, as_json)
    sys.exit(stopping.exit_code(report.exit_code))


def _refuse_recreate_without_caldav(cfg: config_pkg.Config, only: tuple[str, ...]) -> None:
    """--recreate-calendar only changes what a sync does to a CalDAV calendar: without one, or
    without the events boards in the run, it would do nothing, and saying so is kinder."""
    if cfg.calendar.caldav is None:
        raise UsageError(
            "--recreate-calendar needs a [calendar.caldav] table",
            "only a CalDAV calendar is re-created (every sync writes the feed file in full); "
            "leave it out",
        )
    if only and Role.EVENTS.value not in only:
        raise UsageError("--recreate-calendar needs the events boards", "add --only events")
    if not cfg.boards_with_role(Role.EVENTS):
        raise UsageError(
            "--recreate-calendar needs an events board",
            'add a [boards.<name>] table with role = "events", or leave it out',
        )


@main.command()
@click.option("--from", "first", metavar="DATE", help="First day (YYYY-MM-DD, local time).")
@click.option(
    "--to",
    "last",
    metavar="DATE",
    help="Last day (YYYY-MM-DD, local time); either alone means 14 days in all. Without both: "
    "from the end of the last drafted roundup to now.",
)
@click.option("--output", type=click.Path(dir_okay=False), help="Write the Markdown to FILE.")
@click.option(
    "--target",
    type=click.Choice(["stdout", "drafts", "medium"]),
    default="stdout",
    show_default=True,
    help="Print it, or make it a draft (drafts folder or Medium), once per period.",
)
@click.option("--template", type=click.Path(dir_okay=False), help="A Jinja2 template to use.")
@click.option("--finalise", is_flag=True, help="Label the featured cards so they are not repeated.")
@click.option("--new-version", is_flag=True, help="Make another draft for a period drafted before.")
@click.option("--include-featured", is_flag=True, help="Also feature cards featured before.")
@click.option(
    "--include-estimated",
    is_flag=True,
    help="Also list cards done before their board's history begins, whose time is only an "
    "estimate (marked as such).",
)
@dry_run_option
@json_option
@wait_option
@with_config
@click.pass_context
def roundup(
    ctx: click.Context,
    first: str | None,
    last: str | None,
    output: str | None,
    target: str,
    template: str | None,
    finalise: bool,
    new_version: bool,
    include_featured: bool,
    include_estimated: bool,
    dry_run: bool,
    as_json: bool,
    wait: float,
) -> None:
    """Draft the fortnightly "two weeks on" post: by default the next one, from the end of the
    last drafted roundup (or 14 days ago) to now; --from/--to for other days."""
    import jobs.roundup

    if new_version and target == "stdout":
        raise UsageError(
            "--new-version needs --target drafts or medium",
            "a printed roundup is not recorded, so there is no draft to make another version of",
        )
    if output and as_json:
        raise UsageError(
            "--output and --json do not go together",
            "--json prints the gathered data and --output writes the post: leave one out",
        )
    cfg = load(ctx)
    now = now_utc()
    # printing it (stdout, --output, --json) is not a run: like a dry run, it reads a copy of the
    # state in memory, takes no lock and saves nothing (see jobs.roundup.run)
    writes = (target != "stdout" or finalise) and not dry_run
    with a_run(ctx, cfg, "otg roundup", wait, not writes, as_json) as state:
        period = (
            jobs.roundup.period_from(first, last, now.astimezone(cfg.tz).date())
            if first or last
            else jobs.roundup.next_period(cfg, state, now)
        )
        result = jobs.roundup.run(
            cfg,
            state,
            period,
            now=now,
            target=target,
            template=Path(template) if template else None,
            dry_run=dry_run,
            finalise=finalise,
            new_version=new_version,
            include_featured=include_featured,
            include_estimated=include_estimated,
        )
    if as_json:
        click.echo(json_text({"context": result.roundup.context(), **result.report.to_dict()}))
    elif not result.markdown:
        pass  # a board could not be read: nothing to show or write (the report says why)
    elif output and not dry_run:
        jobs.roundup.write_output(Path(output), result.markdown)
        say(ctx, f"Wrote the roundup for {period.label} to {output}.")
    elif target == "stdout" or dry_run:
        click.echo(result.markdown, nl=False)
    if not as_json and (result.report.outcomes or result.report.failures or result.report.warnings):
        show_report(ctx, result.report, as_json, to_stderr=target == "stdout")
    sys.exit(stopping.exit_code(result.report.exit_code))


@main.command()
@dry_run_option
@json_option
@wait_option
@with_config
@click.pass_context
def site(ctx: click.Context, dry_run: bool, as_json: bool, wait: float) -> None:
    """Write the static site: events page, feed, roundups (and drafts if [site] says so)."""
    import jobs.site

    cfg = load(ctx)
    # it reads the state and saves nothing there; the lock keeps a sync from writing the site too
    with run_lock(cfg, "otg site", wait, dry_run), open_state(cfg, dry_run=True) as state:
        report = jobs.site.run(cfg, state, now=now_utc(), dry_run=dry_run)
    show_report(ctx, report, as_json)
    sys.exit(stopping.exit_code(report.exit_code))


for command in (ledger, jobs_group, status):  # the operators' commands (cli_operate.py)
    main.add_command(command)
show_envvars(main)  # last: every command is defined

if __name__ == "__main__":  # `python -m cli`, where the `otg` script is not on PATH
    main(prog_name="otg")
