"""Reading a board from the Trello API into the model: our way against the naive py-trello way.

Both run against the same stateful fake Trello (tests/fakes) on `responses`, so the figures count
requests exactly and time the client side plus the fake's serving of the JSON. Ours: one nested
board request plus history pages. Naive: `board.all_cards()`, then `card.checklists`,
`card.attachments` and `card.fetch_actions(...)` (to learn when it moved) for every card, as
py-trello's objects invite. py-trello skips the first two when a card's counts say there are none.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from tempfile import TemporaryDirectory

from trello import TrelloClient

import tests.fakes.trello as fake_module
from bench.measure import measure
from config import build_config
from sync.state.store import State
from sync.trello.sources import TrelloReader
from tests.fakes.boards import synthetic_board
from tests.fakes.trello import FakeTrello

NOW = datetime(2026, 11, 21, 12, tzinfo=UTC)


def ours(fake: FakeTrello, board_id: str, folder: Path, n: int) -> int:
    raw = {
        "boards": {"b": {"role": "microactions", "source": f"trello:{board_id}"}},
        "state_db": f"state-{n}.db",
    }
    cfg = build_config(
        raw, folder / "otg.toml", environ={"TRELLO_API_KEY": fake.key, "TRELLO_TOKEN": fake.token}
    )
    with State(cfg.state_db) as state:
        reader = TrelloReader(cfg, state, dry_run=True, now=NOW)
        board = reader.read(cfg.boards[0])
    assert len(board.cards) == n
    return reader.requests_sent


def naive(fake: FakeTrello, board_id: str, n: int) -> int:
    client = TrelloClient(api_key=fake.key, token=fake.token)
    board = client.get_board(board_id)
    board.list_lists()
    board.get_labels()
    cards = board.all_cards()
    for card in cards:  # what a sync needs: checklists, links, and when the card last moved
        _ = card.checklists, card.attachments, card.fetch_actions("updateCard:idList")
    assert len(cards) == n
    return 0


def run(sizes: list[int], with_naive: bool = True) -> None:
    # The naive way would be stopped by Trello's rate limit long before it finished; lift the
    # fake's limit so that its requests can be counted at all.
    fake_module.TOKEN_LIMIT = fake_module.KEY_LIMIT = 10**9
    print("Trello board read + model, per sync (fake Trello API; seconds include the fake)")
    header = f"{'cards':>6} | {'requests':>8} {'seconds':>8} {'peak MiB':>9}"
    if with_naive:
        header += f" | {'naive req':>9} {'seconds':>8} {'peak MiB':>9} | {'fewer':>6}"
    print(header)
    print("-" * len(header))
    for n in sizes:
        fake = FakeTrello()
        board = synthetic_board(n, n_actions=2 * n)
        fake.add_board(board)
        with fake.running(), TemporaryDirectory() as tmp:
            fake.requests.clear()
            ours_figures = measure(partial(ours, fake, board["id"], Path(tmp), n))
            our_requests = len(fake.requests) // 2  # measure() runs the work twice
            line = (
                f"{n:>6} | {our_requests:>8} {ours_figures.seconds:>8.2f} "
                f"{ours_figures.peak_mib:>9.1f}"
            )
            if with_naive:
                fake.requests.clear()
                naive_figures = measure(partial(naive, fake, board["id"], n))
                naive_requests = len(fake.requests) // 2
                line += (
                    f" | {naive_requests:>9} {naive_figures.seconds:>8.2f} "
                    f"{naive_figures.peak_mib:>9.1f} | {naive_requests / our_requests:>5.0f}×"
                )
        print(line, flush=True)
