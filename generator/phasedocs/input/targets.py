"""Targets: parse ``< 20``, ``>= 626/630``, ``-40%..-25%``, ``== 2.0.0`` and judge values.

A target is a small language of its own, so it gets a parser with exact error
messages, a canonical text form (``str(target)`` parses back to an equal target) and
one function that turns (value, baseline, better) into a criterion state.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal, cast

from phasedocs.input.loader import MAX_MAGNITUDE  # the same bound as snapshot values

Op = Literal["<", "<=", ">", ">=", "==", ".."]
State = Literal["pending", "met", "exceeded", "missed"]

# fullmatch and ASCII digits: '$' accepts a trailing newline and '\d' other scripts' digits
_NUM = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_NUM_RE = re.compile(_NUM, re.ASCII)
_RATIO_RE = re.compile(rf"({_NUM})\s*/\s*({_NUM})", re.ASCII)
_COMPARE_RE = re.compile(r"^(<=|>=|==|<|>)\s*(.*)$", re.S)
_RANGE_RE = re.compile(r"^(.*?)\s*\.\.\s*(.*)$", re.S)


class TargetSyntaxError(ValueError):
    """A target that does not parse; the message says what the forms are."""


class AmbiguousPercent(TargetSyntaxError):
    """An unsigned ``N%`` on a metric whose unit is not percent: a value or a change?"""


FORMS = "'< N', '<= N', '> N', '>= N', '== V', 'A..B' (N a number, a ratio 626/630 or a signed change such as -25%)"


@dataclass(frozen=True)
class Bound:
    """One number of a target: a plain number, a ratio (as written) or a relative change."""

    value: float
    """The number: a ratio as its fraction, a relative bound in percent."""
    text: str
    """How it was written, for display."""
    relative: bool = False
    """True for ``-25%`` or ``+10%`` (signed): a change in percent relative to the baseline."""


@dataclass(frozen=True)
class Target:
    """A parsed target."""

    op: Op
    """The comparison; ``..`` is an inclusive range."""
    bounds: tuple[Bound, ...] = ()
    """One bound, or two for a range (low, high)."""
    text_value: str | None = None
    """For ``== V`` with text: the expected text."""

    @property
    def relative(self) -> bool:
        """True when the target is a change relative to the baseline."""
        return any(b.relative for b in self.bounds)

    def __str__(self) -> str:
        if self.op == "..":
            return f"{self.bounds[0].text}..{self.bounds[1].text}"
        if self.text_value is not None:
            return f"== {self.text_value}"
        return f"{self.op} {self.bounds[0].text}"


def _number(text: str, unit: str | None) -> Bound:
    t = text.strip()
    if t.endswith("%"):
        inner = t[:-1].strip()
        if not _NUM_RE.fullmatch(inner):
            raise TargetSyntaxError(f"'{t}' is not a percentage such as -25%")
        value = _finite(float(inner), t)
        if inner[0] in "+-":  # signed: a change from the baseline, the sign kept in the text
            return Bound(value, f"{inner}%", relative=True)
        if unit not in (None, "percent"):
            raise AmbiguousPercent(inner)
        return Bound(value, f"{inner}%")  # a percent metric's own value
    m = _RATIO_RE.fullmatch(t)
    if m:
        num, den = float(m.group(1)), float(m.group(2))
        if den == 0:
            raise TargetSyntaxError(f"'{t}' divides by zero")
        return Bound(_finite(num / den, t), f"{_canon(m.group(1))}/{_canon(m.group(2))}")
    if _NUM_RE.fullmatch(t):
        return Bound(_finite(float(t), t), _canon(t))
    raise TargetSyntaxError(f"'{t}' is not a number, a ratio such as 626/630 or a change such as -25%")


def _finite(x: float, t: str) -> float:
    if not math.isfinite(x) or abs(x) > MAX_MAGNITUDE:
        raise TargetSyntaxError(f"'{t}' is out of range; a number in a target is at most 1e15 in size")
    return x


def _canon(t: str) -> str:
    return t.strip().lstrip("+") if t.strip().startswith("+") and len(t.strip()) > 1 else t.strip()


def _ambiguous(t: str, unit: str) -> TargetSyntaxError:
    """The error for an unsigned ``N%`` on a metric that is not a percent: both readings, spelled out."""

    def rewrite(part: str, as_change: bool) -> str:
        p = part.strip()
        if not p.endswith("%") or p[0] in "+-":
            return p
        inner = p[:-1].strip()
        if as_change:
            return f"+{inner}%"
        return _canon(f"{float(inner) / 100:.10g}") if unit == "ratio" else inner

    def spell(as_change: bool) -> str:
        m = _COMPARE_RE.match(t)
        if m:
            return f"{m.group(1)} {rewrite(m.group(2), as_change)}"
        low, _, high = t.partition("..")
        return f"{rewrite(low, as_change)}..{rewrite(high, as_change)}"

    return TargetSyntaxError(
        f"'{t}' is ambiguous on a {unit} metric: write '{spell(True)}' for a change from the baseline, "
        f"or '{spell(False)}' for the value itself"
    )


def parse_target(text: str, unit: str | None = None) -> Target:
    """Parse a target string; raise :class:`TargetSyntaxError` naming the forms on failure.

    ``unit`` is the metric's: an unsigned ``N%`` is the value itself on a ``percent``
    metric and an error elsewhere (a change needs its sign: ``+10%``). Without a unit
    (the syntax alone) it reads as a percent value.
    """
    try:
        return _parse(text, unit)
    except AmbiguousPercent:
        raise _ambiguous(text.strip(), unit or "") from None


def _parse(text: str, unit: str | None) -> Target:
    if not isinstance(text, str):
        raise TargetSyntaxError(f"a target is text such as '< 20'; quote it ({FORMS})")
    t = text.strip()
    if not t:
        raise TargetSyntaxError(f"the target is empty; write one of {FORMS}")
    m = _COMPARE_RE.match(t)
    if m:
        op, rest = cast(Op, m.group(1)), m.group(2).strip()  # the pattern matches only the five operators
        if not rest:
            raise TargetSyntaxError(f"'{t}' has no value after '{op}'")
        if op == "==":
            try:
                return Target("==", (_number(rest, unit),))
            except AmbiguousPercent:
                if unit != "text":
                    raise
                return Target("==", (), text_value=rest)
            except TargetSyntaxError:
                if "\n" in rest:
                    raise TargetSyntaxError(f"'{t}' spans lines; write it on one line") from None
                return Target("==", (), text_value=rest)
        return Target(op, (_number(rest, unit),))
    m = _RANGE_RE.match(t)
    if m:
        low, high = _number(m.group(1), unit), _number(m.group(2), unit)
        if low.relative != high.relative:
            raise TargetSyntaxError(f"'{t}' mixes a change in % with a plain number; use one kind")
        if low.value > high.value:
            raise TargetSyntaxError(f"'{t}' has its low end above its high end; write {high.text}..{low.text}")
        return Target("..", (low, high))
    raise TargetSyntaxError(f"'{t}' is not a target; write one of {FORMS}")


def change_pct(value: float | None, baseline: float | None) -> float | None:
    """The change from ``baseline`` to ``value`` in percent, or None when undefined."""
    if value is None or baseline is None or baseline == 0:
        return None
    return (value - baseline) / abs(baseline) * 100.0


def judge(
    target: Target,
    value: float | str | None,
    baseline: float | str | None,
    better: str | None,
) -> State:
    """The state of a criterion with ``target``, given the current value and baseline.

    ``pending`` without a value (or, for a relative target, without a baseline);
    ``exceeded`` only for a range passed on the metric's ``better`` side.
    """
    if value is None:
        return "pending"
    if target.text_value is not None:
        return "met" if str(value) == target.text_value else "missed"
    if isinstance(value, str):
        return "missed"  # a text value never satisfies a numeric target
    x: float = value
    if target.relative:
        if not isinstance(baseline, (int, float)):
            return "pending"
        pct = change_pct(x, baseline)
        if pct is None:
            return "pending"
        x = pct
    b = target.bounds
    eps = 1e-9 * max(1.0, abs(x))  # 626/630 compared with 626/630 is equal
    if target.op == "..":
        low, high = b[0].value, b[1].value
        if low - eps <= x <= high + eps:
            return "met"
        if (better == "lower" and x < low) or (better == "higher" and x > high):
            return "exceeded"
        return "missed"
    v = b[0].value
    ok = {
        "<": x < v - eps,
        "<=": x <= v + eps,
        ">": x > v + eps,
        ">=": x >= v - eps,
        "==": abs(x - v) <= eps,
    }[target.op]
    return "met" if ok else "missed"
