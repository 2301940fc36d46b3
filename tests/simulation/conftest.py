"""The simulation's fixtures: the fault suites' world and harness, and the relay to a subprocess
`otg` (tests/reliability)."""

from __future__ import annotations

from tests.reliability.fault_harness import make_harness  # noqa: F401 (fixture)
from tests.reliability.relay import relay  # noqa: F401 (fixture)
