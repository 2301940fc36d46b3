"""The boards the bench runs on: three synthetic Trello exports of N cards each (microactions,
events, content; tests/fakes/boards.py), and a config that syncs them to a feed and a drafts
folder. Boards are made once and kept in a cache folder (big ones take a while to make), under a
name that changes whenever the generator's code does.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from pathlib import Path

from tests.fakes.boards import synthetic_board

ROLES = ("microactions", "events", "content")
FAKES = Path(__file__).resolve().parent.parent / "tests" / "fakes"
CACHE = Path(tempfile.gettempdir()) / "otg-bench-boards"

CONFIG = """timezone = "Europe/London"
state_db = "state.db"
output_dir = "out"

[boards.microactions]
role = "microactions"
source = "{folder}/microactions.json"

[boards.events]
role = "events"
source = "{folder}/events.json"

[boards.content]
role = "content"
source = "{folder}/content.json"

[calendar]
domain = "bench.example"
feed = "events.ics"

[medium]
target = "drafts"
drafts_dir = "drafts"
"""


def _generator_version() -> str:
    digest = hashlib.sha256()
    for path in sorted(FAKES.glob("board*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def exports(n: int) -> Path:
    """The folder holding the three export files of ``n`` cards each."""
    folder = CACHE / f"{_generator_version()}-{n}"
    if not (folder / "done").exists():
        folder.mkdir(parents=True, exist_ok=True)
        for seed, role in enumerate(ROLES):
            data = synthetic_board(n, role=role, seed=seed)
            (folder / f"{role}.json").write_text(json.dumps(data), encoding="utf-8")
        (folder / "done").touch()
    return folder


def workplace(n: int, where: Path) -> Path:
    """A fresh folder in ``where`` with a config syncing the ``n``-card boards; its path."""
    place = where / f"sync-{n}"
    if place.exists():
        shutil.rmtree(place)
    place.mkdir(parents=True)
    (place / "otg.toml").write_text(CONFIG.format(folder=exports(n)), encoding="utf-8")
    return place


def fresh(place: Path) -> None:
    """As before a first sync: no state, no boards kept beside it, no feed, no drafts."""
    for name in ("state.db", "state.db-wal", "state.db-shm"):
        (place / name).unlink(missing_ok=True)
    forget_kept(place)
    shutil.rmtree(place / "out", ignore_errors=True)


def forget_kept(place: Path) -> None:
    """As when every export is new: no board kept from an earlier read (sync/trello/snapshots.py),
    so each is read from its JSON; the state and its kept history stay."""
    shutil.rmtree(place / "state.db.boards", ignore_errors=True)


def files(n: int) -> list[str]:
    folder = exports(n)
    return [str(folder / f"{role}.json") for role in ROLES]
