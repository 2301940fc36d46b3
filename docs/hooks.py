"""MkDocs hooks: the reference pages written from the code at every build, so they cannot go stale.

A page holds a marker, and the build puts in what the code says today:

- ``<!-- otg:cli-reference -->``: every command's own ``--help``, found by walking the ``otg``
  Click group (a command or option added anywhere appears with no step to remember);
- ``<!-- otg:config-reference -->``: every config key, from the ``Field`` definitions: each
  ``*_FIELDS`` list in a module of ``config/``, and the ``[jobs.<name>]`` tables.

``tests/docs/test_reference.py`` checks that both cover everything; ``mkdocs build --strict`` runs
in the test suite.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
from collections.abc import Iterator
from typing import Any

import click
from click.testing import CliRunner

CLI_MARKER = "<!-- otg:cli-reference -->"
CONFIG_MARKER = "<!-- otg:config-reference -->"
WIDTH = 88  # the width of the help text, as a terminal this wide would show it

#: Where each list of fields lives in the file. A list not named here is the table of its name:
#: ``LOG_FIELDS`` documents ``[log]``.
PREFIXES = {
    "TOP_FIELDS": "",
    "BOARD_FIELDS": "boards.<name>.",
    "TRELLO_FIELDS": "trello.",
    "CALENDAR_FIELDS": "calendar.",
    "CALDAV_FIELDS": "calendar.caldav.",
    "MEDIUM_FIELDS": "medium.",
    "ROUNDUP_FIELDS": "roundup.",
}


def on_page_markdown(markdown: str, **_: Any) -> str:
    """The MkDocs hook: put the generated references where their markers are."""
    if CLI_MARKER in markdown:
        markdown = markdown.replace(CLI_MARKER, cli_reference())
    if CONFIG_MARKER in markdown:
        markdown = markdown.replace(CONFIG_MARKER, config_reference())
    return markdown


# --- the command reference ------------------------------------------------------------------


def commands() -> Iterator[tuple[str, click.Command]]:
    """Every command as typed (``"jobs run-once"``), the group before its commands, in the
    order ``otg --help`` lists them."""
    import cli

    def walk(path: str, command: click.Command) -> Iterator[tuple[str, click.Command]]:
        yield path, command
        if isinstance(command, click.Group):
            ctx = click.Context(command, info_name=path)
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                if sub is not None and not sub.hidden:
                    yield from walk(f"{path} {name}".strip(), sub)

    yield from walk("", cli.main)


def help_text(path: str) -> str:
    """What ``otg PATH --help`` prints, at a fixed width."""
    import cli

    result = CliRunner().invoke(
        cli.main, [*path.split(), "--help"], prog_name="otg", terminal_width=WIDTH
    )
    if result.exit_code != 0:
        raise RuntimeError(f"otg {path} --help failed: {result.output}")
    return result.output.rstrip() + "\n"


def cli_reference() -> str:
    parts = []
    for path, _command in commands():
        title = f"otg {path}".strip()
        parts.append(f"## `{title}`\n\n```text\n$ {title} --help\n{help_text(path)}```\n")
    return "\n".join(parts)


# --- the config reference -------------------------------------------------------------------


def field_sections() -> list[tuple[str, list[Any]]]:
    """(the table's prefix, its fields) for every table of the config file, in file order."""
    import config
    from config.jobs import DEFAULTS, job_fields
    from config.schema import Field

    found: dict[str, list[Any]] = {}
    for module_info in pkgutil.iter_modules(config.__path__):
        module = importlib.import_module(f"config.{module_info.name}")
        for name, value in vars(module).items():
            if (
                name.endswith("_FIELDS")
                and isinstance(value, list)
                and value
                and all(isinstance(f, Field) for f in value)
            ):
                prefix = PREFIXES.get(name, name.removesuffix("_FIELDS").lower() + ".")
                found.setdefault(prefix, value)
    order = list(PREFIXES.values())
    sections = sorted(found.items(), key=lambda kv: (kv[0] not in order, _index(order, kv[0])))
    sections += [(f"jobs.{job}.", job_fields(**defaults)) for job, defaults in DEFAULTS.items()]
    return sections


def _index(order: list[str], prefix: str) -> tuple[int, str]:
    return (order.index(prefix), "") if prefix in order else (len(order), prefix)


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (str, list, int, float)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        return "{}" if not value else json.dumps(value, ensure_ascii=False)
    return str(value)


def _kind(kind: Any) -> str:
    names = {str: "string", int: "integer", float: "number", bool: "boolean", dict: "table"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(k, "list" if k is list else k.__name__) for k in kinds)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def config_reference() -> str:
    parts = []
    for prefix, fields in field_sections():
        table = prefix.rstrip(".")
        heading = f"`[{table}]`" if table else "Top level"
        rows = ["| key | type | default | meaning |", "|---|---|---|---|"]
        for f in fields:
            default = "required" if f.required else f"`{_toml(f.default)}`"
            meaning = _cell(f.help)
            if f.choices:
                meaning += "; one of " + ", ".join(f"`{c}`" for c in f.choices)
            if f.maximum is not None:
                meaning += f"; at most {f.maximum:g}"
            rows.append(f"| `{prefix}{f.name}` | {_kind(f.kind)} | {default} | {meaning} |")
        parts.append(f"### {heading}\n\n" + "\n".join(rows) + "\n")
    return "\n".join(parts)
