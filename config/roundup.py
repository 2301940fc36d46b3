"""The `[roundup]` section: the fortnightly "two weeks on" post."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from config.schema import Field, check_section, file_path, positive

TARGETS = ("stdout", "drafts", "medium")


def _label(value: str) -> str | None:
    if "{date}" not in value or value.startswith("{date}"):
        return 'must hold "{date}" after some text, e.g. "Roundup {date}"'
    return None


def _tags(value: list[Any]) -> str | None:
    bad = [t for t in value if not isinstance(t, str) or not 0 < len(t) <= 25]
    return f"{bad} are not tags of 1 to 25 characters" if bad else None


ROUNDUP_FIELDS = [
    Field(
        "template",
        str,
        "",
        check=file_path,
        help='a Jinja2 template for the post; "" for the bundled one',
    ),
    Field(
        "target",
        str,
        "drafts",
        choices=TARGETS,
        help="where the scheduled roundup goes: stdout, drafts or medium",
    ),
    Field("team_label", str, "Team and admin", help="the label of team-and-admin news"),
    Field("team_list", str, "", help="a list whose cards are team-and-admin news"),
    Field(
        "featured_label",
        str,
        "Roundup {date}",
        check=_label,
        help="the label --finalise puts on featured cards ({date}: the period's last day)",
    ),
    Field(
        "coming_days",
        int,
        60,
        check=positive,
        maximum=3650,
        help="how far ahead 'coming up' looks",
    ),
    Field(
        "people_field",
        str,
        "Who",
        help="a card's custom field naming who did a microaction (people who are not board "
        "members, say), listed after its members",
    ),
    Field(
        "tags",
        list,
        ["OneTeamGov", "Public Sector", "Reform"],
        check=_tags,
        help="Medium tags for the post (3 at most are used)",
    ),
]


@dataclass(frozen=True)
class RoundupConfig:
    template: str = ""
    target: str = "drafts"
    team_label: str = "Team and admin"
    team_list: str = ""
    featured_label: str = "Roundup {date}"
    coming_days: int = 60
    people_field: str = "Who"
    tags: tuple[str, ...] = ("OneTeamGov", "Public Sector", "Reform")

    @property
    def featured_prefix(self) -> str:
        return self.featured_label.split("{date}", 1)[0]


def check_roundup(table: Any, problems: list[str]) -> RoundupConfig:
    values = check_section(table, ROUNDUP_FIELDS, "roundup.", problems)
    values["tags"] = tuple(values["tags"])[:3]
    return RoundupConfig(**values)
