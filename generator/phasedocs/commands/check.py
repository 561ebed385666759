"""``phasedocs check``: the CI gate. Exit 1 when a settled criterion is missed, a complete
phase's criterion was never measured or never checked, or a metric regressed past its
threshold; report, but pass, criteria not met yet and implausible claims (unless strict).

The findings are facts (:mod:`phasedocs.facts.gate`, computed once with the facts, which the
documents read too); this module words them as text, markdown (GitHub's job summary) or JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from phasedocs.errors import Abort, printable
from phasedocs.facts.gate import Finding, as_dict, findings
from phasedocs.formats import dumps, iso


@dataclass(frozen=True)
class Report:
    """What ``check`` found, and how it words it."""

    phases: list[Any]
    """The phases checked (PhaseFacts)."""
    found: list[Finding]
    strict: bool
    tz: Any

    @property
    def failures(self) -> list[Finding]:
        """The findings that fail the run: missed and regressed, and with --strict not met yet too."""
        return [f for f in self.found if f.fails or self.strict]

    @property
    def ok(self) -> bool:
        """True when nothing fails the run."""
        return not self.failures

    def _when(self, f: Finding) -> str:
        return iso(f.since, self.tz) if f.since is not None else "—"

    def text(self) -> str:
        """Plain lines for a terminal or a CI log."""
        lines = []
        for p in self.phases:
            mine = [f for f in self.found if f.phase == p.number]
            if not mine:
                lines.append(f"phase {p.number}: ok (nothing missed, nothing regressed)")
                continue
            lines.append(f"phase {p.number}: {printable(p.phase.title)}")
            for f in mine:
                mark = "FAIL" if f.fails or self.strict else "note"
                # a claim to verify is dated by the record that makes it; anything else has held since then
                since = (
                    f" {'at' if f.kind == 'implausible' else 'since'} {self._when(f)}" if f.since is not None else ""
                )
                # user text on one line each: a note must not forge a log line (GitHub's ::error)
                lines.append(f"  {mark} {f.words}: {printable(f.subject)}: {printable(f.detail)}{since}")
        n = len(self.failures)
        lines.append(f"check: {'ok' if self.ok else f'{n} failure' + ('' if n == 1 else 's')}")
        return "\n".join(lines) + "\n"

    def markdown(self) -> str:
        """A table per phase: what failed, by how much, since when (GitHub's job summary)."""
        from phasedocs.render.filters import md

        out = ["## phasedocs check: " + ("✅ passed" if self.ok else f"❌ {len(self.failures)} failing"), ""]
        for p in self.phases:
            mine = [f for f in self.found if f.phase == p.number]
            out.append(f"### Phase {p.number}: {md(p.phase.title)}")
            out.append("")
            if not mine:
                out += ["Nothing missed, nothing regressed.", ""]
                continue
            out += ["| Result | What | By how much | Since |", "|---|---|---|---|"]
            for f in mine:
                result = ("❌ " if f.fails or self.strict else "⚠️ ") + f.words
                out.append(f"| {result} | {md(f.subject)} | {md(f.detail)} | {self._when(f)} |")
            out.append("")
        return "\n".join(out)

    def json(self) -> bytes:
        """The findings as JSON."""
        return dumps(
            {
                "ok": self.ok,
                "strict": self.strict,
                "failures": len(self.failures),
                "findings": [as_dict(f, self.tz, self.strict) for f in self.found],
            }
        )


def check(project_dir: Path, phases: tuple[str, ...] = (), *, strict: bool = False) -> Report:
    """Validate, compute and gather the findings of ``phases`` (default: every phase)."""
    from phasedocs.facts import compute
    from phasedocs.input.project import load_project, pick_phase

    facts = compute(load_project(project_dir))
    if not facts.phases:
        raise Abort("the project has no phase to check")
    chosen = [pick_phase(list(facts.phases), [p.number for p in facts.phases], x) for x in phases] or list(facts.phases)
    chosen = list({p.number: p for p in chosen}.values())
    return Report(chosen, findings(facts, chosen), strict, facts.tz)


def append_summary(path: Path, text: str) -> None:
    """Append ``text`` to ``path`` (GitHub's $GITHUB_STEP_SUMMARY), as the file's owner expects."""
    try:
        with path.open("a", encoding="utf-8") as fh:
            fh.write(text if text.endswith("\n") else text + "\n")
    except OSError as exc:
        raise Abort(f"cannot append the summary to {path}: {exc.strerror}") from None
