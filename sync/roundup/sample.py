"""A small roundup with one of everything, for `otg check` to try a template on before a run.

A template error shows only on the branch that meets it: ``{{ microaction.total }}`` in the
microactions section fails only in a fortnight with microactions. So the check renders the
template twice: with this sample (a team note, a microaction, an event held and one coming, a
post) and with an empty fortnight.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sync.roundup.gather import EventItem, Item, Period, Post, Roundup
from sync.roundup.render import render_post

PERIOD = Period(date(2026, 11, 12), date(2026, 11, 25))


def sample() -> Roundup:
    """One item in every section of the roundup."""
    card = "https://trello.com/c/AbCd1234/1-sample"
    return Roundup(
        PERIOD,
        team=[Item("New organisers joined the team", card, "t1", ["Sam"], [], "2026-11-13")],
        microactions={
            "Ways of working": [
                Item(
                    "Ran a retro with another team",
                    card,
                    "m1",
                    ["Ana"],
                    ["Ways of working"],
                    "2026-11-20",
                ),
            ]
        },
        events_held=[
            EventItem(
                "OTG Leeds breakfast",
                card,
                "e1",
                "Wed 18 November, 08:00–09:00",
                "2026-11-18",
                "Leeds",
                "https://example.org/signup",
            ),
        ],
        events_coming=[
            EventItem(
                "OTG Cardiff meetup",
                card,
                "e2",
                "Thu 3 December, 18:00–20:00",
                "2026-12-03",
                "Cardiff",
                "",
            ),
        ],
        posts=[Post("Leadership is a team sport", "https://medium.com/p/1", "p1", "2026-11-21")],
    )


def try_template(template: Path | None) -> None:
    """Render ``template`` (None: the bundled one) with the sample and with an empty fortnight;
    raises ``TemplateError`` naming the template's line when it cannot be rendered."""
    render_post(sample().context(), template)
    render_post(Roundup(PERIOD).context(), template)
