"""Value formats every output shares: ISO dates, rounded numbers, canonical JSON bytes.

Below every stage: the records ``record`` writes, final-metrics.json, the JSON Schemas and
the documents all format numbers and dates the same way through these.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, overload
from zoneinfo import ZoneInfo


def iso(dt: datetime, tz: ZoneInfo) -> str:
    """ISO 8601 in the project's zone, 'Z' for UTC."""
    text = dt.astimezone(tz).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


@overload
def num(x: None, places: int = ...) -> None: ...
@overload
def num(x: float | int, places: int = ...) -> float | int: ...
def num(x: float | int | None, places: int = 6) -> float | int | None:
    """A number for JSON: rounded, and whole numbers without '.0' (0, not 0.0)."""
    if x is None or isinstance(x, bool):
        return x
    r = round(float(x), places)
    return int(r) if r == int(r) and abs(r) < 2**53 else r


def dumps(data: Any) -> bytes:
    """Stable JSON bytes: keys in the given order, two-space indent, final newline."""
    return (json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n").encode()  # UTF-8
