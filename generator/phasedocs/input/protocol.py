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
    if isinstance(value, ShellWord):
        return value
    text = _one_line(value)
    if context == "single":
        return text.replace("'", "'\\''")
    if context == "double":
        if not _DOUBLE_SPECIAL.intersection(text):
            return text
        return '"' + shlex.quote(text) + '"'
    return text if _PLAIN_RE.fullmatch(text) else shlex.quote(text)


#: Where a value's escaping cannot be proven: text that a shell reads again, or reads in a way
#: of its own (``$( )``, backticks, ``${...}``, ``$'...'``, ``$"..."``, a heredoc). Once one
#: opens, every later value of the string is refused ("nested"): where it closes is not
#: always clear (a ``case`` pattern's ``)``), so none is trusted.
_NESTED_OPENERS = ("$(", "${", "$'", '$"', "<<", "<(", ">(")


def _quote_state(text: str, state: str) -> str:
    """The quote context after the literal ``text`` of a command, starting in ``state``."""
    if state == "nested":
        return state
    escaped = False
    for i, ch in enumerate(text):
        if state != "single" and not escaped and (ch == "`" or text.startswith(_NESTED_OPENERS, i)):
            if not (state == "double" and text.startswith(("$'", '$"', "<<", "<(", ">("), i)):
                return "nested"
        if state == "single":
            if ch == "'":
                state = "bare"
        elif escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif state == "double":
            if ch == '"':
                state = "bare"
        elif ch == "'":
            state = "single"
        elif ch == '"':
            state = "double"
    return state


def _autoescape(ast: nodes.Template) -> nodes.Template:
    """Wrap every ``{{ ... }}`` of a protocol string in the escape of its quote context.

    Protocol strings become commands that operators paste; a title such as
    ``Build $(touch x) infra`` must reach the shell as text wherever the author put it,
    quoted or not (as HTML autoescaping does for markup). The context is read from the
    literal text before each output, in the order of the source.
    """
    state = "bare"
    command = ""  # the current command's text so far, a value as _VALUE
    for output in ast.find_all(nodes.Output):
        wrapped: list[nodes.Expr] = []
        for node in output.nodes:
            if isinstance(node, nodes.TemplateData):
                state = _quote_state(node.data, state)
                command = _last_command(command + node.data)
                wrapped.append(node)
            else:
                _check_place(node, state)
                _check_reparse(node, command)
                command += _VALUE
                wrapped.append(
                    nodes.Filter(node, "_shell_escape", [nodes.Const(state)], [], None, None, lineno=node.lineno)
                )
        output.nodes = wrapped
    return ast


def _shown(node: nodes.Expr) -> str:
    """A short name for the value ``node`` computes, for messages: ``task.title``."""
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{_shown(node.node)}.{node.attr}"
    if isinstance(node, nodes.Filter) and node.node is not None:
        return f"{_shown(node.node)} | {node.name}"
    return "a value"


_VALUE = "\ue000"
#: Programs that read (some of) their arguments as shell code: a value among them is code.
_SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "mksh", "ash", "yash", "fish", "csh", "tcsh"})
_REPARSE = _SHELLS | {"eval", "ssh", "tmux", "screen", "su", "sudo", "doas", "xargs", "watch", "script", "flock"}


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
        state_before = state
        state = _quote_state(ch, state) if not escaped else state
        escaped = state_before != "single" and ch == "\\" and not escaped
    return [*words, word] if word else words


def _last_command(text: str) -> str:
    """The text of the last command of ``text``: after its last unquoted ; & | ( or newline."""
    state, escaped, start = "bare", False, 0
    for i, ch in enumerate(text):
        if state == "bare" and not escaped and ch in ";&|(\n":
            start = i + 1
        before = state
        state = _quote_state(ch, state) if not escaped else state
        escaped = before != "single" and ch == "\\" and not escaped
    return text[start:]


def _check_reparse(node: nodes.Expr, command: str) -> None:
    """Refuse a value among the arguments of a program that reads them as shell code (``bash -c
    '...'``, ``ssh``, ``eval``, ``tmux send-keys``...), save a shell's positional arguments."""
    words = _words(command + _VALUE)
    names = [w.strip("'\"").rsplit("/", 1)[-1] for w in words]
    at = next((i for i, n in enumerate(names[:-1]) if n in _REPARSE), None)
    if at is None:
        return
    program = names[at]
    if program in _SHELLS:  # bash -c CODE NAME ARGS...: values may be NAME or ARGS
        i, code = at + 1, False
        while i < len(words) - 1 and words[i].startswith(("-", "+")) and _VALUE not in words[i]:
            code = code or (not words[i].startswith("--") and "c" in words[i][1:])
            i += 1 + (words[i] in ("-o", "+o", "-O", "+O"))
        if code and len(words) - 1 > i:
            return
    value = "{{ " + _shown(node) + " }}"
    raise ProtocolError(
        f"{value} stands in the arguments of '{program}', which reads them as shell code, where no escaping "
        f"can be proven; pass it as an argument after the code: bash -c 'cmd \"$1\"' _ {value}, "
        f"or in an environment variable: X={value} bash -c 'cmd \"$X\"'"
    )


def _check_place(node: nodes.Expr, state: str) -> None:
    """Refuse a value where its escaping cannot be proven (see ``_NESTED_OPENERS``), and an
    explicit ``| shell`` inside quotes (the quotes around it undo its quoting)."""
    value = "{{ " + _shown(node) + " }}"
    if state == "nested":
        raise ProtocolError(
            f"{value} stands after $( ), backticks, ${{...}}, $'...' or a heredoc (<<), text a shell reads "
            "again, where no escaping can be proven; move it out, as a whole word of the outer command "
            "(bare or in plain quotes), or pass it as an argument: bash -c 'cmd \"$1\"' _ " + value
        )
    if isinstance(node, nodes.Filter) and node.name == "shell" and state != "bare":
        raise ProtocolError(
            f"{value} stands inside {'double' if state == 'double' else 'single'} quotes, which undo "
            "the quoting of '| shell'; drop the quotes around it, or drop '| shell' "
            "(a value is escaped for the quotes it stands in)"
        )


_ENV.add_filters(shell=shell, _shell_escape=escape_for)


def check_template(source: str, scope: set[str]) -> None:
    """Compile ``source``; raise :class:`ProtocolError` for syntax, unknown names, internals."""
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
    if source not in _COMPILED:
        try:
            _store(source, _ENV.from_string(_autoescape(ast)))  # from the tree: parsing again would cost as much
        except TemplateError as exc:  # pragma: no cover - parse succeeded, compile rarely fails
            raise ProtocolError(f"template error: {exc.message}") from None


#: source -> compiled template: a project has a dozen protocol strings but renders them
#: for every task, and compiling is what costs (about 0.7 ms each).
_COMPILED: dict[str, Any] = {}


def _template(source: str) -> Any:
    """The compiled template of ``source``."""
    template = _COMPILED.get(source)
    if template is None:
        template = _store(source, _ENV.from_string(_autoescape(_ENV.parse(source))))
    return template


def _store(source: str, template: Any) -> Any:
    if len(_COMPILED) >= 1024:  # a long-lived process (serve) sees many versions of a file
        _COMPILED.clear()
    _COMPILED[source] = template
    return template


def render_string(source: str, context: dict[str, Any]) -> str:
    """Render one protocol string; raise :class:`ProtocolError` on any failure."""
    try:
        return _ENV.render_limited(_template(source), context)
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
        session=render_string(p.session, ctx),
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
        session=render_string(p.session, ctx),
        memory_key=render_string(p.memory_key, ctx),
        before=tuple(render_string(s, ctx) for s in p.before),
        during=tuple(render_string(s, ctx) for s in p.during),
        after=tuple(render_string(s, ctx) for s in p.after),
        spawn=render_string(p.spawn, ctx),
    )
