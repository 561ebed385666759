"""The extractor table of ``phasedocs measure``, and its built-in readers: JUnit and Cobertura XML,
JSON, file counts, grep.

Each kind of extractor is one entry of :data:`EXTRACTORS`: its reader, the ``value``s it
takes, whether it needs ``pointer`` or ``pattern``, and the unit it gives. Validation
(:class:`~phasedocs.input.models.Extract`, :class:`~phasedocs.input.models.Metric`) and
:func:`phasedocs.input.reports.read` both consult it;
:func:`phasedocs.input.reports.register_extractor` adds a kind. This module stands below
the models: it imports neither ``models`` nor ``reports``, so a reader takes the metric's
extract as anything with the fields it reads (:class:`ExtractFields`).

Reports are input like any other, written by tools that run on pull requests: every path
stays inside the project (symlinks included), files are size-capped, and XML is parsed
by defusedxml with DTDs refused, so a billion-laughs or an external-entity report is an
error naming the file, at once, and nothing is recorded.

Nothing a report holds makes the work unbounded: XML is streamed (no element tree is
built, so memory does not grow with the number of elements), the files one glob reads
are capped in number and in bytes together, ``grep`` patterns run on RE2 (linear time:
no pattern backtracks), and each report has a time budget.
"""

from __future__ import annotations

import itertools
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from phasedocs.errors import InputError, printable
from phasedocs.input.loader import load_json
from phasedocs.paths import leaves

#: The largest report read, in bytes: a test report is megabytes, not gigabytes.
MAX_REPORT_BYTES = 50_000_000
#: The most files a glob may match.
MAX_MATCHES = 10_000
#: The most files one glob may have read (JUnit): a test run writes one per suite or module.
MAX_READ_FILES = 1_000
#: The most bytes the files of one glob may hold together.
MAX_READ_BYTES = 100_000_000
#: Seconds one report may take to read. RE2 and the streaming parser are linear, so a report
#: within the size cap takes seconds; this bounds what no cap foresaw (a slow disk, a FIFO-like file).
REPORT_SECONDS = 120.0
#: Bytes read from a report at a time.
_CHUNK = 1 << 20


class ReportError(Exception):
    """A report that cannot give the metric's value; the message names the file and the fault."""


class MissingReport(ReportError):
    """No file where the extractor looks (``measure --allow-missing`` records the rest)."""


@dataclass(frozen=True)
class Reading:
    """A value read from reports, and the files it came from."""

    value: Any
    files: tuple[str, ...]


class ExtractFields(Protocol):
    """What a reader reads of a metric's extract (:class:`phasedocs.input.models.Extract`)."""

    @property
    def path(self) -> str:
        """The report's path or glob, relative to the project root."""

    @property
    def value(self) -> str | None:
        """junit's or cobertura's ``value``."""

    @property
    def pointer(self) -> str | None:
        """json's ``pointer``."""

    @property
    def pattern(self) -> str | None:
        """grep's ``pattern``."""


Reader = Callable[[Path, Any, str], Reading]
"""(project root, the metric's extract, the metric's unit) -> the value read and the files it came
from; :class:`MissingReport` when the report is not there, :class:`ReportError` when it is wrong.
The extract is a :class:`phasedocs.input.models.Extract` (typed loosely: this module stands below it)."""


@dataclass(frozen=True)
class Extractor:
    """One kind of extractor: its key under ``extract:`` (whose value is the report's path or
    glob), its reader, the options it takes and the unit it gives."""

    kind: str
    """Its key in ``extract:``: ``junit``."""
    read: Reader | None
    """Its reader; None for a per-task kind (jsonl), which :func:`phasedocs.input.reports.read_task` reads."""
    values: tuple[str, ...] = ()
    """The ``value``s it takes, one of which it needs; empty: it takes no ``value``."""
    pointer: bool = False
    """True when it needs ``pointer`` (an RFC 6901 JSON pointer); False: it takes none."""
    pattern: bool = False
    """True when it needs ``pattern`` (a regular expression, run by RE2); False: it takes none."""
    gives: Literal["count", "rate"] | None = None
    """The unit of what it reads: ``count`` (the metric's unit must be count), ``rate`` (ratio or
    percent), None (any unit the value fits)."""
    rates: tuple[str, ...] = ()
    """Its ``value``s that give a rate where the kind gives counts (junit's pass_rate)."""
    per_task: bool = False
    """True for jsonl: read per task from each task's logs, with options of its own."""


#: The values the junit and cobertura extractors can read (their entries in the extractor table,
#: :data:`EXTRACTORS`, say which of them give a rate, which a count).
JUNIT_VALUES = ("pass_rate", "tests", "passed", "failures", "errors", "skipped")
COBERTURA_VALUES = ("line_rate", "branch_rate")


def grep_regex(pattern: str) -> Any:
    """``pattern`` compiled by RE2, which matches in time linear in the text (no backtracking:
    ``(a+)+$`` cannot run for ever on a report); ValueError saying why RE2 cannot read it.

    ``validate`` and ``measure`` both compile with it, so a pattern that validates is one
    that ``measure`` runs. RE2 has Python's syntax less backreferences and lookaround.
    """
    import re2  # google-re2

    options = re2.Options()
    options.log_errors = False  # the error is ours to report, not a line of RE2's on stderr
    try:
        return re2.compile(pattern, options)
    except re2.error as exc:
        why = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise ValueError(
            f"pattern {pattern!r} is not a regular expression RE2 can run ({why}); "
            "RE2 has no backreferences or lookaround"
        ) from None
    except UnicodeError:
        raise ValueError(f"pattern {pattern!r} holds a character that is not text (a lone surrogate)") from None


def report_bytes(root: Path, e: ExtractFields) -> bytes:
    """The bytes of the one report ``e`` names: a file inside the project (symlinks included) and
    within :data:`MAX_REPORT_BYTES`; :class:`MissingReport` or :class:`ReportError` else."""
    return _bytes(root, _one(root, e))


_WILDCARD_RE = re.compile(r"[*?\[]")


def _matches(root: Path, pattern: str, files_only: bool = True) -> list[Path]:
    """Paths under ``root`` matching ``pattern``, sorted; refused if one leads outside.

    A glob passes over folders it cannot list without a word, so the folder it starts
    from is listed first: an unreadable ``reports/`` is an error, not zero matches.
    """
    fixed = list(itertools.takewhile(lambda part: not _WILDCARD_RE.search(part), Path(pattern).parts[:-1]))
    base = root.joinpath(*fixed)
    if base.is_dir():
        with os.scandir(base):
            pass
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


def _read_cap(root: Path, pattern: str, files: list[Path]) -> None:
    """Refuse, before reading any, a glob whose files are too many or too large together."""
    if len(files) > MAX_READ_FILES:
        raise ReportError(
            f"{pattern} matches {len(files):,} files, more than the {MAX_READ_FILES:,} one glob may read; "
            "narrow the pattern or merge the reports"
        )
    total = sum(path.stat().st_size for path in files)
    if total > MAX_READ_BYTES:
        raise ReportError(
            f"{pattern}: its {len(files):,} files hold {total:,} bytes, more than the {MAX_READ_BYTES:,} "
            "one glob may read; narrow the pattern"
        )


def _through_link(root: Path, path: Path) -> None:
    """:class:`ReportError` naming the first folder between ``root`` and ``path`` that a
    symlink leads out of the project or into its ``.git/``."""
    folder = root
    for part in path.relative_to(root).parts[:-1]:
        folder = folder / part
        problem = leaves(root, folder) if folder.is_symlink() else None
        if problem:
            raise ReportError(f"{_rel(root, folder)}: {problem.replace('with the file itself', 'with a folder')}")


def _one(root: Path, e: ExtractFields) -> Path:
    path = root / e.path
    if not path.is_file():
        raise MissingReport(f"{e.path}: no such file (has the tool run, and written its report there?)")
    problem = leaves(root, path)
    if problem:
        raise ReportError(f"{e.path}: {problem}")
    return path


def _size(root: Path, path: Path) -> int:
    size = path.stat().st_size
    if size > MAX_REPORT_BYTES:
        raise ReportError(f"{_rel(root, path)}: {size:,} bytes, more than the {MAX_REPORT_BYTES:,} a report may hold")
    return size


def _bytes(root: Path, path: Path) -> bytes:
    _size(root, path)
    return path.read_bytes()


def _chunks(root: Path, path: Path) -> Iterator[bytes]:
    """The bytes of a report, a chunk at a time: within the size cap (even if the file grows
    while it is read) and the time budget."""
    _size(root, path)
    deadline = time.monotonic() + REPORT_SECONDS
    read = 0
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            read += len(chunk)
            if read > MAX_REPORT_BYTES:
                raise ReportError(f"{_rel(root, path)}: more than the {MAX_REPORT_BYTES:,} bytes a report may hold")
            _in_time(root, path, deadline)
            yield chunk


def _in_time(root: Path, path: Path, deadline: float) -> None:
    if time.monotonic() > deadline:
        raise ReportError(
            f"{_rel(root, path)}: reading it took more than the {REPORT_SECONDS:g} seconds a report may take; "
            "make the report smaller"
        )


def _rel(root: Path, path: Path) -> str:
    try:
        return printable(path.relative_to(root).as_posix())
    except ValueError:
        return printable(str(path))


class _Target:
    """What the XML parser calls as it reads (a parser *target*): no element is kept, so a
    report of millions of elements takes the memory of one. Subclasses count what they need."""

    def __init__(self) -> None:
        self.parser: Any = None
        """The parser feeding this target (set by :func:`_parse_xml`), for line and column."""
        self.root: str | None = None
        """The local name of the root element."""
        self.root_attrib: dict[str, str] = {}
        """The root element's attributes."""

    def where(self) -> str:
        """``line:col`` of the element being read (1-based); empty when there is no parser."""
        expat = getattr(self.parser, "parser", None)
        return f"{expat.CurrentLineNumber}:{expat.CurrentColumnNumber + 1}" if expat is not None else ""

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        """An element opens."""
        if self.root is None:
            self.root, self.root_attrib = _local(tag), dict(attrib)

    def end(self, tag: str) -> None:
        """An element closes."""

    def data(self, text: str) -> None:
        """Text, ignored: counts live in tags and attributes."""

    def close(self) -> None:
        """The document ended."""


def _parse_xml(root: Path, path: Path, target: _Target) -> None:
    """Stream an XML report into ``target``, with entities, DTDs and external references refused."""
    import xml.etree.ElementTree as ET

    import defusedxml.ElementTree as SafeET
    from defusedxml import DefusedXmlException

    # defusedxml's defaults are the rules: a DOCTYPE is allowed (Istanbul writes one; it
    # is never fetched), entity declarations and external references are refused
    parser = SafeET.DefusedXMLParser(target=target)
    target.parser = parser
    try:
        for chunk in _chunks(root, path):
            parser.feed(chunk)
        parser.close()
    except DefusedXmlException:  # entity declarations (internal or external) and external references
        raise ReportError(
            f"{_rel(root, path)}: refused, it declares entities; "
            "test and coverage reports need none (a report with one is broken or hostile)"
        ) from None
    except ET.ParseError as exc:
        raise ReportError(f"{_rel(root, path)}: not well-formed XML ({exc})") from None


def _local(tag: Any) -> str:
    return str(tag).rpartition("}")[2]  # "{namespace}name" -> "name"


_KEYS = ("tests", "passed", "failures", "errors", "skipped")
#: Suite attributes that count cases, and the outcome (a case's child element) each counts.
_TOTALS = {"tests": None, "failures": "failure", "errors": "error", "skipped": "skipped"}
_COUNT_RE = re.compile(r"\s*[0-9]{1,15}\s*", re.ASCII)


class JUnitFault(ValueError):
    """A count that is no whole number of zero or more, or totals that disagree with the cases."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}" if where else message)
        self.where = where
        """``line:col`` of the element (empty when read from an element tree)."""
        self.message = message
        """What is wrong, naming the element."""


@dataclass
class _Suite:
    """An open ``testsuite`` (or ``testsuites``): what it claims, and what its cases add up to."""

    tag: str
    element: str
    """The element as messages name it: ``<testsuite name="...">``."""
    where: str
    """``line:col`` where it opens (empty when unknown)."""
    claims: dict[str, int]
    """Its count attributes, as written (only those present)."""
    cases: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_TOTALS, 0))
    """tests: its cases (nested suites included); failures, errors, skipped: its cases with such an outcome."""
    inner: bool = False
    """True when it holds another suite."""


class JUnitTally(_Target):
    """Counts a JUnit document as it is read: outcomes of the ``testcase`` elements, and the
    totals of the innermost suites for writers that give totals only.

    Counts are whole numbers of zero or more, and a suite's totals must agree with the cases
    it holds: a report whose ``skipped="-10"`` turns 10/10 into 20/20, or whose totals say
    something its cases do not, is refused with the file, line and element.
    """

    def __init__(self) -> None:
        super().__init__()
        self.counts = dict.fromkeys(_KEYS, 0)
        """Counts from the cases."""
        self.totals = dict.fromkeys(_KEYS, 0)
        """Summed totals of the innermost suites (used when there are no cases)."""
        self.suites: list[_Suite] = []
        self.case: set[str] | None = None  # the outcomes (child elements) of the open testcase
        self.depth = 0
        self.case_depth = 0

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        """A suite, a case, or a case's outcome opens."""
        super().start(tag, attrib)
        self.depth += 1
        local = _local(tag)
        if self.case is not None:  # inside a case: its children are its outcome
            if self.depth == self.case_depth + 1:
                self.case.add(local)
        elif local in ("testsuite", "testsuites"):
            if self.suites:
                self.suites[-1].inner = True
            name = printable(attrib.get("name", ""))[:80]
            element = f'<{local} name="{name}">' if name else f"<{local}>"
            claims = {}
            for key in (*_TOTALS, "disabled"):
                text = attrib.get(key)
                if text is None:
                    continue
                if not _COUNT_RE.fullmatch(text):
                    raise JUnitFault(
                        self.where(),
                        f'{element}: {key}="{printable(text)[:40]}" is not a count; '
                        "counts are whole numbers of zero or more (is the report damaged or edited?)",
                    )
                claims[key] = int(text)
            self.suites.append(_Suite(local, element, self.where(), claims))
        elif local == "testcase":
            self.case, self.case_depth = set(), self.depth

    def end(self, tag: str) -> None:
        """A case is counted; a suite is checked against its cases."""
        if self.case is not None and self.depth == self.case_depth:
            self._count_case(self.case)
            self.case = None
        elif self.case is None and self.suites and _local(tag) == self.suites[-1].tag:
            self._close_suite(self.suites.pop())
        self.depth -= 1

    def _count_case(self, kinds: set[str]) -> None:
        """One case: an error, else a failure, else skipped or passed."""
        self.counts["tests"] += 1
        outcome = "errors" if "error" in kinds else "failures" if "failure" in kinds else None
        outcome = outcome or ("skipped" if "skipped" in kinds else "passed")
        self.counts[outcome] += 1
        for suite in self.suites:
            suite.cases["tests"] += 1
            for key, child in _TOTALS.items():
                if child is not None and child in kinds:
                    suite.cases[key] += 1

    def _close_suite(self, suite: _Suite) -> None:
        if suite.cases["tests"]:  # totals and cases both present: they must agree
            for key, claimed in suite.claims.items():
                if key in suite.cases and claimed != suite.cases[key]:
                    what = "cases" if key == "tests" else f"cases with <{_TOTALS[key]}>"
                    raise JUnitFault(
                        suite.where,
                        f'{suite.element}: {key}="{claimed}" but it holds {suite.cases[key]} {what}; '
                        "the totals disagree with the test cases (is the report damaged or edited?)",
                    )
        elif not suite.inner:  # an innermost suite without cases: its totals are what is counted
            got = {key: suite.claims.get(key, 0) for key in _TOTALS}
            if "skipped" not in suite.claims:
                got["skipped"] = suite.claims.get("disabled", 0)
            outcomes = got["failures"] + got["errors"] + got["skipped"]
            if outcomes > got["tests"]:
                raise JUnitFault(
                    suite.where,
                    f"{suite.element}: failures, errors and skipped add up to {outcomes}, more than its "
                    f'tests="{got["tests"]}" (is the report damaged or edited?)',
                )
            for key, n in got.items():
                self.totals[key] += n

    def result(self) -> dict[str, int]:
        """tests, passed, failures, errors and skipped: from the cases when there are any, else
        from the innermost suites' totals."""
        if self.counts["tests"]:
            return dict(self.counts)
        out = dict(self.totals)
        out["passed"] = out["tests"] - out["failures"] - out["errors"] - out["skipped"]
        return out


def junit_counts(element: Any) -> dict[str, int]:
    """tests, passed, failures, errors and skipped of one JUnit XML document (an element tree).

    Counted from the ``testcase`` elements when there are any (every writer has them; the
    totals on ``testsuite`` differ between writers and nested suites count twice), else
    summed from the innermost ``testsuite`` totals. A case with an error counts as an
    error, else with a failure as a failure, else skipped or passed. ValueError on counts
    that are not whole numbers of zero or more, or totals that disagree with the cases.
    """
    tally = JUnitTally()
    stack: list[tuple[Any, bool]] = [(element, False)]
    while stack:  # depth first, without recursion
        el, done = stack.pop()
        if done:
            tally.end(el.tag)
            continue
        tally.start(el.tag, dict(el.attrib))
        stack.append((el, True))
        stack.extend((child, False) for child in reversed(list(el)))
    return tally.result()


def _junit(root: Path, e: ExtractFields, unit: str) -> Reading:
    files = _matches(root, e.path)
    if not files:
        raise MissingReport(f"{e.path}: no file matches (has the test run written its JUnit report there?)")
    _read_cap(root, e.path, files)
    total = dict.fromkeys(_KEYS, 0)
    for path in files:
        tally = JUnitTally()
        try:
            _parse_xml(root, path, tally)
        except JUnitFault as exc:
            at = f":{exc.where}" if exc.where else ""
            raise ReportError(f"{_rel(root, path)}{at}: {exc.message}") from None
        if tally.root not in ("testsuites", "testsuite"):
            raise ReportError(f"{_rel(root, path)}: not a JUnit report (its root is <{printable(tally.root or '')}>)")
        for key, n in tally.result().items():
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


def _cobertura(root: Path, e: ExtractFields, unit: str) -> Reading:
    path = _one(root, e)
    target = _Target()
    _parse_xml(root, path, target)
    if target.root != "coverage":
        raise ReportError(f"{e.path}: not a Cobertura report (its root is <{printable(target.root or '')}>)")
    attribute = str(e.value).replace("_", "-")
    text = target.root_attrib.get(attribute)
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
                raise KeyError(f"no key {printable(token)[:40]!r} at {here or '/'}")
            data = data[token]
        elif isinstance(data, list):
            # the length first: int() refuses 4,300 digits and more, and no list is that long
            if not re.fullmatch(r"0|[1-9][0-9]*", token) or len(token) > 18 or int(token) >= len(data):
                raise KeyError(f"no item {printable(token)[:40]!r} at {here or '/'} (a list of {len(data)})")
            data = data[int(token)]
        else:
            raise KeyError(f"{here or '/'} holds a {type(data).__name__}, not an object or a list")
        here += "/" + raw
    return data


def _json(root: Path, e: ExtractFields, unit: str) -> Reading:
    path = _one(root, e)
    _bytes(root, path)  # the size cap, before parsing
    try:
        doc = load_json(path, e.path)
    except InputError as exc:
        raise ReportError(exc.format_message()) from None
    try:
        value = pointer_get(doc.data, str(e.pointer))
    except KeyError as exc:
        raise ReportError(f"{e.path}: pointer {printable(str(e.pointer))[:80]}: {exc.args[0]}") from None
    if isinstance(value, (dict, list)):
        raise ReportError(f"{e.path}: pointer {e.pointer} leads to a {type(value).__name__}, not a value")
    return Reading(value, (e.path,))


def _count(root: Path, e: ExtractFields, unit: str) -> Reading:
    files = _matches(root, e.path)
    return Reading(len(files), (e.path,))


def _grep(root: Path, e: ExtractFields, unit: str) -> Reading:
    """Lines matching the pattern, by RE2: linear in the report's size whatever the pattern."""
    path = _one(root, e)
    pattern = grep_regex(str(e.pattern))
    deadline = time.monotonic() + REPORT_SECONDS
    text = _bytes(root, path).decode("utf-8", errors="replace")
    count = 0
    for i, line in enumerate(text.splitlines()):
        if pattern.search(line):
            count += 1
        if i % 4096 == 0:
            _in_time(root, path, deadline)
    return Reading(count, (e.path,))


#: The extractor table: kind -> its entry, in the order messages list them. A new kind of
#: report is one entry here (its reader above), or one :func:`phasedocs.input.reports.register_extractor`
#: call.
EXTRACTORS: dict[str, Extractor] = {
    "junit": Extractor("junit", _junit, JUNIT_VALUES, gives="count", rates=("pass_rate",)),
    "cobertura": Extractor("cobertura", _cobertura, COBERTURA_VALUES, gives="rate"),
    "json": Extractor("json", _json, pointer=True),
    "count": Extractor("count", _count, gives="count"),
    "grep": Extractor("grep", _grep, pattern=True, gives="count"),
    "jsonl": Extractor("jsonl", None, per_task=True),
}
#: The built-in kinds: :func:`phasedocs.input.reports.unregister_extractor` takes back none of them.
BUILT_IN = frozenset(EXTRACTORS)
