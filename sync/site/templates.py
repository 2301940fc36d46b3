"""The site's Jinja2 templates: the bundled ones, or an editor's by the same name.

HTML autoescaping is on, so every value from a card is text on the page, whatever it holds; only
the bodies ``to_html`` made are marked safe (``Markup``) before they reach a template. Templates
run sandboxed, like the roundup's (editors change them), with ``StrictUndefined`` so that a
misspelt name is an error. Every template error becomes one line naming the template and line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from sync.errors import UsageError

BUNDLED = Path(__file__).resolve().parents[2] / "config" / "templates" / "site"


class SiteTemplateError(UsageError):
    """A site template cannot be read or rendered."""


def environment(folder: Path | None = None) -> jinja2.Environment:
    """The environment: ``folder``'s templates first, then the bundled ones."""
    if folder is not None and not folder.is_dir():
        raise SiteTemplateError(
            f"no template folder at {folder}",
            'check site.templates in the config ("" for the bundled templates)',
        )
    loaders = [jinja2.FileSystemLoader(str(f)) for f in (folder, BUNDLED) if f is not None]
    env = ImmutableSandboxedEnvironment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


def render(env: jinja2.Environment, name: str, context: dict[str, Any]) -> str:
    try:
        return env.get_template(name).render(context)
    except jinja2.TemplateNotFound as exc:
        raise SiteTemplateError(
            f"no site template {exc.name}", "restore it, or leave it to the bundled one"
        ) from None
    except jinja2.TemplateSyntaxError as exc:
        raise SiteTemplateError(
            f"{exc.filename or name}, line {exc.lineno}: {exc.message}",  # the file, in full
            "fix the template (Jinja2 syntax)",
        ) from None
    except UnicodeDecodeError:
        raise SiteTemplateError(f"{name} is not UTF-8 text", "save it as UTF-8") from None
    except (SecurityError, jinja2.UndefinedError, TypeError, ValueError, LookupError) as exc:
        raise SiteTemplateError(
            f"{_where(exc, name)}: {exc}",
            "use only the names docs/organisers/events-page.md lists for site templates",
        ) from None


def _where(exc: BaseException, name: str) -> str:
    """``event.html.j2, line 3``: the template, included or not, and the line an error was on
    (Jinja2 puts template frames in the traceback)."""
    tb, where = exc.__traceback__, f"{name}, line ?"
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            where = f"{Path(filename).name}, line {tb.tb_lineno}"
        tb = tb.tb_next
    return where
