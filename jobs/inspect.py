"""`otg check` and `otg boards`: look at the config and the boards without changing anything."""

from __future__ import annotations

import os
import sqlite3
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from config import STARTER, BoardConfig, Config
from jobs.events.outbound import caldav_client
from jobs.site import site_check
from sync.content.medium import MediumClient, medium_session
from sync.content.rss import read_feed
from sync.dates import now_utc
from sync.errors import OtgError
from sync.http import PoliteSession, redact, where
from sync.model import Board
from sync.private import readable_by_others
from sync.report import plural, summarise
from sync.roundup.sample import try_template
from sync.state.migrations import SCHEMA_VERSION
from sync.state.opening import read_only_uri, read_problem
from sync.state.store import State
from sync.text import one_line
from sync.trello.advice import board_advice
from sync.trello.api import TrelloApi
from sync.trello.done import ESTIMATE, FIELD, HISTORY, DoneRules, done
from sync.trello.exports import read_export
from sync.trello.fast_read import releases_model
from sync.trello.snapshots import SUFFIX as SNAPSHOT
from sync.trello.snapshots import folder_for
from sync.trello.sources import connect, read_boards


@dataclass
class Check:
    ok: bool
    subject: str
    message: str
    warn: bool = False  # worth a look, not a failure


@dataclass
class CheckResult:
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    def add(self, ok: bool, subject: str, message: str) -> None:
        self.checks.append(Check(ok, subject, message))

    def warn(self, subject: str, message: str) -> None:
        self.checks.append(Check(True, subject, message, warn=True))


def check(cfg: Config, *, online: bool, api: TrelloApi | None = None) -> CheckResult:
    """Offline: the config, export files and which secrets are set. Online: Trello access too."""
    result = CheckResult()
    boards = plural(len(cfg.boards), "board")
    result.add(True, "config", f"{cfg.path}: {boards}, time zone {cfg.timezone}")
    result.add(*_state_place(cfg.state_db))
    result.add(*_output_place(cfg.output_dir))
    api_boards = [b for b in cfg.boards if b.is_api]
    placeholders = starter_sources()
    for board in cfg.boards:
        if board.source in placeholders:  # `otg init` wrote it: it names no one's board
            result.add(
                False,
                f"board {board.name}",
                f"{board.source} is the starter config's placeholder, not a board — set "
                f"boards.{board.name}.source to trello:<the 8 characters after /b/ in the "
                "board's URL>, or to an export file",
            )
            continue
        if board.is_api:
            result.add(
                True,
                f"board {board.name}",
                f"{board.role}, {board.source}"
                + ("" if online else " (not contacted; use --online)"),
            )
            continue
        try:
            model = read_export(cfg.board_path(board), board)
        except OtgError as exc:  # named once: "FAIL board events: …"
            result.add(
                False, f"board {board.name}", str(exc).removeprefix(f'board "{board.name}": ')
            )
            continue
        result.add(
            True,
            f"board {board.name}",
            f'{board.role}, export of "{model.name}" with {len(model.cards)} cards',
        )
        for advice in board_advice(board, model):
            result.warn(f"board {board.name}", advice)
    if api_boards:
        missing = [n for n in ("TRELLO_API_KEY", "TRELLO_TOKEN") if not cfg.secrets.get(n)]
        result.add(
            not missing,
            "credentials",
            "TRELLO_API_KEY and TRELLO_TOKEN are set"
            if not missing
            else f"{' and '.join(missing)} not set: put them in the environment or a .env "
            "file beside the config",
        )
    for env_file in cfg.secrets.exposed:  # the path only: never what it holds
        result.add(
            False, "secrets", f"{env_file} is readable by other users — chmod 600 {env_file}"
        )
    for private in _exposed(cfg.state_db):
        result.add(False, "state", f"{private} is readable by other users — chmod 600 {private}")
    kept = folder_for(cfg.state_db)
    if kept.is_dir() and kept.stat().st_mode & 0o077:  # made 0700, as the state's own folder
        result.add(False, "state", f"{kept} is open to other users — chmod 700 {kept}")
    if online and api_boards:  # the placeholders are FAIL already: Trello has no such board
        _check_online(cfg, [b for b in api_boards if b.source not in placeholders], result, api)
    if cfg.boards_with_role("events"):
        _check_calendar(cfg, result, online)
    if cfg.boards_with_role("content"):
        _check_medium(cfg, result, online)
    if cfg.site.configured:
        result.add(*site_check(cfg))
    _check_roundup_template(cfg, result)
    secrets = cfg.secrets.all()  # what the user typed as a secret is never echoed back
    for item in result.checks:
        item.message = redact(item.message, secrets)
    return result


def starter_sources() -> set[str]:
    """The board sources `otg init` writes: placeholders, which name no real board."""
    try:
        starter = tomllib.loads(STARTER.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):  # pragma: no cover - the package ships it
        return set()
    return {str(b.get("source", "")) for b in starter.get("boards", {}).values()} - {""}


def check_data(result: CheckResult) -> dict[str, Any]:
    """`otg check --json`: whether all is well, and each check."""
    return {"ok": result.ok, "checks": [asdict(item) for item in result.checks]}


def _check_roundup_template(cfg: Config, result: CheckResult) -> None:
    """The roundup's template renders: a sample with one of everything, and an empty fortnight."""
    template = (cfg.base_dir / cfg.roundup.template) if cfg.roundup.template else None
    try:
        try_template(template)
    except OtgError as exc:
        result.add(False, "roundup template", str(exc))
        return
    name = template or "the bundled template"
    result.add(True, "roundup template", f"{name} renders (tried on a sample and an empty period)")


def _state_place(path: Path) -> tuple[bool, str, str]:
    """Whether the state database opens (read-only: check changes nothing) and can be written."""
    if not path.exists():
        folder = _writable_folder(path.parent)
        if folder:
            return True, "state", f"{path} (created by the first sync)"
        return False, "state", f"{path} cannot be created: {path.parent} is not writable"
    try:
        db = sqlite3.connect(read_only_uri(path), uri=True)  # creates no -wal or -shm
        try:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            db.execute("SELECT count(*) FROM sqlite_master").fetchone()
            damage = db.execute("PRAGMA quick_check(1)").fetchone()[0]  # every page read
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        _, fix = read_problem(exc)  # the advice the other read-only commands give
        return False, "state", f"{path} cannot be read: {exc} — {fix}"
    if damage != "ok":
        return (
            False,
            "state",
            (
                f"{path} is damaged ({one_line(damage)[:120]}) — restore it from a backup, or move "
                "it aside to start afresh"
            ),
        )
    if version > SCHEMA_VERSION:
        return False, "state", f"{path} was written by a newer otg-sync (schema {version})"
    if not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
        return False, "state", f"{path} cannot be written by this user (or its folder)"
    return True, "state", f"{path} (schema {version})"


def _exposed(state_db: Path) -> list[Path]:
    """The state database, its journal, its locks and the boards kept beside it, where other
    users can read them (card titles and descriptions from private boards are in them)."""
    names = ("", "-wal", "-shm", ".lock", ".scheduler.lock")
    paths = [state_db.with_name(state_db.name + suffix) for suffix in names]
    kept = folder_for(state_db)
    paths += sorted(kept.glob("*" + SNAPSHOT)) if kept.is_dir() else []
    return [path for path in paths if readable_by_others(path)]


def _output_place(folder: Path) -> tuple[bool, str, str]:
    """Whether the output folder is a folder this user can write (or can be made)."""
    if folder.exists() and not folder.is_dir():
        return False, "output", f"{folder} is not a folder — set output_dir to a folder"
    if not _writable_folder(folder):
        return False, "output", f"{folder} cannot be written by this user"
    return True, "output", str(folder)


def _writable_folder(folder: Path) -> bool:
    """``folder``, or the nearest folder above it that exists, is writable."""
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder.is_dir() and os.access(folder, os.W_OK)


def _check_medium(cfg: Config, result: CheckResult, online: bool) -> None:
    medium = cfg.medium
    token = cfg.secrets.get("MEDIUM_TOKEN")
    if medium.uses_api(token):
        if not token:
            result.add(False, "medium", 'medium.target is "medium" but MEDIUM_TOKEN is not set')
        elif online:
            try:
                client = MediumClient(medium_session(token, medium.timeout), medium.publication_id)
                me = client.me()
                result.add(True, "medium", f"drafts go to Medium as @{me.get('username', '?')}")
            except OtgError as exc:
                result.add(False, "medium", str(exc))
        else:
            result.add(
                True,
                "medium",
                "drafts go to Medium (MEDIUM_TOKEN set; not contacted, use --online)",
            )
    else:
        result.add(True, "medium", f"drafts go to {cfg.output_dir / medium.drafts_dir}")
    for feed in medium.feeds:
        if "://" in feed and not online:
            result.add(True, "Medium feed", f"{where(feed)} (not fetched; use --online)")
            continue
        session = PoliteSession(name="RSS", timeout=medium.timeout, retries=1)
        try:
            read = read_feed(feed, session, cfg.base_dir)
        except OtgError as exc:
            result.add(False, "Medium feed", str(exc))
            continue
        note = f" ({read.warning})" if read.warning else ""
        shown = where(feed) if "://" in feed else feed
        result.add(True, "Medium feed", f"{shown}: {plural(len(read.items), 'post')}{note}")


def _check_calendar(cfg: Config, result: CheckResult, online: bool) -> None:
    calendar = cfg.calendar
    if calendar.feed:
        result.add(
            True, "calendar feed", f"{cfg.output_dir / calendar.feed}, UIDs @{calendar.domain}"
        )
    if calendar.caldav is None:
        return
    if calendar.caldav.username and not cfg.secrets.get("CALDAV_PASSWORD"):
        result.add(
            False,
            "caldav",
            f"{where(calendar.caldav.url)}: CALDAV_PASSWORD is not set, needed for "
            "calendar.caldav: put it in the environment or a .env file beside the config",
        )
        return
    if not online:
        result.add(True, "caldav", f"{where(calendar.caldav.url)} (not contacted; use --online)")
        return
    try:
        client = caldav_client(cfg, calendar.caldav)
        events = client.list()
    except OtgError as exc:
        result.add(False, "caldav", str(exc))
        return
    there = plural(len(events), "event")
    result.add(True, "caldav", f"{where(client.url)} answers: {there} there")


def _check_online(
    cfg: Config, boards: list[BoardConfig], result: CheckResult, api: TrelloApi | None
) -> None:
    try:
        api = api or connect(cfg)
        me = api.me()
    except OtgError as exc:
        result.add(False, "trello", str(exc))
        return
    result.add(True, "trello", f"credentials work: signed in as @{me.get('username', '?')}")
    for board in boards:
        try:
            data = api.board_summary(board.board_ref)
        except OtgError as exc:
            result.add(False, f"board {board.name}", str(exc))
            continue
        closed = " (closed on Trello)" if data.get("closed") else ""
        result.add(True, f"board {board.name}", f'can read "{data.get("name")}"{closed}')


@releases_model
def boards(
    cfg: Config, state: State, api: TrelloApi | None = None
) -> tuple[list[tuple[BoardConfig, Board]], list[str]]:
    """Every board read (nothing written), and one line per board that could not be read."""
    errors: list[str] = []

    def failed(board: BoardConfig, exc: Exception) -> None:
        errors.append(str(exc) if str(exc).startswith("board ") else f'board "{board.name}": {exc}')

    read, _ = read_boards(
        cfg, state, list(cfg.boards), dry_run=True, now=now_utc(), api=api, on_error=failed
    )
    return read, errors


def render_board(board_cfg: BoardConfig, board: Board) -> str:
    kind = "export file, read-only" if board.read_only else "Trello API"
    title = one_line(board.name)  # names from the board, one line each whatever they hold
    lines = [f'{board_cfg.name} ({board.role}): "{title}" — {board_cfg.source} ({kind})']
    names = {lst.id: one_line(lst.name) for lst in board.lists}
    width = max((len(name) for name in names.values()), default=10)
    for lst in sorted(board.lists, key=lambda x: (x.closed, x.pos)):
        count = sum(1 for c in board.cards if c.list_id == lst.id and c.visible)
        state = "archived list" if lst.closed else (lst.state or "not mapped")
        lines.append(
            f"  {names[lst.id]:<{width}}  → {state:<13} {count:>4} "
            f"{'card' if count == 1 else 'cards'}"
        )
    archived = sum(1 for c in board.cards if not c.visible)
    sources = done_sources(board_cfg, board)
    if sum(sources.values()):
        lines.append(f"  {_done_line(board_cfg, sources)}")
    lines.append(
        f"  {plural(archived, 'archived card')}, {len(board.deleted)} deleted in the "
        f"history, {plural(board.actions_read, 'history entry', 'history entries')} read"
    )
    lines += [f"  warning: {one_line(advice)}" for advice in board_advice(board_cfg, board)]
    return "\n".join(lines)


def done_sources(board_cfg: BoardConfig, board: Board) -> dict[str, int]:
    """How many open cards are done, by where their completion time comes from."""
    rules = DoneRules.of(board_cfg)
    counts = {HISTORY: 0, FIELD: 0, ESTIMATE: 0}
    for card in board.cards:
        found = done(card, rules) if card.visible else None
        if found is not None:
            counts[found.source] += 1
    return counts


def _done_line(board_cfg: BoardConfig, sources: dict[str, int]) -> str:
    parts = [f"{sources[HISTORY]} from the history"]
    if board_cfg.done_date_field:
        parts.append(f'{sources[FIELD]} from the "{one_line(board_cfg.done_date_field)}" field')
    if sources[ESTIMATE]:
        parts.append(
            f"{sources[ESTIMATE]} done before the history begins (time estimated; a roundup "
            "lists them only with --include-estimated)"
        )
    return f"{sum(sources.values())} done: " + ", ".join(parts)


def boards_data(read: list[tuple[BoardConfig, Board]], errors: list[str]) -> dict[str, Any]:
    """`otg boards --json`: each board's summary and its lists, and what could not be read."""
    return {
        "boards": [
            summarise(board_cfg, board).__dict__
            | {
                "done": done_sources(board_cfg, board),
                "lists": [
                    {"name": lst.name, "state": lst.state, "archived": lst.closed}
                    for lst in board.lists
                ],
                "warnings": board_advice(board_cfg, board),
            }
            for board_cfg, board in read
        ],
        "errors": errors,
    }
