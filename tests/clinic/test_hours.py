"""The clinic's hours: open or closed, next opening, and working time (RULES.md 11.2)."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from clinic.hours import CLINIC_ZONE, Closure, Interval, Schedule, describe, easter_sunday, is_public_holiday

DEMO_WEEK = tuple(
    Interval(day, opens, closes)
    for day in range(5)
    for opens, closes in ((time(9), time(13)), (time(14, 30), time(18, 30)))
)
WEEK = Schedule(DEMO_WEEK)


def rome(*args) -> datetime:
    return datetime(*args, tzinfo=CLINIC_ZONE)


@pytest.mark.parametrize(
    ("moment", "is_open"),
    [
        pytest.param(rome(2026, 12, 4, 22, 25), False, id="friday-night"),
        pytest.param(rome(2026, 12, 5, 10), False, id="saturday-morning"),
        pytest.param(rome(2026, 12, 7, 9), True, id="monday-opening-minute"),
        pytest.param(rome(2026, 12, 7, 13), False, id="monday-lunch-starts"),
        pytest.param(rome(2026, 12, 7, 18, 29), True, id="monday-last-minute"),
        pytest.param(rome(2026, 12, 8, 10), False, id="immacolata-holiday"),
    ],
)
def test_open_or_closed(moment, is_open):
    assert WEEK.is_open(moment) is is_open


def test_next_opening_over_the_weekend_is_monday_morning():
    assert WEEK.next_opening(rome(2026, 12, 4, 22, 25)) == rome(2026, 12, 7, 9)
    assert WEEK.next_opening(rome(2026, 12, 5, 10)) == rome(2026, 12, 7, 9)


def test_next_opening_while_open_is_now():
    moment = rome(2026, 12, 9, 11, 15)
    assert WEEK.next_opening(moment) == moment


def test_next_opening_after_lunch_is_the_afternoon():
    assert WEEK.next_opening(rome(2026, 12, 9, 13, 30)) == rome(2026, 12, 9, 14, 30)


def test_a_closure_skips_its_days():
    closed = Schedule(DEMO_WEEK, closures=(Closure(date(2026, 12, 14), date(2026, 12, 15), "leave"),))
    assert not closed.is_open(rome(2026, 12, 14, 10))
    assert closed.next_opening(rome(2026, 12, 11, 19)) == rome(2026, 12, 16, 9)
    assert closed.working_time_between(rome(2026, 12, 11, 18), rome(2026, 12, 16, 10)) == timedelta(
        hours=1, minutes=30
    )


def test_public_holidays_can_be_kept_open():
    open_on_holidays = Schedule(DEMO_WEEK, public_holidays=False)
    assert open_on_holidays.is_open(rome(2026, 12, 8, 10))


def test_italian_public_holidays_include_easter_monday():
    assert easter_sunday(2026) == date(2026, 4, 5)
    assert easter_sunday(2027) == date(2027, 3, 28)
    assert is_public_holiday(date(2027, 3, 29))
    assert is_public_holiday(date(2026, 6, 2))
    assert not is_public_holiday(date(2026, 6, 3))
    assert not WEEK.is_open(rome(2027, 3, 29, 10))


def test_working_hours_over_a_weekend():
    """Two working hours from Friday 18:00: half an hour on Friday, the rest on Monday."""
    assert WEEK.add_working_time(rome(2026, 12, 11, 18), timedelta(hours=2)) == rome(2026, 12, 14, 10, 30)


def test_working_time_out_of_hours_starts_at_the_next_opening():
    """RULES.md S8: a case sent out of hours is counted from the start of the next working period."""
    assert WEEK.add_working_time(rome(2026, 12, 4, 22, 25), timedelta(minutes=30)) == rome(2026, 12, 7, 9, 30)


def test_working_time_between_two_moments_counts_only_open_hours():
    assert WEEK.working_time_between(rome(2026, 12, 11, 12), rome(2026, 12, 14, 9, 30)) == timedelta(
        hours=5, minutes=30
    )
    assert WEEK.working_time_between(rome(2026, 12, 14, 10), rome(2026, 12, 14, 9)) == timedelta()


def test_working_days_end_at_the_close_of_the_last_one():
    # Monday 10:00 + 2 working days: Tuesday 8 is a holiday, so Wednesday and Thursday.
    assert WEEK.add_working_days(rome(2026, 12, 7, 10), 2) == rome(2026, 12, 10, 18, 30)
    # Friday night: counting starts on Monday.
    assert WEEK.add_working_days(rome(2026, 12, 11, 22), 1) == rome(2026, 12, 15, 18, 30)


def test_without_hours_every_hour_counts():
    """RULES.md 11.2: until the clinic sets hours, every hour is working time."""
    always = Schedule()
    friday_night = rome(2026, 12, 4, 22, 25)
    assert always.is_open(friday_night)
    assert always.next_opening(friday_night) == friday_night
    assert always.add_working_time(friday_night, timedelta(hours=2)) == rome(2026, 12, 5, 0, 25)
    assert always.add_working_days(friday_night, 2) == rome(2026, 12, 7, 0, 0)
    # No hours set, no holidays either: Christmas counts.
    assert always.is_open(rome(2026, 12, 25, 10))


def test_spring_change_the_night_has_an_hour_less():
    always = Schedule()
    saturday, monday = rome(2026, 3, 28), rome(2026, 3, 30)
    assert always.working_time_between(saturday, monday) == timedelta(hours=47)
    night = Schedule((Interval(6, time(1), time(4)),))  # Sunday 1:00-4:00, clocks skip 2:00-3:00
    assert night.working_time_between(saturday, monday) == timedelta(hours=2)
    assert night.add_working_time(saturday, timedelta(hours=1, minutes=30)) == rome(2026, 3, 29, 3, 30)


def test_autumn_change_the_night_has_an_hour_more():
    always = Schedule()
    assert always.working_time_between(rome(2026, 10, 24), rome(2026, 10, 26)) == timedelta(hours=49)
    night = Schedule((Interval(6, time(1), time(4)),))  # Sunday 1:00-4:00, clocks repeat 2:00-3:00
    assert night.working_time_between(rome(2026, 10, 24), rome(2026, 10, 26)) == timedelta(hours=4)


def test_monday_after_the_spring_change_opens_at_local_nine():
    monday_nine = WEEK.next_opening(rome(2026, 3, 27, 19))
    assert monday_nine.astimezone(UTC) == datetime(2026, 3, 30, 7, tzinfo=UTC)
    monday_nine = WEEK.next_opening(rome(2026, 10, 23, 19))
    assert monday_nine.astimezone(UTC) == datetime(2026, 10, 26, 8, tzinfo=UTC)


def test_a_clinic_that_never_opens_again_has_no_next_opening():
    closed = Schedule(DEMO_WEEK, closures=(Closure(date(2026, 1, 1), date(2030, 1, 1)),))
    assert closed.next_opening(rome(2026, 12, 4, 10)) is None
    assert closed.add_working_time(rome(2026, 12, 4, 10), timedelta(hours=1)) is None


def test_hours_in_words_in_both_languages():
    saturday = Schedule((*DEMO_WEEK, Interval(5, time(9), time(12))))
    assert describe(saturday, "en") == "Monday to Friday 9:00-13:00 and 14:30-18:30; Saturday 9:00-12:00"
    assert describe(saturday, "it") == "lunedì-venerdì 9:00-13:00 e 14:30-18:30; sabato 9:00-12:00"
    assert describe(Schedule(), "it") == ""
