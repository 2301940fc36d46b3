"""The documentation site: `mkdocs build --strict` passes (no broken link, anchor or page left out
of the nav), and the command and config references it builds cover every command, option and
config key the code has today."""

from __future__ import annotations

import html
import importlib.util
import os
import re
import subprocess
import sys

import click
import pytest

import cli
from tests.conftest import ROOT

NOT_INSTALLED = "{} is not installed: pip install -e '.[test]'"
pytest.importorskip("mkdocs", reason=NOT_INSTALLED.format("mkdocs"))
pytest.importorskip("material", reason=NOT_INSTALLED.format("mkdocs-material"))

_spec = importlib.util.spec_from_file_location("docs_hooks", ROOT / "docs" / "hooks.py")
hooks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(hooks)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The site, built as `make docs` builds it, with --strict: any warning fails the build."""
    out = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stderr}"
    return out


def _text(page) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8")))


def _all_commands(group: click.Group, prefix: str = "otg"):
    for name, command in group.commands.items():
        yield f"{prefix} {name}", command
        if isinstance(command, click.Group):
            yield from _all_commands(command, f"{prefix} {name}")


def test_the_site_builds_strictly_with_every_page(site):
    assert (site / "index.html").exists()
    for page in (ROOT / "docs").rglob("*.md"):
        built = site / page.relative_to(ROOT / "docs").with_suffix("") / "index.html"
        if page.name == "index.md":
            built = site / page.relative_to(ROOT / "docs").parent / "index.html"
        assert built.exists(), f"{page} was not built"


def test_the_command_reference_has_every_command_and_option_from_its_help(site):
    page = _text(site / "reference" / "commands" / "index.html")
    for title, command in [("otg", cli.main), *_all_commands(cli.main)]:
        assert f"$ {title} --help" in page, f"{title} is not in the command reference"
        for param in command.params:
            if isinstance(param, click.Option):
                for opt in param.opts:
                    assert opt in page, f"{title} {opt} is not in the command reference"


def test_the_command_reference_is_what_help_prints(site):
    page = _text(site / "reference" / "commands" / "index.html")
    for path, _command in hooks.commands():
        assert hooks.help_text(path).strip() in page


def test_the_config_reference_has_every_field(site):
    page = _text(site / "reference" / "config" / "index.html")
    sections = hooks.field_sections()
    assert {"", "boards.<name>.", "calendar.", "calendar.caldav.", "medium.", "roundup."} <= {
        prefix for prefix, _ in sections
    }
    for prefix, fields in sections:
        for field in fields:
            assert f"{prefix}{field.name}" in page, f"{prefix}{field.name} is not documented"
            assert field.help in page


def test_a_new_field_list_is_picked_up_with_no_step_to_remember(monkeypatch):
    import config.roundup
    from config import schema

    extra = [schema.Field("level", str, "info", choices=("info", "debug"), help="how much")]
    monkeypatch.setattr(config.roundup, "LOG_FIELDS", extra, raising=False)
    text = hooks.config_reference()
    assert "### `[log]`" in text
    assert '| `log.level` | string | `"info"` | how much; one of `info`, `debug` |' in text


def test_jobs_tables_are_documented_with_their_own_defaults():
    text = hooks.config_reference()
    assert '| `jobs.sync.at` | string | `"02:00"` |' in text
    assert '| `jobs.roundup.every` | string | `"fortnight"` |' in text


def test_the_readmes_links_into_the_docs_lead_to_pages():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\((docs/[^)#]+)", readme)
    assert len(links) > 10
    for link in links:
        assert (ROOT / link).exists(), f"README links to {link}, which is not there"


def test_every_table_the_config_accepts_is_documented():
    from config.loader import SECTIONS

    prefixes = {prefix for prefix, _ in hooks.field_sections()}
    for section in SECTIONS:
        assert any(p.startswith(f"{section}.") for p in prefixes), (
            f"[{section}] has no *_FIELDS list in config/ for the reference to show"
        )
