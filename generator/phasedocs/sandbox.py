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
- no argument of a call may be a number above ``MAX_ARGUMENT`` (``ljust(10**9)``);
- macros may not call themselves, directly or through each other, and loops nest at
  most ``max_loop_depth`` deep (checked when a template is parsed).

A fault is a :class:`SandboxLimit` naming the limit; callers turn it into a located error.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import Any

from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

#: The largest number a call may take as an argument (a width, a count, a repeat).
MAX_ARGUMENT = 100_000
#: Whole numbers a template computes stay below 2**128.
MAX_BITS = 128
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


class LimitedSandbox(SandboxedEnvironment):
    """A sandboxed environment whose templates cannot exhaust memory or time."""

    code_generator_class = _Codegen
    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def __init__(
        self, *, max_string: int, range_budget: int, max_loop_depth: int, allow_macros: bool = True, **options: Any
    ) -> None:
        super().__init__(**options)
        self.max_string = max_string
        self.range_budget = range_budget
        self.max_loop_depth = max_loop_depth
        self.allow_macros = allow_macros
        self.range_left = range_budget
        self.globals["range"] = self._range
        for name in ("lipsum", "cycler", "joiner", "namespace"):  # state across iterations is how values grow
            self.globals.pop(name, None)
        self.filters = {name: self._measured(f) for name, f in self.filters.items()}

    # ------------------------------------------------------------------ measuring
    def measure(self, value: Any) -> Any:
        """``value``, refused when it is a string or list over the limit, or a huge number."""
        if isinstance(value, (str, list, tuple)) and len(value) > self.max_string:
            raise SandboxLimit(
                f"a value of {len(value):,} characters or items is over the limit of {self.max_string:,}"
            )
        if isinstance(value, int) and value.bit_length() > MAX_BITS:
            raise SandboxLimit(f"a number over 2**{MAX_BITS} is over the limit")
        return value

    def _measured(self, function: Any) -> Any:
        @functools.wraps(function)  # keeps jinja's pass_context / pass_environment marks
        def measured(*args: Any, **kwargs: Any) -> Any:
            _check_arguments(args, kwargs)
            return self.measure(function(*args, **kwargs))

        return measured

    def add_filters(self, **filters: Any) -> None:
        """Add phasedocs' own filters. They take no width or count and their output grows
        linearly with their input, so they are not measured (a document calls them tens of
        thousands of times); Jinja's built-in ones (``indent``, ``center``, ``replace``...) are."""
        self.filters.update(filters)

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
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(n, int) and len(seq) * n > self.max_string:
                    raise SandboxLimit(f"repeating a value {n:,} times is over the limit of {self.max_string:,}")
            if isinstance(left, int) and isinstance(right, int) and left.bit_length() + right.bit_length() > MAX_BITS:
                raise SandboxLimit(f"a number over 2**{MAX_BITS} is over the limit")
        if operator == "%" and isinstance(left, str):
            _check_widths(left)
        if operator == "+" and isinstance(left, (str, list, tuple)) and isinstance(right, (str, list, tuple)):
            if len(left) + len(right) > self.max_string:
                raise SandboxLimit(f"a value of more than {self.max_string:,} characters is over the limit")
        return self.measure(super().call_binop(context, operator, left, right))

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        """A call from a template: arguments and result measured."""
        _check_arguments(args, kwargs)
        if getattr(__obj, "__name__", "") in ("format", "format_map") and isinstance(
            getattr(__obj, "__self__", None), str
        ):
            _check_widths(__obj.__self__)
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
        return tree


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
