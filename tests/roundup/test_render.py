"""The roundup rendered: card text printed as text (never Markdown), only web addresses as
links, and template errors in one line."""

from __future__ import annotations

import html
import json
import re
import shutil
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
from hypothesis import assume, example, given

import cli
from sync.content.markdown_html import to_html
from sync.model import Attachment, Label, Member, Role
from sync.roundup.gather import Options, gather
from sync.roundup.render import TemplateError, render
from sync.text import one_line
from tests.calendar.test_mapping import CFG, LONDON, board, card
from tests.conftest import DEMO_BOARDS
from tests.reliability.property_checks import FUZZ
from tests.roundup.demo import GOLDEN, PERIOD, demo_config, demo_roundup
from tests.strategies import names

# -- card text is text -----------------------------------------------------------------------------

#: A card name that tries everything: raw HTML, a javascript: link, a remote (tracking) image,
#: emphasis, and a line break that would end the list item and start a heading.
HOSTILE = (
    "<img src=x onerror=alert(1)> [click](javascript:alert(1)) "
    "![p](https://evil.example/t.gif) **bold** \\\n# Heading"
)
#: How the roundup's Markdown must print it: one line, with what would make markup escaped
#: (``<``, brackets, stars, the backslash) and the rest as typed.
HOSTILE_MARKDOWN = (
    r"&lt;img src=x onerror=alert(1)> \[click\](javascript:alert(1)) "
    r"!\[p\](https://evil.example/t.gif) \*\*bold\*\* \\ # Heading"
)
#: What a reader of the HTML sees: the name as typed, on one line.
HOSTILE_SEEN = (
    "<img src=x onerror=alert(1)> [click](javascript:alert(1)) "
    "![p](https://evil.example/t.gif) **bold** \\ # Heading"
)
RENAMED = {
    "microactions.json": "Bought the coffee for a cross-team breakfast",
    "events.json": "OneTeamGov Breakfast — Manchester",
}


@pytest.fixture
def hostile_demo(write_config, tmp_path):
    """The demo, with a microaction and a spinoff event held in the period named ``HOSTILE``."""
    boards = tmp_path / "boards"
    shutil.copytree(DEMO_BOARDS, boards)
    for file, name in RENAMED.items():
        export = json.loads((boards / file).read_text(encoding="utf-8"))
        for found in export["cards"]:
            if found["name"] == name:
                found["name"] = HOSTILE
        (boards / file).write_text(json.dumps(export), encoding="utf-8")
    return write_config(demo_config(boards))


def test_a_hostile_card_name_is_printed_as_text_in_the_drafts(hostile_demo, runner, tmp_path):
    args = ["--config", str(hostile_demo)]
    assert runner.invoke(cli.main, [*args, "sync"]).exit_code == 0
    result = runner.invoke(cli.main, [*args, "roundup", "--to", "2026-11-25", "--target", "drafts"])
    assert result.exit_code == 0, result.output
    drafts = tmp_path / "out" / "drafts"
    markdown = (drafts / "two-weeks-on-20261125.md").read_text(encoding="utf-8")
    page = (drafts / "two-weeks-on-20261125.html").read_text(encoding="utf-8")

    expected = GOLDEN.read_text(encoding="utf-8")
    for name in RENAMED.values():
        expected = expected.replace(name, HOSTILE_MARKDOWN)
    assert markdown.split("---\n\n", 1)[1] == expected  # the same post, one line per item
    assert "- " + HOSTILE_MARKDOWN + " (Aoife Byrne)\n" in markdown
    assert "- **" + HOSTILE_MARKDOWN + "**, Thu 12 November, 08:00–10:00, " in markdown

    assert "<img" not in page and 'evil.example/t.gif"' not in page  # no tracking image
    assert 'href="javascript' not in page
    assert "<strong>bold</strong>" not in page
    assert page.count("<strong>") == expected.count("- **")  # the event names, and nothing else
    assert page.count("<h1>") == 1 and "<h1>Heading" not in page and "<h2>Heading" not in page
    seen = html.unescape(re.sub(r"<[^>]+>", "", page))
    assert seen.count(HOSTILE_SEEN) == 2  # still readable, as typed


def test_only_web_addresses_become_links():
    post = card(
        "p1",
        name="What we learned",
        state="published",
        completed_at=datetime(2026, 11, 20, tzinfo=UTC),
        attachments=(Attachment("a1", "Post", "javascript:alert(1)//medium.com"),),
    )
    event = card("e1", attachments=(Attachment("a2", "Sign up", "data:text/html,<b>x</b>"),))
    boards = [replace(board(post), role=Role.CONTENT), board(event)]
    text = render(gather(boards, PERIOD, Options(tz=LONDON, calendar=CFG)).context())
    assert "- What we learned\n" in text
    assert "- **OneTeamGov Breakfast — Leeds**, Wed 2 December, 08:00–09:00\n" in text
    assert "](" not in text


class _Tags(HTMLParser):
    """The tags of a page, with their links, and its text."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.tags: Counter[tuple[str, str]] = Counter()
        self.text = ""
        self.feed(page)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[(tag, dict(attrs).get("href") or "")] += 1

    def handle_data(self, data: str) -> None:
        self.text += data


def roundup_naming(name: str) -> str:
    """The roundup of a fortnight where every piece of board text is ``name``: a microaction, its
    label and who did it, a team card, an event and its place, and a published post."""
    done = datetime(2026, 11, 20, 12, tzinfo=UTC)
    microactions = board(
        card(
            "m1",
            name=name,
            state="done",
            completed_at=done,
            labels=(Label("l1", name),),
            members=(Member("u1", name),),
        ),
        card("m2", name=name, state="done", completed_at=done, labels=(Label("l2", "Team"),)),
    )
    event = card(
        "e1",
        name=name,
        location_name=name,
        attachments=(Attachment("a1", "Sign up", "https://ti.to/otg"),),
    )
    post = card(
        "p1",
        name=name,
        state="published",
        completed_at=done,
        attachments=(Attachment("a2", name, "https://medium.com/@otg/a-post-1"),),
    )
    boards = [
        replace(microactions, role=Role.MICROACTIONS),
        board(event),
        replace(board(post), role=Role.CONTENT),
    ]
    options = Options(tz=LONDON, calendar=CFG, team_label="Team", include_featured=True)
    return render(gather(boards, PERIOD, options).context())


@FUZZ
@given(name=names())
@example(name=HOSTILE)
@example(name="2026. A year of small steps")  # would be a numbered list
@example(name="- - -")  # a rule
@example(name="<https://evil.example>")  # an autolink
def test_any_card_name_is_one_list_line_and_no_markup(name):
    assume(name.strip() != "Team")  # the team label: that card would be team news
    text, plain = roundup_naming(name), roundup_naming("A plain name")
    lines, plain_lines = text.splitlines(), plain.splitlines()
    assert [line[:2] for line in lines] == [line[:2] for line in plain_lines], text
    page, plain_page = _Tags(to_html(text)), _Tags(to_html(plain))
    assert page.tags == plain_page.tags, text  # only the template's own tags and links
    shown = " ".join(one_line(name).split())
    assert (shown or "(untitled card)") in page.text


@pytest.mark.parametrize(
    "name",
    [
        "OneTeamGov Canada breakfast (Ottawa)",
        "Q&A: policy + delivery, 3.5 ways to #OneTeamGov!",
        "Leeds - Manchester {again} 2026. Yes",
        "Policy = delivery > paperwork",
    ],
)
def test_ordinary_punctuation_reads_as_typed_in_the_markdown(name):
    """Only what would change the meaning in its place is escaped: the .md an editor opens
    shows these names exactly, and the HTML does too."""
    text = roundup_naming(name)
    assert f"- {name} ({name})\n" in text  # a microaction and who did it
    assert f"- **{name}**, Wed 2 December, 08:00–09:00, {name}: [sign up](" in text
    assert f"- [{name}](https://medium.com/@otg/a-post-1)\n" in text
    assert f"### {name}\n" in text  # the microactions' label
    assert _Tags(to_html(text)).text.count(name) == 7


@pytest.mark.parametrize(
    ("name", "markdown"),
    [
        ("snake_case *stars* `code`", r"snake\_case \*stars\* \`code\`"),
        ("[a](https://evil.example) ]x[", r"\[a\](https://evil.example) \]x\["),
        (
            "<https://evil.example> &amp; &#60; Q&A",
            "&lt;https://evil.example> &amp;amp; &amp;#60; Q&A",
        ),
        ("C:\\temp\\", r"C:\\temp\\"),
        ("# Heading", r"\# Heading"),
        ("> quote", r"\> quote"),
        ("- item", r"\- item"),
        ("+ item", r"\+ item"),
        ("2026. A year", r"2026\. A year"),
        ("1) First", r"1\) First"),
        ("===", "&#61;=="),
        ("~~~ fence", "&#126;~~ fence"),
        ("We love C#", r"We love C\#"),
        ("[x]: https://evil.example", r"\[x\]&#58; https://evil.example"),  # a link definition
    ],
)
def test_what_would_change_the_meaning_is_escaped_and_still_shows_as_typed(
    tmp_path, name, markdown
):
    template = tmp_path / "heading.md.j2"
    template.write_text(
        "{% for item in team %}\n## {{ item.title }}\n\n{{ item.title }}\n{% endfor %}"
    )
    done = datetime(2026, 11, 20, 12, tzinfo=UTC)
    team = card("t1", name=name, state="done", completed_at=done, labels=(Label("l1", "Team"),))
    roundup = gather(
        [replace(board(team), role=Role.MICROACTIONS)],
        PERIOD,
        Options(tz=LONDON, calendar=CFG, team_label="Team"),
    )
    text = render(roundup.context(), template)
    assert text == f"## {markdown}\n\n{markdown}\n"
    page = to_html(text)
    assert re.findall(r"<(\w+)", page) == ["h2", "p"]
    assert html.unescape(re.sub(r"<[^>]+>", "", page)) == f"{name}\n{name}"


def test_a_name_ending_in_an_exclamation_mark_makes_no_image_of_the_link_after_it(tmp_path):
    template = tmp_path / "tight.md.j2"
    template.write_text(
        "{% for post in posts %}{{ post.title }}{{ 'read' | link(post.url) }}\n{% endfor %}"
    )
    post = card(
        "p1",
        name="Hooray!",
        state="published",
        completed_at=datetime(2026, 11, 20, tzinfo=UTC),
        attachments=(Attachment("a1", "Post", "https://medium.com/@otg/a-post-1"),),
    )
    roundup = gather(
        [replace(board(post), role=Role.CONTENT)], PERIOD, Options(tz=LONDON, calendar=CFG)
    )
    text = render(roundup.context(), template)
    assert text == "Hooray\\![read](https://medium.com/@otg/a-post-1)\n"
    assert "<img" not in to_html(text)


@pytest.mark.parametrize("name", ["=====", "---", "# Heading", "1. First", "> quote", "* item"])
def test_a_name_that_starts_a_line_of_a_custom_template_starts_no_block(tmp_path, name):
    template = tmp_path / "list.md.j2"
    template.write_text("Done:\n{% for item in team %}{{ item.title }}\n{% endfor %}")
    done = datetime(2026, 11, 20, 12, tzinfo=UTC)
    team = card("t1", name=name, state="done", completed_at=done, labels=(Label("l1", "Team"),))
    roundup = gather(
        [replace(board(team), role=Role.MICROACTIONS)],
        PERIOD,
        Options(tz=LONDON, calendar=CFG, team_label="Team"),
    )
    page = to_html(render(roundup.context(), template))
    assert re.findall(r"<(\w+)", page) == ["p"] and html.unescape(page) == f"<p>Done:\n{name}</p>"


@pytest.mark.parametrize(
    "body, message",
    [
        ("line one\n{% if %}\n", r"short.md.j2, line 2: Expected an expression"),
        ("one\ntwo\n{{ microaction.total }}\n", r"short.md.j2, line 3: 'microaction' is undefined"),
        (  # a template cannot reach Python's internals: no commands run, no secrets read
            "{{ cycler.__init__.__globals__.os.popen('id').read() }}\n",
            r"short.md.j2, line 1: access to attribute '__init__' of 'type' object is unsafe",
        ),
        ("{{ 1 / 0 }}\n", r"short.md.j2, line 1: division by zero"),
    ],
)
def test_a_template_error_names_the_template_line(tmp_path, body, message):
    template = tmp_path / "short.md.j2"
    template.write_text(body)
    with pytest.raises(TemplateError, match=message):
        render(demo_roundup(PERIOD).context(), template)


def test_a_template_that_is_not_text_is_one_line(tmp_path):
    template = tmp_path / "binary.md.j2"
    template.write_bytes(b"\xff\xfe\x00junk")
    with pytest.raises(TemplateError, match=r"binary.md.j2 is not UTF-8 text"):
        render(demo_roundup(PERIOD).context(), template)


def test_a_template_that_is_a_folder_says_so(write_config, runner, tmp_path):
    (tmp_path / "templates").mkdir()
    config = write_config(demo_config(DEMO_BOARDS) + '\n[roundup]\ntemplate = "templates"\n')
    result = runner.invoke(cli.main, ["--config", str(config), "roundup"])
    assert result.exit_code == 2
    assert result.output == (
        f"error: {tmp_path / 'templates'} is a folder, not a template file — set --template (or "
        "roundup.template in the config) to a template file, such as roundup.md.j2\n"
    )
