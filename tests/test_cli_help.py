"""The `otg` command line's help, driven as a user would: the version, help for every command and
option, and every command in the README."""

from __future__ import annotations

import re

import click
import pytest

import cli
from tests.conftest import ROOT
from tests.running_otg import invoke

COMMANDS = sorted(cli.main.commands)


def test_version(runner):
    result = invoke(runner, "--version")
    assert re.fullmatch(r"otg, version \d+\.\d+\.\d+\S*\n", result.output)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_and_is_in_the_readme(runner, name):
    command = cli.main.commands[name]
    assert command.help and command.short_help != ""
    assert invoke(runner, name, "--help").exit_code == 0
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"otg {name}" in readme, f"`otg {name}` is not in the README"


def test_every_option_has_help():
    def commands(group):
        for command in group.commands.values():
            yield command
            if isinstance(command, click.Group):
                yield from commands(command)

    for command in [cli.main, *commands(cli.main)]:
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"{command.name} {param.opts} has no help"
