"""The bench's own arithmetic and options (bench/): what it prints of cost per card, how many runs
the big sizes take, and the sizes it is given. The figures themselves are measured by
`make bench`, not by tests."""

from __future__ import annotations

import argparse

import pytest

from bench import nightly
from bench.__main__ import _sizes


def test_a_linear_cost_reads_as_flat_each_further_card():
    # a fixed 0.4 s, then 80 µs a card: the cost per card falls, each further card costs the same
    per_card = {n: ((0.4 + 80e-6 * 3 * n) / (3 * n) * 1e6, 20.0) for n in (1000, 20000, 50000)}
    lines = nightly.growth(per_card).splitlines()
    assert lines[0] == (
        "cost per card, 3,000 → 150,000 cards: nightly 213 → 83 µs (×0.39); "
        "the JSON floor 20 → 20 µs (×1.00)"
    )
    assert lines[1] == (
        "each further card: 3,000 → 60,000: 80 µs (floor 20); 60,000 → 150,000: 80 µs "
        "(floor 20); grew ×1.00 (the floor ×1.00)"
    )


def test_two_sizes_give_the_growth_alone():
    assert len(nightly.growth({1000: (100.0, 20.0), 5000: (90.0, 20.0)}).splitlines()) == 1


def test_the_big_sizes_take_fewer_runs():
    assert nightly.runs_for(5000, 5) == 5
    assert nightly.runs_for(nightly.BIG_N, 5) == nightly.BIG_RUNS
    assert nightly.runs_for(50000, 2) == 2


def test_sizes_are_cards_per_board_sorted_once_each():
    assert _sizes("50000,1000,1000") == [1000, 50000]
    for bad in ("x", "0", "1000,"):
        with pytest.raises(argparse.ArgumentTypeError):
            _sizes(bad)
