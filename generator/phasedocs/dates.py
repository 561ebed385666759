"""Calendar arithmetic shared by facts, the forecast and charts.

A :class:`Calendar` turns "days of work" into datetimes and back. On the ``calendar``
calendar a day is 24 hours. On ``workdays`` Saturdays, Sundays and the project's
holidays do not count, and with working hours (``workday: {start: "09:00", hours: 8}``)
a day of work is that window of each working day, so half a day from 09:00 ends at
13:00. Arithmetic is on the wall clock of the project's zone (a working day starts at
09:00 local time, summer or winter).
"""

from __future__ import annotations

import bisect
import calendar
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

EPS = 1e-9
#: Half the step of :func:`r6` and a little more, in days (under a tenth of a second): schedule
#: offsets are rounded to six places, so work that fills a day to its close may be a few
#: hundred-thousandths of a second "past" it; that is the close, not the next working day.
R6_TOLERANCE = 1e-6
_DAY = timedelta(days=1)


def r6(x: float) -> float:
    """Round day arithmetic so 2.4 - 2.2 reads 0.2, not 0.20000000000000018."""
    return round(x + 0.0, 6)


@dataclass(frozen=True)
class Calendar:
    """Days of work on the project's calendar: 24-hour days, or working days and hours."""

    tz: ZoneInfo
    """The zone whose wall clock the working days and hours follow."""
    workdays: bool = False
    """True to skip Saturdays, Sundays and :attr:`holidays`."""
    holidays: frozenset[date] = frozenset()
    """Dates that are not working days (workdays calendar only)."""
    day_start: timedelta = timedelta(0)
    """When a working day begins, after local midnight (workdays calendar only)."""
    day_length: timedelta = _DAY
    """How long a working day lasts: one day of work (workdays calendar only)."""
    _weekday_holidays: tuple[date, ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # only holidays on a weekday change a count of weekdays: sorted, for bisect
        object.__setattr__(self, "_weekday_holidays", tuple(sorted(d for d in self.holidays if d.weekday() < 5)))

    def working(self, day: date) -> bool:
        """True when ``day`` holds working time."""
        return not self.workdays or (day.weekday() < 5 and day not in self.holidays)

    def _window(self, day: date) -> tuple[datetime, datetime]:
        begin = datetime(day.year, day.month, day.day) + self.day_start
        return begin, begin + self.day_length

    def _holidays_in(self, first: date, stop: date) -> int:
        """Weekday holidays in ``[first, stop)``."""
        h = self._weekday_holidays
        return bisect.bisect_left(h, stop) - bisect.bisect_left(h, first)

    def add(self, start: datetime, days: float) -> datetime:
        """``start`` plus ``days`` of work; a start outside working time begins at the next working time."""
        if not self.workdays:
            return _whole_seconds(start + timedelta(days=days))
        local = start.astimezone(self.tz).replace(tzinfo=None)  # wall-clock arithmetic in the zone
        remaining = days
        while True:
            day = local.date()
            if self.working(day):
                open_, close = self._window(day)
                begin = max(local, open_)
                if begin < close:
                    available = (close - begin) / self.day_length
                    if remaining <= available + R6_TOLERANCE:
                        result = min(begin + remaining * self.day_length, close).replace(tzinfo=self.tz)
                        return _whole_seconds(result.astimezone(start.tzinfo))
                    remaining -= available
            local = datetime(day.year, day.month, day.day) + _DAY
            # at midnight: any seven days in a row hold five weekdays, less the holidays among them
            weeks = int(remaining // 5) - 1
            if weeks > 0:
                first = local.date()
                remaining -= 5 * weeks - self._holidays_in(first, first + timedelta(days=7 * weeks))
                local += timedelta(days=7 * weeks)

    def start_at(self, origin: datetime, days: float) -> datetime:
        """When work that begins ``days`` of work after ``origin`` starts: the next working time.

        A schedule offset names a boundary between days of work; as a start it is the
        opening of the next working day (day 2 starts Tuesday 09:00), never the close of the
        day before (Monday 17:00), which is where :meth:`finish_at` puts a finish.
        """
        return self.add(self.add(origin, days), 0.0)

    def finish_at(self, origin: datetime, days: float) -> datetime:
        """When work that ends ``days`` of work after ``origin`` is done: a finish at the end
        of a working day is that day's close (Monday 17:00), not the next day's opening."""
        return self.add(origin, days)

    def breaks(self, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
        """The stretches without working time between ``start`` and ``end``, as (a working day's
        close, the next working day's opening): nights, weekends and holidays. None on the
        ``calendar`` calendar; a chart draws work as flat over them."""
        if not self.workdays or end <= start:
            return []
        a = start.astimezone(self.tz).replace(tzinfo=None)
        b = end.astimezone(self.tz).replace(tzinfo=None)
        out = []
        close: datetime | None = None
        day = a.date()
        while day <= b.date():
            if self.working(day):
                open_, shut = self._window(day)
                if close is not None and open_ > close and close >= a and open_ <= b:
                    out.append((close, open_))
                close = shut
            day += _DAY
        zone = start.tzinfo
        return [
            (x.replace(tzinfo=self.tz).astimezone(zone), y.replace(tzinfo=self.tz).astimezone(zone)) for x, y in out
        ]

    def elapsed(self, start: datetime, end: datetime) -> float:
        """Days of work between ``start`` and ``end`` (negative if ``end`` is earlier)."""
        if not self.workdays:
            return (end - start).total_seconds() / 86400
        if end < start:
            return -self.elapsed(end, start)
        a = start.astimezone(self.tz).replace(tzinfo=None)
        b = end.astimezone(self.tz).replace(tzinfo=None)
        total = 0.0
        while a < b:
            day = a.date()
            if self.working(day):
                open_, close = self._window(day)
                lo, hi = max(a, open_), min(b, close)
                if hi > lo:
                    total += (hi - lo) / self.day_length
            a = datetime(day.year, day.month, day.day) + _DAY
            weeks = (b - a).days // 7 - 1  # whole weeks: five weekdays each, less holidays
            if weeks > 0:
                first = a.date()
                total += 5 * weeks - self._holidays_in(first, first + timedelta(days=7 * weeks))
                a += timedelta(days=7 * weeks)
        return total


def _whole_seconds(dt: datetime) -> datetime:
    micro = dt.microsecond
    dt = dt.replace(microsecond=0)
    return dt + timedelta(seconds=1) if micro >= 500_000 else dt


_DATE_TEXT = re.compile(
    r"\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:[Tt]|[ \t]+)(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.\d*)?)?)?"
)


def impossible(text: str) -> str | None:
    """Why ``text``, shaped like a date or date-time, names none (``2026-02-29``: "February 2026
    has 28 days"); None when it is a real one or not shaped like a date at all."""
    found = _DATE_TEXT.match(text)
    if found is None:
        return None
    year, month, day = (int(x) for x in found.groups()[:3])
    if not 1 <= month <= 12:
        return f"{text.strip()} is not a date (there is no month {month}; months run 01 to 12)"
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        return f"{text.strip()} is not a date ({calendar.month_name[month]} {year} has {last} days)"
    hour, minute, second = (int(x) if x is not None else 0 for x in found.groups()[3:])
    for value, name, top in ((hour, "hours", 23), (minute, "minutes", 59), (second, "seconds", 59)):
        if value > top:
            return f"{text.strip()} is not a date-time ({name} run 00 to {top})"
    return None
