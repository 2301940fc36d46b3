"""Find, read and validate the config file; gather secrets from the environment and `.env`.

``load_config`` either returns a complete ``Config`` or raises one ``ConfigError`` listing every
problem it found, each with its key and how to fix it.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from config.calendar import CalendarConfig, check_calendar
from config.jobs import JobConfig, check_jobs
from config.medium import MediumConfig, check_medium
from config.roundup import RoundupConfig, check_roundup
from config.schema import (
    Field,
    check_section,
    file_path,
    find_secrets,
    non_negative,
    positive,
    shown,
    timeout_field,
)
from config.schema import unknown_key_problem as _unknown
from config.site import SiteConfig, check_site
from sync.dates import zone
from sync.errors import ConfigError, EnvFileError
from sync.roles import Role
from sync.text import one_line, quoted
from sync.trello.lists import valid_states

DEFAULT_PATH = "otg.toml"
SECRET_NAMES = ("TRELLO_API_KEY", "TRELLO_TOKEN", "MEDIUM_TOKEN", "CALDAV_PASSWORD")
TRELLO_ID = re.compile(r"^([0-9a-fA-F]{24}|[0-9A-Za-z]{8})$")


def _timezone(value: str) -> str | None:
    try:
        zone(value)
    except ValueError as exc:
        return f"{exc} (use an IANA name such as Europe/London)"
    return None


def _source(value: str) -> str | None:
    if value.startswith("trello:") and not TRELLO_ID.fullmatch(value[len("trello:") :]):
        return (
            f"{quoted(value)} is not a board id: use trello:<24-hex board id> or "
            "trello:<8-character short link from the board URL>"
        )
    return file_path(value) if value.strip() else "must not be empty"


TOP_FIELDS = [
    Field(
        "timezone",
        str,
        "Europe/London",
        check=_timezone,
        help="IANA time zone for days, periods and schedules",
    ),
    Field("state_db", str, "otg-state.db", check=file_path, help="the SQLite state database"),
    Field(
        "output_dir",
        str,
        "out",
        check=file_path,
        help="where feeds, drafts and roundups are written",
    ),
]
BOARD_FIELDS = [
    Field(
        "role",
        str,
        required=True,
        choices=tuple(r.value for r in Role),
        help="microactions, events or content",
    ),
    Field(
        "source",
        str,
        required=True,
        check=_source,
        help="trello:<board id or short link>, or the path of a Trello JSON export",
    ),
    Field("lists", dict, {}, help='list name → state, e.g. "Done 🎉" = "done"'),
    Field(
        "done_when_due_complete",
        bool,
        False,
        help="a card whose due date is ticked complete counts as done in any list but an "
        "ignored one (by default only the done list decides)",
    ),
    Field(
        "done_date_field",
        str,
        "",
        help='a custom date field saying when a card was done, such as "End" or "Done on"; '
        "when set on a card it is that card's completion time",
    ),
]
TRELLO_FIELDS = [
    timeout_field(),
    Field("retries", int, 4, check=non_negative, maximum=20, help="retries for a failed read"),
    Field(
        "history_days",
        int,
        365,
        check=positive,
        maximum=36500,
        help="how far back the first sync reads board history",
    ),
]
SECTIONS = {"boards", "trello", "calendar", "medium", "jobs", "roundup", "site"}


@dataclass(frozen=True)
class BoardConfig:
    name: str
    role: Role
    source: str
    lists: dict[str, str] = field(default_factory=dict)
    done_when_due_complete: bool = False
    done_date_field: str = ""

    @property
    def is_api(self) -> bool:
        return self.source.startswith("trello:")

    @property
    def board_ref(self) -> str:
        """The board id or short link of an API board."""
        return self.source.removeprefix("trello:")


@dataclass(frozen=True)
class TrelloConfig:
    timeout: float = 20.0
    retries: int = 4
    history_days: int = 365


@dataclass(frozen=True)
class Secrets:
    """Credentials from the environment, then a `.env` file. Never printed. ``exposed``: the
    `.env` files read that other users can read too (the commands say so, by path only)."""

    values: dict[str, str] = field(default_factory=dict, repr=False)
    exposed: tuple[Path, ...] = ()

    def get(self, name: str) -> str | None:
        return self.values.get(name) or None

    def all(self) -> list[str]:
        return [v for v in self.values.values() if v]

    def __repr__(self) -> str:
        return f"Secrets({sorted(k for k, v in self.values.items() if v)})"


@dataclass(frozen=True)
class Config:
    path: Path | None
    base_dir: Path
    timezone: str
    state_db: Path
    output_dir: Path
    boards: tuple[BoardConfig, ...]
    trello: TrelloConfig
    secrets: Secrets
    calendar: CalendarConfig = field(default_factory=CalendarConfig)
    jobs: tuple[JobConfig, ...] = ()
    roundup: RoundupConfig = field(default_factory=RoundupConfig)
    medium: MediumConfig = field(default_factory=MediumConfig)
    site: SiteConfig = field(default_factory=SiteConfig)
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def tz(self) -> ZoneInfo:
        return zone(self.timezone)

    def boards_with_role(self, role: Role | str) -> list[BoardConfig]:
        return [b for b in self.boards if b.role == role]

    def board_path(self, board: BoardConfig) -> Path:
        return (self.base_dir / board.source).resolve()


def find_config_path(option: str | None, environ: dict[str, str] | None = None) -> Path:
    """`--config PATH`, else $OTG_CONFIG, else ./otg.toml."""
    environ = os.environ if environ is None else environ
    return Path(option or environ.get("OTG_CONFIG") or DEFAULT_PATH)


def load_secrets(base_dir: Path, environ: dict[str, str] | None = None) -> Secrets:
    """Secrets from the environment; a `.env` beside the config (or here) fills the gaps."""
    environ = dict(os.environ if environ is None else environ)
    values = {name: environ.get(name, "") for name in SECRET_NAMES}
    exposed = []
    for folder in dict.fromkeys([base_dir.resolve(), Path.cwd().resolve()]):
        env_file = folder / ".env"
        if not env_file.is_file():
            continue
        if env_file.stat().st_mode & (stat.S_IRGRP | stat.S_IROTH):
            exposed.append(env_file)
        for name, value in _read_env_file(env_file).items():
            if name in values and not values[name] and value:
                values[name] = value
    return Secrets(values, tuple(exposed))


def _read_env_file(path: Path) -> dict[str, str | None]:
    """A `.env` file's values. What cannot be read is one line naming the file: the decoder's
    and the system's own messages are left out, as they could quote a secret."""
    from dotenv import dotenv_values  # here: most configs have no .env to read

    try:
        return dotenv_values(path, encoding="utf-8")
    except UnicodeDecodeError:
        raise EnvFileError(str(path), f"{path} is not UTF-8 text", "save it as UTF-8") from None
    except OSError as exc:
        raise EnvFileError(
            str(path),
            f"cannot read {path}: {exc.strerror or type(exc).__name__}",
            f"make it readable by the user otg-sync runs as (and by no one else: chmod 600 {path})",
        ) from None


def load_config(path: Path | str, environ: dict[str, str] | None = None) -> Config:
    path = Path(path)
    if not path.is_file():
        raise ConfigError(
            [
                f"no config file at {path} (run `otg init` to write a starter config, "
                "or pass --config PATH / set OTG_CONFIG)"
            ]
        )
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError([f"not valid TOML: {quoted(str(exc), 200)}"], str(path)) from None
    except RecursionError:  # arrays or tables nested a thousand deep: no config is
        raise ConfigError(["nested too deeply to be an otg-sync config"], str(path)) from None
    except OSError as exc:
        raise ConfigError([f"cannot read the file: {exc.strerror}"], str(path)) from None
    return build_config(raw, path, environ)


def build_config(raw: dict[str, Any], path: Path, environ: dict[str, str] | None = None) -> Config:
    secrets = find_secrets(raw)
    problems: list[str] = [
        f"{key}: secrets do not belong in the config file; remove it and set "
        f"{_secret_env_name(key)} in the environment or in a .env file"
        for key in secrets
    ]
    known = [f.name for f in TOP_FIELDS] + sorted(SECTIONS)
    top_table = {k: v for k, v in raw.items() if not isinstance(v, dict) and k not in SECTIONS}
    for key in raw:
        if isinstance(raw[key], dict) and key not in SECTIONS:
            problems.append(_unknown("", key, known))
    top = check_section(top_table, TOP_FIELDS, "", problems)
    trello = check_section(raw.get("trello"), TRELLO_FIELDS, "trello.", problems)
    boards = _check_boards(raw.get("boards"), problems)
    calendar = check_calendar(raw.get("calendar"), problems)
    jobs = check_jobs(raw.get("jobs"), problems)
    roundup = check_roundup(raw.get("roundup"), problems)
    events_boards = [b.name for b in boards if b.role is Role.EVENTS]
    if calendar.import_board and calendar.import_board not in events_boards:
        problems.append(
            f'calendar.import_board: no events board called "{calendar.import_board}"'
            f" (events boards: {', '.join(events_boards) or 'none'})"
        )
    medium = check_medium(raw.get("medium"), problems)
    site = check_site(raw.get("site"), problems)
    # A secret's key is already explained; "unknown key" on top of it would only confuse.
    problems = [p for p in problems if not any(p.startswith(f"{k}: unknown key") for k in secrets)]
    base_dir = path.resolve().parent
    secret_values = load_secrets(base_dir, environ)
    problems += [
        f"{name}: holds a line break or another control character, which no token or password "
        "has (it could not be sent); set it again, on one line"
        for name, value in secret_values.values.items()
        if re.search(r"[\x00-\x1f\x7f]", value)
    ]
    state_db = top["state_db"]
    if file_path(state_db) is None and (
        state_db.endswith(("/", "/.", "/.."))
        or state_db in (".", "..")
        or (base_dir / state_db).is_dir()
    ):
        problems.append(
            f'state_db: {quoted(state_db)} is a folder; name a file in it, such as "otg-state.db"'
        )
    if problems:  # one line each, whatever the keys and values hold
        raise ConfigError([one_line(p) for p in problems], str(path))
    return Config(
        path=path,
        base_dir=base_dir,
        timezone=top["timezone"],
        state_db=(base_dir / top["state_db"]).resolve(),
        output_dir=(base_dir / top["output_dir"]).resolve(),
        boards=tuple(boards),
        trello=TrelloConfig(**trello),
        secrets=secret_values,
        calendar=calendar,
        jobs=jobs,
        roundup=roundup,
        medium=medium,
        site=site,
        raw=raw,
    )


def _check_boards(table: Any, problems: list[str]) -> list[BoardConfig]:
    if not table:
        problems.append(
            "boards: no boards configured (add a [boards.<name>] table with "
            'role = "microactions" | "events" | "content" and a source)'
        )
        return []
    if not isinstance(table, dict):
        problems.append("boards: must be a table of [boards.<name>] tables")
        return []
    boards = []
    for name, board_table in table.items():
        prefix = f"boards.{name}."
        values = check_section(board_table, BOARD_FIELDS, prefix, problems)
        if values["role"] is None:
            continue
        role = Role(values["role"])
        states = valid_states(role)
        lists = {}
        for list_name, state in (values["lists"] or {}).items():
            if state not in states:
                problems.append(
                    f'{prefix}lists."{list_name}": {shown(state)} is not a state of the '
                    f"{role} role (use one of {', '.join(states)})"
                )
            else:
                lists[list_name] = state
        if values["source"] is not None:
            boards.append(
                BoardConfig(
                    name=name,
                    role=role,
                    source=values["source"],
                    lists=lists,
                    done_when_due_complete=values["done_when_due_complete"],
                    done_date_field=values["done_date_field"],
                )
            )
    return boards


def _secret_env_name(key: str) -> str:
    lowered = key.lower()
    if "medium" in lowered:
        return "MEDIUM_TOKEN"
    if "caldav" in lowered or "password" in lowered:
        return "CALDAV_PASSWORD"
    if lowered.endswith("key"):
        return "TRELLO_API_KEY"
    return "TRELLO_TOKEN"
