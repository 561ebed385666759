"""The coordination protocol: project.yaml strings rendered per phase and task, sandboxed.

Protocol strings are user-written templates. They are compiled in a Jinja
``SandboxedEnvironment`` with ``StrictUndefined`` and only plain data in scope, and
checked before anything is rendered: a syntax error, an unknown variable or a reach
for an underscore attribute (``task.__class__``) is a validation error naming the field.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from jinja2 import StrictUndefined, TemplateError, meta, nodes

from phasedocs.errors import UNPRINTABLE_RE
from phasedocs.input.models import Phase, ProjectConfig, Protocol, Task
from phasedocs.sandbox import LimitedSandbox, SandboxLimit, TreeFault

#: Protocol fields rendered once per phase, and once per task.
PHASE_FIELDS = ("session", "monitor", "orchestrate")
TASK_FIELDS = ("memory_key", "before", "during", "after", "spawn")
#: The fields that are one word (a name shown in the documents), not a command to run.
WORD_FIELDS = ("session", "memory_key")

#: The fields of each name in scope (kept in step with the *_context functions below).
FIELDS = {
    "project": ("name", "summary", "coordinator", "operator", "repo_url"),
    "phase": ("number", "folder", "docs", "title", "summary", "tasks"),
    "task": (
        "id",
        "slug",
        "key",
        "title",
        "role",
        "agent",
        "goal",
        "duration_days",
        "depends_on",
        "assignees",
        "file",
        "links",
    ),
}

#: A rendered protocol string is one command: at most this many characters.
MAX_COMMAND = 10_000

_ENV = LimitedSandbox(
    max_string=MAX_COMMAND,
    range_budget=1_000,
    max_loop_depth=1,
    allow_macros=False,
    undefined=StrictUndefined,
    autoescape=False,
    keep_trailing_newline=False,
)


def shell(value: Any) -> str:
    """``value`` as one shell word, quoted so that no character of it is special to the shell.

    The explicit form of what protocol strings do anyway (see :func:`escape_for`): a title
    such as ``Build $(touch x) infra`` becomes ``'Build $(touch x) infra'``. Use it for a
    whole argument built from several values: ``{{ ("Task " ~ task.id ~ ": " ~ task.title) | shell }}``.
    """
    return ShellWord(shlex.quote(_one_line(value)))


class Links(dict[str, str]):
    """A task's links as templates see them: a name the task does not give reads as empty text, so
    one protocol string serves every task (``{% if task.links.pr %}``). Each value is escaped
    for the place it stands in, as a title is."""

    def __missing__(self, key: str) -> str:
        return ""


class ProtocolError(ValueError):
    """A protocol string that cannot be compiled or rendered; the message says why."""


@dataclass(frozen=True)
class RenderedProtocol:
    """The protocol of one task (and its phase) as plain command strings."""

    session: str
    memory_key: str
    before: tuple[str, ...]
    during: tuple[str, ...]
    after: tuple[str, ...]
    spawn: str


@dataclass(frozen=True)
class PhaseProtocol:
    """The phase-level protocol strings."""

    session: str
    monitor: tuple[str, ...]
    orchestrate: tuple[str, ...]
    monitor_every_minutes: int | None


def iter_strings(protocol: Protocol):
    """Yield (field path, template text, names in scope) for every protocol string."""
    for name in PHASE_FIELDS + TASK_FIELDS:
        scope = {"phase", "project"} | ({"task"} if name in TASK_FIELDS else set())
        value = getattr(protocol, name)
        if isinstance(value, str):
            yield ("protocol", name), value, scope
        else:
            for i, item in enumerate(value):
                yield ("protocol", name, i), item, scope


class ShellWord(str):
    """Text already quoted for the shell (the ``shell`` filter's result): escaped no further."""


def _one_line(value: Any) -> str:
    """``value`` as text of one command line: control characters become spaces."""
    return UNPRINTABLE_RE.sub(" ", str(value))


#: Characters that are plain in every shell context (``shlex.quote`` leaves them unquoted).
_PLAIN_RE = re.compile(r"[A-Za-z0-9@%+=:,./_-]*", re.ASCII)
#: Characters that keep a special meaning between double quotes (``!``: history expansion).
_DOUBLE_SPECIAL = frozenset('$`\\"!')


def escape_for(value: Any, context: str) -> str:
    """``value`` as it may stand at a place of a command that is ``bare``, inside ``"..."``
    (``double``) or inside ``'...'`` (``single``): the shell reads it as the text it is.

    Text with nothing special in that place is left as it is, so ordinary titles and ids
    read as written; anything else is quoted (a bare word, or a value inside double
    quotes, gets a single-quoted segment; inside single quotes, ``'`` becomes ``'\\''``).
    """
    if isinstance(value, ShellWord) and context == "bare":
        return value  # already one quoted word; inside quotes, its own quotes would be plain text
    text = _one_line(value)
    if context == "single":
        return text.replace("'", "'\\''")
    if context == "double":
        if not _DOUBLE_SPECIAL.intersection(text):
            return text
        return '"' + shlex.quote(text) + '"'
    return text if text and _PLAIN_RE.fullmatch(text) else shlex.quote(text)  # '' stays an argument


#: Where a value's escaping cannot be proven: text that a shell reads again, or reads in a way
#: of its own (``$( )``, backticks, ``${...}``, ``$'...'``, ``$"..."``, a heredoc). Once one
#: opens, every later value of the string is refused ("nested"): where it closes is not
#: always clear (a ``case`` pattern's ``)``), so none is trusted.
_NESTED_OPENERS = ("$(", "${", "$'", '$"', "<<", "<(", ">(")
#: Of those, the ones that are plain text between double quotes.
_DOUBLE_PLAIN = ("$'", '$"', "<<", "<(", ">(")


@dataclass(frozen=True)
class _Path:
    """One way through a template's ``{% if %}`` and ``{% for %}`` blocks, as far as it is read."""

    quote: str
    """The quote context: ``bare``, ``double``, ``single``, ``comment`` or ``nested`` (see above)."""
    escaped: bool
    """The text so far ends with a backslash that escapes what comes next."""
    text: str
    """The text so far of the current pipeline, each value as its placeholder (see ``_PLACE``)."""


#: Each value (``{{ ... }}``) of a template stands in its text as one private-use character,
#: and a ``|`` or ``(`` between the commands of a pipeline as another.
_PLACE = 0xF0000
_PLACE_RE = re.compile("[\U000f0000-\U000ffffd]")
_STAGE = "\U00100000"


def _advance(path: _Path, text: str, ended: list[str] | None = None) -> _Path:
    """``path`` after the literal ``text``; the text of each pipeline it ends goes to ``ended``.

    A pipeline ends at an unquoted ``;``, ``&``, ``&&``, ``||`` or newline; ``|`` and ``(``
    separate the commands inside one (kept in the text). Once nested, the rest is kept as it is.
    """
    quote, escaped, kept = path.quote, path.escaped, path.text
    i = 0
    while i < len(text):
        ch = text[i]
        i += 1
        if quote == "nested":
            kept += ch
        elif quote == "comment":
            if ch == "\n":
                quote = "bare"
                if ended is not None:
                    ended.append(kept)
                kept = ""
        elif escaped:
            escaped = False
            kept += ch
        elif quote != "single" and (ch == "`" or text.startswith(_NESTED_OPENERS, i - 1)):
            if quote == "double" and text.startswith(_DOUBLE_PLAIN, i - 1):
                kept += ch
            else:
                quote, kept = "nested", kept + ch
        elif quote == "single":
            kept += ch
            quote = "bare" if ch == "'" else quote
        elif ch == "\\":
            escaped, kept = True, kept + ch
        elif quote == "double":
            kept += ch
            quote = "bare" if ch == '"' else quote
        elif ch in "'\"":
            quote, kept = ("single" if ch == "'" else "double"), kept + ch
        elif ch == "#" and (not kept or kept[-1] in " \t;&|()"):
            quote = "comment"
        elif ch == "&" and (text[i - 2 : i - 1] in (">", "<") or text[i : i + 1] == ">"):
            kept += ch  # a redirection (2>&1, &>), not the end of a command
        elif ch in ";&\n" or text.startswith("||", i - 1):
            i += text[i : i + 1] in "&|" and text[i : i + 1] != ""  # && and ||
            if ended is not None:
                ended.append(kept)
            kept = ""
        elif ch == "|":
            i += text[i : i + 1] == "&"  # |& pipes stderr too
            kept += _STAGE
        elif ch == "(":
            kept += _STAGE + "(( " if text[i : i + 1] == "(" else _STAGE  # (( arithmetic )) reads names as code
            i += text[i : i + 1] == "("
        else:
            kept += ch
    return _Path(quote, escaped, kept)


def _autoescape(ast: nodes.Template, command: bool) -> nodes.Template:
    """Wrap every ``{{ ... }}`` of a protocol string in the escape of its quote context, or
    raise :class:`ProtocolError` where no escaping can be proven.

    Protocol strings become commands that operators paste; a title such as
    ``Build $(touch x) infra`` must reach the shell as text wherever the author put it,
    quoted or not (as HTML autoescaping does for markup). The context is read from the
    literal text before each value, along every way through the ``{% if %}`` and
    ``{% for %}`` blocks (a loop's body once, twice, and so on until nothing new appears);
    a value must stand in the same context on all of them. ``command``: the text is a command
    (not a word such as a session name), so where each value stands in it is checked too.
    """
    values = [node for output in ast.find_all(nodes.Output) for node in output.nodes if not _is_text(node)]
    places = {id(node): chr(_PLACE + i) for i, node in enumerate(values)}
    contexts: dict[int, set[str]] = {}
    for text in ast.find_all(nodes.TemplateData):
        if _PLACE_RE.search(text.data) or _STAGE in text.data:
            raise ProtocolError("the template holds private-use characters (U+F0000 and above); remove them")
    checker = _Checker(places, {places[id(n)]: n for n in values}, contexts, command)
    for path in checker.walk(ast.body, {_Path("bare", False, "")}):
        checker.ended(path.text)
    for output in ast.find_all(nodes.Output):
        wrapped: list[nodes.Expr] = []
        for node in output.nodes:
            if not _is_text(node):
                (context,) = contexts[id(node)]
                node = nodes.Filter(node, "_shell_escape", [nodes.Const(context)], [], None, None, lineno=node.lineno)
            wrapped.append(node)
        output.nodes = wrapped
    return ast


def _is_text(node: nodes.Node) -> bool:
    return isinstance(node, nodes.TemplateData)


#: How many ways through the blocks of one template are followed (each if doubles them).
MAX_PATHS = 256


@dataclass
class _Checker:
    """Reads a template's text along every way through its blocks (see :func:`_autoescape`)."""

    places: dict[int, str]
    nodes_at: dict[str, nodes.Expr]
    contexts: dict[int, set[str]]
    command: bool

    def walk(self, body: list[nodes.Node], paths: set[_Path]) -> set[_Path]:
        """The paths after the statements ``body``, starting from ``paths``."""
        for node in body:
            if isinstance(node, nodes.Output):
                for child in node.nodes:
                    paths = {self.read(child, p) for p in paths}
            elif isinstance(node, nodes.If):
                after = self.walk(node.body, paths)
                for branch in node.elif_:
                    after |= self.walk(branch.body, paths)
                paths = after | self.walk(node.else_, paths)
            elif isinstance(node, nodes.For):
                after = self.walk(node.else_, paths) if node.else_ else set(paths)
                last, quotes = paths, {p.quote for p in paths}
                for turn in range(8):  # 4 quote states: new ones stop appearing within a few turns
                    last = self.walk(node.body, last)
                    after |= last
                    if turn and {p.quote for p in last} <= quotes:
                        break
                    quotes |= {p.quote for p in last}
                paths = after
            elif isinstance(node, nodes.With):
                paths = self.walk(node.body, paths)
            elif not isinstance(node, nodes.Assign):
                tag = (
                    type(node)
                    .__name__.lower()
                    .replace("assignblock", "set ... endset")
                    .replace("filterblock", "filter")
                )
                raise ProtocolError(
                    f"a {{% {tag} %}} block is not allowed here (a protocol string is one command; "
                    "its values must be checked where they stand); use {% if %}, {% for %} and {% set x = ... %}"
                )
            if len(paths) > MAX_PATHS:
                raise ProtocolError(
                    f"the template has more than {MAX_PATHS} ways through its {{% if %}} and {{% for %}} blocks "
                    "to check; split it into simpler commands"
                )
        return paths

    def read(self, node: nodes.Node, path: _Path) -> _Path:
        """``path`` after one piece of an output: literal text, or a value (checked first)."""
        if isinstance(node, nodes.TemplateData):
            ended: list[str] = []
            path = _advance(path, node.data, ended)
            for text in ended:
                self.ended(text)
            return path
        assert isinstance(node, nodes.Expr)
        _check_place(node, path)
        place = self.places[id(node)]
        if self.command:
            _check_command(node, path.text + place)
        seen = self.contexts.setdefault(id(node), set())
        seen.add("bare" if path.quote == "comment" else path.quote)
        if len(seen) > 1:
            raise ProtocolError(
                f"{_value(node)} stands inside different quotes on different ways through the {{% if %}} and "
                f"{{% for %}} blocks ({' and '.join(sorted(seen))}), where no escaping can be proven; open and "
                "close each quote inside the same block"
            )
        return _Path(path.quote, False, path.text + place)

    def ended(self, text: str) -> None:
        """Check a pipeline that has ended (``text``, see :class:`_Path`) as a whole."""
        if self.command:
            self.pipeline_ends(text)
            self.lone_assignments(text)

    def pipeline_ends(self, text: str) -> None:
        """Refuse a value piped into a program that reads its input as code (``echo {{ x }} | bash``)."""
        stages = text.split(_STAGE)
        for k, stage in enumerate(stages[1:], 1):
            names = _names(_words(stage))
            if re.search(r"[`(]", stage):  # tee >(bash): any name it holds counts
                names += [n.lower() for n in re.findall(r"\$?[A-Za-z0-9_.+-]+", stage)]
            reader = next((n for n in names if _reads_input(n)), None)
            earlier = _PLACE_RE.search("".join(stages[:k]))
            if reader and earlier:
                value = _value(self.nodes_at[earlier.group()])
                raise ProtocolError(
                    f"{value} is piped into '{reader}', which reads its input as code, where no escaping can be "
                    f"proven; give it to the program as an argument, not as its input: bash -c 'cmd \"$1\"' _ {value}"
                )

    def lone_assignments(self, text: str) -> None:
        """Refuse a value assigned to a shell variable on its own (``X={{ x }}; ...``): later
        commands read the variable where the checks above cannot see it."""
        for stage in text.split(_STAGE):
            words = _words(stage)
            if words and all(_ASSIGN_RE.match(w) for w in words):
                found = _PLACE_RE.search(stage)
                if found:
                    value = _value(self.nodes_at[found.group()])
                    raise ProtocolError(
                        f"{value} is assigned to a shell variable that later commands read, where no escaping "
                        f"can be proven; set it for the one command that reads it: X={value} cmd"
                    )


def _shown(node: nodes.Expr) -> str:
    """A short name for the value ``node`` computes, for messages: ``task.title``."""
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{_shown(node.node)}.{node.attr}"
    if isinstance(node, nodes.Filter) and node.node is not None:
        return f"{_shown(node.node)} | {node.name}"
    return "a value"


def _value(node: nodes.Expr) -> str:
    return "{{ " + _shown(node) + " }}"


#: Programs that read (some of) their arguments as shell code: a value among them is code.
_SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "mksh", "ash", "yash", "fish", "csh", "tcsh", "busybox"})
_REPARSE = _SHELLS | {
    "eval", "ssh", "tmux", "screen", "su", "sudo", "doas", "xargs", "parallel", "watch", "script", "flock",
    "exec", "chroot", "nsenter", "unshare", "runuser", "setpriv", "-exec", "-execdir", "-ok", "-okdir", "expect",
}  # fmt: skip
#: Shell builtins that run their arguments as code, where they name the command (``. FILE``, not ``find .``).
_BUILTINS = frozenset({"trap", "alias", "source", ".", "bind", "complete", "compgen", "enable", "fc"})
#: Shell builtins that read their arguments as variable names or arithmetic (``a[$(cmd)]`` runs cmd).
_NAMES = frozenset({
    "let", "declare", "typeset", "local", "export", "readonly", "unset", "read", "mapfile", "readarray",
    "test", "[", "[[", "((", "printf", "shift", "return", "exit", "wait", "getopts", "hash", "ulimit",
})  # fmt: skip
#: Interpreters: a value among their arguments may be code, unless it follows a script file
#: (``python3 tool.py {{ x }}``), or for Python, ``-c CODE`` or ``-m MODULE``, which end its options.
_INTERPRETER_RE = re.compile(
    r"(python|pypy|perl|ruby|irb|node|nodejs|deno|bun|ts-node|tsx|php|lua|luajit|rscript|r|tclsh|wish|osascript|"
    r"pwsh|powershell|g?awk|mawk|nawk|g?sed|jshell|groovy|scala|julia|guile|racket|sbcl|gdb|nix|make|gmake)"
    r"[0-9.]*(\.exe)?",
    re.IGNORECASE,
)
_SCRIPT_RE = re.compile(r"[^-].*\.(py|pl|pm|rb|js|mjs|cjs|ts|php|lua|r|tcl)", re.IGNORECASE)
#: Programs that run the command their arguments name (``nohup cmd``): the value must not be that command.
_RUNNERS = frozenset({"env", "exec", "command", "builtin", "nohup", "time", "nice", "timeout", "stdbuf", "setsid"}) | {
    "ionice", "taskset", "strace", "ltrace", "caffeinate", "chronic", "unbuffer", "systemd-run", "firejail"
}  # fmt: skip
_RESERVED = frozenset({"!", "{", "}", "then", "do", "else", "elif", "if", "while", "until", "time", "-p"})
_ASSIGN_RE = re.compile(r"[A-Za-z_][A-Za-z_0-9]*(\[[^]]*\])?\+?=")
_REDIRECT_RE = re.compile(r"[0-9]*(<|>|>>|&>|&>>|<>|>\||>&|<&)")


def _reads_input(name: str) -> bool:
    """Whether a program given text on its input may run it as code."""
    return name in _SHELLS or name in _REPARSE or bool(_INTERPRETER_RE.fullmatch(name)) or "$" in name


def _words(text: str) -> list[str]:
    """The words of one command's text, as the shell splits them (quotes kept, roughly)."""
    words, word, state, escaped = [], "", "bare", False
    for ch in text:
        if state == "bare" and not escaped and ch in " \t":
            if word:
                words.append(word)
            word = ""
            continue
        word += ch
        if escaped:
            escaped = False
        elif state != "single" and ch == "\\":
            escaped = True
        elif state == "bare":
            state = {"'": "single", '"': "double"}.get(ch, "bare")
        elif (state, ch) in (("single", "'"), ("double", '"')):
            state = "bare"
    return [*words, word] if word else words


def _names(words: list[str]) -> list[str]:
    """The words as the program names they would be: quotes and backslashes gone, folders too."""
    return [re.sub(r"[\\'\"]", "", w).rsplit("/", 1)[-1].lower() for w in words]


def _check_command(node: nodes.Expr, pipeline: str) -> None:
    """Refuse a value that names the program to run, or stands among the arguments of a
    program that reads them as code (``bash -c '...'``, ``eval``, ``python3 -c``...), save
    a shell's positional arguments and the arguments of a script."""
    value = _value(node)
    words = _words(pipeline.rsplit(_STAGE, 1)[-1])
    names = _names(words)
    commands = _command_positions(words, names)
    last = len(words) - 1
    if last in commands and not _ASSIGN_RE.match(words[last]):
        raise ProtocolError(
            f"{value} stands as the name of the program to run, which would run whatever it names; "
            f"name the program in the template and pass the value as an argument: tool {value}"
        )
    for at in range(last):
        program = names[at]
        if program in _SHELLS and _shell_positional(words, at):
            continue
        if program in _SHELLS or program in _REPARSE or (at in commands and (program in _BUILTINS or "$" in program)):
            raise ProtocolError(
                f"{value} stands in the arguments of '{words[at] if '$' in program else program}', which "
                f"{'runs them as a command' if 'exec' in program else 'reads them as shell code'}, where no "
                f"escaping can be proven; pass it as an argument after the code: bash -c 'cmd \"$1\"' _ {value}, "
                f"or in an environment variable: X={value} bash -c 'cmd \"$X\"'"
            )
        if at in commands and program in _NAMES and (program != "printf" or "-v" in words[at:]):
            raise ProtocolError(
                f"{value} stands in the arguments of '{program}', which reads them as variable names or "
                "arithmetic (a[$(cmd)] runs cmd), where no escaping can be proven; use it only as an argument "
                f"of a program: tool {value}"
            )
        if _INTERPRETER_RE.fullmatch(program) and not _after_script(words, names, at):
            raise ProtocolError(
                f"{value} stands in the arguments of '{program}', which reads (some of) them as code, where no "
                f"escaping can be proven; pass it after a script file ({program} tool{_extension(program)} "
                f"{value}) or in an environment variable that the code reads (X={value} {program} ...)"
            )


def _command_positions(words: list[str], names: list[str]) -> set[int]:
    """Where the words name a program to run: the first after assignments, redirections and
    reserved words, and the first that could be a program after a runner (``nohup cmd``)."""
    first = 0
    while first < len(words):
        if _ASSIGN_RE.match(words[first]) or names[first] in _RESERVED:
            first += 1
        elif _REDIRECT_RE.fullmatch(words[first]):
            first += 2
        elif _REDIRECT_RE.match(words[first]):
            first += 1
        else:
            break
    found, at = {first}, first
    while at < len(words) and (names[at] in _RUNNERS or names[at] in _RESERVED):
        at += 1
        while at < len(words) and not _program_like(words[at]):
            at += 1
        found.add(at)
    return found


def _program_like(word: str) -> bool:
    """Whether a word after a runner may be the program it runs (not an option, a number, a
    duration or NAME=VALUE)."""
    return not word.startswith("-") and not re.fullmatch(r"[0-9.]+[smhd]?", word) and not _ASSIGN_RE.match(word)


def _shell_positional(words: list[str], at: int) -> bool:
    """Whether the last word is a positional argument after ``-c CODE`` of the shell at ``at``:
    ``bash -c 'cmd "$1"' _ {{ x }}``."""
    i, code = at + 1, False
    while i < len(words) - 1 and words[i].startswith(("-", "+")) and not _PLACE_RE.search(words[i]):
        code = code or (not words[i].startswith("--") and "c" in words[i][1:])
        i += 1 + (words[i] in ("-o", "+o", "-O", "+O"))
    return code and len(words) - 1 > i and not _PLACE_RE.search(words[i])


def _after_script(words: list[str], names: list[str], at: int) -> bool:
    """Whether the last word follows the script file (or Python's ``-c CODE``/``-m MODULE``)
    of the interpreter at ``at``: then it is one of the script's own arguments."""
    python = names[at].startswith(("python", "pypy"))
    for i in range(at + 1, len(words) - 1):
        if _PLACE_RE.search(words[i]):
            return False
        if python and words[i] in ("-c", "-m") and i + 1 < len(words) - 1:
            return not _PLACE_RE.search(words[i + 1])
        if _SCRIPT_RE.fullmatch(names[i]) and not names[i].startswith("-") and not names[at].endswith("sed"):
            return not names[at].endswith("awk")
    return False


def _extension(program: str) -> str:
    for prefix, ext in (("py", ".py"), ("pe", ".pl"), ("ru", ".rb"), ("no", ".js"), ("php", ".php")):
        if program.startswith(prefix):
            return ext
    return ""


def _check_place(node: nodes.Expr, path: _Path) -> None:
    """Refuse a value where its escaping cannot be proven (see ``_NESTED_OPENERS``), right after
    a backslash or a ``$``, and an explicit ``| shell`` inside quotes (the quotes around it undo
    its quoting)."""
    value = _value(node)
    state = path.quote
    if state == "nested":
        raise ProtocolError(
            f"{value} stands after $( ), backticks, ${{...}}, $'...' or a heredoc (<<), text a shell reads "
            "again, where no escaping can be proven; move it out, as a whole word of the outer command "
            "(bare or in plain quotes), or pass it as an argument: bash -c 'cmd \"$1\"' _ " + value
        )
    if state in ("bare", "double") and (path.escaped or path.text.endswith("$")):
        raise ProtocolError(
            f"{value} stands right after '{path.text[-1]}', which changes how the shell reads its first "
            f'character, where no escaping can be proven; put a space or a quote between them: "{value}"'
        )
    if isinstance(node, nodes.Filter) and node.name == "shell" and state in ("double", "single"):
        raise ProtocolError(
            f"{value} stands inside {'double' if state == 'double' else 'single'} quotes, which undo "
            "the quoting of '| shell'; drop the quotes around it, or drop '| shell' "
            "(a value is escaped for the quotes it stands in)"
        )


_ENV.add_filters(shell=shell, _shell_escape=escape_for)


def check_template(source: str, scope: set[str], command: bool = True) -> None:
    """Compile ``source``; raise :class:`ProtocolError` for syntax, unknown names, internals, and
    values where their escaping cannot be proven (``command``: the text is a command, see
    :func:`_autoescape`)."""
    try:
        ast = _ENV.parse(source)
    except TreeFault as exc:
        raise ProtocolError(str(exc)) from None
    except TemplateError as exc:
        raise ProtocolError(f"template syntax error: {exc.message}") from None
    # only names outside the scope can be undeclared; Jinja's exact analysis (which knows
    # loop variables and {% set %}) runs a code generator, so it runs only when there are some
    loaded = {node.name for node in ast.find_all(nodes.Name)}
    unknown = sorted(meta.find_undeclared_variables(ast) - scope) if loaded - scope else []
    if unknown:
        names = ", ".join(sorted(scope))
        raise ProtocolError(f"unknown variable '{unknown[0]}' (available here: {names})")
    for node in ast.find_all(nodes.Getattr):
        base = node.node
        if isinstance(base, nodes.Name) and base.name in FIELDS and node.attr not in FIELDS[base.name]:
            if not node.attr.startswith("_"):
                known = ", ".join(FIELDS[base.name])
                raise ProtocolError(f"{base.name} has no field '{node.attr}' (it has: {known})")
    for reach in ast.find_all((nodes.Getattr, nodes.Getitem)):
        attr = reach.attr if isinstance(reach, nodes.Getattr) else getattr(getattr(reach, "arg", None), "value", None)
        if isinstance(attr, str) and attr.startswith("_"):
            raise ProtocolError(
                f"'{attr}' reaches for Python internals and is not allowed; use the fields of phase, task or project"
            )
    if (source, command) not in _COMPILED:
        try:
            _store(
                source, command, _ENV.from_string(_autoescape(ast, command))
            )  # from the tree: parsing again would cost as much
        except TemplateError as exc:  # pragma: no cover - parse succeeded, compile rarely fails
            raise ProtocolError(f"template error: {exc.message}") from None


#: source -> compiled template: a project has a dozen protocol strings but renders them
#: for every task, and compiling is what costs (about 0.7 ms each).
_COMPILED: dict[tuple[str, bool], Any] = {}


def _template(source: str, command: bool) -> Any:
    """The compiled template of ``source``."""
    template = _COMPILED.get((source, command))
    if template is None:
        template = _store(source, command, _ENV.from_string(_autoescape(_ENV.parse(source), command)))
    return template


def _store(source: str, command: bool, template: Any) -> Any:
    if len(_COMPILED) >= 1024:  # a long-lived process (serve) sees many versions of a file
        _COMPILED.clear()
    _COMPILED[(source, command)] = template
    return template


def render_string(source: str, context: dict[str, Any], command: bool = True) -> str:
    """Render one protocol string (``command``: a command, not a word such as a session name);
    raise :class:`ProtocolError` on any failure, or where a value's escaping cannot be proven."""
    try:
        return _ENV.render_limited(_template(source, command), context)
    except ProtocolError:
        raise
    except SandboxLimit as exc:
        raise ProtocolError(f"cannot render: {exc}") from None
    except TemplateError as exc:
        raise ProtocolError(f"cannot render: {exc.message}") from None
    except (TypeError, ValueError, ArithmeticError, LookupError) as exc:
        raise ProtocolError(f"cannot render: {exc}") from None
    except (RecursionError, MemoryError):  # pragma: no cover - the limits above come first
        raise ProtocolError("cannot render: it uses too much memory or recursion") from None


def default_folder(number: int) -> str:
    """The folder a phase has when none is known: ``phase-07``."""
    return f"phase-{number:02d}"


def project_context(config: ProjectConfig) -> dict[str, Any]:
    """What ``project`` means inside a protocol template."""
    return {
        "name": config.name,
        "summary": config.summary,
        "coordinator": config.coordinator,
        "operator": config.operator,
        "repo_url": config.repo_url or "",
    }


def task_file(docs_prefix: str, folder: str, filename: str, task_at: str | None = None) -> str:
    """How commands name a task's file, so that it exists where they run.

    ``task_at`` None: the generated file, ``docs/phase-07/task-7.1-x.md``. A URL (the site's,
    ``https://.../``): the task's published page, ``https://.../phase-07/task-7.1-x/``, which
    an agent launched from a fresh clone (where the ignored docs/ folder is absent) can read.
    Any other text: a folder holding the phase's task files (``handoff --output`` writes them).
    """
    if task_at is None:
        return f"{docs_prefix}{folder}/{filename}"
    if "://" in task_at:
        return f"{task_at.rstrip('/')}/{folder}/{filename.removesuffix('.md')}/"
    return f"{task_at}{filename}"


def task_context(
    phase: Phase, task: Task, docs_prefix: str, folder: str | None = None, task_at: str | None = None
) -> dict[str, Any]:
    """What ``task`` means inside a protocol template (``folder``: the phase's folder as it is
    named; ``task_at``: where its file is, see :func:`task_file`)."""
    folder = folder or default_folder(phase.number)
    return {
        "id": task.id,
        "slug": task.slug,
        "key": task.memory_key,
        "title": task.title,
        "role": task.role,
        "agent": task.agent_name,
        "goal": task.goal,
        "duration_days": task.duration_days,
        "depends_on": list(task.depends_on),
        "assignees": list(task.assignee),
        "file": task_file(docs_prefix, folder, task.filename, task_at),
        "links": Links(task.links),
    }


def phase_context(
    phase: Phase, docs_prefix: str, folder: str | None = None, task_at: str | None = None
) -> dict[str, Any]:
    """What ``phase`` means inside a protocol template (``folder``: its folder as it is named)."""
    folder = folder or default_folder(phase.number)
    return {
        "number": phase.number,
        "folder": folder,
        "docs": f"{docs_prefix}{folder}",
        "title": phase.title,
        "summary": phase.summary,
        "tasks": [task_context(phase, t, docs_prefix, folder, task_at) for t in phase.tasks],
    }


def scope(
    config: ProjectConfig, phase: Phase, docs_prefix: str, folder: str | None = None, task_at: str | None = None
) -> dict[str, Any]:
    """``phase`` and ``project`` as templates see them; built once per phase, shared by its tasks."""
    return {"phase": phase_context(phase, docs_prefix, folder, task_at), "project": project_context(config)}


def with_task(
    shared: dict[str, Any], phase: Phase, task: Task, docs_prefix: str, task_at: str | None = None
) -> dict[str, Any]:
    """The phase's :func:`scope` with ``task`` added: what a task's protocol strings see."""
    return {**shared, "task": task_context(phase, task, docs_prefix, shared["phase"]["folder"], task_at)}


def render_phase(config: ProjectConfig, ctx: dict[str, Any], ready: Collection[str] | None = None) -> PhaseProtocol:
    """The phase-level protocol of the phase whose :func:`scope` is ``ctx``.

    ``ready``: the ids of the tasks that can start now. The orchestrate commands launch
    agents, so inside them ``phase.tasks`` lists only those (a pool is sized by what can
    run), and they are left out when nothing can. None renders them for every task.
    """
    p = config.protocol
    orchestrate: tuple[str, ...] = ()
    if ready is None or ready:
        launch = ctx
        if ready is not None:
            launch = {**ctx, "phase": {**ctx["phase"], "tasks": [t for t in ctx["phase"]["tasks"] if t["id"] in ready]}}
        orchestrate = tuple(render_string(s, launch) for s in p.orchestrate)
    return PhaseProtocol(
        session=render_string(p.session, ctx, command=False),
        monitor=tuple(render_string(s, ctx) for s in p.monitor),
        orchestrate=orchestrate,
        monitor_every_minutes=p.monitor_every_minutes,
    )


def render_task(
    config: ProjectConfig,
    phase: Phase,
    task: Task,
    docs_prefix: str,
    shared: dict[str, Any],
    task_at: str | None = None,
) -> RenderedProtocol:
    """The protocol of one task of ``phase``; ``shared`` is the phase's :func:`scope`, built once for all its tasks."""
    p = config.protocol
    ctx = with_task(shared, phase, task, docs_prefix, task_at)
    return RenderedProtocol(
        session=render_string(p.session, ctx, command=False),
        memory_key=render_string(p.memory_key, ctx, command=False),
        before=tuple(render_string(s, ctx) for s in p.before),
        during=tuple(render_string(s, ctx) for s in p.during),
        after=tuple(render_string(s, ctx) for s in p.after),
        spawn=render_string(p.spawn, ctx),
    )
