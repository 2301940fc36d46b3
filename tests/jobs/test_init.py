"""`otg init --from`: a config whose board table and list mapping are proposed from the board's
own list names, guesses commented out (issue 15, part 3)."""

from __future__ import annotations

import pytest

from cli import main
from config import load_config
from tests.fakes.kept_boards import BOARD_ID, export, write
from tests.fakes.trello import FakeTrello

LISTS = ["Ideas", "Planning", "Confirmed", "Held in 2026", "Someday", "Cancelled"]


def board() -> dict:
    return export(LISTS, [{"list": name} for name in LISTS], name="Spinoff events")


def test_init_from_an_export_proposes_the_mapping(tmp_path, runner, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "boards").mkdir()
    write(tmp_path / "boards" / "events.json", board())
    result = runner.invoke(main, ["init", "--from", "boards/events.json"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == (
        'Proposed board "Spinoff events" as the events board: 4 lists mapped, 2 guessed '
        "(commented out: check them); its role was guessed from its lists (--role to choose)."
    )
    text = (tmp_path / "otg.toml").read_text(encoding="utf-8")
    assert '[boards.events.lists]\n"Ideas" = "proposed"\n"Planning" = "planning"\n' in text
    assert '# "Held in 2026" = "done"    # guessed from its name: check it' in text
    assert '# "Someday" = "ignore"    # no guess: one of proposed, planning' in text
    assert '# [boards.microactions]\n# role = "microactions"' in text
    cfg = load_config(tmp_path / "otg.toml")
    [events] = cfg.boards
    assert events.source == "boards/events.json" and events.lists["Confirmed"] == "confirmed"
    check = runner.invoke(main, ["check"])
    assert 'ok  board events: events, export of "Spinoff events"' in check.output


def test_init_from_a_trello_board_with_a_chosen_role(tmp_path, runner, monkeypatch):
    fake = FakeTrello()
    fake.add_board(board())
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TRELLO_API_KEY", fake.key)
    monkeypatch.setenv("TRELLO_TOKEN", fake.token)
    with fake.running():
        result = runner.invoke(main, ["init", "--from", BOARD_ID, "--role", "microactions"])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "otg.toml").read_text(encoding="utf-8")
    assert f'source = "trello:{BOARD_ID}"\n' in text
    assert '"Ideas" = "idea"' in text
    assert [b.role.value for b in load_config(tmp_path / "otg.toml").boards] == ["microactions"]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--from", "nowhere.json"], "no such export file, and not a Trello board id"),
        (["--from", "AbCd1234"], "TRELLO_API_KEY and TRELLO_TOKEN are needed"),
        (["--role", "events"], "--role goes with --from"),
    ],
)
def test_init_from_something_unusable_is_one_line(tmp_path, runner, monkeypatch, args, said):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["init", *args])
    assert result.exit_code == 2 if "role" in said or "export" in said else 1
    assert said in result.output
    assert not (tmp_path / "otg.toml").exists()
