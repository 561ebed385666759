"""input/models.py checked directly: the rules of single fields, at their edges."""

from __future__ import annotations

import pytest
from pydantic_core import ValidationError

from phasedocs.input.models import Extract, Metric, Regress, Task, Workday
from phasedocs.input.records import parse


def fault(cls: type, data: dict) -> str:
    """The one message a model gives for ``data``."""
    with pytest.raises(ValidationError) as info:
        parse(cls, data)
    (error,) = info.value.errors()
    return str(error["ctx"]["error"]) if "ctx" in error and "error" in error["ctx"] else error["msg"]


def test_an_id_of_allowed_characters_passes_and_one_other_is_named():
    assert parse(Task, {"id": "7.1-a_b", "title": "T", "role": "r", "slug": "s", "duration_days": 1}).id == "7.1-a_b"
    assert fault(Task, {"id": "7 1", "title": "T", "role": "r", "slug": "s", "duration_days": 1}) == (
        "task id '7 1' may hold only letters, digits, '.', '_' and '-'"
    )


@pytest.mark.parametrize("path", ["/etc/x.xml", "C:/r.xml", "c:\\r.xml", "~/r.xml", "\\\\server\\r.xml"])
def test_a_report_path_that_is_absolute_is_refused(path):
    assert fault(Extract, {"count": path}) == (
        f"'{path}' is absolute; give a path relative to the project, such as 'reports/junit.xml'"
    )


@pytest.mark.parametrize("path", ["a\\..\\b.xml", "../b.xml", "a/../../b"])
def test_a_report_path_that_climbs_out_is_refused(path):
    assert fault(Extract, {"count": path}) == f"'{path}' leaves the project ('..'); reports must lie inside it"


@pytest.mark.parametrize("path", ["reports/a~1.xml", "r/C:x.xml", "a..b/x.xml", "r\\x.xml"])
def test_report_paths_inside_the_project_pass(path):
    assert parse(Extract, {"count": path}).path == path


def test_an_extract_names_the_extractors_given():
    assert (
        fault(Extract, {}) == "give exactly one extractor of junit, cobertura, json, count, grep, jsonl (given: none)"
    )
    assert fault(Extract, {"json": "a.json", "count": "b"}) == (
        "give exactly one extractor of junit, cobertura, json, count, grep, jsonl (given: json and count)"
    )
    assert fault(Extract, {"count": "b", "pointer": "/a"}) == "pointer goes with json, not count"


@pytest.mark.parametrize("by", [True, False])
def test_regress_by_a_boolean_is_not_an_amount(by):
    with pytest.raises(ValidationError):
        parse(Regress, {"by": by})


def test_regress_by_a_number_is_an_amount():
    assert parse(Regress, {"by": 5}).by == "5"
    assert parse(Regress, {"by": 2.5}).amount == 2.5


@pytest.mark.parametrize(
    ("start", "hours", "fits"),
    [
        ("16:00", 8, True),  # ends at midnight exactly
        ("16:01", 8, False),
        ("20:30", 3.5, True),
        ("20:31", 3.5, False),
        ("00:00", 24, True),
        ("23:59", 0.0166, True),  # 23:59 + 0.996 minutes
        ("01:00", 23.01, False),
    ],
)
def test_a_working_day_ends_by_midnight(start, hours, fits):
    data = {"start": start, "hours": hours}
    if fits:
        assert parse(Workday, data).hours == hours
    else:
        assert fault(Workday, data) == (
            f"a working day from {start} for {hours:g} hours runs past midnight; start earlier or work fewer hours"
        )


def test_a_metric_reading_a_count_needs_the_count_unit():
    assert fault(Metric, {"label": "T", "unit": "seconds", "extract": {"count": "x/*"}}) == (
        "count gives a count, but the unit is seconds; set unit: count"
    )


@pytest.mark.parametrize(
    ("colour", "fits"), [("SteelBlue", True), ("tab:blue", True), ("#A1b2C3", True), ("bluish", False)]
)
def test_chart_colours_are_names_in_any_case_or_hex(colour, fits):
    from phasedocs.input.site_config import ChartColors

    if fits:
        assert parse(ChartColors, {"task": colour}).task == colour
    else:
        assert fault(ChartColors, {"task": colour}) == (
            "'bluish' is not a colour; write '#rrggbb' or a name such as 'steelblue' or 'tab:blue'"
        )


def test_a_mkdocs_yml_linked_from_outside_is_not_compared(tmp_path):
    from phasedocs.input.site_config import check_site_config

    root, outside = tmp_path / "p", tmp_path / "elsewhere.yml"
    (root / "site_config").mkdir(parents=True)
    (root / "site_config" / "site.yaml").write_text("site_name: Ours\n", encoding="utf-8")
    outside.write_text("site_name: Theirs\n", encoding="utf-8")
    (root / "mkdocs.yml").symlink_to(outside)
    assert check_site_config(root)[1] == []
    (root / "mkdocs.yml").unlink()
    (root / "mkdocs.yml").write_text("site_name: Theirs\n", encoding="utf-8")
    (error,) = check_site_config(root)[1]
    assert error.problem.startswith("is 'Ours' here but 'Theirs' in mkdocs.yml")


def test_mkdocs_yml_is_written_in_its_own_order_and_letters():
    from phasedocs.input import mkdocs_yml

    assert mkdocs_yml.dump({"site_name": "Größe", "nav": [], "theme": {"name": "material"}}) == (
        "site_name: Größe\nnav: []\ntheme:\n  name: material\n"
    )


def test_calendar_settings_name_the_one_given():
    from phasedocs.input.models import ProjectConfig

    base = {"name": "P", "calendar": "calendar", "timezone": "UTC", "metrics": {}}
    assert fault(ProjectConfig, {**base, "workday": {"start": "09:00", "hours": 8}}) == (
        "workday apply to the workdays calendar only; set calendar: workdays, or remove workday"
    )
    assert fault(ProjectConfig, {**base, "holidays": ["2025-12-25"]}).startswith("holidays apply to")


def test_a_measured_criterion_names_what_it_lacks():
    from phasedocs.input.models import Criterion

    assert fault(Criterion, {"text": "T", "target": "< 5"}) == (
        "a measured criterion needs both metric and target; add metric"
    )
    assert fault(Criterion, {"text": "T", "metric": "m"}) == (
        "a measured criterion needs both metric and target; add target"
    )


def test_a_junit_count_needs_the_count_unit():
    assert fault(Metric, {"label": "T", "unit": "percent", "extract": {"junit": "r.xml", "value": "tests"}}) == (
        "junit gives a count, but the unit is percent; set unit: count"
    )


def test_a_text_metric_cannot_regress():
    data = {"label": "V", "unit": "text", "better": "higher", "regress": {"by": 1}}
    assert fault(Metric, data) == "a text metric cannot regress; remove regress"


def test_a_report_path_has_a_length_limit():
    with pytest.raises(ValidationError):
        parse(Extract, {"count": "a" * 501})
    assert parse(Extract, {"count": "a" * 500}).path == "a" * 500
