"""Card text never escapes its place: HTML and iCalendar special characters in card text are
escaped in the drafts and the feed, and card names such as ``../../etc/passwd``, ``..``, ``/abs``,
``CON``, a NUL or 500 characters make safe file names inside the drafts folder.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner
from icalendar import Calendar

import cli

# -- escaping card text: the drafts and the feed -------------------------------------------------

NASTY = "Tea & <script>alert(\"x\")</script> 'quoted'; a,b\\c\r\nBEGIN:VEVENT\nUID:evil\x1b[2J"
LIST_ID, BOARD_ID = "6b00000000000000000001a1", "6b00000000000000000000b1"


def _export(tmp_path: Path, role: str, list_name: str, cards: list[dict]) -> Path:
    board = {
        "id": BOARD_ID,
        "name": "Board <b>",
        "lists": [{"id": LIST_ID, "name": list_name}],
        "cards": [
            {
                "id": f"6b{n:022x}",
                "idList": LIST_ID,
                "desc": "Body <i>text</i> & more",
                "start": "2026-12-02T08:00:00.000Z",
                "due": "2026-12-02T09:00:00.000Z",
                **card,
            }
            for n, card in enumerate(cards, start=1)
        ],
    }
    (tmp_path / "board.json").write_text(json.dumps(board), encoding="utf-8")
    config = tmp_path / "otg.toml"
    config.write_text(
        f'state_db = "state.db"\n[boards.b]\nrole = "{role}"\nsource = "board.json"\n'
        '[calendar]\ndomain = "oneteamgov.uk"\n',
        encoding="utf-8",
    )
    return config


def test_card_text_is_escaped_in_the_feed(tmp_path):
    config = _export(
        tmp_path,
        "events",
        "Confirmed",
        [{"name": NASTY, "locationName": NASTY, "url": "https://trello.com/c/x\r\nUID:evil"}],
    )
    result = CliRunner().invoke(cli.main, ["--config", str(config), "sync"])
    assert result.exit_code == 0, result.output
    content = (tmp_path / "out" / "events.ics").read_bytes()
    lines = content.split(b"\r\n")
    assert lines.count(b"BEGIN:VEVENT") == 1 and not any(x.startswith(b"UID:evil") for x in lines)
    assert b"\x1b" not in content and b"\r\n\r\n" not in content
    [event] = Calendar.from_ical(content).walk("VEVENT")
    assert str(event["UID"]) == "trello-6b0000000000000000000001@oneteamgov.uk"
    expected = "Tea & <script>alert(\"x\")</script> 'quoted'; a,b\\c\nBEGIN:VEVENT\nUID:evil[2J"
    assert str(event["SUMMARY"]) == expected
    assert str(event["LOCATION"]) == expected
    assert "URL" not in event  # a link with a line break in it is no link
    assert b"SUMMARY:Tea & <script>alert(\"x\")</script> 'quoted'\\; a\\,b\\\\c\\nBEGIN" in content
    assert all(len(line) <= 75 for line in content.split(b"\r\n"))
    # and the report line for it is one line, without the terminal escape
    [line] = [line for line in result.output.splitlines() if line.startswith("create")]
    assert "\x1b" not in line and "BEGIN:VEVENT UID:evil" in line


def test_card_text_is_escaped_in_the_drafts(tmp_path):
    config = _export(
        tmp_path, "content", "Ready for Medium", [{"name": NASTY, "shortLink": "Ab12Cd34"}]
    )
    result = CliRunner().invoke(cli.main, ["--config", str(config), "sync"])
    assert result.exit_code == 0, result.output
    [page] = (tmp_path / "out" / "drafts").glob("*.html")
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html and "<i>" not in html
    assert (
        "<title>Tea &amp; &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &#x27;quoted&#x27;; "
        in html
    )
    assert "<h1>Tea &amp; &lt;script&gt;alert(\"x\")&lt;/script&gt; 'quoted'; a,b\\c" in html
    assert "<p>Body &lt;i&gt;text&lt;/i&gt; &amp; more</p>" in html
    markdown = page.with_suffix(".md").read_text(encoding="utf-8")
    front = markdown.split("\n---\n", 1)[0]
    assert len(front.splitlines()) == 6 and "\nUID:evil" not in front  # "---" and 5 keys


# -- file names from card names ------------------------------------------------------------------

HOSTILE_NAMES = [
    "../../etc/passwd",
    "..",
    ".",
    "/abs/path",
    "C:\\Windows\\win.ini",
    "CON",
    "nul",
    "a\x00b",
    "x" * 500,
    "🎉🎉🎉",
    "",
]
HOSTILE_LINKS = ["../../x", "", "ab\ncd", "CON", "Ab12Cd34\n", "a" * 300]


def test_card_names_make_safe_file_names_inside_the_drafts_folder(tmp_path):
    cards = [
        {"name": name or "untitled", "shortLink": link}
        for name in HOSTILE_NAMES
        for link in HOSTILE_LINKS[:2]
    ] + [{"name": "CON", "shortLink": link} for link in HOSTILE_LINKS]
    cards += [{"name": "..", "shortLink": "", "id": "../../.."}]
    config = _export(tmp_path, "content", "Ready for Medium", cards)
    result = CliRunner().invoke(cli.main, ["--config", str(config), "sync"])
    assert result.exit_code in (0, 1) and "Traceback" not in result.output, result.output
    drafts = tmp_path / "out" / "drafts"
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    outside = [
        p for p in written if not p.startswith(("out/drafts/", "board.json", "otg.toml", "state."))
    ]
    assert outside == ["out", "out/drafts"]
    names = [p.name for p in drafts.iterdir()]
    assert len(names) >= 2 * len(HOSTILE_NAMES)
    devices = {"CON", "PRN", "AUX", "NUL"} | {
        f"{d}{n}" for d in ("COM", "LPT") for n in "123456789"
    }
    for name in names:
        assert re.fullmatch(r"[a-z0-9][a-z0-9-]*-[A-Za-z0-9]{1,24}\.(md|html)", name), name
        assert len(name) <= 100 and name.split(".")[0].upper() not in devices
