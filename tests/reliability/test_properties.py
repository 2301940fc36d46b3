"""The property tests of generated bad input are split by what they generate:
test_properties_exports.py (board exports), test_properties_icalendar.py (the feed and calendar
resources), test_properties_drafts.py (content cards) and test_properties_config.py (config
tables); their shared settings and checks are in property_checks.py.

This module holds no tests: it keeps its name so that ``from tests.reliability.test_properties
import FUZZ`` (tests/roundup/test_render.py) goes on working.
"""

from __future__ import annotations

from tests.reliability.property_checks import FUZZ

__all__ = ["FUZZ"]
