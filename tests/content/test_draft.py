"""A content card → its draft: title, Markdown body, tags, canonical URL, hash; the HTML Medium
gets; and the drafts folder's files (safe names, atomic writes, never clobbering an edit)."""

from __future__ import annotations

from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from config.medium import MediumConfig
from sync.content.draft import draft_for, slugify, tags_for
from sync.content.drafts_folder import (
    DraftsError,
    file_digests,
    files_for,
    html_file,
    markdown_file,
    place_version,
    write_draft,
    write_placed,
)
from sync.content.markdown_html import to_html
from sync.model import Attachment, Card, CheckItem, Checklist, Label

CFG = MediumConfig(canonical_url="https://oneteamgov.uk/blog/{slug}")
NASTY = 'Notes from "the other side": ../policy meets <b>html</b> delivery'


def card(card_id: str = "6b0000000000000000000c01", **fields) -> Card:
    base = dict(
        id=card_id,
        name="What I learned shadowing a call centre",
        board_id="6b0000000000000000000b01",
        list_id="l-ready",
        list_name="Ready for Medium",
        state="ready",
        short_link="qBqgCgJ9",
        url="https://trello.com/c/qBqgCgJ9/10-what-i-learned",
        desc="I spent a Tuesday on the phones.\n\n## What we're changing\n\n- the letters",
        labels=(Label("a", "Culture"), Label("b", "Public Sector")),
    )
    return Card(**{**base, **fields})


# -- the draft ---------------------------------------------------------------------------------


def test_title_body_tags_and_canonical_url():
    draft = draft_for(card(), CFG)
    assert (draft.title, draft.tags, draft.problem, draft.warnings) == (
        "What I learned shadowing a call centre",
        ("Culture", "Public Sector"),
        "",
        (),
    )
    assert draft.canonical_url == (
        "https://oneteamgov.uk/blog/what-i-learned-shadowing-a-call-centre"
    )
    assert draft.markdown == (
        "# What I learned shadowing a call centre\n\n"
        "I spent a Tuesday on the phones.\n\n## What we're changing\n\n- the letters\n"
    )
    assert draft.file_stem == "what-i-learned-shadowing-a-call-centre-qBqgCgJ9"


def test_a_description_that_starts_with_a_heading_keeps_it_as_the_title():
    draft = draft_for(card(desc="# Shadowing a call centre\n\nText."), CFG)
    assert draft.markdown == "# Shadowing a call centre\n\nText.\n"
    assert draft_for(card(desc="## A subheading\n\nText."), CFG).markdown.startswith("# What I")


def test_checklists_and_links_are_kept():
    draft = draft_for(
        card(
            checklists=(
                Checklist(
                    "k",
                    "Before it goes to Medium",
                    (
                        CheckItem("1", "Check every link", True),
                        CheckItem("2", "Add an image", False),
                    ),
                ),
                Checklist("e", "Empty", ()),
            ),
            attachments=(
                Attachment("1", "OneTeamGov principles", "https://www.oneteamgov.uk/principles"),
                Attachment("2", "Medium draft", "https://medium.com/p/5e7c2a91d0f4/edit"),
                Attachment("3", "evil", "javascript:alert(1)"),
                Attachment("4", "Notes (v2) [final]", "https://example.org/a b(1)"),
            ),
        ),
        CFG,
    )
    assert draft.markdown.endswith(
        "### Before it goes to Medium\n\n- [x] Check every link\n- [ ] Add an image\n\n"
        "### Links\n\n"
        "- [OneTeamGov principles](https://www.oneteamgov.uk/principles)\n"
        "- [Notes (v2) \\[final\\]](https://example.org/a%20b%281%29)\n"
    )
    html = draft.html()
    assert "<li>☑ Check every link</li>\n<li>☐ Add an image</li>" in html
    assert '<a href="https://example.org/a%20b%281%29">Notes (v2) [final]</a>' in html
    assert "javascript" not in html and "medium.com/p/" not in html  # our own link is not content


def test_our_own_links_do_not_change_the_hash():
    plain = draft_for(card(), CFG)
    linked = card(
        attachments=(
            Attachment("1", "Medium draft", "https://medium.com/@otg/x-5e7c2a91d0f4"),
            Attachment("2", "Published on Medium", "https://medium.com/@otg/x-5e7c2a91d0f4"),
            Attachment("3", "the link", "https://medium.com/@otg/y-aaaaaaaaaaaa"),
        )
    )
    assert draft_for(linked, CFG, ["https://medium.com/@otg/y-aaaaaaaaaaaa"]).digest() == (
        plain.digest()
    )
    assert draft_for(linked, CFG).digest() != plain.digest()


def test_the_hash_follows_what_the_draft_says():
    base = draft_for(card(), CFG).digest()
    assert draft_for(card(list_name="In Medium drafts", state="drafted"), CFG).digest() == base
    assert draft_for(card(desc="Other text."), CFG).digest() != base
    assert draft_for(card(name="A new title"), CFG).digest() != base
    assert draft_for(card(labels=(Label("a", "Culture"),)), CFG).digest() != base


def test_tags_at_most_three_of_at_most_25_characters_with_warnings():
    labels = (
        Label("1", "Culture"),
        Label("2", ""),  # a colour-only label
        Label("3", "Ways of working across government boundaries"),
        Label("4", "culture"),  # the same tag twice
        Label("5", "Public Sector"),
        Label("6", "Leadership"),
        Label("7", "Reform"),
        Label("8", "x" * 25),
    )
    tags, warnings = tags_for(card(labels=labels))
    assert tags == ("Culture", "Public Sector", "Leadership")
    assert warnings == [
        'tag "Ways of working across government boundaries" is over 25 characters '
        "(Medium ignores it); dropped",
        'only 3 tags are used; dropped "Reform"',
        f'only 3 tags are used; dropped "{"x" * 25}"',
    ]
    assert draft_for(card(labels=labels), CFG).warnings == tuple(warnings)


def test_an_empty_description_is_a_clear_problem_not_an_empty_draft():
    for desc in ("", "  \n\t "):
        draft = draft_for(card(desc=desc), CFG)
        assert draft.problem == (
            "the card has no description: write the post in the card's description "
            "(Markdown), then sync again"
        )
        assert draft.markdown == ""


def test_a_huge_description_is_a_clear_problem():
    draft = draft_for(card(desc="word " * 20_000), CFG)
    assert draft.problem == (
        "the description is 100,000 characters, more than Trello allows (16,384), so the export "
        "may be damaged: shorten it on Trello or export the board again"
    )
    assert draft_for(card(desc="x" * 16_384), CFG).problem == ""


def test_a_nameless_card_and_an_overlong_title():
    assert draft_for(card(name="  "), CFG).problem.startswith("the card has no name")
    long = draft_for(card(name="Why " * 30), CFG)
    assert long.warnings == (
        "the title is over 100 characters, and Medium ignores such a title: shorten the card's "
        "name",
    )


def test_no_canonical_url_unless_configured_and_other_placeholders():
    assert draft_for(card(), MediumConfig()).canonical_url == ""
    cfg = MediumConfig(canonical_url="https://otg.example/{short_link}/{card_id}")
    assert draft_for(card(), cfg).canonical_url == (
        "https://otg.example/qBqgCgJ9/6b0000000000000000000c01"
    )


# -- Markdown → HTML: every piece of card text escaped ----------------------------------------


def test_a_nasty_card_name_is_escaped_everywhere():
    draft = draft_for(card(name=NASTY, desc="Body <script>alert(1)</script> & more"), CFG)
    html = draft.html()
    assert html.startswith(
        '<h1>Notes from "the other side": ../policy meets &lt;b&gt;html&lt;/b&gt; delivery</h1>'
    )
    assert "<p>Body &lt;script&gt;alert(1)&lt;/script&gt; &amp; more</p>" in html
    assert "<b>" not in html and "<script" not in html
    page = html_file(draft)
    assert "<title>Notes from &quot;the other side&quot;: ../policy meets &lt;b&gt;html" in page
    assert draft.file_stem == "notes-from-the-other-side-policy-meets-b-html-b-delivery-qBqgCgJ9"


@pytest.mark.parametrize(
    "markdown, expected",
    [
        ('<div onclick="x">hi</div>', '<p>&lt;div onclick="x"&gt;hi&lt;/div&gt;</p>'),
        ("<kbd>Ctrl</kbd>+F", "<p>&lt;kbd&gt;Ctrl&lt;/kbd&gt;+F</p>"),
        ("[x](javascript:alert(1))", "<p><a>x</a></p>"),
        ("![x](data:image/png;base64,AAAA)", '<p><img alt="x"></p>'),
        ("[ok](https://oneteamgov.uk)", '<p><a href="https://oneteamgov.uk">ok</a></p>'),
        (
            "<https://oneteamgov.uk>",
            '<p><a href="https://oneteamgov.uk">https://oneteamgov.uk</a></p>',
        ),
        ("[mail](mailto:hi@oneteamgov.uk)", '<p><a href="mailto:hi@oneteamgov.uk">mail</a></p>'),
        ("```\n<b>x</b>\n```", "<pre><code>&lt;b&gt;x&lt;/b&gt;\n</code></pre>"),
        ("1. one\n2. two", "<ol>\n<li>one</li>\n<li>two</li>\n</ol>"),
    ],
)
def test_raw_html_is_text_and_only_safe_links_survive(markdown, expected):
    assert to_html(markdown) == expected


SAFE_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "a", "img", "em"}
SAFE_TAGS |= {"strong", "code", "pre", "blockquote", "hr", "br"}


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.seen.append((tag, attrs))


@given(st.text(max_size=300), st.text(max_size=100))
def test_no_card_text_ever_becomes_markup(desc, name):
    parser = Tags()
    parser.feed(draft_for(card(name=name or "x", desc=desc + " body"), CFG).html())
    for tag, attrs in parser.seen:
        assert tag in SAFE_TAGS
        for attr, value in attrs:
            assert attr in ("href", "src", "alt", "title")
            if attr in ("href", "src"):
                assert value and value.split(":", 1)[0].lower() in ("http", "https", "mailto")


# -- the drafts folder -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["../../etc/passwd", "..", "/", "a/b\\c", ".hidden", "CON", "", "🎄🎄", "x" * 300, NASTY],
)
def test_a_file_name_never_leaves_the_folder(tmp_path, name):
    draft = draft_for(card(name=name or "x", short_link="../x"), CFG)
    files = files_for(tmp_path, draft)
    for path in (files.markdown, files.html):
        assert path.parent == tmp_path and not path.name.startswith(".")
        assert set(path.stem) <= set("abcdefghijklmnopqrstuvwxyz0123456789-ABCDEF")


@given(st.text(max_size=200), st.text(max_size=30))
def test_slugs_are_always_safe(name, short_link):
    draft = draft_for(card(name=name or "x", short_link=short_link), CFG)
    stem = draft.file_stem
    assert stem and "/" not in stem and ".." not in stem and not stem.startswith(("-", "."))
    assert len(stem) <= 60 + 1 + 24
    assert slugify(name) == slugify(slugify(name))


def test_the_files_front_matter_and_html(tmp_path):
    draft = draft_for(card(name=NASTY), CFG)
    files, written = write_draft(tmp_path, draft, CFG)
    assert written and sorted(p.name for p in tmp_path.iterdir()) == [
        files.html.name,
        files.markdown.name,
    ]
    text = files.markdown.read_text(encoding="utf-8")
    assert text == markdown_file(draft, CFG)
    assert text.startswith(
        "---\n"
        'title: "Notes from \\"the other side\\": ../policy meets <b>html</b> delivery"\n'
        'tags: ["Culture", "Public Sector"]\n'
        'card: "https://trello.com/c/qBqgCgJ9/10-what-i-learned"\n'
        'canonical_url: "https://oneteamgov.uk/blog/notes-from-the-other-side-policy-meets-b-html-'
        'b-delivery"\n'
        'license: "all-rights-reserved"\n'
        "---\n\n# Notes from"
    )
    page = files.html.read_text(encoding="utf-8")
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">')
    assert '<link rel="canonical" href="https://oneteamgov.uk/blog/notes-from-the-other' in page
    assert draft.html() in page


def test_a_rerun_writes_nothing_and_an_edited_file_is_never_clobbered(tmp_path):
    draft = draft_for(card(), CFG)
    files, _ = write_draft(tmp_path, draft, CFG)
    stamp = files.markdown.stat().st_mtime_ns
    assert write_draft(tmp_path, draft, CFG)[1] is False
    assert files.markdown.stat().st_mtime_ns == stamp
    files.markdown.write_text("my edits", encoding="utf-8")
    with pytest.raises(DraftsError) as caught:
        write_draft(tmp_path, draft, CFG)
    assert str(caught.value) == (
        f"{files.markdown} already exists with other content (edited by hand?), so it is left as "
        "it is — move it aside (keeping your edits elsewhere) and sync again"
    )
    assert files.markdown.read_text(encoding="utf-8") == "my edits"
    with pytest.raises(DraftsError):  # a first version never goes beside: it stops
        place_version(tmp_path, draft, CFG, version=1, written={})
    assert write_draft(tmp_path, draft, CFG, replace=True)[1] is True  # the roundup's new version
    assert files.markdown.read_text(encoding="utf-8") == markdown_file(draft, CFG)


def test_a_new_version_replaces_its_own_files_and_goes_beside_edited_ones(tmp_path):
    first = draft_for(card(), CFG)
    files, _ = write_draft(tmp_path, first, CFG)
    written = file_digests(place_version(tmp_path, first, CFG, version=1, written={}), first, CFG)
    second = draft_for(replace(card(), desc="Rewritten."), CFG)

    own = place_version(tmp_path, second, CFG, version=2, written=written)
    assert (own.files, own.suffix, own.kept) == (files, "", ())  # untouched: replaced in place
    unknown = place_version(tmp_path, second, CFG, version=2, written={})
    assert unknown.kept == (files.markdown, files.html)  # no hashes: cannot tell, so kept

    files.html.write_text(files.html.read_text(encoding="utf-8") + "MY EDIT", encoding="utf-8")
    beside = place_version(tmp_path, second, CFG, version=2, written=written)
    assert (beside.suffix, beside.kept) == ("-v2", (files.html,))
    assert beside.files == files_for(tmp_path, second, "-v2")
    assert beside.files.markdown.name == "what-i-learned-shadowing-a-call-centre-qBqgCgJ9-v2.md"
    assert write_placed(tmp_path, second, CFG, beside) is True
    assert files.html.read_text(encoding="utf-8").endswith("MY EDIT")
    assert files.markdown.read_text(encoding="utf-8") == markdown_file(first, CFG)
    assert beside.files.markdown.read_text(encoding="utf-8") == markdown_file(second, CFG)
    assert write_placed(tmp_path, second, CFG, beside) is False  # a rerun writes nothing

    beside.files.markdown.write_text("edited too", encoding="utf-8")
    with pytest.raises(DraftsError, match=r"-v2\.md already exists with other content"):
        write_placed(tmp_path, draft_for(replace(card(), desc="Third."), CFG), CFG, beside)
    assert beside.files.markdown.read_text(encoding="utf-8") == "edited too"


def test_a_half_written_pair_is_completed(tmp_path):
    draft = draft_for(card(), CFG)
    files, _ = write_draft(tmp_path, draft, CFG)
    files.html.unlink()
    assert write_draft(tmp_path, draft, CFG)[1] is True and files.html.exists()


def test_an_unwritable_folder_is_one_clear_line(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("sync.content.drafts_folder.tempfile.mkstemp", refuse)
    with pytest.raises(DraftsError) as caught:
        write_draft(tmp_path, draft_for(card(), CFG), CFG)
    assert str(caught.value) == (
        f"cannot write the draft {tmp_path}/what-i-learned-shadowing-a-call-centre-qBqgCgJ9.md: "
        "Permission denied — make the folder writable by the user otg-sync runs as, or set "
        "medium.drafts_dir / output_dir in the config"
    )
    assert list(Path(tmp_path).iterdir()) == []


def test_a_new_version_with_a_new_title_gets_new_files(tmp_path):
    first = draft_for(card(), CFG)
    second = draft_for(replace(card(), name="Shadowing a call centre, again"), CFG)
    write_draft(tmp_path, first, CFG)
    write_draft(tmp_path, second, CFG, replace=True)
    assert len(list(tmp_path.iterdir())) == 4
