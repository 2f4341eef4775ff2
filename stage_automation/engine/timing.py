"""When a rule runs: entry moment + rule settings + working calendar → due moment.

Pure Python, no Odoo import: the rule model builds a :class:`Timing` and a
:class:`WorkCalendar` and asks :func:`due_moment`. Every datetime here is
timezone-aware; local notions (a day, a time of day, a working day) are taken
in the zone passed by the caller.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .exceptions import TimingError

IMMEDIATE = "immediate"
DELAY = "delay"
BEFORE_DATE = "before_date"
AFTER_DATE = "after_date"
KINDS = (IMMEDIATE, DELAY, BEFORE_DATE, AFTER_DATE)

UNITS = ("minutes", "hours", "days", "work_days")
DAY_UNITS = ("days", "work_days")
UTC = ZoneInfo("UTC")

# How far ahead a working calendar is searched before it is declared empty.
_SEARCH_DAYS = 3 * 366



@dataclass(frozen=True)
class Timing:
    """The "Execute" settings of one rule."""

    kind: str = IMMEDIATE
    delay: int = 0
    unit: str = "minutes"
    at_time: float | None = None
    working_hours: bool = False

    def __post_init__(self):
        if self.kind not in KINDS:
            raise TimingError(f"unknown timing {self.kind!r}")
        if self.unit not in UNITS:
            raise TimingError(f"unknown delay unit {self.unit!r}")
        if self.delay < 0:
            raise TimingError("the delay cannot be negative")
        if self.at_time is not None and not 0 <= self.at_time < 24:
            raise TimingError("the time of day must be between 00:00 and 23:59")

    @property
    def uses_date(self):
        return self.kind in (BEFORE_DATE, AFTER_DATE)

    @property
    def uses_calendar(self):
        return self.working_hours or (self.kind != IMMEDIATE and self.unit == "work_days")

    @property
    def uses_zone(self):
        """Whether the responsible's time zone may change the moment: not for a rule due on entry."""
        return self.kind != IMMEDIATE or self.working_hours

    @property
    def uses_time_of_day(self):
        """A time of day only means something once a day has been computed."""
        return self.at_time is not None and (self.uses_date or (self.kind == DELAY and self.unit in DAY_UNITS))


class WorkCalendar:
    """Working time as a list of intervals; the Odoo side feeds it from ``resource.calendar``.

    ``intervals(start, stop)`` returns the sorted ``(start, stop)`` pairs of
    working time (aware datetimes) that overlap ``[start, stop)``, leaves
    already removed.
    """

    def __init__(self, intervals):
        self._intervals = intervals

    def intervals(self, start, stop):
        return self._intervals(start, stop)

    def next_work_moment(self, moment):
        """The moment itself when it is working time, else the start of the next working period."""
        for start, stop in self._scan(moment):
            if stop > moment:
                return max(start, moment)
        raise TimingError("the working calendar has no working time ahead")

    def add_work_days(self, moment, days, tz):
        """Move by whole working days, keeping the local time of day (negative goes back)."""
        local = moment.astimezone(tz)
        step = 1 if days >= 0 else -1
        day, remaining = local.date(), abs(days)
        work_days = self._work_days(day, step, remaining, tz)
        for _ in range(remaining):
            day = next(work_days)
        return _at_local(day, local.timetz().replace(tzinfo=None), tz)

    def _work_days(self, day, step, count, tz):
        window = max(14, 2 * count)
        searched = 0
        while searched < _SEARCH_DAYS:
            days = [day + timedelta(days=step * (searched + n + 1)) for n in range(window)]
            first, last = min(days), max(days)
            start = datetime.combine(first, time.min, tzinfo=tz)
            stop = datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz)
            worked = {s.astimezone(tz).date() for s, _e in self.intervals(start, stop)}
            for candidate in days:
                if candidate in worked:
                    yield candidate
            searched += window
        raise TimingError("the working calendar has no working day in range")

    def _scan(self, moment):
        window = timedelta(days=14)
        start = moment - timedelta(days=1)
        while start < moment + timedelta(days=_SEARCH_DAYS):
            yield from self.intervals(start, start + window)
            start += window


def _at_local(day, tod, tz):
    """An aware moment for a local calendar day and time of day (DST gaps resolved forward)."""
    naive = datetime.combine(day, tod)
    aware = naive.replace(tzinfo=tz)
    # Round-trip through UTC so that a time inside a DST gap lands on a real instant.
    return aware.astimezone(UTC).astimezone(tz)


def hours_to_time(value):
    minutes = round(value * 60)
    return time(minutes // 60, minutes % 60)


def anchor_of(value, tz):
    """A date field's value as an aware moment: a plain date is local midnight."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime.combine(value, time.min, tzinfo=tz)
    raise TimingError(f"not a date: {value!r}")


def shift(moment, amount, unit, tz, calendar=None):
    if unit == "minutes":
        return moment + timedelta(minutes=amount)
    if unit == "hours":
        return moment + timedelta(hours=amount)
    if unit == "days":
        local = moment.astimezone(tz)
        return _at_local(local.date() + timedelta(days=amount), local.timetz().replace(tzinfo=None), tz)
    if calendar is None:
        raise TimingError("working days need a working calendar")
    return calendar.add_work_days(moment, amount, tz)


def due_moment(timing, start, *, date_value=None, tz=UTC, calendar=None):
    """The moment a rule is due.

    :param timing: the rule's :class:`Timing`
    :param start: aware moment the timing counts from: the stage entry, or
        the completion of the previous rule for a chained rule
    :param date_value: the record's date/datetime for date-based timings
    :param tz: zone of the responsible person, for days and times of day
    :param calendar: :class:`WorkCalendar` for working days / working hours
    :return: aware datetime, possibly in the past (the caller runs late work at once)
    """
    if timing.uses_calendar and calendar is None:
        raise TimingError("working days and working hours need a working calendar")
    if timing.kind == IMMEDIATE:
        moment = start
    elif timing.kind == DELAY:
        moment = shift(start, timing.delay, timing.unit, tz, calendar)
    else:
        if date_value in (None, False):
            raise TimingError("the date is empty")
        sign = -1 if timing.kind == BEFORE_DATE else 1
        moment = shift(anchor_of(date_value, tz), sign * timing.delay, timing.unit, tz, calendar)
    if timing.uses_time_of_day:
        moment = _at_local(moment.astimezone(tz).date(), hours_to_time(timing.at_time), tz)
    if timing.working_hours:
        moment = calendar.next_work_moment(moment)
    return moment
