"""The target language: parsing, canonical text and judging values."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from phasedocs.input.targets import FORMS, TargetSyntaxError, judge, parse_target


@pytest.mark.parametrize(
    ("text", "op", "values", "relative"),
    [
        ("< 20", "<", [20.0], False),
        ("<=5", "<=", [5.0], False),
        ("> 0.5", ">", [0.5], False),
        (">= 626/630", ">=", [626 / 630], False),
        ("== 3", "==", [3.0], False),
        ("1..2", "..", [1.0, 2.0], False),
        ("-40%..-25%", "..", [-40.0, -25.0], True),
        ("<= -10%", "<=", [-10.0], True),
        (">= +10%", ">=", [10.0], True),
        (">= 98%", ">=", [98.0], False),  # unsigned: a percent metric's own value
    ],
)
def test_parse(text, op, values, relative):
    t = parse_target(text)
    assert (t.op, [b.value for b in t.bounds], t.relative) == (op, values, relative)


@pytest.mark.parametrize(
    ("text", "unit", "message"),
    [
        (
            ">= 99.9%",
            "ratio",
            "'>= 99.9%' is ambiguous on a ratio metric: write '>= +99.9%' for a change from the baseline, "
            "or '>= 0.999' for the value itself",
        ),
        (
            "10%..20%",
            "count",
            "'10%..20%' is ambiguous on a count metric: write '+10%..+20%' for a change from the baseline, "
            "or '10..20' for the value itself",
        ),
    ],
)
def test_an_unsigned_percentage_is_a_value_only_on_a_percent_metric(text, unit, message):
    with pytest.raises(TargetSyntaxError) as info:
        parse_target(text, unit)
    assert str(info.value) == message
    assert [b.value for b in parse_target(text, "percent").bounds] == [b.value for b in parse_target(text).bounds]
    assert not parse_target(text, "percent").relative
    change = message.split("write '")[1].split("'")[0]  # the spelling the message offers works
    assert parse_target(change, unit).relative


def test_change_pct_measures_against_the_size_of_the_baseline():
    from phasedocs.input.targets import change_pct

    assert change_pct(-5, -10) == 50.0  # less negative: up, not down
    assert change_pct(15, 10) == 50.0
    assert change_pct(5, 0) is None


def test_text_equality():
    t = parse_target("== 2.0.0")
    assert (t.op, t.text_value, str(t)) == ("==", "2.0.0", "== 2.0.0")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", f"the target is empty; write one of {FORMS}"),
        ("about 20", f"'about 20' is not a target; write one of {FORMS}"),
        ("<", "'<' has no value after '<'"),
        ("< x", "'x' is not a number, a ratio such as 626/630 or a change such as -25%"),
        ("5..1", "'5..1' has its low end above its high end; write 1..5"),
        ("-5%..3", "'-5%..3' mixes a change in % with a plain number; use one kind"),
        (">= 1/0", "'1/0' divides by zero"),
        ("< abc%", "'abc%' is not a percentage such as -25%"),
    ],
)
def test_parse_errors(text, message):
    with pytest.raises(TargetSyntaxError) as info:
        parse_target(text)
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("target", "value", "baseline", "better", "state"),
    [
        ("< 20", 12, 12, "lower", "met"),
        ("< 20", 34, 12, "lower", "missed"),  # the clippy regression
        ("< 20", 20, 12, "lower", "missed"),
        ("<= 20", 20, 12, "lower", "met"),
        (">= 626/630", 626 / 630, None, "higher", "met"),
        (">= 626/630", 625 / 630, None, "higher", "missed"),
        ("-40%..-25%", 14.79, 17.13, "lower", "missed"),  # -13.66 %: not enough
        ("-40%..-25%", 12.0, 17.13, "lower", "met"),  # -29.9 %
        ("-40%..-25%", 8.0, 17.13, "lower", "exceeded"),  # -53 %: past the better end
        ("-40%..-25%", 12.0, None, "lower", "pending"),  # relative, no baseline yet
        ("-40%..-25%", None, 17.13, "lower", "pending"),
        ("10..20", 25, None, "higher", "exceeded"),
        ("10..20", 5, None, "higher", "missed"),
        ("10..20", 25, None, None, "missed"),  # no better side: outside is missed
        ("== 2.0.0", "2.0.0", "1.0.0", None, "met"),
        ("== 2.0.0", "1.0.0", "1.0.0", None, "missed"),
        ("== 3", 3, None, None, "met"),
        # the edges: '>' is strict, a range holds both its ends
        ("> 5", 5, None, "higher", "missed"),
        ("> 5", 5.01, None, "higher", "met"),
        ("10..20", 10, None, "higher", "met"),
        ("10..20", 20, None, "higher", "met"),
        # a text value never satisfies a numeric target
        ("< 20", "n/a", None, "lower", "missed"),
        # a change from a zero baseline is undefined: pending, not met or missed
        (">= +10%", 5, 0, "higher", "pending"),
        # a negative baseline: the change is measured against its size (-10 -> -5 is +50%)
        (">= +40%", -5, -10, "higher", "met"),
        (">= +60%", -5, -10, "higher", "missed"),
    ],
)
def test_judge(target, value, baseline, better, state):
    assert judge(parse_target(target), value, baseline, better) == state


numbers = st.decimals(min_value=-10000, max_value=10000, places=2, allow_nan=False, allow_infinity=False).map(
    lambda d: format(d, "f")
)


def signed(n: str) -> str:
    """A relative change carries its sign: ``+5%``, ``-5%``."""
    return n if n.startswith(("-", "+")) else "+" + n


bound = st.one_of(
    numbers,
    numbers.map(lambda n: signed(n) + "%"),
    numbers.map(lambda n: n.lstrip("-") + "%"),  # unsigned: a percent metric's own value
    st.tuples(numbers, st.integers(1, 999)).map(lambda t: f"{t[0]}/{t[1]}"),
)


@given(st.sampled_from(["<", "<=", ">", ">=", "=="]), bound)
def test_comparison_round_trips(op, b):
    t = parse_target(f"{op} {b}")
    assert parse_target(str(t)) == t


@given(numbers, numbers, st.booleans())
def test_range_round_trips(a, b, pct):
    lo, hi = sorted([a, b], key=float)
    if pct:
        lo, hi = signed(lo) + "%", signed(hi) + "%"
    t = parse_target(f"{lo}..{hi}")
    assert parse_target(str(t)) == t


@given(st.text(max_size=40))
def test_arbitrary_text_parses_or_raises_our_error(text):
    try:
        parse_target(text)
    except TargetSyntaxError:
        pass


@pytest.mark.parametrize(
    ("text", "unit", "change", "value"),
    [
        ("5..10%", "count", "5..+10%", "5..10"),  # only the part with '%' is rewritten
        ("+5%..10%", "count", "+5%..+10%", "+5%..10"),  # a signed part is a change already
        ("-5%..10%", "ratio", "-5%..+10%", "-5%..0.1"),
    ],
)
def test_an_ambiguous_range_is_spelled_both_ways_part_by_part(text, unit, change, value):
    with pytest.raises(TargetSyntaxError) as info:
        parse_target(text, unit)
    assert str(info.value) == (
        f"'{text}' is ambiguous on a {unit} metric: write '{change}' for a change from the baseline, "
        f"or '{value}' for the value itself"
    )


@pytest.mark.parametrize(
    ("text", "canonical"),
    [("> +5", "> 5"), ("+2..+4", "2..4"), (">= +3/+4", ">= 3/4"), ("<  5 ", "< 5"), ("> -5", "> -5")],
)
def test_a_plus_sign_on_a_value_is_dropped_from_the_canonical_text(text, canonical):
    assert str(parse_target(text, "count")) == canonical
