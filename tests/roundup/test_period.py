"""A roundup's period: instants, named by local days; the scheduled roundup's next one."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sync.roundup.period import Period, following
from tests.calendar.test_mapping import LONDON

WEDNESDAY_8 = datetime(2026, 11, 25, 8, tzinfo=UTC)


def test_a_period_between_two_instants_is_named_by_its_local_days():
    period = Period.between(datetime(2026, 11, 11, 8, tzinfo=UTC), WEDNESDAY_8, LONDON)
    assert (period.first, period.last, period.days) == (date(2026, 11, 11), date(2026, 11, 25), 14)
    assert period.label == "11–25 November 2026"
    assert period.bounds(LONDON) == (datetime(2026, 11, 11, 8, tzinfo=UTC), WEDNESDAY_8)
    assert period.covers(LONDON) == "from Wed 11 Nov 2026 08:00 to Wed 25 Nov 2026 08:00"


def test_an_editors_days_run_from_midnight_to_midnight_local_time():
    summer = Period(date(2026, 7, 1), date(2026, 7, 14))
    assert summer.bounds(LONDON) == (
        datetime(2026, 6, 30, 23, tzinfo=UTC),  # midnight in BST
        datetime(2026, 7, 14, 23, tzinfo=UTC),
    )


def test_the_next_period_starts_where_the_last_drafted_one_ended():
    drafted = Period.between(datetime(2026, 11, 11, 8, tzinfo=UTC), WEDNESDAY_8, LONDON)
    later = datetime(2026, 12, 9, 8, tzinfo=UTC)
    nxt = following(drafted, later, LONDON)
    assert nxt.bounds(LONDON) == (WEDNESDAY_8, later)
    assert nxt.label == "25 November – 9 December 2026"


def test_the_first_is_a_fortnight_and_a_second_run_the_same_day_finds_it_drafted():
    first = following(None, WEDNESDAY_8, LONDON)
    assert first.bounds(LONDON) == (datetime(2026, 11, 11, 8, tzinfo=UTC), WEDNESDAY_8)
    assert following(first, datetime(2026, 11, 25, 16, tzinfo=UTC), LONDON) == first
    to_tonight = Period(date(2026, 11, 12), date(2026, 11, 25))  # an editor's, to midnight
    assert following(to_tonight, WEDNESDAY_8, LONDON) == to_tonight
