"""A small declarative checker for the TOML config: every problem at once, with key and fix.

Each section is a table of ``Field``s. ``check_section`` returns the cleaned values plus a list of
problems such as ``trello.timeout: must be a number of seconds, got "soon"``. Unknown keys are
problems too, with a "did you mean" when one is close, because a misspelt key silently ignored is
the most common config bug there is.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sync.text import quoted

#: Key names that hold secrets. They are refused anywhere in the config file.
SECRET_KEYS = re.compile(r"(^|_)(token|key|api_key|apikey|secret|password|passwd)$", re.I)
#: Values that look like a Trello token (``ATTA`` + 72) or a Trello API key (32 hex).
SECRET_VALUES = re.compile(r"^(ATTA[0-9A-Za-z]{40,}|[0-9a-f]{32}|[0-9a-f]{64})$")

Check = Callable[[Any], str | None]  # returns a problem ("must be ...") or None


@dataclass(frozen=True)
class Field:
    name: str
    kind: type | tuple[type, ...]
    default: Any = None
    required: bool = False
    choices: tuple[str, ...] = ()
    check: Check | None = None
    help: str = ""
    maximum: float | None = None  # for numbers: the most that makes sense (and fits a date)


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {
        str: "a string",
        int: "a whole number",
        float: "a number",
        bool: "true or false",
        dict: "a table",
        list: "a list",
    }
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def _matches(value: Any, kind: type | tuple[type, ...]) -> bool:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if isinstance(value, bool):  # bool is an int in Python, never in a config
        return bool in kinds
    if float in kinds and isinstance(value, int):
        return True
    return isinstance(value, kinds)


def shown(value: Any, limit: int = 60) -> str:
    """A bad value in a problem's line: as Python writes it, cut to a short prefix."""
    text = repr(value)
    return text if len(text) <= limit else quoted(value, limit)


def unknown_key_problem(prefix: str, key: str, known: list[str]) -> str:
    close = difflib.get_close_matches(key, known, n=1)
    hint = f'did you mean "{close[0]}"?' if close else "known keys: " + ", ".join(sorted(known))
    return f"{prefix}{key}: unknown key ({hint})"


def check_section(
    table: Any, fields: list[Field], prefix: str, problems: list[str]
) -> dict[str, Any]:
    """Validate one table; append problems; return cleaned values (defaults filled in)."""
    if table is None:
        table = {}
    if not isinstance(table, dict):
        problems.append(f"{prefix.rstrip('.')}: must be a table, got {type(table).__name__}")
        return {f.name: f.default for f in fields}
    known = {f.name: f for f in fields}
    for key in table:
        if key not in known:
            problems.append(unknown_key_problem(prefix, key, list(known)))
    values: dict[str, Any] = {}
    for f in fields:
        if f.name not in table:
            if f.required:
                problems.append(f"{prefix}{f.name}: missing ({f.help or 'required'})")
            values[f.name] = f.default
            continue
        value = table[f.name]
        if not _matches(value, f.kind):
            problems.append(f"{prefix}{f.name}: must be {_kind_name(f.kind)}, got {shown(value)}")
            values[f.name] = f.default
            continue
        if f.maximum is not None and value > f.maximum:  # inf too; NaN is refused by checks
            problems.append(f"{prefix}{f.name}: must be at most {f.maximum:g}, got {shown(value)}")
            values[f.name] = f.default
            continue
        if f.choices and value not in f.choices:
            problems.append(
                f"{prefix}{f.name}: {shown(value)} is not one of " + ", ".join(f.choices)
            )
            values[f.name] = f.default
            continue
        problem = f.check(value) if f.check else None
        if problem:
            problems.append(f"{prefix}{f.name}: {problem}")
            values[f.name] = f.default
            continue
        values[f.name] = float(value) if f.kind is float else value
    return values


def find_secrets(table: Any, prefix: str = "") -> list[str]:
    """Keys anywhere in the config that hold, or look like they hold, a secret."""
    found: list[str] = []
    if isinstance(table, dict):
        for key, value in table.items():
            path = f"{prefix}{key}"
            if isinstance(value, dict):
                found += find_secrets(value, path + ".")
            elif _looks_secret(str(key), value):
                found.append(path)
    return found


def _looks_secret(key: str, value: Any) -> bool:
    """A non-empty string under a secret's name, or one shaped like a token. Secrets are text:
    ``bogus_key = 1`` is an unknown key, not a secret."""
    if not isinstance(value, str) or not value.strip():
        return False
    return bool(SECRET_KEYS.search(key) or SECRET_VALUES.match(value.strip()))


#: The longest path, and the longest name in it, that Linux file systems take.
PATH_MAX, NAME_MAX = 4096, 255


def file_path(value: str) -> str | None:
    """A file or folder name: anything the file system can hold (no NUL character, no path
    or name longer than the file system takes)."""
    if "\x00" in value:
        return "must not contain a NUL character (\\u0000)"
    if len(value.encode("utf-8", "replace")) > PATH_MAX:
        return f"{quoted(value)} is too long ({len(value):,} characters; a path holds {PATH_MAX:,})"
    if any(len(part.encode("utf-8", "replace")) > NAME_MAX for part in value.split("/")):
        return f"{quoted(value)} holds a name longer than {NAME_MAX} bytes, which no file can have"
    return None


def http_url(value: str) -> str | None:
    """An http(s) URL with a host and no credentials in it (they belong in the environment)."""
    try:
        parts = urlsplit(value)
    except ValueError:  # "http://[x": a bracket that opens no IPv6 address
        return f"{quoted(value)} is not an http(s) URL"
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"{quoted(value)} is not an http(s) URL"
    if parts.username or parts.password:
        return "must not contain a user name or password (they belong in the environment)"
    return None


def timeout_field(service: str = "a request") -> Field:
    """``timeout``: seconds before a request to a service gives up."""
    return Field(
        "timeout",
        float,
        20.0,
        check=positive,
        maximum=600,
        help=f"seconds before {service} gives up",
    )


def positive(value: float) -> str | None:
    return None if value > 0 else f"must be more than 0, got {value}"


def non_negative(value: float) -> str | None:
    return None if value >= 0 else f"must be 0 or more, got {value}"
