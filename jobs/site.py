"""`otg site`, and the nightly sync's site step: what is public → the static site on disk.

The site is built from the state store's records (the events the feed holds, the drafts and
roundups made) and the boards read (organisers, sign-up links, the text of drafts), then written
to ``output_dir/<site.dir>``: each file atomically, and only when its bytes changed, so that a
rebuild with nothing new writes nothing (and a git-based deploy commits nothing). Files an
earlier build wrote and this one does not are removed; nothing else in the folder is touched.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from config import BoardConfig, Config
from sync.calendar.plan import TARGET as EVENTS
from sync.calendar.plan import calendar_records
from sync.content.plan import TARGET as CONTENT
from sync.errors import OtgError, file_fix
from sync.files import publish_if_changed
from sync.model import Board, Role
from sync.report import Outcome, Report, plural, summarise
from sync.roundup.targets import TARGET as ROUNDUPS
from sync.site.pages import SiteInput, build
from sync.site.public import SitePost, public_drafts, public_events, roundup_post
from sync.state.store import State
from sync.trello.sources import read_boards

#: The list of files the last build wrote, in the site folder (so stale ones can be removed).
MANIFEST = ".otg-site-files"


def site_folder(cfg: Config) -> Path:
    return cfg.output_dir / cfg.site.dir


def site_check(cfg: Config) -> tuple[bool, str, str]:
    """`otg check`'s line for the [site] table: where it goes, what it shows, its templates."""
    site = cfg.site
    if site.templates:
        folder = (cfg.base_dir / site.templates).resolve()
        if not folder.is_dir():
            return False, "site", f"site.templates: no folder at {folder}"
    shows = "events, roundups" if site.publish_roundups else "events"
    shows += ", drafts" if site.publish_drafts else " (drafts kept off it)"
    where = site.base_url or "no site.base_url yet: no canonical or webcal:// links"
    return True, "site", f"{site_folder(cfg)}: {shows}; {where}"


def needed_boards(cfg: Config) -> list[BoardConfig]:
    """The boards the site reads: events (organisers, sign-up), and content when drafts show."""
    roles = {Role.EVENTS} | ({Role.CONTENT} if cfg.site.publish_drafts else set())
    return [b for b in cfg.boards if b.role in roles]


def run(cfg: Config, state: State, *, now: datetime, dry_run: bool = False) -> Report:
    """`otg site`: read the boards the site needs (saving nothing), build, write."""
    report = Report(job="site", dry_run=dry_run)

    def failed(board: BoardConfig, exc: Exception) -> None:
        report.failures.append(
            str(exc) if str(exc).startswith("board ") else f'board "{board.name}": {exc}'
        )

    read, _ = read_boards(cfg, state, needed_boards(cfg), dry_run=True, now=now, on_error=failed)
    report.boards = [summarise(board_cfg, board) for board_cfg, board in read]
    if report.failures:
        report.failures.append(
            f"site: {site_folder(cfg)} left as it was: a board could not be read"
        )
        return report
    publish(cfg, state, [board for _, board in read], report, now=now, dry_run=dry_run)
    return report


def sync_step(
    cfg: Config,
    state: State,
    read: list[tuple[BoardConfig, Board]],
    report: Report,
    *,
    now: datetime,
) -> None:
    """The nightly sync's last step, when a [site] table is configured."""
    names = {board_cfg.name for board_cfg, _ in read}
    missing = [b.name for b in needed_boards(cfg) if b.name not in names]
    if missing:
        report.warnings.append(
            f"site: {site_folder(cfg)} left as it was: board {', '.join(missing)} was not read"
        )
        return
    publish(cfg, state, [board for _, board in read], report, now=now, dry_run=False)


def site_input(cfg: Config, state: State, boards: list[Board], report: Report) -> SiteInput:
    """What is public, gathered from the state and the boards read."""
    cards = {card.id: card for board in boards for card in board.cards}
    events = public_events(calendar_records(state.items(EVENTS), []), cards, cfg.calendar)
    roundups = _roundups(cfg, state, report) if cfg.site.publish_roundups else []
    drafts = None
    if cfg.site.publish_drafts:
        content = {c.id: c for b in boards if b.role is Role.CONTENT for c in b.cards}
        drafts, warnings = public_drafts(state.items(CONTENT), content, cfg.medium)
        report.warnings += warnings
    templates = (cfg.base_dir / cfg.site.templates).resolve() if cfg.site.templates else None
    return SiteInput(
        site=cfg.site,
        calendar=cfg.calendar,
        timezone=cfg.timezone,
        events=events,
        roundups=roundups,
        drafts=drafts,
        templates=templates,
    )


def _roundups(cfg: Config, state: State, report: Report) -> list[SitePost]:
    """The roundups drafted to the drafts folder, as their files now say."""
    posts = []
    for record in state.items(ROUNDUPS).values():
        if record.data.get("via") != "drafts" or not record.data.get("where"):
            continue
        where = Path(record.data["where"])
        here = cfg.output_dir / cfg.medium.drafts_dir / where.name  # the folder may have moved
        try:
            text = (where if where.is_file() else here).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            report.warnings.append(
                f"site: the roundup {where.name} is left out: its file is not in "
                f"{here.parent} any more"
            )
            continue
        posts.append(roundup_post(record, text))
    return posts


def publish(
    cfg: Config, state: State, boards: list[Board], report: Report, *, now: datetime, dry_run: bool
) -> None:
    """Build the site and write what changed; a failure is the report's, never a traceback."""
    folder = site_folder(cfg)
    try:
        files = build(site_input(cfg, state, boards, report), now)
        written, removed = write_site(folder, files, dry_run=dry_run)
    except OtgError as exc:
        report.failures.append(f"site: {exc}")
        return
    if written or removed:
        detail = f"{plural(len(written), 'file')} written" + (
            f", {len(removed)} removed" if removed else ""
        )
        status = "planned" if dry_run else "done"
        report.outcomes.append(Outcome("write", "site", str(folder), folder.name, detail, status))


def write_site(
    folder: Path, files: dict[str, bytes], *, dry_run: bool = False
) -> tuple[list[str], list[str]]:
    """Write ``files`` under ``folder`` (those that changed) and remove the ones the last build
    wrote that this one does not. Returns what was (or would be) written and removed."""
    manifest = folder / MANIFEST
    try:
        before = manifest.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        before = []
    written = [path for path, content in files.items() if _write(folder / path, content, dry_run)]
    removed = [p for p in before if p not in files and (folder / p).is_file() and _safe(folder, p)]
    if not dry_run:
        for path in removed:
            (folder / path).unlink(missing_ok=True)
        _write(manifest, "".join(f"{p}\n" for p in files).encode(), dry_run)
    return written, removed


class SiteError(OtgError):
    """A file of the site cannot be written."""


def _write(path: Path, content: bytes, dry_run: bool) -> bool:
    """Write ``content`` unless the file holds exactly that; whether it did (or would).

    Atomic (a temporary file, then one rename), readable by all (it is for publishing), and not
    flushed to disk file by file as the feed is: the site is rebuilt from the state at every
    run, and thousands of flushes would make a big site's build slow."""
    return publish_if_changed(
        path, content, dry_run=dry_run, durable=False, unwritable=lambda exc: _unwritable(path, exc)
    )


def _unwritable(path: Path, exc: OSError) -> SiteError:
    return SiteError(
        f"cannot write {path}: {exc.strerror or type(exc).__name__}",
        file_fix(exc, "output_dir / site.dir in the config"),
    )


def _safe(folder: Path, path: str) -> bool:
    """A manifest line names a file inside the folder (a damaged manifest removes nothing else)."""
    return not Path(path).is_absolute() and ".." not in Path(path).parts
