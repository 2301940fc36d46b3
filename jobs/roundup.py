"""The roundup job: read the boards, gather the period, render, and put the draft where asked.

`otg roundup` calls it, and so does the scheduler's fortnightly `roundup` job. Finalising (by
`--finalise`) labels every featured card on the API boards, so the next roundup leaves them out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from config import Config
from sync.content.draft import MAX_TITLE
from sync.content.plan import PUBLISHED
from sync.content.plan import TARGET as CONTENT
from sync.content.rss import FeedItem, medium_post_id
from sync.dates import EARLIEST, LATEST, now_utc
from sync.errors import OtgError, UsageError
from sync.model import Board, Role
from sync.report import Outcome, Report, plural, summarise
from sync.roundup.gather import Options, Period, Roundup, gather
from sync.roundup.render import Rendered, render_post
from sync.roundup.targets import TARGET as ROUNDUPS
from sync.roundup.targets import place, record_key
from sync.state.store import State
from sync.stopping import stop_requested
from sync.trello.api import TrelloApi
from sync.trello.renames import remembered, rename_warnings, renamed_lists
from sync.trello.sources import read_boards

#: What a stop (SIGTERM, Ctrl-C) before the labelling ends leaves: a rerun labels the rest.
STOPPED_LABELLING = (
    "stopped before every featured card was labelled {label!r}; rerun `otg roundup --finalise` "
    "to label the rest"
)


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
    now: datetime | None = None,
    api: TrelloApi | None = None,
) -> RoundupResult:
    now = now or now_utc()
    report = Report(job="roundup", dry_run=dry_run)
    writes = not dry_run and (target != "stdout" or finalise)  # printing alone is not a run
    run_id = state.start_run("roundup") if writes else None

    def failed(board: Any, exc: Exception) -> None:
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
    )
    roundup = gather(boards, period, options, published=_published(state))
    rendered = render_post(roundup.context(), template or _configured(cfg))
    markdown = rendered.markdown
    if stop_requested() and not dry_run:
        # a stop while the boards were read leaves the rest unread, with no failure of their own
        report.failures.append(
            f"the roundup for {period.label} was not drafted: stopped by a signal; the next run "
            "drafts it"
        )
        markdown = ""
    elif report.failures:  # a board unread: the post would miss its news, and block the right one
        report.failures.append(
            f"the roundup for {period.label} was not drafted: "
            f"{plural(len(report.failures), 'board')} could not be read; "
            "rerun when every board can be read"
        )
        markdown = ""
    else:
        try:
            if target != "stdout":
                _place(
                    cfg, state, period, roundup, rendered, target, new_version, dry_run, now, report
                )
            if finalise and stop_requested() and not dry_run:
                report.failures.append(STOPPED_LABELLING.format(label=_label_name(cfg, period)))
            elif finalise:
                _finalise(cfg, period, boards, roundup, report, dry_run, lambda: reader.api)
        except OtgError as exc:
            report.failures.append(str(exc))
    if run_id is not None:
        report.run_id = run_id
        state.finish_run(
            run_id,
            "ok" if report.ok else "interrupted" if stop_requested() else "failed",
            report.summary(),
            "; ".join(report.failures[:5]) or None,
        )
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


def _finalise(
    cfg: Config,
    period: Period,
    boards: list[Board],
    roundup: Roundup,
    report: Report,
    dry_run: bool,
    trello: Callable[[], TrelloApi],
) -> None:
    """Label every featured card on the API boards with the period's roundup label."""
    if not _label_cards(cfg, period, boards, set(roundup.featured), report, dry_run, trello):
        report.failures.append(STOPPED_LABELLING.format(label=_label_name(cfg, period)))


def _label_name(cfg: Config, period: Period) -> str:
    return cfg.roundup.featured_label.replace("{date}", period.last.isoformat())


def _label_cards(
    cfg: Config,
    period: Period,
    boards: list[Board],
    featured: set[str],
    report: Report,
    dry_run: bool,
    trello: Callable[[], TrelloApi],
) -> bool:
    """Label the featured cards. False when a stop (SIGTERM, Ctrl-C) came first: it is checked
    before each card, and the cards not labelled yet are left for a rerun (which reads the
    board, so it never labels a card twice)."""
    name = _label_name(cfg, period)
    for board in boards:
        cards = [c for c in board.cards if c.id in featured and name not in c.label_names]
        if not cards:
            continue
        if board.read_only:
            report.warnings.append(
                f'board "{board.name}" is an export file: its '
                f"{len(cards)} featured cards cannot be labelled {name!r}"
            )
            continue
        if dry_run:
            report.outcomes += [
                Outcome("label", "trello", c.id, c.name, name, "planned") for c in cards
            ]
            continue
        label = _board_label(board, name, len(cards), report, trello)
        if label is None:
            continue
        for card in cards:
            if stop_requested():
                return False
            outcome = Outcome("label", "trello", card.id, card.name, name)
            try:
                trello().add_label(card.id, label)
            except OtgError as exc:  # labelling twice cannot double anything: the next run retries
                outcome.status, outcome.detail = "failed", str(exc)
            report.outcomes.append(outcome)
    return True


def _board_label(
    board: Board, name: str, count: int, report: Report, trello: Callable[[], TrelloApi]
) -> str | None:
    """The id of the board's label ``name``: the one it has, or one made now; None (and a
    failure in the report) when there is none to use.

    A create that fails may still have made the label (its answer was lost), and a second create
    would make a second label of that name. So it is never sent again: the board's labels are
    read once more, and the label is used if it is there; if not, the cards wait for a rerun,
    which reads the board (and finds the label, if it was made after all) before anything else.
    """
    found = next((lbl.id for lbl in board.labels if lbl.name == name), None)
    if found:
        return found
    try:  # the answer is checked to hold the new label's id (TrelloApi.create_label)
        return trello().create_label(board.id, name, "purple")["id"]
    except OtgError as exc:
        problem = exc.message
    found = _label_on_trello(board, name, trello)
    if found:
        report.warnings.append(
            f'board "{board.name}": creating the label {name!r} went wrong ({problem}), but '
            "Trello made it all the same: using it"
        )
        return found
    report.outcomes.append(
        Outcome(
            "label",
            "trello",
            board.id,
            f'board "{board.name}"',
            f"{count} featured cards not labelled {name!r}: creating the label failed "
            f"({problem}) — rerun to label them (the label is looked for first, never made twice)",
            "failed",
        )
    )
    return None


def _label_on_trello(board: Board, name: str, trello: Callable[[], TrelloApi]) -> str | None:
    """The id of the label ``name`` as the board has it now (GET its labels), or None."""
    try:
        labels = trello().labels(board.id, f'board "{board.name}"')
    except OtgError:  # unreadable: the cards wait for a rerun
        return None
    return next((label["id"] for label in labels if label.get("name") == name), None)


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


def finalise_published(
    cfg: Config,
    state: State,
    boards: list[Board],
    items: list[FeedItem],
    report: Report,
    *,
    dry_run: bool,
    trello: Callable[[], TrelloApi],
) -> None:
    """A roundup drafted on Medium whose post now appears in the feed is finalised: its featured
    cards get the period's label, once (the record remembers)."""
    for record in state.items(ROUNDUPS).values():
        data = record.data
        if data.get("via") != "medium" or data.get("finalised_at"):
            continue
        post = medium_post_id(data.get("where", ""))
        if not any(
            (post and post in item.post_ids) or item.title == data.get("title") for item in items
        ):
            continue
        last = date.fromisoformat(data["last_day"])
        period = Period(last - timedelta(days=13), last)
        before = len(report.outcomes)
        if not _label_cards(
            cfg, period, boards, set(data.get("featured", [])), report, dry_run, trello
        ):
            return  # stopped: the next sync labels the rest, then finalises it
        if not dry_run and not any(o.status == "failed" for o in report.outcomes[before:]):
            state.put_item(replace(record, data={**data, "finalised_at": now_utc().isoformat()}))
