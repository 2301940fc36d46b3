"""Generated content cards (tests/strategies.py): any card's draft stays in the drafts folder,
escapes the card's text in its HTML, and keeps valid front matter.
"""

from __future__ import annotations

import re
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given

from sync.content.draft import draft_for
from sync.content.drafts_folder import files_for, html_file, markdown_file, write_draft
from sync.content.markdown_html import safe_url
from tests.reliability.property_checks import FUZZ, MEDIUM, assert_one_line
from tests.strategies import content_cards

WINDOWS_DEVICES = {"CON", "PRN", "AUX", "NUL"} | {
    f"{d}{n}" for d in ("COM", "LPT") for n in "123456789"
}
BODY_TAGS = {
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "ul", "ol", "li", "a", "em", "strong", "code",
    "pre", "blockquote", "hr", "br", "img",
}  # fmt: skip
PAGE_TAGS = BODY_TAGS | {"html", "head", "meta", "title", "link", "body", "article"}
ATTRIBUTES = {"href", "src", "alt", "title", "charset", "name", "content", "rel", "lang"}
TAG = re.compile(r'<(/?)([a-z0-9]+)((?:\s+[a-z-]+="[^"<>]*")*)\s*/?>')
ENTITY = re.compile(r"&(#[0-9]+|#x[0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_title = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def check_html(page: str, allowed: set[str]) -> _Page:
    """Card text is escaped: every ``<`` opens one of our tags, every ``&`` an entity, and
    attribute values hold no quote or bracket; links are http(s) or mailto."""
    for found in re.finditer("<", page):
        if page.startswith("<!DOCTYPE html>", found.start()):
            continue
        tag = TAG.match(page, found.start())
        assert tag and tag.group(2) in allowed, (
            f"unescaped: {page[found.start() : found.start() + 40]!r}"
        )
    for found in re.finditer("&", page):
        assert ENTITY.match(page, found.start()), (
            f"bare &: {page[found.start() : found.start() + 20]!r}"
        )
    parser = _Page()
    parser.feed(page)
    parser.close()
    for tag, attrs in parser.tags:
        assert tag in allowed and set(attrs) <= ATTRIBUTES, (tag, attrs)
        for name in ("href", "src"):
            if attrs.get(name) and tag != "link":
                assert safe_url(attrs[name] or ""), attrs
    return parser


def front_matter(text: str) -> dict[str, Any]:
    assert text.startswith("---\n")
    block, _, _ = text[4:].partition("\n---\n")
    assert len(block.splitlines()) == 5, block  # nothing injected a line
    return yaml.safe_load(block)


@FUZZ
@given(card=content_cards())
def test_any_cards_draft_stays_in_its_folder_and_escapes_the_card(card):
    draft = draft_for(card, MEDIUM)
    stem = draft.file_stem
    assert re.fullmatch(r"[A-Za-z0-9-]{1,100}", stem), stem
    assert stem.split("-")[0].upper() not in WINDOWS_DEVICES or "-" in stem
    if draft.problem:
        assert_one_line(draft.problem)
        assert draft.markdown == ""
        return
    with tempfile.TemporaryDirectory() as root:
        folder = Path(root) / "drafts"
        files, written = write_draft(folder, draft, MEDIUM)
        assert written and files == files_for(folder, draft)
        assert sorted(p.name for p in Path(root).rglob("*")) == sorted(
            ["drafts", files.markdown.name, files.html.name]
        )
        markdown = files.markdown.read_bytes().decode("utf-8")  # as written: no newline magic
        page = files.html.read_bytes().decode("utf-8")
    meta = front_matter(markdown)
    assert meta == {
        "title": draft.title,
        "tags": list(draft.tags),
        "card": draft.card_url,
        "canonical_url": draft.canonical_url,
        "license": "all-rights-reserved",
    }
    assert markdown == markdown_file(draft, MEDIUM) and page == html_file(draft)
    assert check_html(page, PAGE_TAGS).title == draft.title
    body = check_html(draft.html(), BODY_TAGS)
    assert body.tags[0][0] in BODY_TAGS
