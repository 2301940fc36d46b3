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
from functools import cache
from typing import Any
from urllib.parse import urlsplit

SAFE_SCHEMES = ("http", "https", "mailto")
TASK = re.compile(r"^\[([ xX])\]\s+")
#: What changes the meaning of plain text anywhere in a line: a backslash, emphasis, code, and
#: the brackets of links and images. Parentheses, braces, ``!``, ``+``, ``.``, ``-`` mean nothing
#: once no bracket is left to open a link (see ``escape_text``); they are left as typed.
MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]])")
#: An ``&`` that would start a character reference (``&amp;``, ``&#60;``): the rest is text.
_REFERENCE = re.compile(r"&(?=#[0-9]+;|#[xX][0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]*;)")
#: What starts a block at the start of a line: a heading or a quote (``#``, ``>``), a list item
#: (``-``, ``+``, ``2026.``, ``1)``), a rule (``---``), a heading underline (``===``, ``---``)
#: or a code fence (``~~~``; a backtick fence is escaped anywhere).
_BLOCK_START = re.compile(r"^(?:[#>+-]|(\d+)([.)])(?=\s|$)|[=~])")


def safe_url(url: str) -> bool:
    """An address fit for a link in a published post: http(s) or mailto, nothing else."""
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:  # "http://[x": a bracket that opens no IPv6 address
        return False
    return scheme in SAFE_SCHEMES


def escape_text(text: str) -> str:
    """Plain text made literal in Markdown, wherever in a line it is printed, escaping only what
    would change its meaning: ``\\ ` * _ [ ]`` anywhere; ``<`` (raw HTML, autolinks) as ``&lt;``;
    an ``&`` that starts a character reference as ``&amp;``; what would start a block at the
    start (``#``, ``>``, ``-``, ``+``, ``1.``, ``1)``, ``=``, ``~``), and a ``#`` at the end (a
    heading's closing ``#`` is dropped). So "OneTeamGov breakfast (Ottawa)" stays as it is."""
    text = " ".join(text.split())  # one line: a newline could start a new block
    text = MARKDOWN_SPECIALS.sub(r"\\\1", text)
    text = _REFERENCE.sub("&amp;", text).replace("<", "&lt;")
    text = text.replace("\\]:", "\\]&#58;")  # "[x]: url" at a line's start defines a link
    if text.endswith("#"):
        text = text[:-1] + "\\#"
    return _BLOCK_START.sub(_escape_block_start, text, count=1)


def _escape_block_start(found: re.Match[str]) -> str:
    if found.group(1) is not None:
        return f"{found.group(1)}\\{found.group(2)}"
    if found.group() in ("=", "~"):  # Python-Markdown has no \= or \~: a character reference
        return f"&#{ord(found.group())};"
    return f"\\{found.group()}"


def _sanitise(root: ET.Element) -> None:
    """Drops unsafe link targets and image sources; turns task-list items into ☑/☐."""
    for element in root.iter():
        for attribute in ("href", "src"):
            value = element.get(attribute)
            if value is not None and not safe_url(value):
                del element.attrib[attribute]
        if element.tag == "li" and element.text and (found := TASK.match(element.text)):
            box = "☐" if found.group(1) == " " else "☑"
            element.text = f"{box} {element.text[found.end() :]}"


@cache
def _no_raw_html() -> type[Any]:
    """The python-markdown extension that makes raw HTML text (the block and inline HTML handlers
    are removed) and sanitises the tree. Built on first use: python-markdown is imported only by
    a command that renders a draft, not by every command that imports this module."""
    from markdown.extensions import Extension
    from markdown.treeprocessors import Treeprocessor

    class Sanitise(Treeprocessor):
        def run(self, root: ET.Element) -> None:
            _sanitise(root)

    class NoRawHtml(Extension):
        def extendMarkdown(self, md: Any) -> None:
            md.preprocessors.deregister("html_block")
            md.inlinePatterns.deregister("html")
            md.treeprocessors.register(Sanitise(md), "otg_sanitise", 0)

    return NoRawHtml


def to_html(text: str) -> str:
    """The HTML of a Markdown body: deterministic, escaped, safe to send to Medium."""
    import markdown

    converter = markdown.Markdown(
        extensions=[_no_raw_html()(), "sane_lists", "fenced_code"], output_format="html"
    )
    return converter.convert(text)
