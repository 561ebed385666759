"""Tool reports that ``phasedocs measure`` reads: JUnit and Cobertura XML, JSON, file counts, grep.

Reports are input like any other, written by tools that run on pull requests: every path
stays inside the project (symlinks included), files are size-capped, and XML is parsed
by defusedxml with DTDs refused, so a billion-laughs or an external-entity report is an
error naming the file, at once, and nothing is recorded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from phasedocs.errors import InputError, printable
from phasedocs.input.loader import load_json
from phasedocs.input.messages import value_error
from phasedocs.input.models import Extract, Metric
from phasedocs.paths import leaves

#: The largest report read, in bytes: a test report is megabytes, not gigabytes.
MAX_REPORT_BYTES = 50_000_000
#: The most files a glob may match.
MAX_MATCHES = 10_000


class ReportError(Exception):
    """A report that cannot give the metric's value; the message names the file and the fault."""


class MissingReport(ReportError):
    """No file where the extractor looks (``measure --allow-missing`` records the rest)."""


@dataclass(frozen=True)
class Reading:
    """A value read from reports, and the files it came from."""

    value: Any
    files: tuple[str, ...]


def read(root: Path, metric: Metric) -> Reading:
    """The value of ``metric`` (which declares ``extract``) from the reports under ``root``."""
    e = metric.extract
    assert e is not None  # measure reads only metrics that declare extract
    reader = {"junit": _junit, "cobertura": _cobertura, "json": _json, "count": _count, "grep": _grep}[e.kind]
    reading: Reading = reader(root, e, metric.unit)
    problem = value_error(metric.unit, reading.value)
    if problem:
        raise ReportError(f"{', '.join(reading.files) or e.path}: {problem}")
    return reading


def _matches(root: Path, pattern: str, files_only: bool = True) -> list[Path]:
    """Paths under ``root`` matching ``pattern``, sorted; refused if one leads outside."""
    found = []
    for path in sorted(root.glob(pattern)):
        # a folder on the way that a symlink leads out (reports/x -> ~/.ssh) is named, never
        # the file found through it: its name is not the project's to print
        _through_link(root, path)
        if files_only and not path.is_file():
            continue
        problem = leaves(root, path)
        if problem:
            raise ReportError(f"{_rel(root, path)}: {problem}")
        found.append(path)
        if len(found) > MAX_MATCHES:
            raise ReportError(f"{pattern} matches more than {MAX_MATCHES:,} files; narrow the pattern")
    return found


def _through_link(root: Path, path: Path) -> None:
    """:class:`ReportError` naming the first folder between ``root`` and ``path`` that a
    symlink leads out of the project or into its ``.git/``."""
    folder = root
    for part in path.relative_to(root).parts[:-1]:
        folder = folder / part
        problem = leaves(root, folder) if folder.is_symlink() else None
        if problem:
            raise ReportError(f"{_rel(root, folder)}: {problem.replace('with the file itself', 'with a folder')}")


def _one(root: Path, e: Extract) -> Path:
    path = root / e.path
    if not path.is_file():
        raise MissingReport(f"{e.path}: no such file (has the tool run, and written its report there?)")
    problem = leaves(root, path)
    if problem:
        raise ReportError(f"{e.path}: {problem}")
    return path


def _bytes(root: Path, path: Path) -> bytes:
    size = path.stat().st_size
    if size > MAX_REPORT_BYTES:
        raise ReportError(f"{_rel(root, path)}: {size:,} bytes, more than the {MAX_REPORT_BYTES:,} a report may hold")
    return path.read_bytes()


def _rel(root: Path, path: Path) -> str:
    try:
        return printable(path.relative_to(root).as_posix())
    except ValueError:
        return printable(str(path))


def _xml(root: Path, path: Path) -> Any:
    """The root element of an XML report, parsed with entities, DTDs and external references refused."""
    import xml.etree.ElementTree as ET

    import defusedxml.ElementTree as SafeET
    from defusedxml import DefusedXmlException

    data = _bytes(root, path)
    try:
        # defusedxml's defaults are the rules: a DOCTYPE is allowed (Istanbul writes one; it
        # is never fetched), entity declarations and external references are refused
        return SafeET.fromstring(data)
    except DefusedXmlException:  # entity declarations (internal or external) and external references
        raise ReportError(
            f"{_rel(root, path)}: refused, it declares entities; "
            "test and coverage reports need none (a report with one is broken or hostile)"
        ) from None
    except ET.ParseError as exc:
        raise ReportError(f"{_rel(root, path)}: not well-formed XML ({exc})") from None


def _local(tag: Any) -> str:
    return str(tag).rpartition("}")[2]  # "{namespace}name" -> "name"


def junit_counts(element: Any) -> dict[str, int]:
    """tests, passed, failures, errors and skipped of one JUnit XML document.

    Counted from the ``testcase`` elements when there are any (every writer has them; the
    totals on ``testsuite`` differ between writers and nested suites count twice), else
    summed from the innermost ``testsuite`` totals. A case with an error counts as an
    error, else with a failure as a failure, else skipped or passed.
    """
    counts = dict.fromkeys(("tests", "passed", "failures", "errors", "skipped"), 0)
    cases = [el for el in element.iter() if _local(el.tag) == "testcase"]
    if cases:
        for case in cases:
            kinds = {_local(child.tag) for child in case}
            counts["tests"] += 1
            if "error" in kinds:
                counts["errors"] += 1
            elif "failure" in kinds:
                counts["failures"] += 1
            elif "skipped" in kinds:
                counts["skipped"] += 1
            else:
                counts["passed"] += 1
        return counts
    suites = [el for el in element.iter() if _local(el.tag) == "testsuite"]
    leaves_ = [s for s in suites if not any(_local(c.tag) == "testsuite" for c in s)]
    for suite in leaves_:
        for key in ("tests", "failures", "errors", "skipped"):
            try:
                counts[key] += int(suite.get(key) or suite.get("disabled" if key == "skipped" else key) or 0)
            except ValueError:
                raise ValueError(f"testsuite {key}={suite.get(key)!r} is not a whole number") from None
    counts["passed"] = max(0, counts["tests"] - counts["failures"] - counts["errors"] - counts["skipped"])
    return counts


def _junit(root: Path, e: Extract, unit: str) -> Reading:
    files = _matches(root, e.path)
    if not files:
        raise MissingReport(f"{e.path}: no file matches (has the test run written its JUnit report there?)")
    total = dict.fromkeys(("tests", "passed", "failures", "errors", "skipped"), 0)
    for path in files:
        element = _xml(root, path)
        if _local(element.tag) not in ("testsuites", "testsuite"):
            raise ReportError(
                f"{_rel(root, path)}: not a JUnit report (its root is <{printable(_local(element.tag))}>)"
            )
        try:
            counts = junit_counts(element)
        except ValueError as exc:
            raise ReportError(f"{_rel(root, path)}: {exc}") from None
        for key, n in counts.items():
            total[key] += n
    names = tuple(_rel(root, p) for p in files)
    if e.value != "pass_rate":
        return Reading(total[str(e.value)], names)
    ran = total["tests"] - total["skipped"]
    if ran <= 0:
        raise ReportError(f"{', '.join(names)}: no test ran, so there is no pass rate")
    if unit == "percent":
        return Reading(round(100.0 * total["passed"] / ran, 4), names)
    return Reading(f"{total['passed']}/{ran}", names)


def _cobertura(root: Path, e: Extract, unit: str) -> Reading:
    path = _one(root, e)
    element = _xml(root, path)
    if _local(element.tag) != "coverage":
        raise ReportError(f"{e.path}: not a Cobertura report (its root is <{printable(_local(element.tag))}>)")
    attribute = str(e.value).replace("_", "-")
    text = element.get(attribute)
    try:
        rate = float(text) if text is not None else None
    except ValueError:
        rate = None
    if rate is None or not 0 <= rate <= 1:
        raise ReportError(f"{e.path}: <coverage {attribute}=...> is missing or not a rate between 0 and 1")
    return Reading(round(rate * 100, 4) if unit == "percent" else round(rate, 6), (e.path,))


def pointer_get(data: Any, pointer: str) -> Any:
    """The value at an RFC 6901 ``pointer``; KeyError saying where it stops."""
    if pointer == "":
        return data
    here = ""
    for raw in pointer[1:].split("/"):
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(data, dict):
            if token not in data:
                raise KeyError(f"no key {token!r} at {here or '/'}")
            data = data[token]
        elif isinstance(data, list):
            if not re.fullmatch(r"0|[1-9][0-9]*", token) or int(token) >= len(data):
                raise KeyError(f"no item {token!r} at {here or '/'} (a list of {len(data)})")
            data = data[int(token)]
        else:
            raise KeyError(f"{here or '/'} holds a {type(data).__name__}, not an object or a list")
        here += "/" + raw
    return data


def _json(root: Path, e: Extract, unit: str) -> Reading:
    path = _one(root, e)
    _bytes(root, path)  # the size cap, before parsing
    try:
        doc = load_json(path, e.path)
    except InputError as exc:
        raise ReportError(exc.format_message()) from None
    try:
        value = pointer_get(doc.data, str(e.pointer))
    except KeyError as exc:
        raise ReportError(f"{e.path}: pointer {e.pointer}: {exc.args[0]}") from None
    if isinstance(value, (dict, list)):
        raise ReportError(f"{e.path}: pointer {e.pointer} leads to a {type(value).__name__}, not a value")
    return Reading(value, (e.path,))


def _count(root: Path, e: Extract, unit: str) -> Reading:
    files = _matches(root, e.path)
    return Reading(len(files), (e.path,))


def _grep(root: Path, e: Extract, unit: str) -> Reading:
    path = _one(root, e)
    pattern = re.compile(str(e.pattern))
    text = _bytes(root, path).decode("utf-8", errors="replace")
    return Reading(sum(1 for line in text.splitlines() if pattern.search(line)), (e.path,))
