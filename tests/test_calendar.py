"""The workdays calendar: holidays and working hours, against hand sums and a day-by-day walk."""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from phasedocs.charts.specs import gantt_spec
from phasedocs.commands.freeze import plan_version
from phasedocs.dates import Calendar, r6
from phasedocs.facts import compute
from phasedocs.input.project import load_project
from phasedocs.render.renderer import Renderer
from support import facts_of, phase_yaml, project_yaml, task

UTC_ZONE = ZoneInfo("UTC")
NINE_TO_FIVE = Calendar(UTC_ZONE, True, frozenset(), timedelta(hours=9), timedelta(hours=8))
MONDAY_9 = datetime(2025, 1, 6, 9, tzinfo=UTC)


def test_half_a_working_day_ends_at_one_oclock():
    assert NINE_TO_FIVE.add(MONDAY_9, 0.5) == datetime(2025, 1, 6, 13, tzinfo=UTC)
    # a 24-hour day makes the same half day end at 21:00
    assert Calendar(UTC_ZONE, True).add(MONDAY_9, 0.5) == datetime(2025, 1, 6, 21, tzinfo=UTC)


def test_a_whole_day_ends_at_the_close_and_the_next_begins_at_the_open():
    assert NINE_TO_FIVE.add(MONDAY_9, 1) == datetime(2025, 1, 6, 17, tzinfo=UTC)
    assert NINE_TO_FIVE.add(MONDAY_9, 1.5) == datetime(2025, 1, 7, 13, tzinfo=UTC)
    # Friday afternoon's half day carries over the weekend into Monday morning
    friday_1pm = datetime(2025, 1, 10, 13, tzinfo=UTC)
    assert NINE_TO_FIVE.add(friday_1pm, 1) == datetime(2025, 1, 13, 13, tzinfo=UTC)
    # a start outside the hours begins at the next opening
    assert NINE_TO_FIVE.add(datetime(2025, 1, 6, 20, tzinfo=UTC), 0.25) == datetime(2025, 1, 7, 11, tzinfo=UTC)
    assert NINE_TO_FIVE.elapsed(MONDAY_9, datetime(2025, 1, 7, 13, tzinfo=UTC)) == 1.5
    # the night and the weekend hold no work
    assert NINE_TO_FIVE.elapsed(datetime(2025, 1, 10, 17, tzinfo=UTC), datetime(2025, 1, 13, 9, tzinfo=UTC)) == 0


def test_a_day_boundary_is_the_next_opening_as_a_start_and_the_close_as_a_finish():
    # day 2 is worked on Tuesday: it starts Tuesday 09:00, never Monday 17:00
    assert NINE_TO_FIVE.start_at(MONDAY_9, 1) == datetime(2025, 1, 7, 9, tzinfo=UTC)
    assert NINE_TO_FIVE.finish_at(MONDAY_9, 1) == datetime(2025, 1, 6, 17, tzinfo=UTC)
    # Friday's close starts the next piece of work on Monday; within a day both are the same instant
    assert NINE_TO_FIVE.start_at(MONDAY_9, 5) == datetime(2025, 1, 13, 9, tzinfo=UTC)
    assert NINE_TO_FIVE.start_at(MONDAY_9, 0.5) == NINE_TO_FIVE.finish_at(MONDAY_9, 0.5)


def test_hours_follow_the_local_wall_clock_across_a_dst_change():
    berlin = ZoneInfo("Europe/Berlin")
    cal = Calendar(berlin, True, frozenset(), timedelta(hours=9), timedelta(hours=8))
    friday = datetime(2025, 3, 28, 9, tzinfo=berlin)  # clocks go forward on Sunday the 30th
    assert cal.add(friday, 1.5) == datetime(2025, 3, 31, 13, tzinfo=berlin)
    assert cal.add(friday, 1.5).utcoffset() == timedelta(hours=2)


def test_holidays_are_skipped_like_a_weekend():
    christmas = Calendar(UTC_ZONE, True, frozenset({date(2025, 12, 25)}), timedelta(hours=9), timedelta(hours=8))
    wednesday = datetime(2025, 12, 24, 9, tzinfo=UTC)
    # Wednesday is one day; Thursday the 25th is a holiday; Friday is the second
    assert christmas.add(wednesday, 2) == datetime(2025, 12, 26, 17, tzinfo=UTC)
    assert NINE_TO_FIVE.add(wednesday, 2) == datetime(2025, 12, 25, 17, tzinfo=UTC)
    assert christmas.elapsed(wednesday, datetime(2025, 12, 26, 17, tzinfo=UTC)) == 2


def test_holidays_inside_skipped_weeks_still_count():
    holidays = frozenset({date(2025, 2, 3), date(2025, 2, 4), date(2025, 3, 1)})  # Mon, Tue, a Saturday
    cal = Calendar(UTC_ZONE, True, holidays)
    # 30 working days from Monday 6 Jan: six weeks, plus the two weekday holidays
    assert cal.add(datetime(2025, 1, 6, tzinfo=UTC), 30) == datetime(2025, 2, 19, tzinfo=UTC)
    assert cal.elapsed(datetime(2025, 1, 6, tzinfo=UTC), datetime(2025, 2, 19, tzinfo=UTC)) == 30


def _walk_elapsed(cal: Calendar, start: datetime, end: datetime) -> float:
    """An independent oracle: every day from start to end, its window intersected (no week skipping)."""
    a = start.astimezone(cal.tz).replace(tzinfo=None)
    b = end.astimezone(cal.tz).replace(tzinfo=None)
    total = timedelta(0)
    day = a.date()
    while day <= b.date():
        if day.weekday() < 5 and day not in cal.holidays:
            open_ = datetime(day.year, day.month, day.day) + cal.day_start
            lo, hi = max(a, open_), min(b, open_ + cal.day_length)
            total += max(timedelta(0), hi - lo)
        day += timedelta(days=1)
    return total / cal.day_length


@given(
    offset_minutes=st.integers(0, 14 * 24 * 60),
    quarter_days=st.integers(0, 400),
    holiday_days=st.sets(st.integers(0, 120), max_size=20),
    hours=st.sampled_from([None, (9, 8), (0, 24), (22, 2), (6, 12)]),
)
def test_add_and_elapsed_agree_with_a_day_by_day_walk(offset_minutes, quarter_days, holiday_days, hours):
    holidays = frozenset(date(2025, 1, 1) + timedelta(days=d) for d in holiday_days)
    window = {} if hours is None else {"day_start": timedelta(hours=hours[0]), "day_length": timedelta(hours=hours[1])}
    cal = Calendar(UTC_ZONE, True, holidays, **window)
    start = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(minutes=offset_minutes)
    days = quarter_days / 4
    end = cal.add(start, days)
    assert end >= start
    assert abs(_walk_elapsed(cal, start, end) - days) < 1e-6
    assert abs(cal.elapsed(start, end) - days) < 1e-6
    assert abs(cal.elapsed(end, start) + days) < 1e-6


def test_holidays_shift_a_phase_finish(project):
    tasks = [task("1", 1), task("2", 1.5, ("1",))]
    plain = project_yaml(calendar="workdays", workday={"start": "09:00", "hours": 8})
    with_holiday = plain + "holidays: [2025-01-07]\n"
    start = "2025-01-06T09:00:00Z"  # Monday
    _, fm = facts_of(
        project, {"phases/project.yaml": plain, "phases/phase-01/phase.yaml": phase_yaml(tasks, start=start)}
    )
    # Monday 09:00-17:00 is task 1; task 2 takes Tuesday and half of Wednesday
    assert fm[1]["schedule"]["finish"] == "2025-01-08T13:00:00Z"
    _, fm = facts_of(
        project, {"phases/project.yaml": with_holiday, "phases/phase-01/phase.yaml": phase_yaml(tasks, start=start)}
    )
    assert fm[1]["schedule"]["finish"] == "2025-01-09T13:00:00Z"  # Tuesday is a holiday
    # task 2 starts when it is worked: Wednesday 09:00, not Monday's close (the evening before a holiday)
    assert [t["planned_start"] for t in fm[1]["tasks"]] == ["2025-01-06T09:00:00Z", "2025-01-08T09:00:00Z"]
    assert [t["planned_finish"] for t in fm[1]["tasks"]] == ["2025-01-06T17:00:00Z", "2025-01-09T13:00:00Z"]


def test_a_workday_may_start_at_h_mm(project):
    workdays = project_yaml(calendar="workdays", workday={"start": "9:30", "hours": 7})
    tasks = [task("1", 0.5)]
    _, fm = facts_of(project, {"phases/project.yaml": workdays, "phases/phase-01/phase.yaml": phase_yaml(tasks)})
    # Monday 09:00 is before the 09:30 opening: half of a 7-hour day ends at 13:00
    assert fm[1]["schedule"]["finish"] == "2025-01-06T13:00:00Z"


def test_holidays_count_on_whole_workdays_too(project):
    # workdays without working hours: whole days from midnight, Tuesday a holiday
    days = project_yaml(calendar="workdays") + "holidays: [2025-01-07]\n"
    tasks = [task("1", 2)]
    _, fm = facts_of(project, {"phases/project.yaml": days, "phases/phase-01/phase.yaml": phase_yaml(tasks)})
    # Monday 09:00 plus two working days, Tuesday skipped: Thursday 09:00
    assert fm[1]["schedule"]["finish"] == "2025-01-09T09:00:00Z"


# --------------------------------------------------------------------------- every printed date, walked
def _walk(
    start: datetime, tz: ZoneInfo, opens: int, hours: int, holidays: frozenset[date], minutes: int
) -> list[datetime]:
    """The first ``minutes`` working minutes from ``start``, each as the local wall-clock instant it
    begins: a walk day by day and minute by minute, sharing no code with phasedocs."""
    local = start.astimezone(tz).replace(tzinfo=None)
    out: list[datetime] = []
    day = local.date()
    while len(out) < minutes:
        if day.weekday() < 5 and day not in holidays:
            first = datetime(day.year, day.month, day.day, opens)
            out.extend(m for m in (first + timedelta(minutes=i) for i in range(hours * 60)) if m >= local)
        day += timedelta(days=1)
    return out[:minutes]


@st.composite
def _plans(draw: st.DrawFn) -> dict:
    # calendar: continuous (every hour counts), workdays with working hours, or workdays in whole
    # days from midnight, where a finish at the end of a day falls on the next midnight and must
    # still be written as that day's (24:00)
    kind = draw(st.sampled_from(["continuous", "hours", "whole days"]))
    continuous, whole_days = kind == "continuous", kind == "whole days"
    opens = 0 if continuous or whole_days else draw(st.integers(6, 10))
    hours = 24 if continuous or whole_days else draw(st.integers(4, 10))
    n = draw(st.integers(1, 6))
    tasks = []
    for i in range(n):
        # each task's duration as written, and its working minutes: days (duration_days), hours,
        # minutes or working days with a unit
        unit = draw(st.sampled_from(["days", "h", "m", "d"]))
        if unit == "h":
            amount = draw(st.integers(1, 20))
            written, minutes = ("duration", f"{amount}h"), amount * 60
        elif unit == "m":
            amount = draw(st.integers(1, 16)) * 30
            written, minutes = ("duration", f"{amount}m"), amount
        else:
            quarters = draw(st.integers(1, 12))  # 0.25 to 3 days
            days = quarters / 4
            written = ("duration", f"{days:g}d") if unit == "d" else ("duration_days", days)
            minutes = quarters * hours * 15
        deps = draw(st.lists(st.sampled_from(range(i)), unique=True, max_size=2)) if i else []
        tasks.append((f"1.{i + 1}", written, minutes, tuple(f"1.{d + 1}" for d in deps)))
    zone = draw(st.sampled_from(["UTC", "America/New_York"]))
    first = draw(st.dates(date(2025, 1, 1), date(2026, 12, 1)))
    hour = draw(st.integers(3, 23))  # a start by night or at the weekend begins at the next opening
    holidays = (
        frozenset()
        if continuous
        else draw(st.frozensets(st.integers(0, 40).map(lambda k: first + timedelta(days=k)), max_size=6))
    )
    return {
        "tasks": tasks,
        "zone": zone,
        "start": datetime(first.year, first.month, first.day, hour, tzinfo=ZoneInfo(zone)),
        "opens": opens,
        "hours": hours,
        "holidays": holidays,
        "continuous": continuous,
        "whole_days": whole_days,
    }


def _walk_continuous(start: datetime, tz: ZoneInfo, minutes: int) -> list[datetime]:
    """Every minute counts: the first ``minutes`` minutes from ``start``, as local wall-clock instants."""
    # in UTC: an aware datetime plus a timedelta moves its wall clock, and a day across a DST
    # change is 23 or 25 hours of it; every hour counts means real hours
    utc = start.astimezone(UTC)
    return [(utc + timedelta(minutes=i)).astimezone(tz).replace(tzinfo=None) for i in range(minutes)]


_RENDERER = Renderer()  # one for every example: its templates compile once


@pytest.mark.scale
@settings(max_examples=40, deadline=None)
@given(_plans())
def test_every_planned_date_is_the_date_the_calendar_walk_gives(tmp_path_factory, plan):
    """Task files, the schedule table of the dashboard and the handoff, the Gantt axis and plan.json
    against a minute-by-minute walk of the working calendar: durations in days, hours, minutes and
    working days, on the workdays calendar with working hours and on the continuous one."""
    tz = ZoneInfo(plan["zone"])
    holidays = ", ".join(sorted(d.isoformat() for d in plan["holidays"]))
    if plan["continuous"]:
        catalogue = project_yaml(calendar="continuous", timezone=plan["zone"])
    else:
        catalogue = (
            project_yaml(calendar="workdays", timezone=plan["zone"])
            + ("" if plan["whole_days"] else f'workday: {{start: "{plan["opens"]:02d}:00", hours: {plan["hours"]}}}\n')
            + f"holidays: [{holidays}]\n"
        )
    body = [
        task(tid, None, deps, duration=value) if key == "duration" else task(tid, value, deps)
        for tid, (key, value), _, deps in plan["tasks"]
    ]
    root = tmp_path_factory.mktemp("walk")
    for rel, text in {
        "phases/project.yaml": catalogue,
        "phases/phase-01/phase.yaml": phase_yaml(body, start=plan["start"].isoformat()),
    }.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    loaded = load_project(root)
    facts = compute(loaded)
    p = facts.phases[0]
    docs = _RENDERER.phase_documents(facts, p)
    frozen = plan_version(loaded.config, loaded.phases[0], plan["start"], None)["tasks"]

    # the schedule in working minutes, by the critical path method (earliest start: the latest dependency's finish)
    es: dict[str, int] = {}
    ef: dict[str, int] = {}
    for tid, _, minutes, deps in plan["tasks"]:
        es[tid] = max((ef[d] for d in deps), default=0)
        ef[tid] = es[tid] + minutes
    total = max(ef.values())
    if plan["continuous"]:
        walk = _walk_continuous(plan["start"], tz, total)
    else:
        walk = _walk(plan["start"], tz, plan["opens"], plan["hours"], plan["holidays"], total)

    def begins(minute: int) -> datetime:  # the working minute that starts the work
        return walk[minute].replace(tzinfo=tz)

    def ends(minute: int) -> datetime:  # the end of the last working minute of the work
        return (walk[minute - 1] + timedelta(minutes=1)).replace(tzinfo=tz)

    when = lambda dt: dt.strftime("%Y-%m-%d %H:%M %Z")  # noqa: E731
    # a phase written in hours or minutes (and short) speaks in hours: "hour 4.5", else "day 0.25"
    written_in_hours = any(k == "duration" and v.endswith(("h", "m")) for _, (k, v), _, _ in plan["tasks"])
    in_hours = written_in_hours and total <= 5 * plan["hours"] * 60
    assert p.span.hours == in_hours
    event(f"continuous={plan['continuous']}, whole days={plan['whole_days']}, in hours={in_hours}")

    def done(dt: datetime) -> str:  # a finish at midnight closes the day before: its date at 24:00
        if dt.hour == 0 and dt.minute == 0:
            return f"{dt - timedelta(days=1):%Y-%m-%d} 24:00 {dt:%Z}"
        return when(dt)

    for tf in p.tasks:
        tid = tf.id
        start, finish = begins(es[tid]), ends(ef[tid])
        text = docs[f"phase-01/{tf.task.filename}"]
        row = re.search(r"^\| (day|hour) (\S+) \(([^)]*)\) \| (?:day|hour) (\S+) \(([^)]*)\) \|", text, re.M)
        assert row is not None and (row.group(3), row.group(5)) == (when(start), done(finish)), (
            tid,
            row and row.groups(),
        )
        assert row.group(1) == ("hour" if in_hours else "day")
        if in_hours:  # the hour offsets are the working hours from the start
            assert (float(row.group(2).replace(",", "")), float(row.group(4).replace(",", ""))) == (
                round(es[tid] / 60, 2),
                round(ef[tid] / 60, 2),
            ), tid
        for name in ("COORDINATION-DASHBOARD.md", "COORDINATOR-HANDOFF.md"):  # the one schedule table
            cell = re.search(
                rf"^\| \[{re.escape(tid)} [^|]*\]\([^)]*\)[^|]*\| [^|]* \| ([^|]*?) → ([^|]*?), ",
                docs[f"phase-01/{name}"],
                re.M,
            )
            assert cell is not None and cell.groups() == (when(start), done(finish)), (name, tid)
        assert datetime.fromisoformat(frozen[tid]["start"]) == start, tid
        assert datetime.fromisoformat(frozen[tid]["finish"]) == finish, tid
    # the phase starts at its first working time, though phase.yaml may name a night or a weekend
    assert f"| Planned start | {when(begins(0))} |" in docs["phase-01/COORDINATION-SUMMARY.md"]
    per_day = plan["hours"] * 60
    days = math.ceil(total / per_day)
    spec = gantt_spec(p, facts)
    assert spec.day_labels[:days] == tuple(begins((k - 1) * per_day).strftime("%a %d %b") for k in range(1, days + 1))
    if in_hours:  # an axis of hours: each hour of work at its clock time
        hours = total // 60
        assert spec.hour_labels[:hours] == tuple(f"hour {k}\n{begins(k * 60):%a %H:%M}" for k in range(hours))


def test_work_that_fills_a_day_to_its_close_ends_there_though_its_offset_is_rounded():
    # 7 h then a quarter day from Wednesday 11:00 fill Wednesday to midnight; the offset, rounded
    # to six places (0.541667), is a few hundredths of a second past it. Thursday is a holiday:
    # spilling over would put the finish at Friday 00:00, the end of a day nobody works.
    cal = Calendar(UTC_ZONE, True, frozenset([date(2025, 1, 2)]))
    assert cal.finish_at(datetime(2025, 1, 1, 11, tzinfo=UTC), r6(7 / 24 + 0.25)) == datetime(2025, 1, 2, tzinfo=UTC)


@pytest.mark.parametrize(
    ("settings", "words"),
    [
        ({}, "calendar days, weekends included"),
        ({"calendar": "continuous"}, "every hour, round the clock, weekends included"),
        ({"calendar": "workdays"}, "working days, Monday to Friday"),
        ({"calendar": "workdays", "holidays": ["2026-11-26"]}, "working days, Monday to Friday, holidays off"),
        (
            {"calendar": "workdays", "timezone": "America/Chicago", "workday": {"start": "08:30", "hours": 7.5}},
            "working time only, 08:30 to 16:00 (America/Chicago) Monday to Friday",
        ),
        (
            {"calendar": "workdays", "workday": {"start": "00:00", "hours": 24}},
            "working time only, 00:00 to 24:00 (UTC) Monday to Friday",
        ),
    ],
)
def test_the_documents_say_what_time_their_durations_and_lateness_count(settings, words):
    # "overdue by 2 h" on working hours is 2 hours of work: the handoff and dashboard say so
    from phasedocs.input.models import ProjectConfig
    from phasedocs.input.records import parse
    from phasedocs.render.filters import time_basis

    assert time_basis(parse(ProjectConfig, {"name": "P", **settings})) == words
