"""Boards decoded into the keys the reader uses (sync/trello/schema.py): the keys it never reads
are not built, a board that does not fit the types reads (or fails) as the generic read has it,
and both reads give the same ``Board`` for every board we have."""

from __future__ import annotations

import json
from typing import Any

import pytest

from config import BoardConfig
from sync.errors import SourceError
from sync.model import Board, Role
from sync.state.store import State
from sync.trello import exports, history_merge
from sync.trello.exports import read_export
from sync.trello.fast_read import loads
from sync.trello.parse import parse_board
from sync.trello.schema import action_of, card_of, read_action, read_board, trimmed
from tests.fakes.boards import synthetic_board

ROLES = [Role.MICROACTIONS, Role.EVENTS, Role.CONTENT]


def model(data: Any, role: Role = Role.EVENTS) -> Board | str:
    """The board, or the one line it fails with."""
    try:
        return parse_board(data, role=role, source="b.json")
    except SourceError as exc:
        return f"{exc.message} / {exc.fix}"


def generic(raw: bytes) -> Any:
    return loads(raw)


def test_keys_the_reader_never_reads_are_not_built():
    raw = json.dumps(synthetic_board(30, role="events")).encode()
    full, typed = generic(raw), read_board(raw)
    card = full["cards"][0]
    assert {"badges", "descData", "pluginData", "idShort"} <= card.keys()  # in the export
    kept = card_of(typed["cards"][0])  # each card decoded when it is read
    assert not {"badges", "descData", "pluginData", "idShort", "idBoard"} & kept.keys()
    assert kept["id"] == card["id"] and kept["desc"] == card["desc"]
    action = action_of(typed["actions"][0])
    assert "memberCreator" in full["actions"][0] and "memberCreator" not in action
    assert "board" not in action["data"] and "name" not in action["data"].get("listAfter", {})
    assert not {"prefs", "memberships", "descData"} & typed.keys()


@pytest.mark.parametrize("role", ROLES)
def test_typed_and_generic_reads_give_the_same_board(role):
    raw = json.dumps(synthetic_board(200, role=role.value, seed=3)).encode()
    assert model(read_board(raw), role) == model(generic(raw), role)


@pytest.mark.parametrize("role", ROLES)
def test_real_exports_read_the_same_both_ways(shared_boards, role):
    for path in sorted(shared_boards.glob("*.json")):
        raw = path.read_bytes()
        typed = model(read_board(raw), role)
        assert isinstance(typed, Board), path.name
        assert typed == model(generic(raw), role), path.name


def _board() -> dict[str, Any]:
    return synthetic_board(20, role="events", seed=1)


def _set(path: str, value: Any) -> dict[str, Any]:
    """The small board with the value at ``path`` (keys and list indexes, dot-separated)."""
    board = _board()
    *parents, last = path.split(".")
    where: Any = board
    for key in parents:
        where = where[int(key)] if isinstance(where, list) else where[key]
    where[int(last) if isinstance(where, list) else last] = value
    return board


WRONG = {
    "cards a number": _set("cards", 5),
    "cards null": _set("cards", None),
    "lists text": _set("lists", "Doing"),
    "a card a number": _set("cards.3", 7),
    "a card's labels text": _set("cards.2.labels", "green"),
    "a card's fields an object": _set("cards.1.customFieldItems", {"a": 1}),
    "a check item a list": _set("checklists.0.checkItems", [[1]]),
    "an action's data text": _set("actions.0.data", "moved"),
    "an action a number": _set("actions.4", 12),
    "a field option's value text": _set("customFields.0.options", [{"id": "o", "value": "x"}]),
    "a card's name with a lone surrogate": _set("cards.0.name", "caf\udce9"),
    "not an object": [1, 2],
}


@pytest.mark.parametrize("what", list(WRONG))
def test_a_board_that_does_not_fit_reads_as_the_generic_read_has_it(what):
    raw = json.dumps(WRONG[what]).encode()
    assert model(read_board(raw)) == model(generic(raw))


def test_a_huge_number_under_a_key_never_read_does_not_stop_the_board():
    raw = json.dumps(_board()).encode()[:-1] + b', "n": ' + b"9" * 5000 + b"}"
    with pytest.raises(ValueError):
        generic(raw)  # json will not read it; the typed read never builds it
    assert model(read_board(raw)) == model(generic(json.dumps(_board()).encode()))


def test_kept_history_has_one_form_however_it_was_read():
    action = _board()["actions"][0]
    cut = trimmed(action)
    assert cut == read_action(json.dumps(action)) == read_action(json.dumps(cut))
    assert "memberCreator" not in cut and cut["id"] == action["id"]
    odd = {"id": "a", "date": "2026-01-01T00:00:00.000Z", "data": "x", "extra": 1}
    assert trimmed(odd) == odd == read_action(json.dumps(odd))  # it does not fit: kept whole
    lone = {**action, "memberCreator": {"fullName": "\udce9"}}
    assert read_action(json.dumps(lone)) == cut  # read by json, then cut


def test_history_kept_whole_before_is_not_rewritten(tmp_path, monkeypatch):
    board = _board()
    path = tmp_path / "b.json"
    path.write_text(json.dumps(board), encoding="utf-8")
    config = BoardConfig("b", Role.EVENTS, str(path))
    with State(tmp_path / "state.db") as state:
        state.save_actions(board["id"], board["actions"])  # as kept before: every key
        saved: list[int] = []
        monkeypatch.setattr(state, "save_actions", lambda b, a: saved.append(len(a)))
        again = read_export(path, config, state, dry_run=False)
    assert saved == []  # the same entries, cut to the same keys: nothing to write
    assert again == read_export(path, config)


def test_a_board_read_the_generic_way_keeps_its_history_cut(tmp_path, monkeypatch):
    board = _set("cards.0.name", "caf\udce9")  # msgspec refuses it: json reads the board
    path = tmp_path / "b.json"
    path.write_text(json.dumps(board), encoding="utf-8")
    config = BoardConfig("b", Role.EVENTS, str(path))
    with State(tmp_path / "state.db") as state:
        read_export(path, config, state, dry_run=False)
        kept = [loads(text) for _, text in state.action_rows(board["id"])]
        assert kept and all("memberCreator" not in a for a in kept)
        saved: list[int] = []
        monkeypatch.setattr(state, "save_actions", lambda b, a: saved.append(len(a)))
        read_export(path, config, state, dry_run=False)
    assert saved == []  # a rerun writes nothing


def _export_result(tmp_path, raw: bytes, state: State | None = None) -> Board | str:
    path = tmp_path / "b.json"
    path.write_bytes(raw)
    try:
        return read_export(path, BoardConfig("b", Role.EVENTS, str(path)), state, dry_run=False)
    except SourceError as exc:
        return exc.message.replace(str(path), "FILE")


@pytest.mark.parametrize(
    ("where", "bad"),
    [
        ("cards.2.name", b'"caf\xe9"'),  # Latin-1, not UTF-8
        ("cards.2.pos", b"9" * 5000),  # json will not read it
        ("actions.1.type", b'"caf\xe9"'),
        ("actions.1.date", b"9" * 5000),
    ],
)
def test_a_card_or_entry_json_refuses_fails_the_board_as_before(tmp_path, where, bad):
    """Skipping a card's or an entry's bytes checks neither UTF-8 nor number length: the one
    json refuses sends the whole board to the generic read, which says what is wrong."""
    raw = json.dumps(_set(where, "BAD")).encode().replace(b'"BAD"', bad)
    with pytest.raises(ValueError):
        generic(raw)
    with pytest.raises(SourceError) as generic_read:
        exports._json(raw, tmp_path / "b.json", BoardConfig("b", Role.EVENTS, "b"), generic=True)
    with State(tmp_path / "state.db") as state:
        said = _export_result(tmp_path, raw, state)
    assert said == generic_read.value.message.replace(str(tmp_path / "b.json"), "FILE")
    assert said == _export_result(tmp_path, raw)  # with history kept or without
    assert ("not UTF-8" in said) == (b"\xe9" in bad), said


def test_bytes_that_are_not_utf8_under_a_key_never_read_do_not_stop_the_board(tmp_path):
    raw = json.dumps(_set("cards.2.badges", "BAD")).encode().replace(b'"BAD"', b'"caf\xe9"')
    assert isinstance(_export_result(tmp_path, raw), Board)


def test_a_dry_run_decodes_no_kept_entry_the_export_holds_again(tmp_path, monkeypatch):
    """The roundup and a dry run read the kept history only for what the export no longer
    holds; a sync decodes the others only to see whether they changed."""
    board = _board()
    path = tmp_path / "b.json"
    path.write_text(json.dumps(board), encoding="utf-8")
    config = BoardConfig("b", Role.EVENTS, str(path))
    with State(tmp_path / "state.db") as state:
        state.save_actions(board["id"], [*board["actions"], {**board["actions"][0], "id": "old"}])
        decoded: list[str] = []
        read = history_merge.read_action
        monkeypatch.setattr(
            history_merge, "read_action", lambda text: decoded.append(text) or read(text)
        )
        looked = read_export(path, config, state, dry_run=True)
        assert len(decoded) == 1  # the entry only the state keeps
        synced = read_export(path, config, state, dry_run=False)
        assert len(decoded) == 1 + len(board["actions"]) + 1
    assert looked == synced and looked.actions_read == len(board["actions"]) + 1
