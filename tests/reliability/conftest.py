"""The fault suites' fixtures (tests/reliability/fault_harness.py), for every module here, and
the relay to a subprocess `otg` (tests/reliability/relay.py)."""

from __future__ import annotations

from tests.reliability.fault_harness import (  # noqa: F401 (fixtures)
    baseline,
    clean,
    harness,
    make_harness,
)
from tests.reliability.relay import relay  # noqa: F401 (fixture)
