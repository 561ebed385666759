"""The template sandbox: Jinja's ``SandboxedEnvironment`` with resource limits.

Jinja's sandbox stops templates from reaching Python internals (``__class__``) but not
from using unbounded time or memory: ``'a' * 10**9``, ``10 ** 10 ** 10``, a string
doubled by ``~`` fifty times, ``'x'.ljust(10**9)``, a macro calling itself twice per
level. Templates here come from pull requests (a project's ``templates/``, the protocol
strings of ``project.yaml``), so every way a value grows is bounded:

- every string a template builds (``~``, ``+``, ``*``, ``%``, a filter, a method call)
  may hold at most ``max_string`` characters, and the rendered output as much;
- whole numbers stay within 128 bits (``**`` and ``*`` are checked before they run);
- ``range()`` yields at most ``range_budget`` items per render, all calls together,
  so nested loops over ranges stay bounded too;
- every ``for`` loop counts its iterations against ``loop_budget`` per render (loops over
  strings and lists too: ``{% for a in s %}{% for b in s %}`` is quadratic), and a render
  may take ``seconds`` at most, checked at each iteration and each call;
- lists and dicts are immutable (Jinja's ``ImmutableSandboxedEnvironment``: no
  ``append``, ``update``, ``pop``), so no value grows across iterations;
- ``str.replace``, ``str.format``, ``str.join`` and the ``replace``, ``join``, ``indent``
  and ``format`` filters are refused *before* they run when their result would be over
  the limit (``s.replace('x', s)`` once reached 3.5 GB before its result was measured);
- no argument of a call may be a number above ``MAX_ARGUMENT`` (``ljust(10**9)``);
- macros may not call themselves, directly or through each other, and loops nest at
  most ``max_loop_depth`` deep (checked when a template is parsed).

A fault is a :class:`SandboxLimit` naming the limit; callers turn it into a located error.
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Iterable, Iterator
from typing import Any

from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment, SandboxedEnvironment

#: The largest number a call may take as an argument (a width, a count, a repeat).
MAX_ARGUMENT = 100_000
#: Whole numbers a template computes stay below 2**128.
MAX_BITS = 128
#: Loop iterations one render may take, all loops together: a 5,000-task document takes tens of thousands.
LOOP_BUDGET = 1_000_000
#: The longest one render may take, in seconds of the rendering thread's CPU time: a document
#: takes well under one (a 5,000-task briefing about five). CPU time, not the wall clock: a
#: shared machine (eight jobs on two cores) slows the clock six-fold, not the work, while a
#: template that spins still spends its own CPU.
RENDER_SECONDS = 30.0
_WIDTH_RE = re.compile(r"(?:%[-+ #0]*|\{[^{}]*:[^{}]*?)([0-9]{6,})")


class SandboxLimit(SecurityError):
    """A template went past one of the sandbox's limits; the message names it."""


class _Codegen(CodeGenerator):
    """Compiles ``a ~ b`` through the environment, so the joined string can be measured."""

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.concat((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


class LimitedSandbox(ImmutableSandboxedEnvironment):
    """A sandboxed environment whose templates cannot exhaust memory or time."""

    code_generator_class = _Codegen
    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def __init__(
        self,
        *,
        max_string: int,
        range_budget: int,
        max_loop_depth: int,
        allow_macros: bool = True,
        loop_budget: int | None = None,
        seconds: float | None = None,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        loop_budget = LOOP_BUDGET if loop_budget is None else loop_budget
        seconds = RENDER_SECONDS if seconds is None else seconds
        self.max_string = max_string
        self.range_budget = range_budget
        self.max_loop_depth = max_loop_depth
        self.allow_macros = allow_macros
        self.range_left = range_budget
        self.loop_budget = loop_budget
        """Loop iterations one render may take, all loops together."""
        self.loops_left = loop_budget
        self.seconds = seconds
        """The longest one render may take."""
        self.deadline = time.thread_time() + seconds
        self.globals["range"] = self._range
        for name in ("lipsum", "cycler", "joiner", "namespace"):  # state across iterations is how values grow
            self.globals.pop(name, None)
        self.filters = {name: self._measured(f) for name, f in self.filters.items()}

    # ------------------------------------------------------------------ measuring
    def measure(self, value: Any) -> Any:
        """``value``, refused when it is a string or list over the limit, or a huge number."""
        if isinstance(value, (str, list, tuple)) and _size(value) > self.max_string:
            raise SandboxLimit(
                f"a value of {_size(value):,} characters or items is over the limit of {self.max_string:,}"
            )
        if isinstance(value, int) and value.bit_length() > MAX_BITS:
            raise SandboxLimit(f"a number over 2**{MAX_BITS} is over the limit")
        return value

    def _measured(self, function: Any) -> Any:
        @functools.wraps(function)  # keeps jinja's pass_context / pass_environment marks
        def measured(*args: Any, **kwargs: Any) -> Any:
            _check_arguments(args, kwargs)
            self.in_time()
            values = [a for a in args if not hasattr(a, "environment")]  # drop the context passed first
            self._before(function.__name__, values, kwargs)
            return self.measure(function(*args, **kwargs))

        return measured

    def add_filters(self, **filters: Any) -> None:
        """Add phasedocs' own filters. They take no width or count and their output grows
        linearly with their input, so they are not measured (a document calls them tens of
        thousands of times); Jinja's built-in ones (``indent``, ``center``, ``replace``...) are."""
        self.filters.update(filters)

    # ------------------------------------------------------------------ time and loops
    def in_time(self) -> None:
        """Refuse going on once the render has taken its :attr:`seconds`."""
        if time.thread_time() > self.deadline:
            raise SandboxLimit(f"rendering took more than the {self.seconds:g} seconds a template may take")

    def counted(self, iterable: Any) -> Iterator[Any]:
        """What a ``for`` loop iterates (every loop's iterable is wrapped in it when the
        template is parsed): each item counted against the loop budget, and the clock checked."""
        for item in iterable:
            self.loops_left -= 1
            if self.loops_left < 0:
                raise SandboxLimit(f"loops may run {self.loop_budget:,} times in all per template; this one runs more")
            self.in_time()
            yield item

    def _before(self, name: str, args: list[Any], kwargs: dict[str, Any]) -> None:
        """Refuse a replace, join, indent or format whose result would be over the limit,
        before it is built. ``args`` starts with the string the method or filter works on."""
        if not args or name not in _GROWING:
            return
        size = _GROWING[name](args, kwargs)
        if size > self.max_string:
            shown = name.removeprefix("sync_").removeprefix("do_")
            raise SandboxLimit(
                f"{shown}() would make a value of {size:,} characters, over the limit of {self.max_string:,}"
            )

    def concat(self, parts: Iterable[Any]) -> str:
        """``a ~ b ~ c``: the joined text, measured before it is built."""
        texts = [str(p) for p in parts]
        if sum(map(len, texts)) > self.max_string:
            raise SandboxLimit(f"a value of more than {self.max_string:,} characters is over the limit")
        return "".join(texts)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        """``*``, ``**``, ``%`` and ``+``, checked before they run."""
        if operator == "**" and isinstance(left, int) and isinstance(right, int):
            if right > MAX_BITS or left.bit_length() * max(right, 0) > MAX_BITS:
                raise SandboxLimit(f"{left} ** {right} is over the limit of 2**{MAX_BITS}")
        self.in_time()
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(n, int) and _size(seq) * n > self.max_string:
                    raise SandboxLimit(f"repeating a value {n:,} times is over the limit of {self.max_string:,}")
            if isinstance(left, int) and isinstance(right, int) and left.bit_length() + right.bit_length() > MAX_BITS:
                raise SandboxLimit(f"a number over 2**{MAX_BITS} is over the limit")
        if operator == "%" and isinstance(left, str):
            _check_widths(left)
            self._before("format", [left, *(right if isinstance(right, tuple) else (right,))], {})
        if operator == "+" and isinstance(left, (str, list, tuple)) and isinstance(right, (str, list, tuple)):
            if _size(left) + _size(right) > self.max_string:
                raise SandboxLimit(f"a value of more than {self.max_string:,} characters is over the limit")
        return self.measure(super().call_binop(context, operator, left, right))

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        """A call from a template: arguments and result measured."""
        _check_arguments(args, kwargs)
        __self.in_time()
        # a string method: format, replace, join... (the sandbox wraps str.format: __wrapped__ is the method)
        owner = getattr(getattr(__obj, "__wrapped__", __obj), "__self__", None)
        if isinstance(owner, str):
            if getattr(__obj, "__name__", "") in ("format", "format_map"):
                _check_widths(owner)
            __self._before(getattr(__obj, "__name__", ""), [owner, *args], kwargs)
        return __self.measure(SandboxedEnvironment.call(__self, __context, __obj, *args, **kwargs))

    def _range(self, *args: int) -> range:
        items = range(*args)
        self.range_left -= len(items)
        if self.range_left < 0:
            raise SandboxLimit(
                f"range() may yield {self.range_budget:,} items in all per template; this one asks for more"
            )
        return items

    # ------------------------------------------------------------------ rendering
    def render_limited(self, template: Any, context: dict[str, Any]) -> str:
        """Render ``template``: the range budget starts afresh, the output is measured as it grows."""
        self.range_left = self.range_budget
        self.loops_left = self.loop_budget
        self.deadline = time.thread_time() + self.seconds
        out: list[str] = []
        size = 0
        for chunk in template.generate(context):
            size += len(chunk)
            if size > self.max_string:
                raise SandboxLimit(f"the output is over the limit of {self.max_string:,} characters")
            out.append(chunk)
        return "".join(out)

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        try:
            check_tree(tree, self.max_loop_depth, self.allow_macros)
        except TreeFault as exc:
            exc.template = name
            raise
        for loop in tree.find_all(nodes.For):  # every loop counts its iterations (see counted)
            loop.iter = nodes.Call(
                nodes.EnvironmentAttribute("counted"), [loop.iter], [], None, None, lineno=loop.iter.lineno
            )
        return tree


def _size(value: Any) -> int:
    """Characters of a string; items of a list or tuple plus the characters of its strings
    (``[s] * 1000`` is small as a list and large once joined or printed)."""
    if isinstance(value, str):
        return len(value)
    return len(value) + sum(len(x) for x in value if isinstance(x, str))


def _text(value: Any) -> int:
    return len(value) if isinstance(value, str) else len(str(value)) if isinstance(value, (int, float)) else 0


def _replaced(args: list[Any], kwargs: dict[str, Any]) -> int:
    """The length of ``s.replace(old, new[, count])`` (and the ``replace`` filter), without building it."""
    s, rest = args[0], [*args[1:], *kwargs.values()]
    if not isinstance(s, str) or len(rest) < 2 or not isinstance(rest[0], str) or not isinstance(rest[1], str):
        return 0
    old, new = rest[0], rest[1]
    n = s.count(old) if old else len(s) + 1
    if len(rest) > 2 and isinstance(rest[2], int) and rest[2] >= 0:
        n = min(n, rest[2])
    return len(s) + n * (len(new) - len(old))


def _joined(args: list[Any], kwargs: dict[str, Any]) -> int:
    """The length of ``sep.join(items)``: at most this."""
    return _join_size(args[1] if len(args) > 1 else (), args[0])


def _join_filter(args: list[Any], kwargs: dict[str, Any]) -> int:
    """The length of ``items | join(sep)``: at most this."""
    sep = args[1] if len(args) > 1 else kwargs.get("d", "")
    return _join_size(args[0], sep if isinstance(sep, str) else "")


def _join_size(items: Any, sep: str) -> int:
    if not isinstance(items, (list, tuple, str)):
        return 0  # a generator: its items are measured as they come, the result after
    return sum(_text(x) for x in items) + len(sep) * max(len(items) - 1, 0)


def _indented(args: list[Any], kwargs: dict[str, Any]) -> int:
    """The length of ``s | indent(width)``: a width (or text) before every line."""
    s = args[0]
    width = args[1] if len(args) > 1 else kwargs.get("width", 4)
    pad = len(width) if isinstance(width, str) else width if isinstance(width, int) else 0
    return _text(s) + pad * (str(s).count("\n") + 1)


def _formatted(args: list[Any], kwargs: dict[str, Any]) -> int:
    """The length of ``fmt.format(...)``, ``fmt % (...)`` or ``fmt | format(...)``: at most this."""
    fmt = args[0]
    if not isinstance(fmt, str):
        return 0
    values = [*args[1:], *kwargs.values()]
    longest = max((_text(v) if not isinstance(v, (list, tuple)) else _size(v) for v in values), default=0)
    return len(fmt) + (fmt.count("{") + fmt.count("%")) * longest


_GROWING = {
    "replace": _replaced,
    "do_replace": _replaced,
    "join": _joined,
    "do_join": _join_filter,
    "sync_do_join": _join_filter,
    "indent": _indented,
    "do_indent": _indented,
    "format": _formatted,
    "format_map": _formatted,
    "do_format": _formatted,
}


def _check_arguments(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_ARGUMENT:
            raise SandboxLimit(f"an argument of {value:,} is over the limit of {MAX_ARGUMENT:,}")


def _check_widths(fmt: str) -> None:
    m = _WIDTH_RE.search(fmt)
    if m:
        raise SandboxLimit(f"a format width of {int(m.group(1)):,} is over the limit of {MAX_ARGUMENT:,}")


class TreeFault(SandboxLimit):
    """A template construct that is not allowed, at a line of the template."""

    def __init__(self, message: str, lineno: int) -> None:
        super().__init__(message)
        self.lineno = lineno
        self.template: str | None = None
        """The name of the template it is in (set when the template is parsed)."""


def check_tree(tree: nodes.Template, max_loop_depth: int, allow_macros: bool) -> None:
    """Refuse recursive macros, (when not allowed) any macro, and loops nested too deep."""
    macros = {m.name: m for m in tree.find_all(nodes.Macro)}
    if not allow_macros:
        for kind in (
            nodes.Macro,
            nodes.CallBlock,
            nodes.Import,
            nodes.FromImport,
            nodes.Include,
            nodes.Extends,
            nodes.Block,
        ):
            node = tree.find(kind)
            if node is not None:
                word = kind.__name__.lower().replace("callblock", "call block").replace("fromimport", "import")
                raise TreeFault(f"a {word} is not allowed here (a protocol string is one command)", node.lineno)
    calls = {
        name: {c.node.name for c in m.find_all(nodes.Call) if isinstance(c.node, nodes.Name) and c.node.name in macros}
        for name, m in macros.items()
    }
    for name in macros:  # a cycle through the macros of this template
        seen, todo = set(), list(calls[name])
        while todo:
            callee = todo.pop()
            if callee == name:
                raise TreeFault(
                    f"macro '{name}' calls itself; recursion is not allowed in templates", macros[name].lineno
                )
            if callee not in seen:
                seen.add(callee)
                todo.extend(calls[callee])
    _loop_depth(tree, 0, max_loop_depth)


def _loop_depth(node: nodes.Node, depth: int, limit: int) -> None:
    for child in node.iter_child_nodes():
        inner = depth + 1 if isinstance(child, nodes.For) else depth
        if inner > limit:
            raise TreeFault(f"loops nest more than {limit} deep here; the limit is {limit}", child.lineno)
        _loop_depth(child, inner, limit)
