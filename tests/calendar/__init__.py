"""Tests of sync/calendar and the events steps of the sync, on a real CalDAV server where it
matters."""

import pytest

# the harnesses assert too: their failures are shown as clearly as a test's
pytest.register_assert_rewrite("tests.calendar.export_harness", "tests.calendar.two_way_harness")
