"""The fault suites' fixtures (tests/reliability/fault_harness.py), for every module here."""

from __future__ import annotations

from tests.reliability.fault_harness import (  # noqa: F401 (fixtures)
    baseline,
    clean,
    clock,
    harness,
    make_harness,
)
