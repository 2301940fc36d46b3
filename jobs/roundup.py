"""The roundup job: read the boards, gather the period, render, and put the draft where asked.

`otg roundup` calls it, and so does the scheduler's fortnightly `roundup` job. Finalising (by
`--finalise`) labels the cards the post featured (jobs/roundup_labels.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from config import Config
from jobs.history import RunRecord
from jobs.roundup_labels import STOPPED_LABELLING, finalise_published, label_name
from jobs.roundup_labels import finalise as label_featured
from sync.dates import EARLIEST, LATEST, now_utc
from sync.errors import OtgError, RemoteError, UsageError
from sync.model import Board, Role
from sync.report import Outcome, Report, plural, summarise
from sync.roundup.gather import Options, Period, Roundup, gather
from sync.roundup.period import following, last_drafted
from sync.state.records import CONTENT, PUBLISHED
from sync.state.records import ROUNDUP as ROUNDUPS
from sync.state.store import State
from sync.stopping import stop_requested
from sync.trello.done import DoneRules
from sync.trello.fast_read import releases_model
from sync.trello.renames import remembered, rename_warnings, renamed_lists
from sync.trello.sources import read_boards

if TYPE_CHECKING:
    from sync.roundup.render import Rendered
    from sync.trello.api import TrelloApi


@dataclass
class RoundupResult:
    report: Report
    markdown: str  # "" when a board could not be read: a post from part of them is wrong
    roundup: Roundup


def period_from(first: str | None, last: str | None, today: date) -> Period:
    """--from/--to (local dates): 14 days ending today by default, or ending/starting at the one
    given."""
    start, end = _date(first, "--from"), _date(last, "--to")
    if start and end and start > end:
        raise UsageError(f"--from {start} is after --to {end}", "swap them")
    if start and not end:
        end = start + timedelta(days=13)
    if end and not start:
        start = end - timedelta(days=13)
    end = end or today
    return Period(start or end - timedelta(days=13), end)


def next_period(cfg: Config, state: State, now: datetime) -> Period:
    """The scheduled roundup's period (and `otg roundup`'s without --from/--to): from the end of
    the last drafted period, whatever its target, to ``now``; so nothing falls between two."""
    latest = last_drafted(state, cfg.tz)
    return following(latest[0] if latest else None, now, cfg.tz)


def _date(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f'{option} "{text}" is not a date', "use YYYY-MM-DD") from None
    if not EARLIEST.year <= day.year < LATEST.year:
        raise UsageError(
            f"{option} {day} is outside {EARLIEST.year}–{LATEST.year - 1}", "use a date nearer now"
        )
    return day


@releases_model
def run(
    cfg: Config,
    state: State,
    period: Period,
    *,
    target: str = "stdout",
    template: Path | None = None,
    dry_run: bool = False,
    finalise: bool = False,
    new_version: bool = False,
    include_featured: bool = False,
    include_estimated: bool = False,
    now: datetime | None = None,
    api: TrelloApi | None = None,
) -> RoundupResult:
    now = now or now_utc()
    report = Report(job="roundup", dry_run=dry_run)
    writes = not dry_run and (target != "stdout" or finalise)  # printing alone is not a run
    record = RunRecord(state, "roundup", report)  # its end is recorded whatever happens
    if writes:
        record.start()
    with record:  # a template error or a bug ends the run as crashed, with its one line

        def failed(board: Any, exc: Exception) -> None:
            report.transient = report.transient or isinstance(exc, RemoteError)  # a retry may cure
            report.config_error = report.config_error or getattr(exc, "exit_code", 1) == 2
            report.failures.append(
                str(exc) if str(exc).startswith("board ") else f'board "{board.name}": {exc}'
            )

        # printing saves nothing either, an API board's history included: it reads as a dry run does
        read, reader = read_boards(
            cfg, state, list(cfg.boards), dry_run=not writes, now=now, api=api, on_error=failed
        )
        boards = [board for _, board in read]
        report.boards = [summarise(board_cfg, board) for board_cfg, board in read]
        for board_cfg, board in read:
            if board.role is Role.MICROACTIONS:
                renames = renamed_lists(board, board_cfg, remembered(state, board.id))
                report.warnings += rename_warnings(board_cfg, board, renames)
        options = Options(
            tz=cfg.tz,
            calendar=cfg.calendar,
            team_label=cfg.roundup.team_label,
            team_list=cfg.roundup.team_list,
            featured_prefix=cfg.roundup.featured_prefix,
            include_featured=include_featured,
            coming_days=cfg.roundup.coming_days,
            own_label=label_name(cfg, period),
            include_estimated=include_estimated,
            rules={board.id: DoneRules.of(board_cfg) for board_cfg, board in read},
            people_field=cfg.roundup.people_field,
        )
        # a drafted roundup reads the feeds: a post no sync has recorded yet is in it, not lost
        published = _published(state)
        if writes and not report.failures:
            published = _published_now(cfg, state, boards, published, report, now)
        roundup = gather(boards, period, options, published=published)
        if roundup.left_out_line():
            report.warnings.append(roundup.left_out_line())
        from sync.roundup.render import render_post  # Jinja2: the nightly sync renders no post

        rendered = render_post(roundup.context(), template or _configured(cfg))
        markdown = rendered.markdown
        if stop_requested() and not dry_run:
            # a stop while the boards were read leaves the rest unread, with no failure of its own
            report.failures.append(
                f"the roundup for {period.label} was not drafted: stopped by a signal; the next "
                "run drafts it"
            )
            markdown = ""
        elif report.failures:  # a board unread: the post would miss news, and block the right one
            from jobs.content import FEED_FAILURE  # here: a roundup that reads well needs none

            feeds = sum(1 for line in report.failures if line.startswith(FEED_FAILURE))
            counts = ((len(report.failures) - feeds, "board"), (feeds, "feed"))
            unread = " and ".join(plural(n, what) for n, what in counts if n)
            report.failures.append(
                f"the roundup for {period.label} was not drafted: {unread} could not be read; "
                f"rerun when every board {'and feed ' if feeds else ''}can be read"
            )
            markdown = ""
        else:
            try:
                if target != "stdout":
                    _place(
                        cfg, state, period, roundup, rendered, target, new_version, dry_run, now,
                        report,
                    )  # fmt: skip
                if finalise and stop_requested() and not dry_run:
                    report.failures.append(STOPPED_LABELLING.format(label=label_name(cfg, period)))
                elif finalise:
                    api_now = lambda: reader.api  # noqa: E731 - read when first needed
                    label_featured(cfg, period, boards, roundup, report, dry_run, api_now)
            except OtgError as exc:
                report.failures.append(str(exc))
                report.transient = report.transient or isinstance(exc, RemoteError)
    record.finish()
    return RoundupResult(report, markdown, roundup)


def _configured(cfg: Config) -> Path | None:
    return (cfg.base_dir / cfg.roundup.template).resolve() if cfg.roundup.template else None


def _published(state: State) -> dict[str, tuple[str, datetime]]:
    found = {}
    for card_id, record in state.items(CONTENT).items():
        when = record.data.get("published_at")
        if record.status == PUBLISHED and when:
            found[card_id] = (record.data.get("published_url", ""), datetime.fromisoformat(when))
    return found


def _published_now(
    cfg: Config,
    state: State,
    boards: list[Board],
    published: dict[str, tuple[str, datetime]],
    report: Report,
    now: datetime,
) -> dict[str, tuple[str, datetime]]:
    """``published`` and the posts the feeds show published that no sync recorded yet, matched
    as the content flow matches them; a feed unread is a failure line ("rss: ...")."""
    if not cfg.medium.feeds:
        return published
    from jobs.content import read_feeds  # imported here: printing a roundup reads no feed
    from sync.content.draft_records import record_from_intent
    from sync.content.plan import INTENT_KIND, plan_content

    items = read_feeds(cfg, report)
    content = [board for board in boards if board.role is Role.CONTENT]
    stored, intents = state.items(CONTENT), state.intents(INTENT_KIND)
    plan = plan_content(content, stored, intents, cfg=cfg.medium, items=items)
    # a draft an operator settled (`otg ledger resolve`) counts as the next sync will record it
    adopted = {
        action.card.id: record_from_intent(action.intent, now)
        for action in plan.actions
        if action.kind == "adopt" and action.card and action.intent
    }
    if adopted:
        stored = {**stored, **adopted}
        plan = plan_content(content, stored, intents, cfg=cfg.medium, items=items)
    found = dict(published)
    for action in plan.actions:
        item = action.item
        if action.kind == "publish" and action.card and item and item.published_at:
            found.setdefault(action.card.id, (item.public_url, item.published_at))
    return found


def _place(
    cfg: Config,
    state: State,
    period: Period,
    roundup: Roundup,
    rendered: Rendered,
    target: str,
    new_version: bool,
    dry_run: bool,
    now: datetime,
    report: Report,
) -> None:
    # imported here: printing a roundup (the common case) writes no draft
    from sync.content.draft import MAX_TITLE
    from sync.roundup.targets import place, record_key

    if len(rendered.title) > MAX_TITLE:
        report.warnings.append(
            f"the roundup's title is over {MAX_TITLE} characters, and Medium ignores such a "
            "title: shorten the title the template sets"
        )
    existing = state.item(ROUNDUPS, record_key(target, period))
    if dry_run:
        if existing is not None and not new_version:
            report.warnings.append(_already(period, existing.data.get("where", "")))
        else:
            report.outcomes.append(
                Outcome("draft", target, period.key, f"roundup {period.label}", status="planned")
            )
        return
    placed = place(
        state,
        cfg,
        period,
        rendered.markdown,
        title=rendered.title,
        target=target,
        new_version=new_version,
        now=now,
        featured=roundup.featured,
    )
    if placed.made:
        detail = placed.where + (f" (version {placed.version})" if placed.version > 1 else "")
        detail += f", covering {period.covers(cfg.tz)}"
        report.outcomes.append(
            Outcome("draft", target, period.key, f"roundup {period.label}", detail)
        )
    else:
        report.warnings.append(_already(period, placed.where))


def _already(period: Period, where: str) -> str:
    return (
        f"the roundup for {period.label} was already drafted: {where} "
        "(pass --new-version for another)"
    )


def write_output(path: Path, markdown: str) -> None:
    """--output FILE, written atomically."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(markdown, encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        raise UsageError(
            f"cannot write {path}: {exc.strerror}", "choose a writable --output"
        ) from None


__all__ = ["finalise_published"]  # the sync finalises a roundup it sees published
