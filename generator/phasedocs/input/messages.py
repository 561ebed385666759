"""Error messages for input that breaks its model: the words users read.

``parse_model`` turns a records' validation error into one :class:`InputError` per
fault, each with the field's position and a fix; ``describe`` and ``value_error`` are
shared with ``record``.
"""

from __future__ import annotations

import re
import typing
from typing import TYPE_CHECKING, Any

from phasedocs.dates import impossible
from phasedocs.errors import InputError, hidden_character
from phasedocs.input import records
from phasedocs.input.loader import MAX_MAGNITUDE, RANGE_RULE, Document, OutOfRange

if TYPE_CHECKING:
    from pydantic_core import ErrorDetails

_TYPE_WORDS = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "tuple_type": "a list",
    "dict_type": "a mapping (key: value)",
    "dataclass_type": "a mapping (key: value)",
    "dataclass_args_type": "a mapping (key: value)",
}


def describe(value: Any) -> str:
    """A value as a message names it: 'the number 3', 'a list', 'true'."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _message(err: ErrorDetails, doc: Document, path: tuple[Any, ...], model: type) -> str:
    kind = err["type"]
    value = err.get("input")
    if kind == "missing":
        return "required field is missing; add it"
    if kind == "unexpected_keyword_argument":  # records are dataclass schemas: this is their "extra" error
        known = _known_fields(model, path[:-1])
        close = close_matches(str(path[-1]), known)
        hint = f"did you mean '{close[0]}'?" if close else f"known fields: {', '.join(known)}"
        return f"unknown field '{path[-1]}'; {hint}"
    if kind == "string_type" and isinstance(value, (int, float)) and not isinstance(value, bool):
        raw = doc.raw.get(path, str(value))
        if len(path) >= 3 and path[0] == "tasks" and (path[2] in ("id", "depends_on")):
            hint = f" (YAML reads {raw} as {value})" if raw != str(value) else ""
            return f'task id {raw} is a number to YAML{hint}; quote it: "{raw}"'
        return f'expected text, got {describe(value)}; quote it: "{raw}"'
    if kind in _TYPE_WORDS:
        return f"expected {_TYPE_WORDS[kind]}, got {describe(value)}"
    if kind == "literal_error":
        expected = err["ctx"]["expected"]  # pydantic-core always says what a literal allows
        return f"{describe(value)} is not allowed; use one of {expected}"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        key = {"greater_than": "gt", "greater_than_equal": "ge", "less_than": "lt", "less_than_equal": "le"}[kind]
        bound = err["ctx"][key]
        bound = int(bound) if isinstance(bound, float) and bound.is_integer() else bound
        word = {"gt": "more than", "ge": "at least", "lt": "less than", "le": "at most"}[key]
        return f"must be {word} {bound}, got {describe(value)}"
    if kind == "too_short":
        return "needs at least one entry"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "timezone_aware":
        return f"{describe(_iso(value))} has no time zone; add 'Z' (UTC) or an offset such as +02:00"
    if kind.startswith(("date_", "datetime")) and isinstance(value, str) and impossible(value):
        return str(impossible(value))  # shaped like a date, but no such day or hour: say why
    if kind.startswith("date_"):  # a date alone (holidays): date_type, date_parsing, ...
        return f"{describe(_iso(value))} is not a date; write it as YYYY-MM-DD, such as 2025-12-25"
    if kind.startswith("datetime"):
        return f"{describe(_iso(value))} is not a date-time; write ISO 8601 such as 2025-10-23T08:00:00Z"
    if kind == "value_error":
        return str(err["ctx"]["error"])
    return err["msg"]


def close_matches(word: str, options: list[str]) -> list[str]:
    """The one option closest to ``word`` (for "did you mean"), or none."""
    import difflib  # only a faulty file needs it; a clean run should not pay its import

    return difflib.get_close_matches(word, options, n=1)


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _known_fields(model: type, path: tuple[Any, ...]) -> list[str]:
    """The field names of the (sub)model at ``path`` of ``model``.

    In a list or a mapping of records (``tasks[0]``, ``metrics.build_time``) the index or
    key picks an item: it is not a field name.
    """
    current: Any = model
    for part in path:
        if _container(current):
            current = _inner_model(current)
            continue
        found = _inner_model(current)
        current = records.fields(found).get(part) if found is not None else None
        if current is None:
            return []
    found = _inner_model(current)
    return list(records.fields(found)) if found is not None else []


def _container(annotation: Any) -> bool:
    """True for a list or mapping annotation (also inside ``Annotated`` and ``| None``)."""
    origin = typing.get_origin(annotation)
    if origin in (list, dict, tuple):
        return True
    return origin is not None and any(_container(arg) for arg in typing.get_args(annotation))


def _inner_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, records.Model):
        return annotation
    for arg in typing.get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _as_written(data: Any, path: tuple[Any, ...]) -> tuple[Any, ...]:
    """``path`` cut where the file holds a plain value that a reader widened into a mapping.

    ``"7.1": "done"`` is read as ``{"state": "done"}``; its error belongs to ``tasks["7.1"]``
    as written, not to a ``state`` field the file does not have.
    """
    node = data
    for i, key in enumerate(path):
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
            node = node[key]
        else:
            # (never at i == 0: node is then the document, a mapping)
            return path[:i] if not isinstance(node, (dict, list)) else path
    return path


def parse_model(doc: Document, model: type) -> tuple[Any, list[InputError]]:
    """Validate ``doc`` against ``model``; return (instance or None, errors)."""
    if not isinstance(doc.data, dict):
        got = "an empty file" if doc.data is None else describe(doc.data)
        return None, [doc.error((), f"expected a mapping of fields, got {got}")]
    hidden = hidden_errors(doc)
    try:
        parsed: Any = records.parse(model, doc.data)
    except records.ValidationError as exc:
        errors = hidden
        for err in exc.errors():
            path = _as_written(
                doc.data, tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
            )
            errors.append(doc.error(path, _message(err, doc, path, model)))
        return None, errors
    return (None, hidden) if hidden else (parsed, [])


def hidden_errors(doc: Document) -> list[InputError]:
    """An error for every key and text of ``doc`` that holds a character readers cannot see
    (see :func:`~phasedocs.errors.hidden_character`), at its place in the file."""
    errors: list[InputError] = []

    def walk(value: Any, path: tuple[str | int, ...]) -> None:
        if isinstance(value, str):
            problem = hidden_character(value)
            if problem:
                errors.append(doc.error(path, problem))
        elif isinstance(value, dict):
            for key, item in value.items():
                problem = hidden_character(key) if isinstance(key, str) else None
                if problem:
                    errors.append(doc.error((*path, key), f"the key {problem}"))
                walk(item, (*path, key))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                walk(item, (*path, i))

    walk(doc.data, ())
    return errors


_RATIO_TEXT_RE = re.compile(r"\s*[+-]?[0-9]+(\.[0-9]+)?\s*/\s*[+-]?[0-9]+(\.[0-9]+)?\s*", re.ASCII)


def value_error(unit: str, value: Any) -> str | None:
    """Why ``value`` is not a value of ``unit`` (None when it is); null is always fine."""
    if value is None:
        return None
    if isinstance(value, OutOfRange):
        return f"{value.shown} is out of range; {RANGE_RULE}"
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if number and not abs(value) <= MAX_MAGNITUDE:  # also catches NaN
        return f"{value:g} is out of range; {RANGE_RULE}"
    if unit == "usd" and number and value < 0:
        return f"{value:g} is negative; an amount of money spent is 0 or more"
    if unit == "text":
        return None if isinstance(value, str) else f"expected text, got {describe(value)}"
    if unit == "ratio":
        if number:
            return None
        if isinstance(value, str) and _RATIO_TEXT_RE.fullmatch(value):
            if float(value.split("/")[1]) == 0:
                return f"'{value}' divides by zero"
            return None
        return f"expected a number or a ratio such as '626/630', got {describe(value)}"
    if number:
        return None
    return f"expected a number ({unit}), got {describe(value)}"
