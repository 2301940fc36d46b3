"""The request counts docs/reference/benchmarks.md quotes are the ones the bench holds
(bench/api.py), and still what a sync makes: a change that adds a request fails here, and so does
a page left quoting an old count."""

from __future__ import annotations

import re

import pytest

from bench import api
from tests.conftest import ROOT

PAGE = ROOT / "docs" / "reference" / "benchmarks.md"
#: A row of the page's requests table: | N | first | writes | nightly | writes | naive | ... |
ROW = re.compile(
    r"^\| ([\d,]+) \| ([\d,]+) \| ([\d,]+) \| (\d+) \| (\d+) \| ([\d,]+|—) \|", re.MULTILINE
)


def number(text: str) -> int:
    return int(text.replace(",", ""))


def quoted_rows() -> dict[int, tuple[int, int, int, int, int | None]]:
    section = PAGE.read_text(encoding="utf-8").split("## Requests", 1)[1].split("\n## ", 1)[0]
    return {
        number(n): (
            number(first),
            number(writes),
            int(steady),
            int(steady_writes),
            None if naive == "—" else number(naive),
        )
        for n, first, writes, steady, steady_writes, naive in ROW.findall(section)
    }


def test_the_page_quotes_the_counts_the_bench_holds():
    rows = quoted_rows()
    assert set(rows) >= {100, 1000}, "the page's requests table is missing or unreadable"
    for n, (first, writes, steady, steady_writes, naive) in rows.items():
        assert (first, writes) == api.FIRST[n], f"N={n}: the page quotes another first run"
        assert (steady, steady_writes) == (api.STEADY_REQUESTS, api.STEADY_WRITES)
        if naive is not None:
            assert naive == api.NAIVE[n], f"N={n}: the page quotes another naive count"


@pytest.mark.timeout(300)
def test_the_bench_still_measures_those_counts():
    counts = api.count(100)
    assert (counts.first_requests, counts.first_writes) == api.FIRST[100]
    assert (counts.steady_requests, counts.steady_writes) == (
        api.STEADY_REQUESTS,
        api.STEADY_WRITES,
    )
    assert counts.naive_requests == api.NAIVE[100]
    assert counts.problems(100) == []
