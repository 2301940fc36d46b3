"""The simulation's fixtures: the fault suites' world and harness (tests/reliability)."""

from __future__ import annotations

from tests.reliability.fault_harness import clock, make_harness  # noqa: F401 (fixtures)
