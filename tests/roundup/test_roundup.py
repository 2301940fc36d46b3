"""The "two weeks on" roundup: the demo boards against a golden file, empty and DST periods,
featured cards left out, templates, card text printed as text (never Markdown), once per period,
finalising, and bad input."""

from __future__ import annotations

import html
import json
import re
import shutil
import signal
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import assume, example, given

import cli
import jobs.roundup
import jobs.sync
from config import EXAMPLE, load_config
from sync import stopping
from sync.content.markdown_html import to_html
from sync.content.medium import medium_session
from sync.model import Attachment, Label, Member, Role
from sync.roundup.gather import Options, Period, fortnight_ending, gather
from sync.roundup.render import TemplateError, render
from sync.state.store import State
from sync.text import one_line
from sync.trello.sources import read_export
from tests.calendar.test_mapping import CFG, LONDON, board, card
from tests.conftest import DEMO_BOARDS, ROOT
from tests.fakes.medium import FakeMedium
from tests.fakes.trello import FakeTrello
from tests.reliability.test_properties import FUZZ
from tests.strategies import names

GOLDEN = ROOT / "tests" / "golden" / "roundup-demo-2026-11-25.md"
PERIOD = Period(date(2026, 11, 12), date(2026, 11, 25))
NOW = datetime(2026, 11, 25, 9, tzinfo=UTC)


def demo_config(boards: Path) -> str:
    """The bundled demo config, reading ``boards`` and the saved Medium feed, with state and
    output beside the config."""
    text = EXAMPLE.read_text(encoding="utf-8")
    text = text.replace('"boards/', f'"{boards}/').replace(
        '"medium-feed.xml"', f'"{EXAMPLE.parent / "medium-feed.xml"}"'
    )
    return text.replace('"../../demo-out/otg-state.db"', '"state.db"').replace(
        '"../../demo-out"', '"out"'
    )


@pytest.fixture
def demo(write_config):
    """The bundled demo boards and saved Medium feed, with state and output in a temp folder."""
    return write_config(demo_config(DEMO_BOARDS))


def test_the_demo_roundup_matches_the_golden_file(demo, runner):
    assert runner.invoke(cli.main, ["--config", str(demo), "sync"]).exit_code == 0
    result = runner.invoke(
        cli.main,
        ["--config", str(demo), "roundup", "--from", "2026-11-12", "--to", "2026-11-25"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0
    assert result.output == GOLDEN.read_text(encoding="utf-8")


def demo_roundup(period: Period, **options):
    cfg = load_config(EXAMPLE)
    boards = [read_export(cfg.board_path(b), b) for b in cfg.boards]
    return gather(boards, period, Options(tz=cfg.tz, calendar=cfg.calendar, **options))


def test_what_the_demo_period_features():
    roundup = demo_roundup(PERIOD)
    assert [i.title for i in roundup.team] == [
        "Set up a shared OneTeamGov events calendar",
        "Started a fortnightly Wednesday breakfast in Leeds",
        "Welcomed two new organisers to the core team",
    ]
    assert next(iter(roundup.microactions)) == "Policy"  # the biggest group first
    assert sum(len(items) for items in roundup.microactions.values()) == 8
    assert [e.title for e in roundup.events_held] == [
        "OneTeamGov Breakfast — Manchester",
        "OneTeamGov Breakfast — Leeds",
    ]
    assert all(e.date > "2026-11-25" for e in roundup.events_coming)
    assert "OneTeamGov Breakfast — Birmingham" not in [e.title for e in roundup.events_coming]


def test_an_empty_period_is_a_short_friendly_post():
    text = render(demo_roundup(Period(date(2025, 1, 1), date(2025, 1, 14))).context())
    assert text.startswith(
        "# One Team Government: two weeks on (1–14 January 2025)\n\nIt's been a quiet fortnight"
    )
    assert "## Microactions" not in text and "## Get involved" in text
    assert len(text.splitlines()) < 15


def test_a_period_across_the_clocks_going_back_counts_local_days():
    """25 Oct 2026 is 25 hours long in London: a microaction at 23:30 local (22:30 UTC) on the
    last day is in; one at 00:30 local the day after (00:30 UTC) is out."""
    inside = card("c1", state="done", completed_at=datetime(2026, 10, 25, 23, 30, tzinfo=UTC))
    outside = card("c2", state="done", completed_at=datetime(2026, 10, 26, 0, 30, tzinfo=UTC))
    early = card("c3", state="done", completed_at=datetime(2026, 10, 11, 23, 30, tzinfo=UTC))
    microactions = replace(board(inside, outside, early), role=Role.MICROACTIONS)
    roundup = gather(
        [microactions], fortnight_ending(date(2026, 10, 25)), Options(tz=LONDON, calendar=CFG)
    )
    done = [i.card_id for items in roundup.microactions.values() for i in items]
    assert sorted(done) == ["c1", "c3"]  # 11 Oct 23:30 UTC is 12 Oct 00:30 BST: the first day
    assert fortnight_ending(date(2026, 10, 25)).label == "12–25 October 2026"


@pytest.mark.parametrize(
    ("first", "last", "label"),
    [
        (date(2026, 11, 25), date(2026, 11, 25), "25 November 2026"),
        (date(2026, 11, 12), date(2026, 11, 25), "12–25 November 2026"),
        (date(2026, 11, 28), date(2026, 12, 4), "28 November – 4 December 2026"),
        (date(2026, 12, 29), date(2027, 1, 11), "29 December 2026 – 11 January 2027"),
    ],
)
def test_a_period_reads_as_a_date_range(write_config, runner, first, last, label):
    """One day is one date; the month and year are written once when both ends share them."""
    assert Period(first, last).label == label
    config = write_config(demo_config(DEMO_BOARDS))
    result = runner.invoke(
        cli.main,
        ["--config", str(config), "roundup", "--from", first.isoformat(), "--to", last.isoformat()],
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"# One Team Government: two weeks on ({label})\n")


def test_an_all_day_event_across_two_months_names_both():
    camp = card(
        "camp",
        start=datetime(2026, 11, 30, 9, tzinfo=UTC),
        due=datetime(2026, 12, 1, 17, tzinfo=UTC),
        labels=(Label("l", "All day"),),
    )
    roundup = gather([board(camp)], PERIOD, Options(tz=LONDON, calendar=CFG))
    assert [e.when for e in roundup.events_coming] == ["Mon 30 November – Tue 1 December"]


def test_cards_featured_before_are_left_out_unless_asked_for():
    cfg = load_config(EXAMPLE)
    boards = [read_export(cfg.board_path(b), b) for b in cfg.boards]
    microactions = boards[0]
    first = next(c for items in demo_roundup(PERIOD).microactions.values() for c in items)
    labelled = [
        c
        if c.id != first.card_id
        else type(c)(
            **{**c.__dict__, "labels": (*c.labels, type(c.labels[0])("x", "Roundup 2026-11-11"))}
        )
        for c in microactions.cards
    ]
    boards[0] = type(microactions)(**{**microactions.__dict__, "cards": tuple(labelled)})
    options = Options(tz=cfg.tz, calendar=cfg.calendar)
    featured = {
        i.card_id for items in gather(boards, PERIOD, options).microactions.values() for i in items
    }
    assert first.card_id not in featured
    again = gather(boards, PERIOD, Options(tz=cfg.tz, calendar=cfg.calendar, include_featured=True))
    assert first.card_id in {i.card_id for items in again.microactions.values() for i in items}


def test_a_custom_template_and_the_context_it_sees(tmp_path):
    template = tmp_path / "short.md.j2"
    template.write_text(
        "{{ period.label }}: {{ microactions.total | plural('thing') }}, "
        "{{ events.held | length }} held, {{ posts | length }} posts\n"
    )
    assert render(demo_roundup(PERIOD).context(), template) == (
        "12–25 November 2026: 8 things, 2 held, 2 posts\n"
    )


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


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["--from", "2026-11-30", "--to", "2026-11-25"],
            "error: --from 2026-11-30 is after --to 2026-11-25 — swap them\n",
        ),
        (["--from", "25/11/2026"], 'error: --from "25/11/2026" is not a date — use YYYY-MM-DD\n'),
        (["--to", "9999-12-31"], "error: --to 9999-12-31 is outside 1970–2199 — use a date nearer"),
        (
            ["--template", "/no/such/template.j2"],
            "error: no roundup template at /no/such/template.j2 — check --template",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(demo, runner, args, message):
    result = runner.invoke(cli.main, ["--config", str(demo), "roundup", *args])
    assert result.exit_code == 2
    assert result.output.startswith(message) and result.output.count("\n") == 1


def test_a_template_that_is_a_folder_says_so(write_config, runner, tmp_path):
    (tmp_path / "templates").mkdir()
    config = write_config(demo_config(DEMO_BOARDS) + '\n[roundup]\ntemplate = "templates"\n')
    result = runner.invoke(cli.main, ["--config", str(config), "roundup"])
    assert result.exit_code == 2
    assert result.output == (
        f"error: {tmp_path / 'templates'} is a folder, not a template file — set --template (or "
        "roundup.template in the config) to a template file, such as roundup.md.j2\n"
    )


def test_default_period_is_the_14_days_ending_today():
    assert jobs.roundup.period_from(None, None, date(2026, 11, 25)) == PERIOD
    assert jobs.roundup.period_from("2026-11-12", None, date(2030, 1, 1)) == PERIOD
    assert jobs.roundup.period_from(None, "2026-11-25", date(2030, 1, 1)) == PERIOD


def test_drafts_once_per_period_unless_a_new_version(demo, runner, tmp_path):
    args = ["--config", str(demo), "roundup", "--to", "2026-11-25", "--target", "drafts"]
    first = runner.invoke(cli.main, args)
    assert first.exit_code == 0, first.output
    draft = tmp_path / "out" / "drafts" / "two-weeks-on-20261125.md"
    assert "# One Team Government: two weeks on (12–25 November 2026)" in draft.read_text()
    again = runner.invoke(cli.main, args)
    assert "was already drafted" in again.output and again.exit_code == 0
    looked = runner.invoke(cli.main, [*args, "--dry-run"])  # says what the run would say
    assert looked.exit_code == 0, looked.output
    assert (
        f"warning: the roundup for 12–25 November 2026 was already drafted: {draft} "
        "(pass --new-version for another)"
    ) in looked.output.splitlines()
    planned = runner.invoke(cli.main, [*args, "--dry-run", "--new-version"]).output
    assert any(line.startswith("would draft      drafts") for line in planned.splitlines())
    newer = runner.invoke(cli.main, [*args, "--new-version"])
    assert "(version 2)" in newer.output
    assert sorted(p.name for p in draft.parent.glob("two-weeks-on-*.md")) == [
        "two-weeks-on-20261125.md",
        "two-weeks-on-v2-20261125.md",
    ]


def test_a_board_that_cannot_be_read_drafts_nothing_until_it_can(write_config, runner, tmp_path):
    """A roundup from part of the boards would leave their news out, and as the period's draft
    it would block the right one: nothing is drafted, written or printed, and exit 1."""
    boards = tmp_path / "boards"
    shutil.copytree(DEMO_BOARDS, boards)
    config = write_config(demo_config(boards))
    good = (boards / "microactions.json").read_text(encoding="utf-8")
    (boards / "microactions.json").write_text(good[: len(good) // 2], encoding="utf-8")
    drafts = tmp_path / "out" / "drafts"
    args = ["--config", str(config), "roundup", "--to", "2026-11-25"]
    for extra in (["--target", "drafts"], ["--output", str(tmp_path / "r.md")], []):
        result = runner.invoke(cli.main, [*args, *extra])
        assert result.exit_code == 1, result.output
        assert (
            "failed: the roundup for 12–25 November 2026 was not drafted: 1 board could "
            "not be read; rerun when every board can be read" in result.output
        )
        assert "two weeks on" not in result.output.lower()
    assert not (tmp_path / "r.md").exists() and not list(drafts.glob("two-weeks-on-*"))
    (boards / "microactions.json").write_text(good, encoding="utf-8")
    mended = runner.invoke(cli.main, [*args, "--target", "drafts"])
    assert mended.exit_code == 0 and "was already drafted" not in mended.output
    assert "Set up a shared OneTeamGov events calendar" in (
        drafts / "two-weeks-on-20261125.md"
    ).read_text(encoding="utf-8")


def test_medium_once_per_period_with_an_intent_first(demo, runner, monkeypatch):
    monkeypatch.setenv("MEDIUM_TOKEN", "medium-token-0123456789")
    medium = FakeMedium(token="medium-token-0123456789")
    with medium.running():
        args = ["--config", str(demo), "roundup", "--to", "2026-11-25", "--target", "medium"]
        first = runner.invoke(cli.main, args)
        second = runner.invoke(cli.main, args)
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert medium.count("POST") == 1
    [post] = medium.posts
    assert post["request"]["publishStatus"] == "draft"
    assert post["request"]["tags"] == ["OneTeamGov", "Public Sector", "Reform"]
    assert "was already drafted: https://medium.com/" in second.output
    with State(load_config(demo).state_db) as state:
        [intent] = state.intents("roundup-post")
    assert intent.status == "done"


#: A team card whose name is full of Markdown's characters, and a template that prints it first.
SPECIAL = "Big *news* [from] #Leeds_HQ (at last) <3"
FIRST_LINE_TEMPLATE = "# {{ team[0].title }}: two weeks on\n\n{{ period.label }}\n"


@pytest.fixture
def special_demo(write_config, tmp_path):
    boards = tmp_path / "boards"
    shutil.copytree(DEMO_BOARDS, boards)
    export = json.loads((boards / "microactions.json").read_text(encoding="utf-8"))
    for found in export["cards"]:
        if found["name"] == "Set up a shared OneTeamGov events calendar":
            found["name"] = SPECIAL
    (boards / "microactions.json").write_text(json.dumps(export), encoding="utf-8")
    return write_config(demo_config(boards))


def roundup_on_medium(config: Path, runner, monkeypatch, template: str, tmp_path: Path) -> dict:
    """The post Medium received for the demo period, rendered with ``template``."""
    path = tmp_path / "custom.md.j2"
    path.write_text(template, encoding="utf-8")
    monkeypatch.setenv("MEDIUM_TOKEN", "medium-token-0123456789")
    medium = FakeMedium(token="medium-token-0123456789")
    args = ["--config", str(config), "roundup", "--to", "2026-11-25", "--template", str(path)]
    with medium.running():
        result = runner.invoke(cli.main, [*args, "--target", "medium"])
    assert result.exit_code == 0, result.output
    [post] = medium.posts
    return post["request"]


def test_the_medium_title_is_the_computed_title_not_the_first_markdown_line(
    special_demo, runner, monkeypatch, tmp_path
):
    sent = roundup_on_medium(special_demo, runner, monkeypatch, FIRST_LINE_TEMPLATE, tmp_path)
    assert sent["title"] == "One Team Government: two weeks on (12–25 November 2026)"
    assert sent["content"].startswith(  # the template's first line, as the card has it
        "<h1>Big *news* [from] #Leeds_HQ (at last) &lt;3: two weeks on</h1>\n"
    )


def test_a_template_may_set_the_title_and_it_is_sent_as_plain_text(
    special_demo, runner, monkeypatch, tmp_path
):
    template = (
        '{% set title = "Two weeks on: " ~ team[0].title ~ " (" ~ period.label ~ ")" %}\n'
        + FIRST_LINE_TEMPLATE
    )
    sent = roundup_on_medium(special_demo, runner, monkeypatch, template, tmp_path)
    assert sent["title"] == f"Two weeks on: {SPECIAL} (12–25 November 2026)"
    assert "\\" not in sent["title"]


def test_the_drafts_folder_roundup_has_the_same_title(special_demo, runner, tmp_path):
    path = tmp_path / "custom.md.j2"
    path.write_text(FIRST_LINE_TEMPLATE, encoding="utf-8")
    args = ["--config", str(special_demo), "roundup", "--to", "2026-11-25", "--template", str(path)]
    assert runner.invoke(cli.main, [*args, "--target", "drafts"]).exit_code == 0
    drafts = tmp_path / "out" / "drafts"
    markdown = (drafts / "two-weeks-on-20261125.md").read_text(encoding="utf-8")
    page = (drafts / "two-weeks-on-20261125.html").read_text(encoding="utf-8")
    assert 'title: "One Team Government: two weeks on (12–25 November 2026)"\n' in markdown
    assert "<title>One Team Government: two weeks on (12–25 November 2026)</title>" in page


def test_a_title_medium_would_ignore_is_a_warning(special_demo, runner, tmp_path):
    path = tmp_path / "long.md.j2"
    path.write_text('{% set title = "Two weeks on " * 10 %}\n' + FIRST_LINE_TEMPLATE, "utf-8")
    args = ["--config", str(special_demo), "roundup", "--to", "2026-11-25", "--template", str(path)]
    result = runner.invoke(cli.main, [*args, "--target", "drafts"])
    assert result.exit_code == 0, result.output
    assert (
        "warning: the roundup's title is over 100 characters, and Medium ignores such a title: "
        "shorten the title the template sets"
    ) in result.output.splitlines()


def test_a_lost_answer_leaves_the_period_pending_for_an_operator(demo, runner, monkeypatch):
    monkeypatch.setenv("MEDIUM_TOKEN", "medium-token-0123456789")
    medium = FakeMedium(token="medium-token-0123456789")
    with medium.running():
        medium.lose_next_response()
        args = ["--config", str(demo), "roundup", "--to", "2026-11-25", "--target", "medium"]
        lost = runner.invoke(cli.main, args)
        blocked = runner.invoke(cli.main, args)
    assert lost.exit_code == 1 and blocked.exit_code == 1
    assert "may or may not exist (intent 1" in blocked.output
    assert "otg ledger resolve 1 --url URL" in blocked.output
    assert medium.count("POST") == 1  # never sent twice
    assert "medium-token" not in lost.output + blocked.output


def test_a_stop_in_a_backoff_before_the_post_leaves_nothing_pending_and_the_rerun_drafts_once(
    demo, runner, monkeypatch
):
    """Ctrl-C while the session waits to resend the roundup's POST (answered 429): it is not
    sent, so the period is not blocked for an operator. Medium's own session never retries; it is
    made to here, so that there is a wait for the stop to cut short."""

    def retrying(token: str, timeout: float = 20.0):
        session = medium_session(token, timeout)
        session.retries = 1
        return session

    monkeypatch.setenv("MEDIUM_TOKEN", "medium-token-0123456789")
    monkeypatch.setattr("sync.content.medium.medium_session", retrying)
    monkeypatch.setattr("sync.http.pause", lambda seconds: stopping.request_stop(signal.SIGTERM))
    medium = FakeMedium(token="medium-token-0123456789")
    medium.fail_next(429, "Too many requests.", 429)
    args = ["--config", str(demo), "roundup", "--to", "2026-11-25", "--target", "medium"]
    stopping.reset()
    try:
        with medium.running():
            stopped = runner.invoke(cli.main, args)
    finally:
        stopping.reset()
    assert stopped.exit_code == 143, stopped.output
    assert "stopped by a signal before retrying POST" in stopped.output
    assert "nothing was sent" in stopped.output
    ledger = runner.invoke(cli.main, ["--config", str(demo), "ledger", "list"])
    assert "pending" not in ledger.output and "unsettled" not in ledger.output
    with medium.running():
        again = runner.invoke(cli.main, args)
    assert again.exit_code == 0, again.output
    assert "may or may not exist" not in again.output
    assert medium.count("POST") == 2 and len(medium.posts) == 1  # the 429, then the draft
    with State(load_config(demo).state_db) as state:
        assert [i.status for i in state.intents("roundup-post")] == ["retry", "done"]


def test_a_roundup_post_that_could_not_connect_is_not_pending(demo, runner, monkeypatch):
    monkeypatch.setenv("MEDIUM_TOKEN", "medium-token-0123456789")
    medium = FakeMedium(token="medium-token-0123456789")
    args = ["--config", str(demo), "roundup", "--to", "2026-11-25", "--target", "medium"]
    with medium.running():
        medium.refuse_next_connection(timeout=True)
        refused = runner.invoke(cli.main, args)
        again = runner.invoke(cli.main, args)
    assert (
        refused.exit_code == 1
        and "timed out — check the network and rerun; nothing was sent" in refused.output
    )
    assert again.exit_code == 0, again.output
    assert medium.count("POST") == 1 and len(medium.posts) == 1


def test_finalise_labels_the_featured_cards_on_api_boards_once(write_config, runner, monkeypatch):
    export = json.loads((DEMO_BOARDS / "microactions.json").read_text(encoding="utf-8"))
    fake = FakeTrello()
    fake.add_board(export)
    monkeypatch.setenv("TRELLO_API_KEY", fake.key)
    monkeypatch.setenv("TRELLO_TOKEN", fake.token)
    config = write_config(
        f'state_db = "s.db"\n[boards.m]\nrole = "microactions"\nsource = "trello:{export["id"]}"\n'
    )
    args = ["--config", str(config), "roundup", "--to", "2026-11-25", "--finalise"]
    with fake.running():
        first = runner.invoke(cli.main, args)
        second = runner.invoke(cli.main, args)
        after = runner.invoke(cli.main, ["--config", str(config), "roundup", "--to", "2026-11-25"])
    assert first.exit_code == 0, first.output
    board = fake.export(export["id"])
    [label] = [lbl for lbl in board["labels"] if lbl["name"] == "Roundup 2026-11-25"]
    labelled = [c for c in board["cards"] if label["id"] in c.get("idLabels", [])]
    assert len(labelled) == 11
    assert fake.count("POST", re.compile(r"^/1/labels$")) == 1
    assert second.exit_code == 0  # nothing left to label: no second label on any card
    assert fake.count("POST", re.compile(r"^/1/cards/[^/]+/idLabels$")) == 11
    assert "## Microactions" not in after.output  # featured once, not again
    assert "It's been a quiet fortnight" in after.output


def test_json_gives_the_gathered_data(demo, runner):
    result = runner.invoke(
        cli.main, ["--config", str(demo), "roundup", "--to", "2026-11-25", "--json"]
    )
    data = json.loads(result.output)
    assert data["context"]["period"] == {
        "first": "2026-11-12",
        "last": "2026-11-25",
        "label": "12–25 November 2026",
        "days": 14,
    }
    assert data["context"]["microactions"]["total"] == 8 and data["ok"] is True


def test_output_to_a_file(demo, runner, tmp_path):
    target = tmp_path / "posts" / "roundup.md"
    result = runner.invoke(
        cli.main, ["--config", str(demo), "roundup", "--to", "2026-11-25", "--output", str(target)]
    )
    assert result.output == f"Wrote the roundup for 12–25 November 2026 to {target}.\n"
    assert target.read_text().startswith("# One Team Government: two weeks on")
    assert Path(target).parent.is_dir()


def _state_folder(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("api", [False, True], ids=["export boards", "an API board"])
def test_printing_a_roundup_leaves_the_state_exactly_as_it_was(
    write_config, runner, monkeypatch, tmp_path, api
):
    """Printing (stdout, --output, --json) is not a run: the state is read as a dry run reads it
    (a copy in memory), so no lock is taken and nothing is saved, not even an API board's
    history; what real runs recorded (the published posts) is still seen."""
    export = json.loads((DEMO_BOARDS / "microactions.json").read_text(encoding="utf-8"))
    fake = FakeTrello()
    fake.add_board(export)
    monkeypatch.setenv("TRELLO_API_KEY", fake.key)
    monkeypatch.setenv("TRELLO_TOKEN", fake.token)
    text = demo_config(DEMO_BOARDS).replace('"state.db"', '"state/otg-state.db"')
    if api:
        text = text.replace(f'"{DEMO_BOARDS}/microactions.json"', f'"trello:{export["id"]}"')
        assert "trello:" in text
    config = write_config(text)
    args = ["--config", str(config), "roundup", "--from", "2026-11-12", "--to", "2026-11-25"]
    written = tmp_path / "posts" / "roundup.md"
    with fake.running():
        fresh = runner.invoke(cli.main, args)  # on a fresh machine: no database made
        assert fresh.exit_code == 0 and not (tmp_path / "state").exists(), fresh.output
        synced = runner.invoke(cli.main, ["--config", str(config), "sync"])
        assert synced.exit_code == 0, synced.output
        before = _state_folder(tmp_path / "state")
        printed = runner.invoke(cli.main, args)
        to_file = runner.invoke(cli.main, [*args, "--output", str(written)])
        as_json = runner.invoke(cli.main, [*args, "--json"])
    assert (printed.exit_code, printed.stderr) == (0, ""), printed.output
    assert printed.stdout == GOLDEN.read_text(encoding="utf-8")  # the published posts included
    assert to_file.exit_code == 0, to_file.output
    assert written.read_text(encoding="utf-8") == GOLDEN.read_text(encoding="utf-8")
    assert as_json.exit_code == 0 and json.loads(as_json.stdout)["ok"] is True
    assert _state_folder(tmp_path / "state") == before  # no -wal/-shm, no lock, no byte changed


def test_seeing_the_roundup_published_finalises_it(write_config, runner, monkeypatch):
    """A roundup drafted on Medium, once its post appears in the feed, labels what it featured."""
    export = json.loads((DEMO_BOARDS / "microactions.json").read_text(encoding="utf-8"))
    fake = FakeTrello()
    fake.add_board(export)
    medium = FakeMedium(token="medium-token-0123456789")
    for name, value in (
        ("TRELLO_API_KEY", fake.key),
        ("TRELLO_TOKEN", fake.token),
        ("MEDIUM_TOKEN", "medium-token-0123456789"),
    ):
        monkeypatch.setenv(name, value)
    feed = "https://medium.com/feed/@oneteamgov"
    config = write_config(f"""
        state_db = "s.db"
        [boards.m]
        role = "microactions"
        source = "trello:{export["id"]}"
        [boards.content]
        role = "content"
        source = "{DEMO_BOARDS / "content.json"}"
        [medium]
        target = "medium"
        feeds = ["{feed}"]
    """)
    with fake.running() as rsps:
        medium.install(rsps)
        medium.serve_feed(rsps, feed)
        drafted = runner.invoke(
            cli.main,
            ["--config", str(config), "roundup", "--to", "2026-11-25", "--target", "medium"],
        )
        assert drafted.exit_code == 0, drafted.output
        [post] = [p for p in medium.posts if "two weeks on" in p["title"]]
        runner.invoke(cli.main, ["--config", str(config), "sync", "--only", "microactions"])
        assert not any(
            "Roundup 2026-11-25" in (lbl.get("name") or "")
            for lbl in fake.export(export["id"])["labels"]
        )  # not published yet
        medium.publish(post["id"], datetime(2026, 11, 26, 9, tzinfo=UTC))
        seen = runner.invoke(cli.main, ["--config", str(config), "sync"])
        again = runner.invoke(cli.main, ["--config", str(config), "sync"])
    board = fake.export(export["id"])
    [label] = [lbl for lbl in board["labels"] if lbl["name"] == "Roundup 2026-11-25"]
    assert sum(label["id"] in c.get("idLabels", []) for c in board["cards"]) == 11, seen.output
    assert "label" not in [line.split()[0] for line in again.output.splitlines() if line]
