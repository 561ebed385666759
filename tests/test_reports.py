"""input/reports.py and input/extractors.py read directly: each extractor's arithmetic, limits and messages, on small reports."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from phasedocs.input import extractors, reports
from phasedocs.input.models import JUNIT_VALUES, Metric
from phasedocs.input.records import parse
from phasedocs.input.reports import MissingReport, ReportError, junit_counts, pointer_get, read

NS = "urn:example:junit"


def metric(unit: str, **extract: str) -> Metric:
    """A catalogue entry reading from ``extract``."""
    return parse(Metric, {"label": "M", "unit": unit, "extract": extract})


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write ``files`` (relative path -> text or bytes) under ``root``."""
    for name, body in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(body, bytes):
            path.write_bytes(body)
        else:
            path.write_text(body, encoding="utf-8")
    return root


def refusal(root: Path, m: Metric, kind: type[ReportError] = ReportError) -> str:
    """The message ``read`` refuses ``m`` with (it must refuse it, with a ``kind``)."""
    with pytest.raises(kind) as info:
        read(root, m)
    return str(info.value)


def case(name: str, outcome: str = "") -> str:
    """One JUnit testcase, with a child element for ``outcome`` (error, failure, skipped)."""
    child = f"<{outcome}/>" if outcome else ""
    return f'<testcase name="{name}">{child}</testcase>'


# -- JUnit ---------------------------------------------------------------------------------


def test_junit_counts_each_outcome_from_the_cases_not_the_suite_totals(tmp_path):
    # the suite gives no totals: cases are what is counted
    outcomes = ["", "", "error", "error", "failure", "failure", "skipped", "skipped", "skipped"]
    body = "".join(case(f"t{i}", outcome) for i, outcome in enumerate(outcomes))
    write(tmp_path, {"r.xml": f"<testsuite>{body}</testsuite>"})
    got = {v: read(tmp_path, metric("count", junit="r.xml", value=v)).value for v in JUNIT_VALUES[1:]}
    assert got == {"tests": 9, "passed": 2, "failures": 2, "errors": 2, "skipped": 3}


def test_junit_tags_in_a_namespace_are_counted(tmp_path):
    body = f'<j:testsuites xmlns:j="{NS}"><j:testsuite><j:testcase/><j:testcase><j:failure/></j:testcase></j:testsuite></j:testsuites>'
    write(tmp_path, {"r.xml": body})
    assert read(tmp_path, metric("count", junit="r.xml", value="failures")).value == 1
    assert read(tmp_path, metric("count", junit="r.xml", value="tests")).value == 2


def test_junit_pass_rate_as_a_ratio_and_as_a_percent(tmp_path):
    write(
        tmp_path,
        {"r.xml": f"<testsuite>{case('a')}{case('b')}{case('c', 'failure')}{case('d', 'skipped')}</testsuite>"},
    )
    assert read(tmp_path, metric("ratio", junit="r.xml", value="pass_rate")) == reports.Reading("2/3", ("r.xml",))
    assert read(tmp_path, metric("percent", junit="r.xml", value="pass_rate")).value == 66.6667


def test_junit_pass_rate_of_one_test_that_ran(tmp_path):
    write(tmp_path, {"r.xml": f"<testsuite>{case('a')}{case('b', 'skipped')}</testsuite>"})
    assert read(tmp_path, metric("ratio", junit="r.xml", value="pass_rate")).value == "1/1"


def test_junit_pass_rate_when_every_test_was_skipped(tmp_path):
    write(tmp_path, {"r.xml": f"<testsuite>{case('a', 'skipped')}</testsuite>"})
    assert (
        refusal(tmp_path, metric("ratio", junit="r.xml", value="pass_rate"))
        == "r.xml: no test ran, so there is no pass rate"
    )


def test_junit_root_must_be_a_test_suite(tmp_path):
    write(tmp_path, {"r.xml": "<html><body/></html>"})
    assert (
        refusal(tmp_path, metric("count", junit="r.xml", value="tests"))
        == "r.xml: not a JUnit report (its root is <html>)"
    )


def test_junit_files_of_a_glob_are_summed_in_order(tmp_path):
    write(
        tmp_path,
        {
            "a/1.xml": f"<testsuite>{case('a')}</testsuite>",
            "a/2.xml": f"<testsuites><testsuite>{case('b', 'error')}</testsuite></testsuites>",
        },
    )
    reading = read(tmp_path, metric("count", junit="a/*.xml", value="tests"))
    assert reading == reports.Reading(2, ("a/1.xml", "a/2.xml"))


def test_junit_suite_totals_without_cases_count_the_innermost_suites(tmp_path):
    body = '<testsuites tests="50"><testsuite tests="7" failures="1" errors="2" disabled="1"/><testsuite tests="3" skipped="1"/></testsuites>'
    write(tmp_path, {"r.xml": body})
    got = {v: read(tmp_path, metric("count", junit="r.xml", value=v)).value for v in JUNIT_VALUES[1:]}
    assert got == {"tests": 10, "passed": 5, "failures": 1, "errors": 2, "skipped": 2}
    # a suite holding suites: its totals repeat theirs, so only the inner ones count
    nested = '<testsuite tests="10" failures="1"><testsuite tests="7" failures="1"/><testsuite tests="3"/></testsuite>'
    write(tmp_path, {"r.xml": nested})
    assert read(tmp_path, metric("count", junit="r.xml", value="tests")).value == 10


def test_junit_glob_that_matches_nothing_is_missing(tmp_path):
    assert (
        refusal(tmp_path, metric("count", junit="out/*.xml", value="tests"), MissingReport)
        == "out/*.xml: no file matches (has the test run written its JUnit report there?)"
    )


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_a_glob_match_linked_out_of_the_project_is_refused(tmp_path):
    root = write(tmp_path / "p", {"r/1.xml": "<testsuite/>"})
    outside = write(tmp_path / "elsewhere", {"x.xml": "<testsuite/>"})
    (root / "r" / "2.xml").symlink_to(outside / "x.xml")
    assert refusal(root, metric("count", junit="r/*.xml", value="tests")).startswith("r/2.xml: ")


def test_a_glob_may_match_as_many_files_as_the_limit_and_no_more(tmp_path, monkeypatch):
    monkeypatch.setattr(extractors, "MAX_MATCHES", 2)
    write(tmp_path, {"s/a.py": "", "s/b.py": ""})
    assert read(tmp_path, metric("count", count="s/*.py")).value == 2
    write(tmp_path, {"s/c.py": ""})
    assert refusal(tmp_path, metric("count", count="s/*.py")) == "s/*.py matches more than 2 files; narrow the pattern"


@pytest.mark.parametrize(
    ("extract", "name"),
    [
        ({"junit": "big/*.xml", "value": "tests"}, "big/r.xml"),
        ({"cobertura": "big/r.xml", "value": "line_rate"}, "big/r.xml"),
        ({"json": "big/r.json", "pointer": "/a"}, "big/r.json"),
        ({"grep": "big/r.txt", "pattern": "x"}, "big/r.txt"),
    ],
)
def test_a_report_may_be_as_large_as_the_cap_and_no_larger(tmp_path, monkeypatch, extract, name):
    unit = "ratio" if "cobertura" in extract else "count"
    small = {"big/r.xml": "<testsuite/>", "big/r.json": '{"a": 1}', "big/r.txt": "x\n"}[name]
    write(tmp_path, {name: small})
    if "cobertura" in extract:
        write(tmp_path, {name: '<coverage line-rate="1"/>'})
    size = (tmp_path / name).stat().st_size
    monkeypatch.setattr(extractors, "MAX_REPORT_BYTES", size)
    read(tmp_path, metric(unit, **extract))
    monkeypatch.setattr(extractors, "MAX_REPORT_BYTES", size - 1)
    assert (
        refusal(tmp_path, metric(unit, **extract))
        == f"{name}: {size:,} bytes, more than the {size - 1:,} a report may hold"
    )


def test_xml_that_is_not_well_formed_names_its_file(tmp_path):
    write(tmp_path, {"c/cov.xml": "<coverage"})
    assert refusal(tmp_path, metric("ratio", cobertura="c/cov.xml", value="line_rate")).startswith(
        "c/cov.xml: not well-formed XML ("
    )


def test_an_external_doctype_is_accepted_and_an_entity_refused(tmp_path):
    doctype = (
        '<?xml version="1.0"?>\n<!DOCTYPE coverage SYSTEM "http://cobertura.sourceforge.net/xml/coverage-04.dtd">\n'
    )
    write(tmp_path, {"a.xml": doctype + '<coverage line-rate="0.5"/>'})
    assert read(tmp_path, metric("ratio", cobertura="a.xml", value="line_rate")).value == 0.5
    write(tmp_path, {"b.xml": '<!DOCTYPE c [<!ENTITY e "x">]><coverage line-rate="0.5"/>'})
    with pytest.raises(ReportError, match=r"^b\.xml: refused, it declares entities"):
        read(tmp_path, metric("ratio", cobertura="b.xml", value="line_rate"))


# -- Cobertura -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "unit", "value"),
    [
        ("1", "ratio", 1.0),
        ("0", "percent", 0.0),
        ("0.123456789", "percent", 12.3457),
        ("0.12345678", "ratio", 0.123457),
    ],
)
def test_cobertura_rates_are_rounded_for_their_unit(tmp_path, rate, unit, value):
    write(tmp_path, {"cov.xml": f'<coverage line-rate="{rate}" branch-rate="0.25"/>'})
    assert read(tmp_path, metric(unit, cobertura="cov.xml", value="line_rate")).value == value
    assert read(tmp_path, metric("ratio", cobertura="cov.xml", value="branch_rate")).value == 0.25


@pytest.mark.parametrize("attribute", ["", 'line-rate="1.5"', 'line-rate="-0.1"', 'line-rate="most"'])
def test_cobertura_rate_missing_or_out_of_bounds(tmp_path, attribute):
    write(tmp_path, {"cov.xml": f"<coverage {attribute}/>"})
    assert (
        refusal(tmp_path, metric("ratio", cobertura="cov.xml", value="line_rate"))
        == "cov.xml: <coverage line-rate=...> is missing or not a rate between 0 and 1"
    )


def test_cobertura_root_must_be_coverage(tmp_path):
    write(tmp_path, {"cov.xml": "<testsuite/>"})
    assert (
        refusal(tmp_path, metric("ratio", cobertura="cov.xml", value="line_rate"))
        == "cov.xml: not a Cobertura report (its root is <testsuite>)"
    )


# -- JSON, count, grep ---------------------------------------------------------------------


def test_json_value_must_be_of_the_metric_unit(tmp_path):
    write(tmp_path, {"b.json": '{"mean": "fast", "n": null}'})
    assert (
        refusal(tmp_path, metric("seconds", json="b.json", pointer="/mean"))
        == "b.json: expected a number (seconds), got 'fast'"
    )
    assert read(tmp_path, metric("seconds", json="b.json", pointer="/n")).value is None


def test_json_that_does_not_parse_names_its_file(tmp_path):
    write(tmp_path, {"b/x.json": '{"mean": '})
    assert refusal(tmp_path, metric("seconds", json="b/x.json", pointer="/mean")).startswith("b/x.json")


def test_json_pointer_to_a_container_is_not_a_value(tmp_path):
    write(tmp_path, {"b.json": '{"results": [{"mean": 1}]}'})
    assert (
        refusal(tmp_path, metric("seconds", json="b.json", pointer="/results"))
        == "b.json: pointer /results leads to a list, not a value"
    )


def test_the_empty_pointer_is_the_whole_document():
    assert pointer_get({"a": 1}, "") == {"a": 1}
    assert pointer_get(3, "") == 3


def test_pointer_errors_at_the_top_say_slash():
    with pytest.raises(KeyError) as info:
        pointer_get([1], "/5")
    assert info.value.args[0] == "no item '5' at / (a list of 1)"
    with pytest.raises(KeyError) as info:
        pointer_get(3, "/a")
    assert info.value.args[0] == "/ holds a int, not an object or a list"


def test_grep_counts_lines_of_a_file_with_bytes_that_are_not_utf8(tmp_path):
    write(tmp_path, {"log.txt": b"TODO one\n\xff\xfe TODO two\nnothing\n"})
    assert read(tmp_path, metric("count", grep="log.txt", pattern="TODO")).value == 2


def test_junit_counts_of_an_element_tree_in_a_namespace():
    from xml.etree import ElementTree as ET

    element = ET.fromstring(f'<testsuite xmlns="{NS}"><testcase><skipped/></testcase></testsuite>')
    assert junit_counts(element)["skipped"] == 1


def test_junit_suite_totals_of_a_suite_with_properties_but_no_cases(tmp_path):
    write(tmp_path, {"r.xml": '<testsuites><testsuite tests="4" failures="1"><properties/></testsuite></testsuites>'})
    assert read(tmp_path, metric("count", junit="r.xml", value="tests")).value == 4


def test_no_test_ran_in_any_of_several_files(tmp_path):
    write(tmp_path, {"r/a.xml": f"<testsuite>{case('a', 'skipped')}</testsuite>", "r/b.xml": "<testsuite/>"})
    assert (
        refusal(tmp_path, metric("ratio", junit="r/*.xml", value="pass_rate"))
        == "r/a.xml, r/b.xml: no test ran, so there is no pass rate"
    )


# -- counts that cannot be, totals that disagree (issue 25, 5a) ---------------------------


@pytest.mark.parametrize("count", ["-10", "1.5", "+3", "1e3", "ten", "", "1" * 20])
def test_junit_counts_must_be_whole_numbers_of_zero_or_more(tmp_path, count):
    # skipped="-10" once made 10 tests of which none ran... 20/20 passed
    write(tmp_path, {"r.xml": f'<testsuites>\n  <testsuite name="unit" tests="10" skipped="{count}"/>\n</testsuites>'})
    assert refusal(tmp_path, metric("ratio", junit="r.xml", value="pass_rate")) == (
        f'r.xml:2:3: <testsuite name="unit">: skipped="{count}" is not a count; '
        "counts are whole numbers of zero or more (is the report damaged or edited?)"
    )


@pytest.mark.parametrize(
    ("totals", "message"),
    [
        ('tests="3"', 'tests="3" but it holds 2 cases'),
        ('tests="2" failures="0"', 'failures="0" but it holds 1 cases with <failure>'),
        ('errors="1"', 'errors="1" but it holds 0 cases with <error>'),
        ('skipped="2"', 'skipped="2" but it holds 0 cases with <skipped>'),
    ],
)
def test_junit_totals_must_agree_with_the_cases_they_count(tmp_path, totals, message):
    write(tmp_path, {"r.xml": f'<testsuite name="s" {totals}>{case("a")}{case("b", "failure")}</testsuite>'})
    assert refusal(tmp_path, metric("count", junit="r.xml", value="failures")) == (
        f'r.xml:1:1: <testsuite name="s">: {message}; the totals disagree with the test cases '
        "(is the report damaged or edited?)"
    )


def test_junit_totals_that_agree_with_the_cases_are_read_and_an_outer_suite_counts_the_inner_cases(tmp_path):
    inner = f'<testsuite tests="2" failures="1" errors="0" skipped="0">{case("a")}{case("b", "failure")}</testsuite>'
    write(
        tmp_path,
        {
            "r.xml": f'<testsuites tests="3" failures="1"><testsuite tests="1">{case("c")}</testsuite>{inner}</testsuites>'
        },
    )
    assert read(tmp_path, metric("ratio", junit="r.xml", value="pass_rate")).value == "2/3"
    # pytest writes a case that failed and then erred in teardown as one case with both
    both = '<testcase name="t"><failure/><error/></testcase>'
    write(tmp_path, {"r.xml": f'<testsuite tests="1" failures="1" errors="1">{both}</testsuite>'})
    assert read(tmp_path, metric("count", junit="r.xml", value="errors")).value == 1


def test_junit_totals_without_cases_may_not_count_more_outcomes_than_tests(tmp_path):
    write(tmp_path, {"r.xml": '<testsuite name="s" tests="10" failures="4" skipped="7"/>'})
    assert refusal(tmp_path, metric("count", junit="r.xml", value="tests")) == (
        'r.xml:1:1: <testsuite name="s">: failures, errors and skipped add up to 11, more than its tests="10" '
        "(is the report damaged or edited?)"
    )


def test_junit_counts_of_an_element_tree_refuse_a_negative_count_without_a_position():
    from xml.etree import ElementTree as ET

    with pytest.raises(ValueError) as info:
        junit_counts(ET.fromstring('<testsuite tests="-1"/>'))
    assert str(info.value) == (
        '<testsuite>: tests="-1" is not a count; counts are whole numbers of zero or more (is the report damaged or edited?)'
    )


# -- bounded work (issue 25, 6 and 7) ------------------------------------------------------


@pytest.mark.scale
def test_grep_patterns_run_on_re2_which_does_not_backtrack(tmp_path):
    from phasedocs.input.models import grep_regex

    assert type(grep_regex("TODO.*FIXME")).__module__.startswith("re2")
    # (a+)+$ on a line of a's and one b backtracks for ever in Python's re; RE2 answers at once.
    # A liveness check, no timing: the generous timeout only keeps a regression from hanging the suite.
    write(tmp_path, {"log.txt": "a" * 100_000 + "b\n" + "TODO " * 50_000 + "\n"})
    script = (
        "import sys; from pathlib import Path; from phasedocs.input.records import parse; "
        "from phasedocs.input.models import Metric; from phasedocs.input.reports import read; "
        "m = parse(Metric, {'label': 'M', 'unit': 'count', 'extract': {'grep': 'log.txt', 'pattern': sys.argv[2]}}); "
        "print(read(Path(sys.argv[1]), m).value)"
    )
    import subprocess
    import sys

    for pattern, count in (("(a+)+$", 0), ("TODO.*FIXME", 0), ("(a|aa)+b", 1)):
        done = subprocess.run(
            [sys.executable, "-c", script, str(tmp_path), pattern], capture_output=True, text=True, timeout=120
        )
        assert (done.returncode, done.stdout, done.stderr) == (0, f"{count}\n", "")


@pytest.mark.parametrize(
    ("extract", "name"),
    [
        ({"junit": "r/*.xml", "value": "tests"}, "r/a.xml"),
        ({"cobertura": "r/a.xml", "value": "line_rate"}, "r/a.xml"),
        ({"grep": "r/a.txt", "pattern": "x"}, "r/a.txt"),
    ],
)
def test_each_report_has_a_time_budget(tmp_path, monkeypatch, extract, name):
    write(tmp_path, {"r/a.xml": "<testsuite><testcase/></testsuite>", "r/a.txt": "x\n"})
    if "cobertura" in extract:
        write(tmp_path, {"r/a.xml": '<coverage line-rate="1"/>'})
    monkeypatch.setattr(extractors, "REPORT_SECONDS", -1.0)  # already over: no waiting in a test
    assert refusal(tmp_path, metric("ratio" if "cobertura" in extract else "count", **extract)) == (
        f"{name}: reading it took more than the -1 seconds a report may take; make the report smaller"
    )


@pytest.mark.scale
def test_xml_is_streamed_in_constant_memory(tmp_path):
    import tracemalloc

    # 2 MB of empty elements: an element tree of them takes over 100 MB, a stream a chunk's worth
    write(tmp_path, {"r.xml": "<testsuite>" + "<x/>" * 500_000 + case("a") + "</testsuite>"})
    tracemalloc.start()
    try:
        value = read(tmp_path, metric("count", junit="r.xml", value="tests")).value
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert value == 1
    assert peak < 16_000_000


def test_a_glob_may_read_as_many_files_as_the_limit_and_no_more(tmp_path, monkeypatch):
    monkeypatch.setattr(extractors, "MAX_READ_FILES", 2)
    write(tmp_path, {"r/a.xml": "<testsuite/>", "r/b.xml": "<testsuite/>"})
    assert read(tmp_path, metric("count", junit="r/*.xml", value="tests")).value == 0
    write(tmp_path, {"r/c.xml": "<testsuite/>"})
    assert refusal(tmp_path, metric("count", junit="r/*.xml", value="tests")) == (
        "r/*.xml matches 3 files, more than the 2 one glob may read; narrow the pattern or merge the reports"
    )


def test_the_files_of_a_glob_may_hold_as_many_bytes_as_the_limit_and_no_more(tmp_path, monkeypatch):
    write(tmp_path, {"r/a.xml": "<testsuite/>", "r/b.xml": "<testsuite/>"})  # 12 bytes each
    monkeypatch.setattr(extractors, "MAX_READ_BYTES", 24)
    assert read(tmp_path, metric("count", junit="r/*.xml", value="tests")).value == 0
    monkeypatch.setattr(extractors, "MAX_READ_BYTES", 23)
    assert refusal(tmp_path, metric("count", junit="r/*.xml", value="tests")) == (
        "r/*.xml: its 2 files hold 24 bytes, more than the 23 one glob may read; narrow the pattern"
    )


# -- faults that were tracebacks (issue 25, 10) ---------------------------------------------


def test_a_pointer_index_of_thousands_of_digits_is_no_item(tmp_path):
    write(tmp_path, {"b.json": '{"a": [1]}'})
    index = "1" * 5000
    assert refusal(tmp_path, metric("count", json="b.json", pointer=f"/a/{index}")) == (
        f"b.json: pointer /a/{index[:77]}: no item '{index[:40]}' at /a (a list of 1)"
    )


def test_a_value_holding_a_lone_surrogate_is_refused(tmp_path):
    write(tmp_path, {"b.json": '{"v": "x\\ud800y"}'})
    assert refusal(tmp_path, metric("text", json="b.json", pointer="/v")) == (
        "b.json: the value holds a lone surrogate (an escape such as \\ud800 that is no character), "
        "which no snapshot can store; fix the tool's output"
    )


@pytest.mark.parametrize(
    ("extract", "name"),
    [
        ({"junit": "r/*.xml", "value": "tests"}, "r/a.xml"),
        ({"cobertura": "r/a.xml", "value": "line_rate"}, "r/a.xml"),
        ({"json": "r/a.json", "pointer": "/a"}, "r/a.json"),
        ({"grep": "r/a.txt", "pattern": "x"}, "r/a.txt"),
        ({"count": "r/*.txt"}, "r"),
    ],
)
def test_an_unreadable_report_is_an_error_naming_it(tmp_path, monkeypatch, extract, name):
    write(tmp_path, {"r/a.xml": '<coverage line-rate="1"/>', "r/a.json": '{"a": 1}', "r/a.txt": "x\n"})
    if "junit" in extract:
        write(tmp_path, {"r/a.xml": "<testsuite/>"})
    target = tmp_path / name
    denied = PermissionError(13, "Permission denied", str(target))
    # tests run as root, whom chmod 000 does not stop: the operating system's refusal is simulated
    real_open, real_scandir = Path.open, os.scandir

    def no_open(self, *args, **kwargs):
        if self == target:
            raise denied
        return real_open(self, *args, **kwargs)

    def no_scandir(path="."):
        if Path(path) == target:
            raise denied
        return real_scandir(path)

    monkeypatch.setattr(Path, "open", no_open)
    monkeypatch.setattr(os, "scandir", no_scandir)
    unit = "ratio" if "cobertura" in extract else "count"
    assert refusal(tmp_path, metric(unit, **extract)) == (
        f"{name}: cannot read: Permission denied; check the file's permissions"
    )
