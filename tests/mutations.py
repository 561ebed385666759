"""Hand-made mutations that once passed the whole suite: each must now be caught.

Run ``.venv/bin/python tests/mutations.py [NAME...]``: every mutation is applied to the
source in turn, the tests named beside it run, and the source is restored. Any line
that says SURVIVED is a test to write. (Not collected by pytest: it edits the code.)
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
M = [
    (
        "protocol sandbox off (plain getattr)",
        "generator/phasedocs/sandbox.py",
        "class LimitedSandbox(SandboxedEnvironment):",
        "class LimitedSandbox(SandboxedEnvironment):\n    def is_safe_attribute(self, obj, attr, value):\n        return True\n",
        "tests/security/test_sec_templates.py",
    ),
    (
        "no StrictUndefined in protocol",
        "generator/phasedocs/input/protocol.py",
        "    undefined=StrictUndefined,\n    autoescape=False,",
        "    autoescape=False,",
        "tests/security/test_sec_templates.py",
    ),
    (
        "write_tree in place",
        "generator/phasedocs/output/writer.py",
        "        for rel, data, _ in writes:\n            atomic_write(out_dir / rel, data)",
        "        for rel, data, _ in writes:\n            (out_dir / rel).parent.mkdir(parents=True, exist_ok=True)\n            (out_dir / rel).write_bytes(data)",
        "tests/security/test_sec_writes.py",
    ),
    (
        "check false stored true",
        "generator/phasedocs/commands/record.py",
        'data["checks"][key] = text.strip().lower() == "true"',
        'data["checks"][key] = bool(text.strip())',
        "tests/security/test_sec_inputs.py",
    ),
    (
        "record accepts 1e999",
        "generator/phasedocs/commands/record.py",
        "        if not math.isfinite(value) or abs(value) > MAX_MAGNITUDE:",
        "        if False:",
        "tests/security/test_sec_inputs.py",
    ),
    (
        "file names in local time",
        "generator/phasedocs/commands/record.py",
        '.astimezone(ZoneInfo("UTC"))\n    return when.strftime',
        "\n    return when.strftime",
        "tests/security/test_sec_inputs.py",
    ),
    (
        "duplicate criterion ids",
        "generator/phasedocs/input/project.py",
        "            if crit.id is not None:\n                if crit.id in check_ids:",
        "            if crit.id is not None:\n                if False:",
        "tests/security/test_sec_mutations.py",
    ),
    (
        "duplicate phase numbers",
        "generator/phasedocs/input/project.py",
        "        if phase.number in seen_numbers:",
        "        if False:",
        "tests/security/test_sec_inputs.py",
    ),
    (
        "text metric numeric target",
        "generator/phasedocs/input/project.py",
        'if metric.unit == "text" and target.text_value is None and target.op != "==":',
        "if False:",
        "tests/security/test_sec_mutations.py",
    ),
    (
        "YAML .inf duration",
        "generator/phasedocs/input/loader.py",
        "        if isinstance(value, float) and not math.isfinite(value):",
        "        if False:",
        "tests/security/test_sec_inputs.py",
    ),
    (
        "url lets javascript through",
        "generator/phasedocs/render/filters.py",
        '    if m and m.group(1) not in ("http", "https"):',
        "    if False:",
        "tests/security/test_sec_mutations.py",
    ),
    (
        "mermaid quote raw",
        "generator/phasedocs/render/mermaid.py",
        """if ch.isalnum() or ch in " .,-_/:+()'?!":""",
        """if ch.isalnum() or ch in " .,-_/:+()'?!\\"":""",
        "tests/security/test_sec_mutations.py",
    ),
    (
        "manifest entries trusted",
        "generator/phasedocs/output/writer.py",
        "{k: v for k, v in files.items() if _entry_ok(k) and _HASH_RE.fullmatch(str(v))}",
        "{k: v for k, v in files.items()}",
        "tests/security/test_sec_paths.py",
    ),
    (
        "no journal",
        "generator/phasedocs/output/writer.py",
        "            atomic_write(out_dir / manifest_name, journal.dumps())",
        "            pass",
        "tests/security/test_sec_writes.py",
    ),
    (
        "no lock",
        "generator/phasedocs/output/writer.py",
        "    with locked(out_dir):\n        return _write_tree",
        "    with contextlib.nullcontext():\n        return _write_tree",
        "tests/security/test_sec_writes.py",
    ),
    (
        "titles escaped only",
        "generator/phasedocs/render/filters.py",
        "    return html.escape(one_line(text).translate(_ANGLES), quote=True)",
        "    return html.escape(one_line(text), quote=True)",
        "tests/security/test_sec_site.py",
    ),
    (
        "no shell autoescape",
        "generator/phasedocs/input/protocol.py",
        "    if isinstance(value, ShellWord):\n        return value\n",
        "    return str(value)\n",
        "tests/security/test_sec_templates.py",
    ),
    (
        "wrong quote context",
        "generator/phasedocs/input/protocol.py",
        '        elif ch == "\'":\n            state = "single"',
        '        elif ch == "\'":\n            state = "bare"',
        "tests/security/test_sec_templates.py",
    ),
    (
        "shell filter not quoting",
        "generator/phasedocs/input/protocol.py",
        "    return ShellWord(shlex.quote(_one_line(value)))",
        "    return ShellWord(_one_line(value))",
        "tests/security/test_sec_templates.py",
    ),
    (
        "same-second sort by name",
        "generator/phasedocs/input/project.py",
        "key=lambda ds: (ds[1].timestamp, file_order(ds[0].file))",
        "key=lambda ds: (ds[1].timestamp, ds[0].file)",
        "tests/security/test_sec_inputs.py",
    ),
    (
        "folder regex with $",
        "generator/phasedocs/input/project.py",
        "        m = PHASE_DIR_RE.fullmatch(folder.name)",
        '        m = re.match(r"^phase-(\\d{2,})$", folder.name)',
        "tests/security/test_sec_inputs.py",
    ),
    (
        "mathtext on",
        "generator/phasedocs/charts/drawing.py",
        '            "text.parse_math": False,',
        '            "text.parse_math": True,',
        "tests/security/test_sec_inputs.py",
    ),
    (
        "deploy names unchecked",
        "generator/phasedocs/site/deploy.py",
        "    check_git_names(remote, branch)\n    if _git(",
        "    if _git(",
        "tests/security/test_sec_deploy.py",
    ),
    (
        "json dup keys allowed",
        "generator/phasedocs/input/loader.py",
        "    if len(out) != len(pairs):",
        "    if False:",
        "tests/security/test_sec_inputs.py",
    ),
    (
        "bool as number",
        "generator/phasedocs/input/records.py",
        "        if isinstance(value, bool):\n            raise ValueError",
        "        if False:\n            raise ValueError",
        "tests/security/test_sec_inputs.py",
    ),
    (
        "template symlink followed",
        "generator/phasedocs/render/renderer.py",
        '        contained(self.folder, Path(filename), "template")\n        return source',
        "        return source",
        "tests/security/test_sec_paths.py",
    ),
    (
        "stamp trusted anywhere",
        "generator/phasedocs/output/caches.py",
        ' or data.get("here") != _here(root):',
        ":",
        "tests/security/test_sec_paths.py",
    ),
    (
        "figure leak",
        "generator/phasedocs/charts/drawing.py",
        '            plt.close("all")',
        "            pass",
        "tests/security/test_sec_mutations.py",
    ),
    # the #14 list: each passed the whole suite once
    (
        "in-progress dependency does not wait",
        "generator/phasedocs/facts.py",
        'if recorded.get(d) != "complete")',
        'if recorded.get(d) not in ("complete", "in_progress"))',
        "tests/test_facts.py",
    ),
    (
        "running task finishes from the plan, not now",
        "generator/phasedocs/facts.py",
        'begin = now if state == "in_progress" else max(ready, now)',
        "begin = ready",
        "tests/test_progress.py",
    ),
    (
        "baseline is the first snapshot",
        "generator/phasedocs/facts.py",
        'baseline_snap = next((s for s in source.snapshots if s.snapshot.kind == "baseline"), None)',
        "baseline_snap = None",
        "tests/test_facts.py",
    ),
    (
        "trend against the first value",
        "generator/phasedocs/facts.py",
        "prev, last = points[-2][1], points[-1][1]",
        "prev, last = points[0][1], points[-1][1]",
        "tests/test_facts.py",
    ),
    (
        "passed ignores exceeded",
        "generator/phasedocs/facts.py",
        'return self.state in ("met", "exceeded")',
        'return self.state == "met"',
        "tests/test_facts.py",
    ),
    (
        "change over a signed baseline",
        "generator/phasedocs/input/targets.py",
        "return (value - baseline) / abs(baseline) * 100.0",
        "return (value - baseline) / baseline * 100.0",
        "tests/test_targets.py",
    ),
    (
        "'>' judged as '>='",
        "generator/phasedocs/input/targets.py",
        '">": x > v + eps,',
        '">": x >= v - eps,',
        "tests/test_targets.py",
    ),
    (
        "range ends exclusive",
        "generator/phasedocs/input/targets.py",
        "if low - eps <= x <= high + eps:",
        "if low + eps < x < high - eps:",
        "tests/test_targets.py",
    ),
    (
        "text value meets a numeric target",
        "generator/phasedocs/input/targets.py",
        'return "missed"  # a text value never satisfies a numeric target',
        'return "met"',
        "tests/test_targets.py",
    ),
    (
        "relative target on a zero baseline",
        "generator/phasedocs/input/targets.py",
        '        if pct is None:\n            return "pending"',
        '        if pct is None:\n            return "missed"',
        "tests/test_targets.py",
    ),
    (
        "progress from criteria",
        "generator/phasedocs/facts.py",
        "pct = min(99.0, round(100.0 * a.worked / t.duration_days, 1))",
        "pct = 50.0",
        "tests/test_progress.py",
    ),
    (
        "blocked spell counted as work",
        "generator/phasedocs/facts.py",
        'if r.state != "in_progress":\n            continue',
        'if r.state not in ("in_progress", "blocked"):\n            continue',
        "tests/test_progress.py",
    ),
    (
        "criteria settled while work goes on",
        "generator/phasedocs/facts.py",
        'if verdict == "pending" or settled:',
        "if True:",
        "tests/test_progress.py",
    ),
    (
        "critical tasks as one chain",
        "generator/phasedocs/facts.py",
        "                chains.append(path)",
        "                chains.append(tuple(t.id for t in order if t.id in critical))",
        "tests/test_progress.py",
    ),
]
only = sys.argv[1:]
caught = survived = 0
for name, rel, old, new, tests in M:
    if only and not any(o in name for o in only):
        continue
    path = ROOT / rel
    src = path.read_text()
    if src.count(old) != 1:
        print(f"STALE    {name}: its pattern is found {src.count(old)} times; update it to the code")
        survived += 1
        continue
    path.write_text(src.replace(old, new))
    try:
        r = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", tests],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
        )
    finally:
        path.write_text(src)
    ok = r.returncode != 0
    caught += ok
    survived += not ok
    print(("caught  " if ok else "SURVIVED"), name, "|", (r.stdout.strip().splitlines() or [""])[-1])
print(f"{caught} caught")
sys.exit(0 if survived == 0 else 1)
