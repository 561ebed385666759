"""The one exception hierarchy of phasedocs.

Shaped like mkdocs' ``exceptions.py``: the root is a :class:`click.ClickException`, so
the CLI prints any of them cleanly and exits 1 without a try/except of its own. Errors
that have a place in a user's file carry it and print like Jinja's
``TemplateSyntaxError``: ``file:line:col: field: what is wrong (what to do)``.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import click

# C0 and C1 controls, the bidirectional controls that make text read other than it is, the
# zero-width characters that hide inside it, the line separators, and the byte-order mark
_HIDDEN = "\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
UNPRINTABLE_RE = re.compile(f"[\x00-\x1f\x7f-\x9f{_HIDDEN}\ud800-\udfff]")
#: What no input text may hold (see :func:`hidden_character`): the above less tab and newlines.
HIDDEN_RE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_HIDDEN}\ud800-\udfff]")


def hidden_character(text: str) -> str | None:
    """Why ``text`` may not be input text (None when it may): the first character it holds
    that a reader cannot see or that reorders what is seen, by code point and name.

    Control characters make the SVG charts ill-formed XML; bidirectional overrides, zero-width
    characters and a byte-order mark reach every document unseen ("Trojan Source"). One rule
    for every input: refused where it is read, so no output has to strip them.
    """
    m = HIDDEN_RE.search(text)
    if m is None:
        return None
    ch = m.group()
    name = unicodedata.name(ch, "")
    what = f"U+{ord(ch):04X} ({name.lower()})" if name else f"U+{ord(ch):04X} (a control character)"
    if "\ud800" <= ch <= "\udfff":
        what = f"U+{ord(ch):04X} (half of a surrogate pair, not a character)"
    return (
        f"holds {what} at character {m.start() + 1}; control, bidirectional and zero-width characters "
        "are not allowed in text (they hide or reorder what readers see); remove it"
    )


def printable(text: str, keep_newlines: bool = False) -> str:
    """``text`` with control characters written as escapes (``\\n``, ``\\x1b``).

    Messages quote values from files anyone can edit: a newline in a value must not
    start a line of its own and an escape sequence must not reach the terminal. (Lines a
    CI runner would run as workflow commands are the CLI's :class:`WorkflowSafe` filter's.)
    """

    def escape(m: re.Match[str]) -> str:
        ch = m.group()
        if ch == "\n" and keep_newlines:
            return ch
        return repr(ch)[1:-1] if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"

    return UNPRINTABLE_RE.sub(escape, text)  # lines that pass for workflow commands: WorkflowSafe


#: What GitHub's runner reads as a workflow command: a line that starts with ``::`` once it is
#: trimmed (of any white space; a space put before is no defence), and ``##[`` anywhere in a
#: line (its legacy parser; ``##vso[`` is Azure Pipelines'). Lines end at ``\n`` or ``\r``.
_COMMAND_RE = re.compile(r"(?:^|(?<=\r))(\s*):(?=:)|##(?=\[|vso\[)", re.MULTILINE)


def workflow_safe(text: str) -> str:
    """``text`` with no line a CI runner would run as a workflow command.

    The first character of the command is written as a JSON-style escape (``::error`` becomes
    ``\\u003a:error``, ``##[`` becomes ``#\\u0023[``): visible to a reader, and inside a JSON
    string (``check --json``) it reads back as the text it was, so the output stays valid JSON.
    """
    return _COMMAND_RE.sub(lambda m: "#\\u0023" if m.group(1) is None else m.group(1) + "\\u003a", text)


class WorkflowSafe(io.TextIOBase):
    """A text stream that passes everything written through :func:`workflow_safe`, line by line.

    The CLI writes every output (results, JSON, errors, click's own messages) through one
    of these, so no command can print user text as a line a runner executes, whatever path
    the text took. A line is held until it ends (a command could be split over two
    writes); on a terminal, which no runner reads, a flush shows the partial line at once.
    """

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.held = ""

    @property
    def encoding(self) -> str:  # type: ignore[override]
        """The wrapped stream's encoding (click checks it before writing)."""
        return getattr(self.stream, "encoding", None) or "utf-8"

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        """The wrapped stream's error handler."""
        return getattr(self.stream, "errors", None)

    def writable(self) -> bool:
        """Always: this is an output stream."""
        return True

    def isatty(self) -> bool:
        """Whether the wrapped stream is a terminal (progress lines are drawn only there)."""
        return bool(getattr(self.stream, "isatty", lambda: False)())

    def fileno(self) -> int:
        """The wrapped stream's file descriptor."""
        return int(self.stream.fileno())

    def write(self, text: str) -> int:
        """Write the complete lines of ``text`` made safe; hold back an unfinished line."""
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        size = len(text)
        text = self.held + text
        cut = max(text.rfind("\n"), text.rfind("\r")) + 1
        self.held = text[cut:]
        if cut:
            self.stream.write(workflow_safe(text[:cut]))
        return size

    def flush(self) -> None:
        """Flush the wrapped stream; on a terminal, show an unfinished line too."""
        if self.held and self.isatty():
            self.stream.write(workflow_safe(self.held))
            self.held = ""
        self.stream.flush()

    def close_line(self) -> None:
        """Write out a last line without its line break, then flush."""
        if self.held:
            self.stream.write(workflow_safe(self.held))
            self.held = ""
        self.stream.flush()


class PhasedocsError(click.ClickException):
    """Root of every error phasedocs raises on purpose; exit status 1."""

    exit_code = 1

    def format_message(self) -> str:
        """The message as printed: control characters escaped, our own line breaks kept."""
        return printable(super().format_message(), keep_newlines=True)


class Abort(PhasedocsError):
    """A refusal that is not about input: a hand-edited file, a deploy with no remote."""


@dataclass(frozen=True, order=True)
class Location:
    """Where a fault sits: a file relative to the project, optionally line and column."""

    file: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        parts = [printable(self.file)]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)


class InputError(PhasedocsError):
    """One fault in one input file, with its place and field path."""

    def __init__(self, location: Location, field: str, message: str) -> None:
        self.location = location
        self.field = printable(field)
        self.problem = printable(message)  # one line, whatever the values it quotes hold
        super().__init__(self.text)

    @property
    def text(self) -> str:
        """The error as one printed line: ``file:line:col: field: message`` (its line number
        is ``location.line``)."""
        field = f"{self.field}: " if self.field else ""
        return f"{self.location}: {field}{self.problem}"

    def sort_key(self) -> tuple[str, int, int, str]:
        """Files in name order, then by position, so output is stable."""
        loc = self.location
        return (loc.file, loc.line or 0, loc.column or 0, self.text)

    def show(self, file=None) -> None:
        click.echo(self.text, file=file, err=file is None)


class ValidationErrors(PhasedocsError):
    """Every input error of one run, printed one per line with a summary line."""

    def __init__(self, errors: Iterable[InputError]) -> None:
        unique = {e.text: e for e in errors}
        self.errors = sorted(unique.values(), key=InputError.sort_key)
        files = {e.location.file for e in self.errors}
        n, f = len(self.errors), len(files)
        self.summary = f"{n} error{'s' if n != 1 else ''} in {f} file{'s' if f != 1 else ''}"
        super().__init__("\n".join([*(e.text for e in self.errors), self.summary]))

    def show(self, file=None) -> None:
        click.echo(self.message, file=file, err=file is None)


class TemplateError(PhasedocsError):
    """A template that fails to compile or render: names the template and its line."""

    def __init__(self, template: str, line: int | None, message: str) -> None:
        self.template = template
        self.template_line = line
        where = f"{template}:{line}" if line else template
        super().__init__(f"{where}: {message}")

    def show(self, file=None) -> None:
        click.echo(self.message, file=file, err=file is None)


#: What to do about an OS error, by errno name: the last part of the message.
_OS_FIXES = {
    "ENOSPC": "free some space on that disk, then run the command again",
    "EDQUOT": "free some space within your quota, then run the command again",
    "EROFS": "run the command where the project can be written (a writable checkout or mount)",
    "EACCES": "give this user access to it (ls -ld shows the owner and mode), then run again",
    "EPERM": "give this user access to it (ls -ld shows the owner and mode), then run again",
    "EISDIR": "a folder stands where a file belongs: move the folder aside, then run again",
    "ENOTDIR": "a file stands where a folder belongs: move the file aside, then run again",
    "ELOOP": "a symlink loops or leads back into itself: remove the symlink, then run again",
    "ENAMETOOLONG": "choose a shorter path",
    "EMFILE": "raise the limit of open files (ulimit -n), then run again",
    "EIO": "check the disk, then run the command again",
}


def os_error(exc: OSError) -> PhasedocsError:
    """An error of the operating system (a full disk, a read-only or unreadable folder) as
    one of ours: the path, what went wrong and what to do, printed without a traceback.

    The CLI turns every :class:`OSError` no command handled itself into this, so each new
    place that reads or writes a file is covered without a try/except of its own.
    """
    import errno
    import os

    name = errno.errorcode.get(exc.errno or 0, "")
    strerror = exc.strerror or (os.strerror(exc.errno) if exc.errno else str(exc))
    fix = _OS_FIXES.get(name, "check the path and the disk, then run the command again")
    path = exc.filename2 if exc.filename2 is not None else exc.filename
    shown = os.fsdecode(path) if path is not None else ""
    if len(shown) > 240:  # a symlink loop names a path thousands of characters long
        shown = f"{shown[:120]}…{shown[-100:]}"
    where = f"{shown}: " if shown else ""
    return Abort(printable(f"{where}{strerror}; {fix}"))
