"""The demo site in a real headless Chromium: every page loads with no console error, the events
page shows the right upcoming events at a phone's and a desktop's width (screenshots kept as test
artefacts), and axe-core finds no serious accessibility violation on any page.

Set OTG_DOCS_SCREENSHOT=1 to also write the desktop screenshot to the organisers' guide.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

import pytest
from icalendar import Calendar

from tests.conftest import ROOT
from tests.npm_packages import npm_package
from tests.site.browser import Browser
from tests.site.demo import NOW, build_demo

ARTEFACTS = Path(os.environ.get("OTG_TEST_ARTIFACTS") or ROOT / "test-artifacts") / "site"
DOCS_SHOT = ROOT / "docs" / "organisers" / "events-page.png"
WIDTHS = {"phone": (390, 844, True), "desktop": (1280, 800, False)}
UPCOMING = """JSON.stringify(Array.from(
  document.querySelectorAll('section[aria-labelledby="upcoming"] li.event')).map((li) => {
    const box = li.querySelector("h3, h4").getBoundingClientRect();
    return {uid: li.dataset.uid, shown: box.width > 0 && box.height > 0,
            inside: box.left >= 0 && box.right <= window.innerWidth + 1};
  }))"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("browser") / "demo"
    cfg = build_demo(folder, 'publish_drafts = true\nbase_url = "https://example.org/otg/"\n')
    return cfg.output_dir / "site"


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory):
    chromium = Browser(tmp_path_factory.mktemp("chromium-profile"))
    yield chromium
    chromium.close()


def _pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))


def test_every_page_loads_without_console_errors(site, browser):
    for page in _pages(site):
        tab = browser.open((site / page).as_uri(), 1280, 800)
        assert tab.errors() == [], page
        assert tab.evaluate("document.styleSheets.length") == 1, page  # site.css was found
        assert tab.evaluate("document.scripts.length") == 0, page


def _coming(site: Path) -> list[str]:
    feed = Calendar.from_ical((site / "events.ics").read_bytes())
    found = []
    for event in feed.walk("VEVENT"):
        end = event["DTEND"].dt
        if isinstance(end, datetime) and end > NOW:
            found.append((event["DTSTART"].dt.isoformat(), str(event["UID"])))
        elif not isinstance(end, datetime) and end > NOW.date():
            found.append((end.isoformat(), str(event["UID"])))
    return [uid for _, uid in sorted(found)]


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_the_events_page_shows_the_upcoming_events(site, browser, width):
    w, h, mobile = WIDTHS[width]
    tab = browser.open((site / "events.html").as_uri(), w, h, mobile)
    shown = json.loads(tab.evaluate(UPCOMING))
    assert [e["uid"] for e in shown] == _coming(site)
    assert all(e["shown"] and e["inside"] for e in shown), shown
    # nothing wider than the screen: no sideways scrolling on a phone
    assert tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    path = tab.screenshot(ARTEFACTS / f"events-{width}.png")
    assert path.read_bytes().startswith(b"\x89PNG") and path.stat().st_size > 10_000
    if width == "desktop" and os.environ.get("OTG_DOCS_SCREENSHOT") == "1":
        browser.open((site / "events.html").as_uri(), 1000, 1150).screenshot(DOCS_SHOT, whole=False)


def test_axe_finds_no_serious_accessibility_violation(site, browser):
    axe = (npm_package("axe-core") / "axe.min.js").read_text(encoding="utf-8")
    report = {}
    for page in _pages(site):
        for width, (w, h, mobile) in WIDTHS.items():
            tab = browser.open((site / page).as_uri(), w, h, mobile)
            tab.evaluate(axe)
            found = json.loads(
                tab.evaluate(
                    "axe.run(document, {resultTypes: ['violations']}).then((r) =>"
                    " JSON.stringify(r.violations.map((v) => ({id: v.id, impact: v.impact,"
                    " nodes: v.nodes.map((n) => n.target.join(' '))}))))",
                    wait=True,
                )
            )
            report[f"{page} ({width})"] = found
            serious = [v for v in found if v["impact"] in ("serious", "critical")]
            assert serious == [], f"{page} at {width} width: {serious}"
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    (ARTEFACTS / "axe.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
