"""What the inbound tests (test_inbound.py, test_event_cards.py) share: the organisers' time
zone, the night's instant, the calendar's path, our own event's UID, and how many examples a
property test tries (the style of tests/reliability/test_properties.py)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 21, 12, tzinfo=UTC)
CAL = "/organiser/events/"
OURS_UID = "trello-6b0000000000000000000001@test.oneteamgov.uk"
EXAMPLES = int(os.environ.get("OTG_FUZZ_EXAMPLES", "30"))
