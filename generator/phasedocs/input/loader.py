"""Read YAML and JSON input files into plain data plus the position of every value.

No rules live here (that is ``models.py``); this module only guarantees that what it
returns is plain, safely-built data (dicts, lists, str, int, float, bool, None,
datetime) and that any fault it finds names its file, line and column.

YAML safety: only the core schema's tags, duplicate keys refused, anchors and aliases
bounded (a "billion laughs" file is refused after a fixed number of nodes instead of
being expanded), recursive aliases refused. libyaml's C parser composes the node tree
when it is installed; the tree walk below is ours either way, so both paths keep
positions and the same rules.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import math
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from phasedocs.errors import InputError, Location

try:  # libyaml is several times faster; the pure-Python composer is the fallback
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    # the pure-Python class has the C one's interface but is no subclass of it
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

#: Levels of nesting a file may have. The formats need four; a deeper file is an attack
#: on the recursion of whatever reads it next, and is refused.
MAX_DEPTH = 32
TOO_DEEP = f"nested more than {MAX_DEPTH} levels deep; a snapshot is a flat object and a phase file needs a few levels"

#: The largest magnitude a number may have: every value becomes arithmetic, a date offset
#: or a drawing, where 1e400 (infinity) or a 400-digit integer would crash or mislead.
MAX_MAGNITUDE = 1e15
RANGE_RULE = "a value must be a finite number between -1e15 and 1e15"


class OutOfRange(float):
    """A JSON number beyond ``MAX_MAGNITUDE`` (or too long to read), kept as its source text so
    validation can name it; no model or fact accepts it."""

    text: str

    def __new__(cls, text: str) -> OutOfRange:
        self = super().__new__(cls, "nan")
        self.text = text
        return self

    @property
    def shown(self) -> str:
        """The source text, cut to ten characters."""
        return self.text if len(self.text) <= 10 else self.text[:10] + "…"


def _json_float(text: str) -> float:
    value = float(text)
    return value if math.isfinite(value) and abs(value) <= MAX_MAGNITUDE else OutOfRange(text)


def _json_int(text: str) -> int | float:
    if len(text.lstrip("-")) > 16:  # before int(): Python refuses to read 4,300 digits and more
        return OutOfRange(text)
    value = int(text)
    return value if abs(value) <= MAX_MAGNITUDE else OutOfRange(text)


class _DuplicateKey(ValueError):
    """A key written twice in one JSON object; ``args[0]`` is the key."""


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return out


#: Values that aliases may repeat in one file. Aliases save typing a few lines; a
#: "billion laughs" file repeats values through aliases and reaches this in milliseconds.
MAX_NODES = 100_000
#: Values one file may hold as written (a 5,000-task phase holds about 150,000).
MAX_VALUES = 2_000_000

_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}

Path_ = tuple[str | int, ...]


@dataclass
class Document:
    """One loaded file: its data and where each value of it stands."""

    file: str
    """The file's path relative to the project, as errors print it."""
    data: Any
    """The plain data."""
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    """Field path -> (line, column), both 1-based; () is the document itself."""
    raw: dict[Path_, str] = field(default_factory=dict)
    """Field path -> the scalar's source text, for hints such as 'quote 3.10'."""
    json_text: str | None = None
    """For JSON: the text, scanned for key positions only when an error needs one."""
    sha256: str = ""
    """SHA-256 of the file's bytes, for digests of inputs without reading the file again."""

    def locate(self, path: Path_) -> Location:
        """The location of ``path``, or of its nearest ancestor that has one."""
        if self.json_text is not None:  # thousands of snapshots, rarely an error: find positions on demand
            _json_positions(self.json_text, self)
            self.json_text = None
        path = tuple(path)
        while path not in self.positions and path:
            path = path[:-1]
        pos = self.positions.get(path)
        if pos is None:
            return Location(self.file)
        return Location(self.file, *pos)

    def error(self, path: Path_, message: str) -> InputError:
        """An :class:`InputError` at ``path`` with ``message``."""
        return InputError(self.locate(path), format_path(path), message)


def format_path(path: Path_) -> str:
    """``('tasks', 3, 'depends_on', 0)`` -> ``tasks[3].depends_on[0]``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not _PLAIN_KEY_RE.fullmatch(part):
            out += f"[{json.dumps(part, ensure_ascii=False)}]"  # tasks["7.1"], not tasks.7.1
        else:
            out += f".{part}" if out else part
    return out


_PLAIN_KEY_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*", re.ASCII)


class _Walker:
    """Builds plain data from a composed YAML node tree, recording positions."""

    def __init__(self, file: str, constructor: Any) -> None:
        self.doc = Document(file, None)
        self.constructor = constructor
        self.seen: set[int] = set()
        self.repeats = 0
        self.active: set[int] = set()

    def fail(self, node: yaml.Node, message: str, path: Path_ = ()) -> InputError:
        mark = node.start_mark
        return InputError(Location(self.doc.file, mark.line + 1, mark.column + 1), format_path(path), message)

    def build(self, node: yaml.Node, path: Path_) -> Any:
        if len(path) > MAX_DEPTH:
            raise self.fail(node, TOO_DEEP, path[:MAX_DEPTH])
        if id(node) in self.seen:  # reached again, through an alias
            self.repeats += 1
            if self.repeats > MAX_NODES:
                raise self.fail(
                    node,
                    f"the file expands to more than {MAX_NODES:,} values (aliases repeating "
                    "aliases?); write the values out or use fewer aliases",
                    path,
                )
        else:
            self.seen.add(id(node))
            if len(self.seen) > MAX_VALUES:
                raise self.fail(
                    node, f"the file holds more than {MAX_VALUES:,} values; split the phase into phases", path
                )
        if id(node) in self.active:
            raise self.fail(node, "an alias refers to itself; remove the recursive alias", path)
        mark = node.start_mark
        self.doc.positions.setdefault(path, (mark.line + 1, mark.column + 1))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ:
                raise self.fail(node, f"tag {node.tag!r} is not allowed; remove it", path)
            self.active.add(id(node))
            try:
                return [self.build(child, (*path, i)) for i, child in enumerate(node.value)]
            finally:
                self.active.discard(id(node))
        return self._scalar(node, path)

    def _mapping(self, node: yaml.MappingNode, path: Path_) -> dict[str, Any]:
        if node.tag != _MAP:
            raise self.fail(node, f"tag {node.tag!r} is not allowed; remove it", path)
        self.active.add(id(node))
        try:
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise self.fail(key_node, "merge keys ('<<') are not supported; write the keys out", path)
                if not isinstance(key_node, yaml.ScalarNode):
                    raise self.fail(key_node, "a key must be plain text", path)
                if key_node.tag in _TYPED_KEYS:  # '7: x' keeps the key as written: never built as a number
                    key = key_node.value
                else:
                    key = self._scalar(key_node, path)
                if not isinstance(key, str):
                    key = key_node.value  # 'true: x' too
                if key in out:
                    first = self.doc.positions.get((*path, key), (0, 0))[0]
                    raise self.fail(
                        key_node,
                        f"duplicate key '{key}' (first on line {first}); keep one of them",
                        (*path, key),
                    )
                out[key] = None
                self.doc.positions[(*path, key)] = (
                    key_node.start_mark.line + 1,
                    key_node.start_mark.column + 1,
                )
                # the value's own position is more precise than the key's
                vm = value_node.start_mark
                self.doc.positions[(*path, key)] = (vm.line + 1, vm.column + 1)
                out[key] = self.build(value_node, (*path, key))
            return out
        finally:
            self.active.discard(id(node))

    def _scalar(self, node: yaml.Node, path: Path_) -> Any:
        if node.tag not in _SCALAR_TAGS:
            raise self.fail(node, f"tag {node.tag!r} is not allowed; remove it", path)
        self.doc.raw[path] = node.value
        if node.tag == _INT and len(node.value) > _MAX_INT_TEXT:  # before building it: 1:1:1:... is quadratic
            raise self.fail(node, _unreadable(node, None), path)
        try:
            value = self.constructor.construct_object(node)
        except yaml.YAMLError as exc:
            raise self.fail(node, f"cannot read this value: {exc}", path) from None
        except (ValueError, OverflowError) as exc:  # int() refuses 4,300 digits; a day its month lacks
            if node.tag == "tag:yaml.org,2002:timestamp":
                # shaped like a timestamp but no such day or hour (2026-02-29, hour 25): kept as written,
                # the model refuses it with every other error of the file, saying why (dates.impossible)
                return node.value
            raise self.fail(node, _unreadable(node, exc), path) from None
        if isinstance(value, float) and not math.isfinite(value):
            raise self.fail(node, f"'{node.value}' is not a finite number", path)
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_MAGNITUDE:
            raise self.fail(node, _unreadable(node, None), path)  # 0xfff... is short text but a huge number
        return value


#: The longest whole number as written: 1e15 has 16 digits, 40 leaves room for '_' and signs.
_MAX_INT_TEXT = 40
_INT = "tag:yaml.org,2002:int"
#: Keys that YAML would build as numbers or dates: kept as written instead.
_TYPED_KEYS = {_INT, "tag:yaml.org,2002:float", "tag:yaml.org,2002:timestamp"}


def _unreadable(node: yaml.Node, exc: Exception | None) -> str:
    """Why a scalar YAML typed by its look (a number, a date) cannot be built, and the fix."""
    shown = node.value if len(node.value) <= 10 else node.value[:10] + "…"
    if node.tag == _INT:
        return f"'{shown}' is out of range; {RANGE_RULE} (quote it if it is text)"
    return f"'{shown}' cannot be read as written: {exc}; correct it, or quote it if it is text"


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def explain_yaml(exc: yaml.MarkedYAMLError, text: str) -> str | None:
    """The parser's complaint in plain words, with the likely fix (None when there is no better word).

    The parser says what it expected ("did not find expected '-' indicator"); people need
    to hear which line is off and how: indented less than its list, a second ': ' in a
    value, a tab.
    """
    mark, ctx = exc.problem_mark, exc.context_mark
    if mark is None:
        return None
    lines = text.splitlines()
    line = lines[mark.line] if mark.line < len(lines) else ""
    n, problem = mark.line + 1, exc.problem or ""
    if "\t" in line[: max(mark.column, _indent(line)) + 1]:  # in the indentation, or where the parser stopped
        return f"line {n} holds a tab: YAML indents with spaces only; replace the tab with spaces"
    if "expected '-' indicator" in problem and ctx is not None:
        here, dash = _indent(line), ctx.column
        if here != dash:
            keys = dash + 2
            for prior in reversed(lines[ctx.line : mark.line]):
                if prior.strip() and not prior.lstrip().startswith("#"):
                    keys = _indent(prior) + 2 if prior.lstrip().startswith("- ") else _indent(prior)
                    break
            return (
                f"line {n} is indented {here} spaces: not like the list's '- ' ({dash}) nor like the keys of "
                f"its items ({keys}); line it up with one of them"
            )
        return (
            f"line {n} is indented like the items of the list that starts on line {ctx.line + 1} but is not one; "
            f"start it with '- ', or indent it further if it belongs to the item above"
        )
    if "expected key" in problem or "expected <block end>" in problem:
        item = line.lstrip().startswith("- ")
        above = [x for x in lines[: mark.line] if x.strip() and not x.lstrip().startswith("#")]
        siblings = [x for x in above if x.lstrip().startswith("- ") == item]
        if siblings and _indent(siblings[-1]) > _indent(line):
            what = "list" if item else "mapping"
            return (
                f"line {n} is indented less than the {what} it belongs to (indented {_indent(siblings[-1])} "
                f"spaces on the lines above, {_indent(line)} here); line it up with them"
            )
        return f"line {n} does not line up with the lines above it; indent it exactly like the keys or items it belongs with"
    if "mapping values are not allowed" in problem:
        if ": " in line[: mark.column]:  # a key's ': ' before the one the parser stopped at
            return f"line {n} holds a second ': ' in its value; put the value in quotes (\"...\")"
        return f"line {n} is indented more than the keys above it; line it up with them"
    if "could not find expected ':'" in problem and ctx is not None:
        return (
            f"line {ctx.line + 1} is neither 'key: value' nor a '- ' item; add ': ' after the key, "
            "or quote the text if it continues a value"
        )
    return None


def parse_yaml(text: str, file: str) -> Document:
    """Parse YAML ``text`` (named ``file`` in errors) into a :class:`Document`."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Location(file, mark.line + 1, mark.column + 1) if mark else Location(file)
        problem = exc.problem or exc.context or "not valid YAML"
        plain = explain_yaml(exc, text)
        raise InputError(where, "", f"not valid YAML: {problem}" + (f"; {plain}" if plain else "")) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow, with no mark of its own
        at = exc.position
        line, column = line_column(text, at)
        what = f"#x{exc.character:04x}" if isinstance(exc.character, int) else repr(exc.character)
        raise InputError(
            Location(file, line, column),
            "",
            f"not valid YAML: the character {what} is not allowed ({exc.reason}); remove it",
        ) from None
    except yaml.YAMLError as exc:
        raise InputError(Location(file), "", f"not valid YAML: {' '.join(str(exc).split())}") from None
    finally:
        loader.dispose()
    walker = _Walker(file, loader)
    if node is None:
        walker.doc.data = None
        return walker.doc
    walker.doc.data = walker.build(node, ())
    return walker.doc


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows; write a number or null")


_KEY_RE = re.compile(r'"((?:[^"\\]|\\.)*)"\s*:')


def parse_json(text: str, file: str) -> Document:
    """Parse a JSON snapshot; NaN/Infinity, bad syntax and non-object roots are errors."""
    try:
        data = json.loads(
            text,
            parse_constant=_reject_constant,
            parse_float=_json_float,
            parse_int=_json_int,
            object_pairs_hook=_no_duplicates,
        )
    except RecursionError:
        raise InputError(Location(file, 1, 1), "", TOO_DEEP) from None
    except _DuplicateKey as exc:
        raise _duplicate_error(text, file, exc.args[0]) from None
    except json.JSONDecodeError as exc:
        # json's messages end in "... starting at" / "... at" before a position we give anyway
        problem = exc.msg.removesuffix(" starting at").removesuffix(" at")
        if problem == "Unterminated string":
            problem += ' (it starts here: a closing " is missing, or the file is truncated)'
        elif exc.pos >= len(text.rstrip()):
            problem += " (the file ends too early: is it truncated?)"
        raise InputError(Location(file, exc.lineno, exc.colno), "", f"not valid JSON: {problem}") from None
    except ValueError as exc:
        name = str(exc).split(" ", 1)[0]
        offset = text.find(name)
        line, column = line_column(text, offset)
        raise InputError(Location(file, line, column), "", str(exc)) from None
    if not isinstance(data, dict):
        kind = type(data).__name__ if data is not None else "null"
        raise InputError(Location(file, 1, 1), "", f"a snapshot must be a JSON object {{...}}, not {kind}")
    if _depth(data) > MAX_DEPTH:
        raise InputError(Location(file, 1, 1), "", TOO_DEEP)
    doc = Document(file, data, json_text=text)
    doc.positions[()] = (1, 1)
    return doc


def line_column(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of character ``offset`` of ``text``."""
    before = text[:offset]
    return before.count("\n") + 1, offset - before.rfind("\n")


def _depth(data: Any) -> int:
    """How deeply ``data`` nests (iteratively: the point is not to recurse)."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, level = stack.pop()
        deepest = max(deepest, level)
        if isinstance(value, dict):
            stack.extend((v, level + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, level + 1) for v in value)
    return deepest


def _duplicate_error(text: str, file: str, key: str) -> InputError:
    """The error for a key that appears twice in one JSON object, at its second place."""
    first = _find_key(text, key, 0)
    second = _find_key(text, key, first.end()) if first else None
    at = second.start() if second else 0
    path = _path_to(text, at)
    return InputError(
        Location(file, *line_column(text, at)),
        format_path((*path, key)) if path or key else "",
        f"duplicate key '{key}'; keep one of them",
    )


def _path_to(text: str, offset: int) -> tuple[str, ...]:
    """The keys leading to the object that encloses ``offset`` in JSON ``text``."""
    stack: list[str | None] = []  # per open container: the key whose value it is
    key: str | None = None
    i = 0
    while i < offset:
        ch = text[i]
        if ch == '"':
            end = i + 1
            while end < len(text) and text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            if text[end + 1 :].lstrip().startswith(":"):
                key = json.loads(text[i : end + 1])
            i = end + 1
            continue
        if ch in "{[":
            stack.append(key)
            key = None
        elif ch in "}]" and stack:
            stack.pop()
        elif ch == ",":
            key = None
        i += 1
    return tuple(k for k in stack if k is not None)


def _json_positions(text: str, doc: Document) -> None:
    """Record the line and column of each key's value down to the third level (for error messages).

    json gives no positions; snapshots are small and shallow (a task entry is the third
    level: ``tasks["7.1"].note``), so a scan for ``"key":`` in order, each search starting
    after the previous key and its nested keys, is exact enough to point at the value.
    """
    line_starts = [0, *(m.end() for m in re.finditer("\n", text))]

    def where(offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(line_starts, offset)  # lines starting at or before offset
        return line, offset - line_starts[line - 1] + 1

    def scan(obj: dict[str, Any], prefix: tuple[str, ...], pos: int) -> int:
        for key, value in obj.items():
            m = _find_key(text, key, pos)
            if m is None:
                continue
            doc.positions[(*prefix, key)] = where(m.end())
            pos = m.end()
            if isinstance(value, dict) and len(prefix) < 2:
                pos = scan(value, (*prefix, key), pos)
        return pos

    if isinstance(doc.data, dict):
        scan(doc.data, (), 0)


def _find_key(text: str, key: str, start: int) -> re.Match[str] | None:
    encoded = json.dumps(key)[1:-1]
    return re.compile(r'"' + re.escape(encoded) + r'"\s*:\s*').search(text, start)


#: The largest input file: a 5,000-task phase file is about 1 MB.
MAX_FILE_BYTES = 20 * 1024 * 1024


def read_text(path: Path, file: str) -> tuple[str, str]:
    """Read a UTF-8 file: (text, SHA-256 of its bytes); faults become :class:`InputError`."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # a pipe or a device would block the read or never end
            raise InputError(Location(file), "", "not a regular file; replace it with a file")
        if info.st_size > MAX_FILE_BYTES:
            raise InputError(
                Location(file),
                "",
                f"is {info.st_size / 2**20:.0f} MB; an input file may be at most {MAX_FILE_BYTES // 2**20} MB (split it)",
            )
        data = path.read_bytes()
        return data.decode("utf-8"), hashlib.sha256(data).hexdigest()
    except UnicodeDecodeError as exc:
        raise InputError(Location(file), "", f"not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    except OSError as exc:
        raise InputError(Location(file), "", f"cannot read: {exc.strerror}") from None


def load_yaml(path: Path, file: str) -> Document:
    """Read and parse one YAML file."""
    text, digest = read_text(path, file)
    doc = parse_yaml(text, file)
    doc.sha256 = digest
    return doc


def load_json(path: Path, file: str) -> Document:
    """Read and parse one JSON file."""
    text, digest = read_text(path, file)
    doc = parse_json(text, file)
    doc.sha256 = digest
    return doc
