"""Jinja filters: escaping user text for markdown and HTML, and formatting values.

``md`` turns any user string into literal markdown text; ``code``, ``fence`` and ``url``
do the same for code spans, fenced blocks and link targets. The formatting filters
(``state``, ``days``, ``number``, ``value``, ``change``, ``trend``) and the
:class:`Formatter` of dates are what every document shares. Nothing here imports Jinja.
"""

from __future__ import annotations

import html
import re
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from phasedocs.facts import in_words
from phasedocs.formats import iso, num
from phasedocs.input.targets import Bound, parse_target
from phasedocs.units import DAYS, Span

if TYPE_CHECKING:
    from phasedocs.facts import CriterionFacts, MetricFacts
    from phasedocs.input.models import ProjectConfig


_ESCAPES = {ch: "\\" + ch for ch in "\\`*_[]{}|#"}
_ESCAPES["<"] = "&lt;"
_INLINE = str.maketrans(_ESCAPES)
WS_RE = re.compile(r"\s+")
# C0 controls and DEL: invisible, and \x02/\x03 are Python-Markdown's own placeholders
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def one_line(value: Any) -> str:
    """``value`` as text on one line: control characters removed, white space folded."""
    return WS_RE.sub(" ", _CONTROL_RE.sub("", str(value))).strip()


_ENTITY_RE = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
# what opens a block at the start of a line: a list item, a quote, a setext underline
_LEADING_RE = re.compile(r"^(?:[-+>]|\d+[.)])(?=\s|$)|^>")
_SETEXT_RE = re.compile(r"^=+$")


def md(value: Any) -> str:
    """Any value as literal inline markdown text: one line, nothing interpreted.

    Markdown and HTML punctuation is escaped, so ``<script>`` shows as text,
    ``[x](javascript:...)`` is no link, ``|`` does not split a table cell and
    ``{{ 7*7 }}`` stays as written. Characters that are only special in some places
    (``&`` before an entity name, ``>`` or ``1.`` at the start) are escaped only there,
    so the markdown stays readable as plain text too.
    """
    text = one_line(value)
    text = _ENTITY_RE.sub("&amp;", text).translate(_INLINE)
    if _SETEXT_RE.match(text):  # a line of '=' under text would make it a heading
        return "&#61;" + text[1:]
    m = _LEADING_RE.match(text)
    if m:
        cut = m.end() - 1
        text = text[:cut] + "\\" + text[cut:]
    return text


def code(value: Any) -> str:
    """An inline code span holding ``value`` literally (one line)."""
    text = one_line(value)
    if not text:
        return "—"
    longest = max((len(r) for r in re.findall(r"`+", text)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def fence(lines: Any, lang: str = "bash") -> str:
    """A fenced code block holding ``lines`` literally."""
    if isinstance(lines, str):
        lines = [lines]
    body = "\n".join(_CONTROL_RE.sub("", str(line).replace("\r", "")) for line in lines)
    longest = max((len(r) for r in re.findall(r"`{3,}", body)), default=2)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{lang}\n{body}\n{ticks}"


_SCHEME_RE = re.compile(r"([a-z0-9+.-]*):")


def url(value: Any) -> str:
    """A link target: http(s) URLs and relative paths only, with spaces and parens encoded.

    The scheme is read as a browser reads it: entities decoded (``javascript&#58;``) and
    tabs, newlines and spaces removed (``java\tscript:``), so no spelling of a script URL
    gets through; anything with another scheme becomes ``#``.
    """
    text = _CONTROL_RE.sub("", str(value)).strip()
    probe = re.sub(r"[\x00-\x20\x7f]", "", html.unescape(text)).lower()
    m = _SCHEME_RE.match(probe)
    if m and m.group(1) not in ("http", "https"):
        return "#"
    table = {
        " ": "%20",
        "(": "%28",
        ")": "%29",
        "<": "%3C",
        ">": "%3E",
        '"': "%22",
        "\t": "%09",
        "\n": "%0A",
        "\r": "%0D",
    }
    return "".join(table.get(ch, ch) for ch in text)


#: A commit of the evidence: its kind and a hex commit id (``merge:5d6e7f8``).
_COMMIT_RE = re.compile(r"(git|merge|done|revert):([0-9a-f]{7,40})", re.ASCII)


def commit(value: Any, repo_url: str | None = None) -> str:
    """An evidence id (``git:1a2b3c4``) as code, or, with the project's ``repo_url`` (an http(s)
    URL), a link to the commit's page there (``REPO/commit/SHA``, as GitHub, GitLab and Gitea
    name it). Any other id (``ci:...``) stays code."""
    text = str(value)
    m = _COMMIT_RE.fullmatch(text)
    if m is None or not repo_url or not _HTTP_RE.fullmatch(str(repo_url)):
        return code(text)
    return f"[{code(text)}]({url(str(repo_url).rstrip('/') + '/commit/' + m.group(2))})"


#: An http(s) URL as the input allows it (no space, quote, angle bracket or backtick).
_HTTP_RE = re.compile(r"https?://[^\s<>\"'`]+", re.ASCII | re.IGNORECASE)


def link(value: Any) -> str:
    """A link's value: a markdown link when it is an http(s) URL, else literal code (``task/3.1``,
    ``#14``, and ``javascript:...``, which is never a link)."""
    text = one_line(value)
    if _HTTP_RE.fullmatch(text):
        return f"[{md(text)}]({url(text)})"
    return code(text)


_FENCE_RE = re.compile(r"^(`{3,}|~{3,})")


def tidy(text: str) -> str:
    """At most one blank line in a row outside fenced code, no trailing spaces, one final newline."""
    out: list[str] = []
    fence_mark: str | None = None
    for line in text.split("\n"):
        m = _FENCE_RE.match(line.lstrip())
        if fence_mark is None:
            line = line.rstrip()
            if m:
                fence_mark = m.group(1)
            elif not line and (not out or not out[-1]):
                continue
        elif m and line.strip() == fence_mark[0] * len(m.group(1)) and len(m.group(1)) >= len(fence_mark):
            fence_mark = None
        out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out) + "\n"


STATE_SYMBOLS = {
    "met": "✅",
    "exceeded": "🌟",
    "missed": "❌",
    "pending": "⏳",
    "complete": "✅",
    "in_progress": "🔄",
    "ready": "🟢",
    "waiting": "⏸️",
    "blocked": "⛔",
    "planned": "📋",
    "active": "🔄",
    "on_track": "🔵",
    "off_track": "🟠",
}
#: A phase's health, recorded by a person or computed: words of its own, apart from criteria's.
HEALTH = {"on_track": "🟢 on track", "at_risk": "🟠 at risk", "off_track": "🔴 off track"}


def state(value: str) -> str:
    """A state as symbol and word: ``✅ met``, ``🟠 not met yet``."""
    return f"{STATE_SYMBOLS.get(value, '')} {in_words(value)}".strip()


def time_basis(config: ProjectConfig) -> str:
    """What the project's durations, time worked, slack and lateness count, in words: an
    operator reading "overdue by 2 h" must know it is 2 hours of work, not of the clock."""
    if config.calendar == "continuous":
        return "every hour, round the clock, weekends included"
    if config.calendar == "calendar":
        return "calendar days, weekends included"
    off = ", holidays off" if config.holidays else ""
    if config.workday is None:
        return f"working days, Monday to Friday{off}"
    w = config.workday
    end = w.begins + timedelta(hours=w.hours)
    close = "24:00" if end >= timedelta(days=1) else f"{end.seconds // 3600:02d}:{end.seconds % 3600 // 60:02d}"
    return f"working time only, {w.start} to {close} ({config.timezone}) Monday to Friday{off}"


def health(value: str | None) -> str:
    """A health call in words: ``🟠 at risk``; an em dash for none."""
    return HEALTH.get(value or "", "—")


def variance(x: float | None, span: Span = DAYS) -> str:
    """Days against plan: ``1 day late``, ``2.37 days early``, ``on time``; an em dash for none.
    In a phase of hours (``span``): ``2.5 h late``."""
    if x is None:
        return "—"
    n = span.value(abs(x))
    if n == 0:
        return "on time"
    return f"{span.amount(abs(x))} {'late' if x > 0 else 'early'}"


def gauge(state: str, x: float, span: Span = DAYS) -> str:
    """A finish against the plan, in the words of :func:`variance` (one word per fact):
    ``1.5 days late``, ``1 day early``, ``on time``."""
    if state == "behind":
        return f"{span.amount(x)} late"
    if state == "ahead":
        return f"{span.amount(-x)} early"
    return "on time"


def target(c: CriterionFacts) -> str:
    """A criterion's target in its metric's unit, as markdown: ``>= 95/100`` on a ratio metric
    reads ``\\>= 95%`` beside values in percent; a change from the baseline keeps its sign."""
    if c.metric is None or not c.criterion.target:
        return "checked by hand"
    unit = c.metric.unit
    try:
        t = parse_target(c.criterion.target, unit)
    except ValueError:  # validated on load; shown as written should that ever change
        return md(c.criterion.target)
    if t.text_value is not None or t.relative:
        return md(str(t))

    def bound(b: Bound) -> str:
        shown = value(b.value, unit)
        return f"{shown} ({b.text})" if "/" in b.text and shown != b.text else shown  # 99.37% (626/630)

    if t.op == "..":
        return md(f"{bound(t.bounds[0])} to {bound(t.bounds[1])}")
    return md(f"{t.op} {bound(t.bounds[0])}")


def days(x: float) -> str:
    """``2.4 days``, ``1 day``."""
    n = num(x, 2)
    return f"{n} day" if n == 1 else f"{n} days"


def number(x: float | int) -> str:
    """A number without noise: 12, 17.13, 1,234."""
    n = num(x, 2)
    return f"{n:,}" if isinstance(n, int) else f"{n:,.2f}".rstrip("0").rstrip(".")


def value(v: Any, unit: str = "count") -> str:
    """A metric value in its unit; ``TBD`` when not measured. Text values are escaped."""
    if v is None:
        return "TBD"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, str):  # text, and ratios written as '626/630' (validation keeps text metrics text)
        return md(v)
    if unit == "ratio":
        return f"{number(v * 100)}%"
    if unit == "percent":
        return f"{number(v)}%"
    if unit == "seconds":
        return f"{number(v)} s"
    if unit == "usd":  # money: always cents, the currency named (a '$' could start math markup)
        return f"{v:,.2f} USD"
    if unit == "bytes":
        for size, suffix in ((1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")):
            if abs(v) >= size:
                return f"{number(v / size)} {suffix}"
        return f"{number(v)} B"
    return number(v)


def change(x: float | None) -> str:
    """A change in percent with its sign, or an em dash."""
    if x is None:
        return "—"
    n = num(x, 1)
    return f"{'+' if n > 0 else ''}{n}%"


def trend(m: MetricFacts) -> str:
    """An arrow for the last move of a metric, marked when it goes the better way."""
    if m.trend is None:
        return "—"
    arrow = {"up": "↑", "down": "↓", "flat": "→"}[m.trend]
    if m.improving is None:
        return arrow
    return f"{arrow} better" if m.improving else f"{arrow} worse"


_DateTime = datetime  # the class's method ``datetime`` hides the type inside it


class Formatter:
    """Date filters bound to the project's time zone."""

    def __init__(self, tz: ZoneInfo) -> None:
        self.tz = tz

    def datetime(self, dt: _DateTime) -> str:
        """``2025-10-25 17:36 UTC``."""
        return dt.astimezone(self.tz).strftime("%Y-%m-%d %H:%M %Z")

    def date(self, dt: _DateTime) -> str:
        """``Sat 2025-10-25``."""
        return dt.astimezone(self.tz).strftime("%a %Y-%m-%d")

    def finish(self, dt: _DateTime) -> str:
        """A computed finish: ``2025-10-24 24:00 UTC`` when it falls at midnight.

        Work that fills a day to its end finishes at the next midnight; printed as
        ``00:00`` of the next date it would read as work on that date (a Saturday, after a
        Friday's work), so the end of a day is written as its own date at 24:00 (ISO 8601).
        """
        local = dt.astimezone(self.tz)
        if local.time() == time(0, 0):
            before = local - timedelta(days=1)  # 24:00 closes the date before midnight
            return f"{before:%Y-%m-%d} 24:00 {local:%Z}"
        return local.strftime("%Y-%m-%d %H:%M %Z")

    def finish_date(self, dt: _DateTime) -> str:
        """The date a computed finish closes: ``Fri 2025-10-24`` for Saturday 00:00."""
        local = dt.astimezone(self.tz)
        if local.time() == time(0, 0):
            local = local - timedelta(days=1)
        return local.strftime("%a %Y-%m-%d")

    def iso(self, dt: _DateTime) -> str:
        """ISO 8601 in the project's zone."""
        return iso(dt, self.tz)


_ANGLES = str.maketrans({"<": "‹", ">": "›"})


def html_text(text: str) -> str:
    """User text for HTML outside the markdown body: nav titles, the site name.

    Themes print these raw, in text and in attributes (Material's ``aria-label``), and
    Material prints ``page.title | striptags``, which decodes entities once more: an
    escaped ``&lt;img onerror=...&gt;`` would come back to life. So ``<`` and ``>`` become
    the look-alike angle quotes (nothing decodes those into a tag), and the rest is
    entity-escaped, quotes included: no filter can turn the result into markup.
    """
    return html.escape(one_line(text).translate(_ANGLES), quote=True)
