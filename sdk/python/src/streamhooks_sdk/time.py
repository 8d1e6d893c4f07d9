"""Timestamps are milliseconds since the Unix epoch, UTC (the WIT's ``timestamp``, an int); a
plugin has no clock, so "now" is the event's ``occurred_at``. The same text as the Rust SDK's
``time`` module.

>>> rfc3339(1_795_165_200_000)
'2026-11-20T09:00:00Z'
>>> seconds_between(1_000, 62_500)
61
"""

from __future__ import annotations

__all__ = ["rfc3339", "seconds_between"]


def rfc3339(ms: int) -> str:
    """``ms`` as an RFC 3339 UTC timestamp with second precision (``2026-11-20T09:00:00Z``), or
    with milliseconds when they are not zero (``2026-11-20T09:00:00.250Z``)."""
    secs, millis = divmod(ms, 1000)
    days, rem = divmod(secs, 86_400)
    year, month, day = _civil_from_days(days)
    h, m, s = rem // 3600, rem % 3600 // 60, rem % 60
    text = f"{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}"
    return f"{text}Z" if millis == 0 else f"{text}.{millis:03}Z"


def seconds_between(start: int, end: int) -> int:
    """Whole seconds from ``start`` to ``end`` (rounded down; negative if ``end`` is
    earlier)."""
    return (end - start) // 1000


def _civil_from_days(days: int) -> tuple[int, int, int]:
    """Year, month, day of the day ``days`` after 1970-01-01 (Howard Hinnant's algorithm, as in
    the Rust SDK: proleptic Gregorian, any year)."""
    z = days + 719_468
    era, doe = divmod(z, 146_097)
    yoe = (doe - doe // 1460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = mp + 3 if mp < 10 else mp - 9
    year = yoe + era * 400 + (1 if month <= 2 else 0)
    return year, month, day
