"""Markdown → Medium-ready HTML, with every piece of card text escaped. Pure: no I/O.

Card descriptions are Markdown written by anyone on the board, and the HTML goes to Medium (which
can never delete a post through its API) or into a file an editor opens in a browser. So raw HTML
in the Markdown is shown as text, never passed through (python-markdown passes it through by
default), and links and images keep only http(s) and mailto addresses: ``javascript:`` and
``data:`` are dropped. Checklist items written as ``- [x]`` become ☑/☐, which Medium keeps.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

SAFE_SCHEMES = ("http", "https", "mailto")
TASK = re.compile(r"^\[([ xX])\]\s+")
#: Markdown's own punctuation, escaped in plain text (a title, a link's name) so it stays literal.
MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+!])")


def safe_url(url: str) -> bool:
    """An address fit for a link in a published post: http(s) or mailto, nothing else."""
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:  # "http://[x": a bracket that opens no IPv6 address
        return False
    return scheme in SAFE_SCHEMES


def escape_text(text: str) -> str:
    """Plain text made literal in Markdown: punctuation escaped; ``&``, ``<``, ``>`` as entities."""
    text = " ".join(text.split())  # one line: a newline could start a new block
    text = MARKDOWN_SPECIALS.sub(r"\\\1", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class _Sanitise(Treeprocessor):
    """Drops unsafe link targets and image sources; turns task-list items into ☑/☐."""

    def run(self, root: ET.Element) -> None:
        for element in root.iter():
            for attribute in ("href", "src"):
                value = element.get(attribute)
                if value is not None and not safe_url(value):
                    del element.attrib[attribute]
            if element.tag == "li" and element.text and (found := TASK.match(element.text)):
                box = "☐" if found.group(1) == " " else "☑"
                element.text = f"{box} {element.text[found.end() :]}"


class _NoRawHtml(Extension):
    """Raw HTML is text: the block and inline HTML handlers are removed."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_Sanitise(md), "otg_sanitise", 0)


def to_html(text: str) -> str:
    """The HTML of a Markdown body: deterministic, escaped, safe to send to Medium."""
    converter = markdown.Markdown(
        extensions=[_NoRawHtml(), "sane_lists", "fenced_code"], output_format="html"
    )
    return converter.convert(text)
