"""Boards kept between runs (sync/trello/snapshots.py), what a snapshot is checked against: a
read that may write keeps the board it built; a later read loads it only when everything the
board is built from is as it was, and gives exactly the board a fresh read would; anything
damaged, foreign or unwritable is passed over. (As runs meet them: test_snapshots_in_runs.py.)"""

from __future__ import annotations

import json
import os
import stat
from typing import Any

import pytest

from config import BoardConfig
from sync.model import Board, Role
from sync.trello import exports, snapshots
from sync.trello.snapshots import Snapshots
from tests.trello.snapshot_place import same


def test_a_read_that_writes_keeps_the_board_and_the_next_read_loads_it(place):
    first = place.read(dry_run=False)
    assert place.parsed == 1 and list(place.snapshots.folder.iterdir())
    looked = place.read(dry_run=True)
    again = place.read(dry_run=False)
    assert place.parsed == 1  # neither read parsed the JSON
    assert same(looked, first) and same(again, first)
    assert any(card.custom_fields for card in looked.cards)  # compared too, with their types


def test_a_dry_run_keeps_nothing(place):
    place.read(dry_run=True)
    place.read(dry_run=True)
    assert place.parsed == 2 and not place.snapshots.folder.exists()


def test_a_snapshot_is_private(place):
    place.read(dry_run=False)
    folder = place.snapshots.folder
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert [stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()] == [0o600]


def test_a_rewritten_file_is_read_again_unless_its_bytes_were_hashed(place, settled):
    """A new download of an unchanged board (new times, same bytes): a file kept by its identity
    is read again (its bytes were not hashed); one kept by its hash is known by it."""
    first = place.read(dry_run=False)
    place.write(place.data)
    again = place.read()
    assert place.parsed == (2 if settled else 1) and same(again, first)


def test_other_bytes_of_the_same_size_and_time_are_read_again(place, settled):
    """A file's modification time and size can be set back; its change time cannot."""
    board = place.read(dry_run=False)
    info = place.path.stat()
    text = place.path.read_text(encoding="utf-8")
    name = place.data["cards"][0]["name"]
    place.data["cards"][0]["name"] = name[::-1]
    place.write(place.data)
    assert (
        place.path.read_text(encoding="utf-8") != text and place.path.stat().st_size == info.st_size
    )
    os.utime(place.path, ns=(info.st_atime_ns, info.st_mtime_ns))
    fresh = place.read()
    card_id = place.data["cards"][0]["id"]
    named = {card.id: card.name for card in fresh.cards}[card_id]
    assert place.parsed == 2 and named == name[::-1]
    assert {card.id: card.name for card in board.cards}[card_id] == name


def test_a_settled_file_is_known_without_reading_it_and_a_new_one_always_read(place, monkeypatch):
    place.read(dry_run=False)
    (kept,) = place.snapshots.folder.iterdir()
    assert json.loads(kept.read_bytes().partition(b"\n")[0])["file"] is None  # just written

    monkeypatch.setattr(snapshots, "SETTLED_NS", -(10**18))  # as if written long before
    kept.unlink()
    place.read(dry_run=False)  # kept anew
    header = json.loads(kept.read_bytes().partition(b"\n")[0])
    info = place.path.stat()
    assert header["file"] == [
        info.st_dev,
        info.st_ino,
        info.st_size,
        info.st_mtime_ns,
        info.st_ctime_ns,
    ]

    def unread(*args: Any) -> None:
        raise AssertionError("the file was read")

    monkeypatch.setattr(snapshots.hashlib, "file_digest", unread)
    place.read()
    assert place.parsed == 2  # the second read of the test kept it; this one loaded it


def test_a_file_that_changes_while_it_is_read_is_hashed_every_time(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"one")
    before = path.stat()
    long_after = before.st_ctime_ns + 10 * snapshots.SETTLED_NS
    assert snapshots.identity(before, before, long_after) is not None
    path.write_bytes(b"two")
    assert snapshots.identity(before, path.stat(), long_after) is None
    assert snapshots.identity(before, before, before.st_ctime_ns + 1) is None  # just changed


@pytest.mark.parametrize(
    "change",
    ["role", "lists", "path", "code"],
)
def test_a_board_built_from_anything_else_is_read_again(place, tmp_path, monkeypatch, change):
    place.read(dry_run=False)
    board = place.board
    if change == "role":
        board = BoardConfig("main", Role.MICROACTIONS, board.source)
    elif change == "lists":
        board = BoardConfig("main", board.role, board.source, lists={"Proposed": "ignore"})
    elif change == "path":
        moved = tmp_path / "moved.json"
        place.path.rename(moved)
        place.path = moved
    else:
        monkeypatch.setattr(snapshots, "code_version", lambda: "another otg-sync")
    read = place.read(board=board)
    assert place.parsed == 2
    assert read.source == str(place.path) and read.role is board.role


def test_a_change_to_the_kept_history_reads_the_board_again(place):
    first = place.read(dry_run=False)
    done = next(card for card in first.cards if card.completed_at)
    entry = {
        "id": "f" * 24,
        "type": "updateCard",
        "date": "2099-01-01T00:00:00.000Z",
        "data": {"card": {"id": done.id, "name": done.name}, "old": {"name": "before"}},
    }
    place.state.save_actions(first.id, [entry])  # as another run's read of the board would
    again = place.read()
    assert place.parsed == 2 and again.actions_read == first.actions_read + 1


@pytest.mark.parametrize("damage", ["payload", "truncated", "header", "empty", "foreign"])
def test_a_damaged_snapshot_is_passed_over(place, damage):
    first = place.read(dry_run=False)
    (kept,) = place.snapshots.folder.iterdir()
    data = kept.read_bytes()
    header, _, payload = data.partition(b"\n")
    if damage == "payload":  # one letter of a name: still a board, but not the one kept
        name = first.cards[0].name.encode()
        assert name in payload and name[:1] != b"X"
        kept.write_bytes(header + b"\n" + payload.replace(name, b"X" + name[1:], 1))
    elif damage == "truncated":
        kept.write_bytes(data[: len(data) - 100])
    elif damage == "header":
        kept.write_bytes(b"{not json\n" + payload)
    elif damage == "empty":
        kept.write_bytes(b"")
    else:  # a payload that is not a board, with a header that vouches for it
        fields_ = json.loads(header)
        other = b"\x93\x01\x02\x03"
        fields_["payload"] = __import__("hashlib").sha256(other).hexdigest()
        kept.write_bytes(json.dumps(fields_).encode() + b"\n" + other)
    again = place.read()
    assert place.parsed == 2 and same(again, first)


def test_text_json_allows_and_utf_8_does_not_is_kept_as_the_reader_mends_it(place):
    place.data["cards"][0]["name"] = "\ud800 lone"  # a lone surrogate: JSON holds it
    place.write(place.data)
    first = place.read(dry_run=False)
    card = next(card for card in first.cards if card.id == place.data["cards"][0]["id"])
    assert card.name == "\ufffd lone"
    assert same(place.read(), first) and place.parsed == 1


def test_a_board_the_encoder_refuses_is_read_and_not_kept(place, monkeypatch):
    import msgspec

    class Refusing:
        def encode(self, model: Board) -> bytes:
            raise msgspec.EncodeError("cannot encode")

    monkeypatch.setattr(snapshots, "_encoder", Refusing)
    assert place.read(dry_run=False).cards
    assert not place.snapshots.folder.exists() or not list(place.snapshots.folder.iterdir())


def test_a_full_disk_keeps_no_snapshot_and_the_read_goes_on(place, monkeypatch):
    def full(*args: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Snapshots, "_write", full)
    board = place.read(dry_run=False)
    assert board.cards and place.parsed == 1
    place.read()
    assert place.parsed == 2


def test_a_fifo_where_the_export_was_is_a_clear_error_not_a_hang(place):
    place.read(dry_run=False)
    place.path.unlink()
    os.mkfifo(place.path)
    with pytest.raises(exports.SourceError, match="not a regular file"):
        place.read()


def test_a_loaded_board_shares_what_a_read_shares_and_keeps_what_differs(place):
    """Decoded, each card would hold its own copies of the board's labels and list names (half
    again the memory); loaded, they are the board's own objects, and a card's label that is not
    the board's (an old export's card naming a label the board does not list) stays its own."""
    data = place.data
    labelled = [card for card in data["cards"] if card.get("idLabels")][:2]
    for card in labelled:  # one label id, two different labels, neither the board's
        card["idLabels"], card["labels"] = ["0" * 24], [{"id": "0" * 24, "name": card["id"]}]
    place.write(data)
    read = place.read(dry_run=False)
    loaded = place.read()
    assert place.parsed == 1 and same(loaded, read)
    board_labels = {label.id: label for label in loaded.labels}
    for card in loaded.cards:
        assert card.board_id is loaded.id
        assert card.list_name is next(lst.name for lst in loaded.lists if lst.id == card.list_id)
        for label in card.labels:
            assert label.id == "0" * 24 or label is board_labels[label.id]
    own = {card.id: card.labels for card in loaded.cards if card.id in {c["id"] for c in labelled}}
    assert {card_id: [label.name for label in labels] for card_id, labels in own.items()} == {
        card["id"]: [card["id"]] for card in labelled
    }


def test_code_that_is_not_in_files_matches_no_snapshot(tmp_path, monkeypatch):
    """A zipped install has no module files to digest: no snapshot it reads is ever trusted."""
    nowhere = tmp_path / "sync" / "trello" / "snapshots.py"
    monkeypatch.setattr(snapshots, "__file__", str(nowhere))
    first, second = snapshots._code_digest(), snapshots._code_digest()
    assert first != second and snapshots.code_version() not in (first, second)


def test_a_header_no_snapshot_has_is_passed_over(place):
    """A first line of 200,000 "[": json would recurse past its limit, and a line past what a
    header can be is not read whole."""
    place.read(dry_run=False)
    (kept,) = place.snapshots.folder.iterdir()
    kept.write_bytes(b"[" * 200_000 + b"\n" + b"\x90")
    assert place.read().cards and place.parsed == 2


def test_a_snapshot_others_may_write_is_not_trusted(place):
    first = place.read(dry_run=False)
    (kept,) = place.snapshots.folder.iterdir()
    kept.chmod(0o622)
    assert same(place.read(), first) and place.parsed == 2


def test_what_a_snapshot_is_checked_against_is_taken_when_the_file_is_read(place, monkeypatch):
    """The file rewritten while its board is built: the snapshot is of the bytes read, and is
    checked against them, so the next read reads the new file."""
    parse = exports.parse_board

    def rewritten_meanwhile(*args: Any, **kwargs: Any) -> Board:
        place.data["cards"][0]["name"] = "Written while the board was read"
        place.write(place.data)
        return parse(*args, **kwargs)

    monkeypatch.setattr(exports, "parse_board", rewritten_meanwhile)
    place.read(dry_run=False)
    monkeypatch.setattr(exports, "parse_board", parse)
    names = {card.name for card in place.read().cards}
    assert "Written while the board was read" in names
