"""The pure timing engine: entry moment + rule settings + calendar -> due moment (no database)."""

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from engine import load

timing = load("timing")

UTC = timezone.utc
BRUSSELS = ZoneInfo("Europe/Brussels")
WED = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)


def office_hours(tz, holidays=()):
    """Mon-Fri 08:00-12:00 and 13:00-17:00 local, minus holidays: the shape of Odoo's standard calendar."""

    def intervals(start, stop):
        found = []
        day = start.astimezone(tz).date() - timedelta(days=1)
        while datetime.combine(day, time.min, tzinfo=tz) < stop:
            if day.weekday() < 5 and day not in holidays:
                for begin, end in ((8, 12), (13, 17)):
                    b = datetime.combine(day, time(begin), tzinfo=tz)
                    e = datetime.combine(day, time(end), tzinfo=tz)
                    if e > start and b < stop:
                        found.append((b, e))
            day += timedelta(days=1)
        return found

    return timing.WorkCalendar(intervals)


def due(start=WED, **kwargs):
    settings = {k: kwargs.pop(k) for k in ("kind", "delay", "unit", "at_time", "working_hours") if k in kwargs}
    return timing.due_moment(timing.Timing(**settings), start, **kwargs)


def test_immediate_is_the_start():
    assert due() == WED


@pytest.mark.parametrize("unit, delay, expected", [
    ("minutes", 1, WED + timedelta(minutes=1)),
    ("hours", 36, WED + timedelta(hours=36)),
    ("days", 3, WED + timedelta(days=3)),
])
def test_delay_units(unit, delay, expected):
    assert due(kind="delay", delay=delay, unit=unit) == expected


def test_days_keep_the_local_time_across_a_dst_change():
    saturday = datetime(2026, 3, 28, 9, 0, tzinfo=BRUSSELS)  # DST starts on Sunday the 29th
    moment = due(saturday, kind="delay", delay=2, unit="days", tz=BRUSSELS)
    assert moment.astimezone(BRUSSELS).replace(tzinfo=None) == datetime(2026, 3, 30, 9, 0)


def test_working_days_skip_the_weekend_and_holidays():
    friday = datetime(2026, 3, 6, 15, 0, tzinfo=UTC)
    calendar = office_hours(UTC, holidays={date(2026, 3, 9)})
    assert due(friday, kind="delay", delay=1, unit="work_days", calendar=calendar) == \
        datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
    assert due(friday, kind="delay", delay=3, unit="work_days", calendar=calendar) == \
        datetime(2026, 3, 12, 15, 0, tzinfo=UTC)


def test_working_hours_shift_into_the_next_working_period():
    friday_evening = datetime(2026, 3, 6, 18, 30, tzinfo=BRUSSELS)
    calendar = office_hours(BRUSSELS)
    moment = due(friday_evening, kind="delay", delay=30, unit="minutes", working_hours=True, calendar=calendar,
                 tz=BRUSSELS)
    assert moment == datetime(2026, 3, 9, 8, 0, tzinfo=BRUSSELS)


def test_working_hours_keep_a_moment_inside_working_time_and_skip_lunch():
    calendar = office_hours(UTC)
    assert due(datetime(2026, 3, 4, 9, 0, tzinfo=UTC), working_hours=True, calendar=calendar) == \
        datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
    assert due(datetime(2026, 3, 4, 12, 15, tzinfo=UTC), working_hours=True, calendar=calendar) == \
        datetime(2026, 3, 4, 13, 0, tzinfo=UTC)


def test_before_a_date_at_a_time_of_day_in_the_users_zone():
    moment = due(kind="before_date", delay=1, unit="days", at_time=9.0, date_value=date(2026, 3, 20), tz=BRUSSELS)
    assert moment == datetime(2026, 3, 19, 9, 0, tzinfo=BRUSSELS)


def test_after_a_datetime():
    value = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    assert due(kind="after_date", delay=90, unit="minutes", date_value=value) == value + timedelta(minutes=90)


def test_before_a_date_in_working_days():
    monday = date(2026, 3, 9)
    moment = due(kind="before_date", delay=1, unit="work_days", date_value=monday, calendar=office_hours(UTC))
    assert moment == datetime(2026, 3, 6, 0, 0, tzinfo=UTC)  # the Friday before


def test_a_past_moment_is_returned_as_is_for_the_caller_to_run_at_once():
    assert due(kind="before_date", delay=5, unit="days", date_value=date(2026, 3, 5)) < WED


def test_time_of_day_is_ignored_for_minutes_and_hours():
    assert not timing.Timing(kind="delay", delay=2, unit="hours", at_time=9.0).uses_time_of_day


@pytest.mark.parametrize("settings, message", [
    ({"kind": "never"}, "unknown timing"),
    ({"unit": "weeks"}, "unknown delay unit"),
    ({"delay": -1}, "negative"),
    ({"at_time": 24.0}, "between 00:00 and 23:59"),
])
def test_bad_settings_are_refused_with_a_clear_message(settings, message):
    with pytest.raises(timing.TimingError, match=message):
        timing.Timing(**settings)


def test_empty_date_is_an_error_the_caller_turns_into_a_skip():
    with pytest.raises(timing.TimingError, match="empty"):
        due(kind="after_date", delay=1, date_value=False)


def test_working_days_without_a_calendar_are_refused():
    with pytest.raises(timing.TimingError, match="calendar"):
        due(kind="delay", delay=1, unit="work_days")


def test_a_calendar_without_working_time_is_refused_not_looped_on():
    empty = timing.WorkCalendar(lambda start, stop: [])
    with pytest.raises(timing.TimingError, match="no working"):
        due(kind="delay", delay=1, unit="minutes", working_hours=True, calendar=empty)
    with pytest.raises(timing.TimingError, match="no working"):
        due(kind="delay", delay=1, unit="work_days", calendar=empty)
