"""The demo boards as a site: a config in a temp folder, a sync, a roundup, then `otg site`'s job,
at a fixed time; and an HTML reader for the checks (tags balanced, ids, links, headings)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path

import jobs.roundup
import jobs.site
import jobs.sync
from config import load_config
from config.loader import Config
from sync.roundup.gather import Period
from sync.state.store import State
from tests.conftest import ROOT, demo_boards

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


def demo_config(folder: Path, site: str = 'base_url = "https://example.org/otg/"\n') -> Config:
    folder.mkdir(parents=True, exist_ok=True)
    feed = ROOT / "config" / "example" / "medium-feed.xml"
    (folder / "otg.toml").write_text(
        f"""timezone = "Europe/London"
state_db = "state.db"
output_dir = "out"
{demo_boards()}
[calendar]
domain = "oneteamgov.uk"
name = "OneTeamGov spinoff events (demo)"
feed = "events.ics"
[medium]
target = "drafts"
feeds = ["{feed}"]
[site]
{site}""",
        encoding="utf-8",
    )
    return load_config(folder / "otg.toml", environ={})


def build_demo(folder: Path, site: str = 'base_url = "https://example.org/otg/"\n') -> Config:
    """The demo synced, its roundup drafted, and the site built (the sync builds it too)."""
    cfg = demo_config(folder, site)
    with State(cfg.state_db) as state:
        report = jobs.sync.run(cfg, state, now=NOW)
        assert report.ok, report.failures
        period = Period(date(2026, 11, 12), date(2026, 11, 25))
        result = jobs.roundup.run(cfg, state, period, target="drafts", now=NOW)
        assert result.report.ok, result.report.failures
        report = jobs.site.run(cfg, state, now=NOW)
        assert report.ok, report.failures
    return cfg


class Page(HTMLParser):
    """One page read strictly enough for the checks: every non-void tag closed in order."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.ids: set[str] = set()
        self.headings: list[int] = []
        self.text: list[str] = []
        self.feed(text)
        self.close()
        if self.stack:
            self.problems.append(f"never closed: {self.stack}")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.tags.append((tag, values))
        if values.get("id"):
            if values["id"] in self.ids:
                self.problems.append(f"id {values['id']} twice")
            self.ids.add(values["id"] or "")
        if tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            self.headings.append(int(tag[1]))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]


def pages(site: Path) -> dict[str, Page]:
    return {
        path.relative_to(site).as_posix(): Page(path.read_text(encoding="utf-8"))
        for path in sorted(site.rglob("*.html"))
    }
