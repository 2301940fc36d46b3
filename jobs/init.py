"""`otg init`: the commented starter config, or (`--from`) one whose board table and list mapping
are proposed from a board's own lists: an export file, or a Trello board read with the
credentials in the environment or a `.env`. Known list names become entries; guesses are written
commented out, with why, for a person to check.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import config as config_pkg
from config import BoardConfig
from config.loader import TRELLO_ID, load_secrets
from jobs.github_actions import SITE_TABLE, write_workflow
from sync.errors import AuthError, SourceError, UsageError
from sync.model import Board, Role
from sync.trello.advice import guess_role, propose_lists
from sync.trello.api import CREDENTIALS_FIX, TrelloApi, trello_session
from sync.trello.exports import read_export
from sync.trello.parse import parse_board


def write(
    target: Path, *, force: bool, source: str | None, role: str | None, github_actions: bool = False
) -> list[str]:
    """Write the config to ``target`` (and with ``github_actions`` the nightly workflow beside
    it); the lines to tell the user."""
    if github_actions and target.exists() and not force:
        workflow = write_workflow(target, force=False)
        return [f"Wrote {workflow}; kept {target} (it needs a [site] table to publish a site)."]
    if target.exists() and not force:
        raise UsageError(f"{target} already exists", "pass --force to overwrite it")
    text, note = starter_text(), ""
    if source:
        text, note = proposed_config(source, target, role)
    elif role:
        raise UsageError("--role goes with --from", "add --from EXPORT_OR_TRELLO_ID")
    if github_actions:
        text += SITE_TABLE
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(
            f"cannot write {target}: {exc.strerror or exc}",
            "create its folder, or pick another path",
        ) from None
    lines = [f"Wrote {write_workflow(target, force=force)}."] if github_actions else []
    if note:
        lines.append(f"Proposed {note}.")
    return [*lines, f"Wrote {target}. Edit the [boards.*] tables, then run `otg check`."]


def starter_text() -> str:
    return config_pkg.STARTER.read_text(encoding="utf-8")


def proposed_config(source: str, target: Path, role: str | None = None) -> tuple[str, str]:
    """The starter config with the board at ``source`` in its role's table and a list mapping
    proposed from its lists; and one line saying what was proposed."""
    board, written = _read(source, target)
    chosen = Role(role) if role else guess_role(board)
    proposals = propose_lists(board, chosen)
    lines = [
        f"# Proposed by `otg init --from` from the lists of {json.dumps(board.name)}. Entries",
        "# commented out are guesses: check them, uncomment, then see `otg boards`.",
        f"[boards.{chosen}.lists]",
    ]
    for proposal in proposals:
        entry = f"{_toml(proposal.name)} = {_toml(proposal.state)}"
        lines.append(entry if proposal.sure else f"# {entry}    # {proposal.note}")
    text = starter_text()
    for other in Role:
        block = re.compile(
            rf'^\[boards\.{other}\]\nrole = "{other}"\nsource = "[^"\n]*"\n', re.MULTILINE
        )
        match = block.search(text)
        if match is None:  # the starter changed shape: nothing to swap
            continue
        if other is chosen:
            table = (
                f'[boards.{other}]\nrole = "{other}"\nsource = {_toml(written)}\n'
                + "\n".join(lines)
                + "\n"
            )
        else:
            table = "".join(f"# {line}\n" for line in match.group(0).splitlines())
        text = text[: match.start()] + table + text[match.end() :]
    guesses = sum(not p.sure for p in proposals)
    note = (
        f'board "{board.name}" as the {chosen} board: {len(proposals) - guesses} lists mapped'
        + (f", {guesses} guessed (commented out: check them)" if guesses else "")
        + ("" if role else "; its role was guessed from its lists (--role to choose)")
    )
    return text, note


def _read(source: str, target: Path) -> tuple[Board, str]:
    """The board, and its source as the config should say it."""
    path = Path(source)
    if path.is_file():
        board = read_export(path, BoardConfig("board", Role.EVENTS, source))
        try:
            written = os.path.relpath(path.resolve(), target.resolve().parent)
        except ValueError:  # another drive
            written = str(path.resolve())
        return board, written
    ref = source.removeprefix("trello:")
    if not TRELLO_ID.fullmatch(ref):
        raise UsageError(
            f"--from {source}: no such export file, and not a Trello board id",
            "give the path of a board's JSON export, or its id or short link (trello:AbCd1234)",
        )
    secrets = load_secrets(target.resolve().parent)
    key, token = secrets.get("TRELLO_API_KEY"), secrets.get("TRELLO_TOKEN")
    if not key or not token:
        raise AuthError(
            f"--from {source}: TRELLO_API_KEY and TRELLO_TOKEN are needed to read the board",
            "set them in the environment or in a .env file beside the config; "
            + CREDENTIALS_FIX.split(" and set ")[0],
        )
    api = TrelloApi(key, token, trello_session(key, token))
    data = api.board(ref)
    try:
        board = parse_board(data, role=Role.EVENTS, source=f"trello:{ref}")
    except SourceError as exc:
        raise SourceError(f"--from {source}: {exc.message}", exc.fix) from None
    return board, f"trello:{ref}"


def _toml(value: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's, and no character is left raw that TOML
    refuses)."""
    return json.dumps(value, ensure_ascii=False)
