"""Render a roundup with a Jinja2 template into Markdown.

Templates are Jinja2 with ``StrictUndefined``, so that a misspelt name is an error instead of a
silent blank, and ``plural`` and ``link`` filters. Every template error becomes one line naming the
template and the line. Runs of blank lines are folded, so templates can be laid out for reading.

Card names, labels, member names and places are written by anyone on a board, and the Markdown
becomes HTML for Medium or the drafts folder. So every value a template prints is plain text: one
line, with Markdown's punctuation escaped (Jinja2's ``finalize``; HTML autoescaping is for HTML,
and this is Markdown). Only ``link`` makes Markdown: a link, and only to an http(s) address.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from config.bundled import ROUNDUP_TEMPLATE
from sync.content.markdown_html import escape_text
from sync.errors import UsageError
from sync.roundup.gather import web_url
from sync.text import one_line

DEFAULT_TEMPLATE = ROUNDUP_TEMPLATE  # package data: in a wheel too (config/bundled.py)


class TemplateError(UsageError):
    """The roundup template cannot be read or rendered."""


#: Put before each link made here: a ``!`` printed right before it (a name ending in "!")
#: would make the link an image, so it is escaped there, and the mark removed (``render``).
_LINK = "\x00"


class Markdown(str):
    """Markdown made here (a link), printed as it is."""


def plural(count: int, word: str, words: str = "") -> str:
    return f"{count} {word}" if count == 1 else f"{count} {words or word + 's'}"


def plain(value: Any) -> str:
    """What a template prints: ``value`` as literal Markdown text on one line."""
    if isinstance(value, Markdown):
        return value
    return escape_text(one_line(str(value)))


def link(title: Any, url: str) -> Markdown:
    """``{{ post.title | link(post.url) }}``: ``[title](url)`` for an http(s) URL, else the
    title alone."""
    text, target = plain(title), web_url(url)
    if not target:
        return Markdown(text)
    for char in " ()<>\"'\\":  # what would end or change the link in Markdown
        target = target.replace(char, f"%{ord(char):02X}")
    return Markdown(f"{_LINK}[{text}]({target})")


@dataclass(frozen=True)
class Rendered:
    """A rendered roundup: its Markdown, and its title as plain text (never parsed back out
    of the Markdown): the one a template sets with ``{% set title = ... %}``, else the
    context's."""

    markdown: str
    title: str


def render(context: dict[str, Any], template: Path | None = None) -> str:
    return render_post(context, template).markdown


def render_post(context: dict[str, Any], template: Path | None = None) -> Rendered:
    path = (template or DEFAULT_TEMPLATE).resolve()
    if path.is_dir():
        raise TemplateError(
            f"{path} is a folder, not a template file",
            "set --template (or roundup.template in the config) to a template file, such as "
            "roundup.md.j2",
        )
    if not path.is_file():
        raise TemplateError(
            f"no roundup template at {path}", "check --template (or roundup.template in the config)"
        )
    # Sandboxed: a template is something editors change, and must not reach Python's internals
    # (a plain Environment lets `cycler.__init__.__globals__.os` run commands and read secrets).
    env = ImmutableSandboxedEnvironment(
        loader=jinja2.FileSystemLoader(str(path.parent)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=plain,
    )
    env.filters["plural"] = plural
    env.filters["link"] = link
    try:
        compiled = env.get_template(path.name)
        try:  # a module, for the title a template sets; rendered as Template.render does
            module = compiled.make_module(context)
        except Exception:
            env.handle_exception()  # the template's own line numbers in the traceback
        text = str(module)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(
            f"{path}, line {exc.lineno}: {exc.message}", "fix the template (Jinja2 syntax)"
        ) from None
    except UnicodeDecodeError:
        raise TemplateError(f"{path} is not UTF-8 text", "save the template as UTF-8") from None
    except SecurityError as exc:
        raise TemplateError(
            f"{path}, line {_line(exc, path)}: {exc}",
            "a template may use the names docs/editors/roundup.md lists, not Python's internals",
        ) from None
    except (jinja2.UndefinedError, TypeError, ValueError, ArithmeticError, LookupError) as exc:
        raise TemplateError(
            f"{path}, line {_line(exc, path)}: {exc}",
            "use only the names docs/editors/roundup.md lists for templates",
        ) from None
    text = text.replace(f"!{_LINK}", f"\\!{_LINK}").replace(_LINK, "")
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    text = re.sub(r"^(- .*)\n\n(?=- )", r"\1\n", text, flags=re.M)  # lists stay tight
    title = " ".join(one_line(str(getattr(module, "title", ""))).split())
    return Rendered(text.strip() + "\n", title or str(context.get("title", "")))


def _line(exc: BaseException, path: Path) -> str:
    """The template line an error happened on (Jinja2 puts template frames in the traceback)."""
    tb, line = exc.__traceback__, "?"
    while tb is not None:
        if Path(tb.tb_frame.f_code.co_filename).resolve() == path:
            line = str(tb.tb_lineno)
        tb = tb.tb_next
    return line
