"""Render a roundup with a Jinja2 template into Markdown.

Templates are Jinja2 (autoescaping off: the output is Markdown, not HTML), with ``StrictUndefined``
so that a misspelt name is an error instead of a silent blank, and a ``plural`` filter. Every
template error becomes one line naming the template and the line. Runs of blank lines are folded,
so templates can be laid out for reading.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jinja2

from sync.errors import UsageError

DEFAULT_TEMPLATE = Path(__file__).resolve().parent.parent / "config" / "templates" / "roundup.md.j2"


class TemplateError(UsageError):
    """The roundup template cannot be read or rendered."""


def plural(count: int, word: str, words: str = "") -> str:
    return f"{count} {word}" if count == 1 else f"{count} {words or word + 's'}"


def render(context: dict[str, Any], template: Path | None = None) -> str:
    path = (template or DEFAULT_TEMPLATE).resolve()
    if not path.is_file():
        raise TemplateError(
            f"no roundup template at {path}", "check --template (or roundup.template in the config)"
        )
    env = jinja2.Environment(  # noqa: S701 - Markdown out, not HTML
        loader=jinja2.FileSystemLoader(str(path.parent)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["plural"] = plural
    try:
        text = env.get_template(path.name).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(
            f"{path}, line {exc.lineno}: {exc.message}", "fix the template (Jinja2 syntax)"
        ) from None
    except (jinja2.UndefinedError, TypeError, ValueError) as exc:
        raise TemplateError(
            f"{path}, line {_line(exc, path)}: {exc}",
            "use only the names the README lists for templates",
        ) from None
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    text = re.sub(r"^(- .*)\n\n(?=- )", r"\1\n", text, flags=re.M)  # lists stay tight
    return text.strip() + "\n"


def _line(exc: BaseException, path: Path) -> str:
    """The template line an error happened on (Jinja2 puts template frames in the traceback)."""
    tb, line = exc.__traceback__, "?"
    while tb is not None:
        if Path(tb.tb_frame.f_code.co_filename).resolve() == path:
            line = str(tb.tb_lineno)
        tb = tb.tb_next
    return line
