"""Tool reports that ``phasedocs measure`` reads: the extractor table's entry points, and the
per-task JSON-lines logs.

The extractor table (:data:`EXTRACTORS`) and its built-in readers (JUnit and Cobertura XML,
JSON, file counts, grep), with the caps that keep reading a report bounded, live in
:mod:`phasedocs.input.extractors`, below the models that validate against it; their public
names are importable from here too. This module reads a metric (:func:`read`, and
:func:`read_task` for the per-task ``jsonl`` kind, whose costs need the project's prices)
and adds a kind (:func:`register_extractor`, which gives
:class:`~phasedocs.input.models.Extract` its field).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from phasedocs.errors import printable
from phasedocs.input.extractors import (
    BUILT_IN,
    COBERTURA_VALUES,
    EXTRACTORS,
    JUNIT_VALUES,
    ExtractFields,
    Extractor,
    JUnitFault,
    JUnitTally,
    MissingReport,
    Reader,
    Reading,
    ReportError,
    _chunks,
    _matches,
    _read_cap,
    _rel,
    junit_counts,
    pointer_get,
    report_bytes,
)
from phasedocs.input.loader import MAX_MAGNITUDE
from phasedocs.input.messages import value_error
from phasedocs.input.models import Metric, Price, add_extract_kind, expand_task_glob, remove_extract_kind

__all__ = [
    "COBERTURA_VALUES",
    "EXTRACTORS",
    "JUNIT_VALUES",
    "ExtractFields",
    "Extractor",
    "JUnitFault",
    "JUnitTally",
    "LineFault",
    "MissingReport",
    "Reader",
    "Reading",
    "ReportError",
    "json_document",
    "jsonl_lines",
    "jsonl_sum",
    "jsonl_tokens",
    "junit_counts",
    "pointer_get",
    "read",
    "read_task",
    "register_extractor",
    "report_bytes",
    "unregister_extractor",
]


def register_extractor(entry: Extractor) -> Extractor:
    """Add a kind of extractor: ``extract: {KIND: path, ...}`` validates and ``measure`` reads it
    with ``entry.read``. ValueError for a kind taken, or one that is no plain name. Returns it,
    for :func:`unregister_extractor`.

    Its reader gets the report's path as written (``extract.path``, relative to the project
    root): read it through :func:`report_bytes`, which keeps it inside the project and within
    the size cap, as the built-in readers do.
    """
    if entry.kind in EXTRACTORS:
        raise ValueError(f"extractor {entry.kind!r} is already registered")
    if not re.fullmatch(r"[a-z][a-z0-9_]*", entry.kind):
        raise ValueError(f"extractor {entry.kind!r}: a kind is a lower-case name (letters, digits, _)")
    if entry.read is None or entry.per_task:
        raise ValueError(f"extractor {entry.kind!r} needs a reader; a per-task extractor is jsonl's alone")
    add_extract_kind(entry.kind)  # ValueError for the name of an option (value, pointer...)
    EXTRACTORS[entry.kind] = entry
    return entry


def unregister_extractor(entry: Extractor) -> None:
    """Take back a kind :func:`register_extractor` added (a built-in kind stays)."""
    if EXTRACTORS.get(entry.kind) is not entry or entry.kind in BUILT_IN:
        raise ValueError(f"extractor {entry.kind!r} was not registered by register_extractor")
    del EXTRACTORS[entry.kind]
    remove_extract_kind(entry.kind)


def read(root: Path, metric: Metric) -> Reading:
    """The value of ``metric`` (which declares ``extract``) from the reports under ``root``."""
    e = metric.extract
    assert e is not None  # measure reads only metrics that declare extract
    reader = EXTRACTORS[e.kind].read
    assert reader is not None  # a per-task extractor (jsonl) is read by read_task
    try:
        reading: Reading = reader(root, e, metric.unit)
    except OSError as exc:  # unreadable (permissions, a folder where a file was, an I/O error)
        name = _rel(root, Path(exc.filename)) if exc.filename else e.path
        raise ReportError(f"{name}: cannot read: {exc.strerror or exc}; check the file's permissions") from None
    if isinstance(reading.value, str) and _SURROGATE_RE.search(reading.value):
        raise ReportError(
            f"{', '.join(reading.files) or e.path}: the value holds a lone surrogate (an escape such as \\ud800 "
            "that is no character), which no snapshot can store; fix the tool's output"
        )
    problem = value_error(metric.unit, reading.value)
    if problem:
        raise ReportError(f"{', '.join(reading.files) or e.path}: {problem}")
    return reading


_SURROGATE_RE = re.compile("[\ud800-\udfff]")


# --- JSON-lines session logs (per task): what the agents' own logs say each task used ---


class LineFault(ValueError):
    """A line of a JSON-lines log that cannot be read; ``line`` is 1-based."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"{line}: {message}")
        self.line = line
        """The line's number."""
        self.message = message
        """What is wrong with it."""


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is no JSON number")


def jsonl_lines(chunks: Iterable[bytes]) -> Iterator[tuple[int, Any]]:
    """(line number, parsed value) of each non-blank line of JSON-lines ``chunks``, split at
    any byte; :class:`LineFault` for a line that is not UTF-8 or not JSON. Memory holds one line."""
    pending: list[bytes] = []
    number = 0

    def parse(raw: bytes) -> Any:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise LineFault(number, "not UTF-8 text") from None
        try:
            return json.loads(text, parse_constant=_no_constant)
        except ValueError as exc:  # JSONDecodeError, NaN/Infinity, an integer of 4,300 digits and more
            raise LineFault(number, f"not a JSON value ({printable(str(exc))[:120]})") from None

    for chunk in chunks:
        start = 0
        while (end := chunk.find(b"\n", start)) != -1:
            pending.append(chunk[start:end])
            raw, pending = b"".join(pending), []
            number += 1
            start = end + 1
            if raw.strip():
                yield number, parse(raw)
        pending.append(chunk[start:])
    raw = b"".join(pending)
    number += 1
    if raw.strip():
        yield number, parse(raw)


def json_document(chunks: Iterable[bytes]) -> Iterator[tuple[int, Any]]:
    """A usage tool's JSON report (a ``.json`` file: one document, pretty-printed or not) as the
    one line of a log: (1, parsed value). The file is size-capped before it is read."""
    raw = b"".join(chunks)
    if not raw.strip():
        return
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise LineFault(1, "not UTF-8 text") from None
    try:
        yield 1, json.loads(text, parse_constant=_no_constant)
    except ValueError as exc:
        raise LineFault(1, f"not a JSON document ({printable(str(exc))[:120]})") from None


def _records(chunks: Iterable[bytes], whole: bool) -> Iterator[tuple[int, Any]]:
    """The lines of a JSON-lines log, or the one document of a JSON report (``whole``)."""
    return json_document(chunks) if whole else jsonl_lines(chunks)


_ABSENT = object()


def _at(data: Any, pointer: str) -> Any:
    """The value at ``pointer``, or ``_ABSENT``: a log's lines differ (only some carry usage)."""
    try:
        return pointer_get(data, pointer)
    except KeyError:
        return _ABSENT


def _amount(line: int, pointer: str, value: Any) -> int | float:
    """A count a line holds: a finite number, zero or more, within range."""
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not ok or not 0 <= value <= MAX_MAGNITUDE:  # NaN fails both comparisons
        if not ok:
            shown = printable(json.dumps(value, ensure_ascii=False, default=str))[:60]
        elif isinstance(value, int) and abs(value) > 10**20:  # ':g' of an int past a float's range fails
            shown = f"a number of {len(str(abs(value)))} digits"
        else:
            shown = f"{value:g}"
        raise LineFault(line, f"{pointer} is {shown}; a count is a number from 0 to {MAX_MAGNITUDE:g}")
    return value


def jsonl_sum(chunks: Iterable[bytes], pointer: str, whole: bool = False) -> int | float:
    """The sum of the numbers at ``pointer`` over the lines (lines without it add nothing); with
    ``whole``, the number at ``pointer`` in the one JSON document (a usage tool's report)."""
    total: int | float = 0
    for line, data in _records(chunks, whole):
        value = _at(data, pointer)
        if value is not _ABSENT:
            total += _amount(line, pointer, value)
    return total


def jsonl_tokens(
    chunks: Iterable[bytes], model: str, inp: str, out: str, tokens: dict[str, list[float]], whole: bool = False
) -> None:
    """Add each line's input and output tokens to ``tokens[model name]`` ([input, output]); with
    ``whole``, the one JSON document's."""
    for line, data in _records(chunks, whole):
        counts = [_at(data, inp), _at(data, out)]
        if counts[0] is _ABSENT and counts[1] is _ABSENT:
            continue
        name = _at(data, model)
        if not isinstance(name, str):
            what = "nothing" if name is _ABSENT else printable(json.dumps(name, default=str))[:60]
            raise LineFault(line, f"it counts tokens, but {model} holds {what}, not the model's name")
        pair = tokens.setdefault(name, [0, 0])
        for i, (pointer, value) in enumerate(zip((inp, out), counts, strict=True)):
            if value is not _ABSENT:
                pair[i] += _amount(line, pointer, value)


def read_task(root: Path, metric: Metric, prices: dict[str, Price], task_id: str, task_key: str) -> Reading | None:
    """The value of a per-task ``jsonl`` metric for one task; None when no log of it exists yet."""
    e = metric.extract
    assert e is not None and e.jsonl is not None
    pattern = expand_task_glob(e.jsonl, task_id, task_key)
    try:
        files = _matches(root, pattern)
        if not files:
            return None
        _read_cap(root, pattern, files)
        total: int | float = 0
        tokens: dict[str, list[float]] = {}
        for path in files:
            try:
                # a .json file is a usage tool's report: one document; any other, a JSON-lines log
                whole = path.suffix.lower() == ".json"
                if e.cost:
                    jsonl_tokens(_chunks(root, path), str(e.model), str(e.input), str(e.output), tokens, whole)
                else:
                    total += jsonl_sum(_chunks(root, path), str(e.pointer), whole)
            except LineFault as exc:
                raise ReportError(f"{_rel(root, path)}:{exc.line}: {exc.message}") from None
    except OSError as exc:
        name = _rel(root, Path(exc.filename)) if exc.filename else pattern
        raise ReportError(f"{name}: cannot read: {exc.strerror or exc}; check the file's permissions") from None
    names = tuple(_rel(root, p) for p in files)
    if e.cost:
        cost = 0.0
        for name in sorted(tokens):  # sorted: the same float sum whatever order the logs came in
            price = prices.get(name)
            if price is None:
                known = ", ".join(sorted(prices)) or "none"
                raise ReportError(
                    f"{pattern}: model '{printable(name)[:80]}' has no price (priced: {printable(known)[:200]}); "
                    f"add it to phases/project.yaml: prices: {{{printable(name)[:80]}: "
                    "{input: USD_PER_MTOK, output: USD_PER_MTOK}}"
                )
            cost += (tokens[name][0] * price.input + tokens[name][1] * price.output) / 1_000_000
        value: int | float = round(cost, 6)
    else:
        value = total
    problem = value_error(metric.unit, value)
    if problem:  # a sum of values each within range may still pass it
        raise ReportError(f"{pattern}: {problem}")
    return Reading(value, names)
