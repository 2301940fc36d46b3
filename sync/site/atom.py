"""The roundups as an Atom feed (RFC 4287), built with ElementTree so that every title and body
is escaped as XML. Deterministic: entries by period, newest first; "updated" is when each was
drafted, never the time of the build."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from config.site import SiteConfig
from sync.site.public import SitePost

ATOM_NS = "http://www.w3.org/2005/Atom"
EPOCH = "1970-01-01T00:00:00Z"


def _stamp(when: str) -> str:
    """An Atom date-time: what the record says, with its offset, or the epoch when unknown."""
    if len(when) >= 19 and when[10] == "T":
        return when if when.endswith("Z") or when[-6] in "+-" else when + "Z"
    return EPOCH


def _address(site: SiteConfig, path: str) -> str:
    return site.root_url + path if site.root_url else path


def _id(site: SiteConfig, path: str) -> str:
    return site.root_url + path if site.root_url else f"urn:otg-sync:site:{path}"


def atom_feed(posts: list[SitePost], site: SiteConfig) -> bytes:
    """The feed of ``posts``, in the order given."""
    ET.register_namespace("", ATOM_NS)
    feed = ET.Element(f"{{{ATOM_NS}}}feed")

    def sub(parent: ET.Element, tag: str, text: str = "", **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        if text:
            element.text = text
        return element

    sub(feed, "title", f"{site.title}: roundups")
    sub(feed, "id", _id(site, "roundups.atom"))
    sub(feed, "link", rel="self", href=_address(site, "roundups.atom"))
    sub(feed, "link", rel="alternate", type="text/html", href=_address(site, "roundups/index.html"))
    sub(feed, "updated", max((_stamp(p.when) for p in posts), default=EPOCH))
    author = sub(feed, "author")
    sub(author, "name", site.title)
    for post in posts:
        entry = sub(feed, "entry")
        sub(entry, "title", post.title)
        sub(entry, "id", _id(site, post.page))
        sub(entry, "link", rel="alternate", type="text/html", href=_address(site, post.page))
        sub(entry, "updated", _stamp(post.when))
        sub(entry, "content", post.html, type="html")
    ET.indent(feed)
    return (
        b'<?xml version="1.0" encoding="utf-8"?>\n'
        + ET.tostring(feed, encoding="utf-8", xml_declaration=False)
        + b"\n"
    )
