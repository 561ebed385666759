"""Calendar arithmetic shared by facts and charts: days on a 24-hour or workdays calendar."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

EPS = 1e-9


def r6(x: float) -> float:
    """Round day arithmetic so 2.4 - 2.2 reads 0.2, not 0.20000000000000018."""
    return round(x + 0.0, 6)


def add_days(start: datetime, days: float, workdays: bool, tz: ZoneInfo) -> datetime:
    """``start`` plus ``days``; on a workdays calendar Saturday and Sunday do not count."""
    if not workdays:
        return _whole_seconds(start + timedelta(days=days))
    local = start.astimezone(tz).replace(tzinfo=None)  # wall-clock arithmetic in the zone
    remaining = days
    # any seven days in a row hold exactly five working days: skip whole weeks, walk the rest
    weeks = max(0, int(remaining // 5) - 1)
    local += timedelta(days=7 * weeks)
    remaining -= 5 * weeks
    while True:
        if local.weekday() >= 5:
            local = datetime(local.year, local.month, local.day) + timedelta(days=7 - local.weekday())
            continue
        midnight = datetime(local.year, local.month, local.day) + timedelta(days=1)
        available = (midnight - local).total_seconds() / 86400
        if remaining <= available + EPS:
            result = (local + timedelta(days=remaining)).replace(tzinfo=tz)
            return _whole_seconds(result.astimezone(start.tzinfo))
        remaining -= available
        local = midnight


def elapsed_days(start: datetime, end: datetime, workdays: bool, tz: ZoneInfo) -> float:
    """Days of the calendar between ``start`` and ``end`` (negative if before)."""
    if not workdays:
        return (end - start).total_seconds() / 86400
    if end < start:
        return -elapsed_days(end, start, workdays, tz)
    a = start.astimezone(tz).replace(tzinfo=None)
    b = end.astimezone(tz).replace(tzinfo=None)
    weeks = max(0, (b - a).days // 7 - 1)  # whole weeks: five working days each
    a += timedelta(days=7 * weeks)
    total = 5.0 * weeks
    while a < b:
        midnight = datetime(a.year, a.month, a.day) + timedelta(days=1)
        stop = min(midnight, b)
        if a.weekday() < 5:
            total += (stop - a).total_seconds() / 86400
        a = stop
    return total


def _whole_seconds(dt: datetime) -> datetime:
    micro = dt.microsecond
    dt = dt.replace(microsecond=0)
    return dt + timedelta(seconds=1) if micro >= 500_000 else dt
