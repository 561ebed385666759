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
        "class LimitedSandbox(ImmutableSandboxedEnvironment):",
        "class LimitedSandbox(ImmutableSandboxedEnvironment):\n    def is_safe_attribute(self, obj, attr, value):\n        return True\n",
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
        "        for rel, data, _ in writes:\n            atomic_write(out_dir / rel, data, durable)",
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
        "            atomic_write(out_dir / manifest_name, journal.dumps(), durable)",
        "            pass",
        "tests/security/test_sec_writes.py",
    ),
    (
        "no lock",
        "generator/phasedocs/output/writer.py",
        "    with locked(out_dir):\n        _RUN_TOKEN",
        "    with contextlib.nullcontext():\n        _RUN_TOKEN",
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
        '        contained(self.folder, Path(filename), "template")\n        data = self.read.get(filename)',
        "        data = self.read.get(filename)",
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
        "generator/phasedocs/facts/phase.py",
        'if recorded.get(d) != "complete")',
        'if recorded.get(d) not in ("complete", "in_progress"))',
        "tests/test_facts.py",
    ),
    (
        "running task finishes from the plan, not now",
        "generator/phasedocs/facts/progress.py",
        "starts[t.id] = max(max((out[d] for d in t.depends_on), default=now), now)",
        "starts[t.id] = max((out[d] for d in t.depends_on), default=0.0)",
        "tests/test_progress.py",
    ),
    (
        "baseline is the first snapshot",
        "generator/phasedocs/facts/phase.py",
        'baseline_snap = next((s for s in source.snapshots if s.snapshot.kind == "baseline"), None)',
        "baseline_snap = None",
        "tests/test_facts.py",
    ),
    (
        "trend against the first value",
        "generator/phasedocs/facts/phase.py",
        "prev, last = points[-2][1], points[-1][1]",
        "prev, last = points[0][1], points[-1][1]",
        "tests/test_facts.py",
    ),
    (
        "passed ignores exceeded",
        "generator/phasedocs/facts/model.py",
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
        "generator/phasedocs/facts/phase.py",
        "pct = min(99.0, round(100.0 * a.worked / t.duration_days, 1))",
        "pct = 50.0",
        "tests/test_progress.py",
    ),
    (
        "blocked spell counted as work",
        "generator/phasedocs/facts/progress.py",
        'if r.state != "in_progress":\n            continue',
        'if r.state not in ("in_progress", "blocked"):\n            continue',
        "tests/test_progress.py",
    ),
    (
        "criteria settled while work goes on",
        "generator/phasedocs/facts/measures.py",
        'if verdict == "pending" or settled:',
        "if True:",
        "tests/test_progress.py",
    ),
    (
        "critical tasks as one chain",
        "generator/phasedocs/facts/schedule.py",
        "                chains.append(path)",
        "                chains.append(tuple(t.id for t in order if t.id in critical))",
        "tests/test_progress.py",
    ),
    # plan against reality, the CI loop, engines and screens (#15, #16, #17): each seen caught
    (
        "forecast: on = on | (out[c] & (start[c] == finish[w.id]))",
        "generator/phasedocs/forecast.py",
        "on = on | (out[c] & (start[c] == finish[w.id]))",
        "on = on | (out[c] & (start[c] >= finish[w.id]))",
        "tests/test_forecast.py",
    ),
    (
        "forecast: _triangular_inverse(floor + u * (1 - floor), a, c, b, np)",
        "generator/phasedocs/forecast.py",
        "_triangular_inverse(floor + u * (1 - floor), a, c, b, np)",
        "_triangular_inverse(u, a, c, b, np)",
        "tests/test_forecast.py",
    ),
    (
        "forecast: return np.where(u < fc, low, high)",
        "generator/phasedocs/forecast.py",
        "return np.where(u < fc, low, high)",
        "return np.where(u > fc, low, high)",
        "tests/test_forecast.py",
    ),
    (
        "forecast: floor = np.full(runs, float(now))",
        "generator/phasedocs/forecast.py",
        "floor = np.full(size, float(now))",
        "floor = np.full(size, 0.0)",
        "tests/test_forecast.py",
    ),
    (
        "forecast: first = int(np.searchsorted(durations, w.worked + EPS, side=",
        "generator/phasedocs/forecast.py",
        'first = int(np.searchsorted(durations, w.worked + EPS, side="right"))',
        "first = 0",
        "tests/test_forecast.py",
    ),
    (
        "facts: overdue = r6(now_off - pf[t.id]) if running and now_off is n",
        "generator/phasedocs/facts/phase.py",
        "overdue = r6(now_off - pf[t.id]) if running and now_off is not None and now_off > pf[t.id] + EPS else 0.0",
        "overdue = r6(now_off - ef[t.id]) if running and now_off is not None and now_off > ef[t.id] + EPS else 0.0",
        "tests/test_plan.py",
    ),
    (
        "facts: now_off > pf[t.id] + slack[t.id] + EPS",
        "generator/phasedocs/facts/phase.py",
        "now_off > pf[t.id] + cpm.slack[t.id] + EPS",
        "now_off > pf[t.id] + EPS",
        "tests/test_plan.py",
    ),
    (
        "facts: if gap > config.stale_after_days + EPS:",
        "generator/phasedocs/facts/project.py",
        "if gap > config.stale_after_days + EPS:",
        "if gap > 3 + EPS:",
        "tests/test_plan.py",
    ),
    (
        "facts: worst = max(tasks, key=lambda t: t.gauge_days)",
        "generator/phasedocs/facts/plans.py",
        "worst = max(tasks, key=lambda t: t.gauge_days)",
        "worst = min(tasks, key=lambda t: t.gauge_days)",
        "tests/test_plan.py",
    ),
    (
        "specs: if when <= snap.timestamp)",
        "generator/phasedocs/charts/specs.py",
        "if when <= snap.timestamp)",
        "if when < snap.timestamp)",
        "tests/test_charts.py",
    ),
    (
        "specs: done = sum(d * min(1.0, max(0.0, (x - a) / (b - a))) if b > ",
        "generator/phasedocs/charts/specs.py",
        "sum(d * min(1.0, max(0.0, (x - a) / (b - a))) if b > a else (d if x >= b else 0.0) for a, b, d in spans), 6",
        "sum(d if x >= b else 0.0 for a, b, d in spans), 6",
        "tests/test_charts.py",
    ),
    (
        'freeze: data["plans"].append(version)',
        "generator/phasedocs/commands/freeze.py",
        '    data["plans"].append(version)\n',
        '    data["plans"] = [version]\n',
        "tests/test_plan.py",
    ),
    (
        "plan: if i and version.reason is None:",
        "generator/phasedocs/input/plan.py",
        "        if i and version.reason is None:",
        "        if False:",
        "tests/test_plan.py",
    ),
    (
        "models: if e is not None and not e.low <= self.duration_days <= e.hi",
        "generator/phasedocs/input/models.py",
        "if e is not None and not e.low <= self.duration_days <= e.high:",
        "if e is not None and not e.low <= e.high:",
        "tests/test_plan.py",
    ),
    (
        "facts: if t.actual_days is not None and t.actual_days > EPS",
        "generator/phasedocs/facts/project.py",
        "if t.actual_days is not None and t.actual_days > EPS",
        "if t.actual_days is not None",
        "tests/test_forecast.py",
    ),
    (
        'reports: if "error" in kinds:',
        "generator/phasedocs/input/reports.py",
        'outcome = "errors" if "error" in kinds else "failures"',
        'outcome = "failures"',
        "tests/test_measure.py",
    ),
    (
        'reports: ran = total["tests"] - total["skipped"]',
        "generator/phasedocs/input/reports.py",
        '    ran = total["tests"] - total["skipped"]',
        '    ran = total["tests"]',
        "tests/test_measure.py",
    ),
    (
        "reports: entities allowed",
        "generator/phasedocs/input/reports.py",
        "parser = SafeET.DefusedXMLParser(target=target)",
        "parser = SafeET.DefusedXMLParser(target=target, forbid_entities=False, forbid_external=False)",
        "tests/test_measure.py",
    ),
    (
        'reports: token = raw.replace("~1", "/").replace("~0", "~")',
        "generator/phasedocs/input/reports.py",
        'token = raw.replace("~1", "/").replace("~0", "~")',
        'token = raw.replace("~0", "~").replace("~1", "/")',
        "tests/test_measure.py",
    ),
    (
        "reports: problem = leaves(root, path) if problem: raise ReportError(f",
        "generator/phasedocs/input/reports.py",
        '    problem = leaves(root, path)\n    if problem:\n        raise ReportError(f"{e.path}: {problem}")',
        "    pass",
        "tests/test_measure.py",
    ),
    (
        "reports: if files_only and not path.is_file():",
        "generator/phasedocs/input/reports.py",
        "        if files_only and not path.is_file():",
        "        if False:",
        "tests/test_measure.py",
    ),
    (
        'reports: return Reading(round(rate * 100, 4) if unit == "percent" els',
        "generator/phasedocs/input/reports.py",
        'return Reading(round(rate * 100, 4) if unit == "percent" else round(rate, 6), (e.path,))',
        "return Reading(round(rate * 100, 4), (e.path,))",
        "tests/test_measure.py",
    ),
    (
        "measure: if problems or (missing and not allow_missing):",
        "generator/phasedocs/commands/measure.py",
        "    if problems or (missing and not allow_missing):",
        "    if problems:",
        "tests/test_measure.py",
    ),
    (
        "gate: if share <= rule.amount + EPS:",
        "generator/phasedocs/gate.py",
        "        if share <= rule.amount + EPS:",
        "        if share < rule.amount - EPS:",
        "tests/test_check.py",
    ),
    (
        'gate: ref, words = (min(earlier) if lower else max(earlier)), "the',
        "generator/phasedocs/gate.py",
        '        ref, words = (min(earlier) if lower else max(earlier)), "the best value so far"',
        '        ref, words = earlier[0], "the best value so far"',
        "tests/test_check.py",
    ),
    (
        "gate: worse = latest - ref if lower else ref - latest",
        "generator/phasedocs/gate.py",
        "    worse = latest - ref if lower else ref - latest",
        "    worse = latest - ref",
        "tests/test_check.py",
    ),
    (
        "gate: if worse <= rule.amount + EPS:",
        "generator/phasedocs/gate.py",
        "        if worse <= rule.amount + EPS:",
        "        if worse < rule.amount:",
        "tests/test_check.py",
    ),
    (
        "check: return [f for f in self.found if f.fails or self.strict]",
        "generator/phasedocs/commands/check.py",
        "        return [f for f in self.found if f.fails or self.strict]",
        "        return [f for f in self.found if f.fails]",
        "tests/test_check.py",
    ),
    (
        "feeds: entries.sort(key=lambda e: e[0], reverse=True)",
        "generator/phasedocs/render/feeds.py",
        "    entries.sort(key=lambda e: e[0], reverse=True)",
        "    entries.sort(key=lambda e: e[0])",
        "tests/test_feeds.py",
    ),
    (
        "changes: if entry.state != before:",
        "generator/phasedocs/facts/changes.py",
        "            if entry.state != before:",
        "            if entry.note or True:",
        "tests/test_feeds.py",
    ),
    (
        'feeds: return escape(_NOT_XML.sub("\\ufffd", s))',
        "generator/phasedocs/render/feeds.py",
        '    return escape(_NOT_XML.sub("\\ufffd", s))',
        "    return escape(s)",
        "tests/test_feeds.py",
    ),
    (
        'feeds: elif p.gauge.state == "behind": color = "orange"',
        "generator/phasedocs/render/feeds.py",
        '    elif p.gauge.state == "behind":\n        color = "orange"',
        '    elif False:\n        color = "orange"',
        "tests/test_feeds.py",
    ),
    (
        'plugin: href = html.escape(posixpath.relpath(self.at("feed.xml"), here))',
        "generator/phasedocs/site/plugin.py",
        'href = html.escape(posixpath.relpath(self.at("feed.xml"), here))',
        'href = "feed.xml"',
        "tests/test_feeds.py",
    ),
    (
        "loader: a second ': ' anywhere on the line",
        "generator/phasedocs/input/loader.py",
        '        if ": " in line[: mark.column]:',
        '        if ": " in line:',
        "tests/test_loader.py",
    ),
    (
        "site_config: if ours is not None and theirs is not None and str(theirs) !",
        "generator/phasedocs/input/site_config.py",
        "        if ours is not None and theirs is not None and str(theirs) != ours:",
        "        if ours is not None and theirs is not None and False:",
        "tests/test_site.py",
    ),
    (
        'record: if metric.unit == "ratio" and x > 1:',
        "generator/phasedocs/commands/record.py",
        '        if metric.unit == "ratio" and x > 1:',
        '        if metric.unit == "ratio" and x > 100:',
        "tests/test_record.py",
    ),
    (
        "record: if earlier and all(v > 1 for v in earlier):",
        "generator/phasedocs/commands/record.py",
        "            if earlier and all(v > 1 for v in earlier):",
        "            if earlier:",
        "tests/test_record.py",
    ),
    (
        'pipeline: elif path.endswith(".md"):',
        "generator/phasedocs/pipeline.py",
        '    elif path.endswith(".md"):',
        "    elif False:",
        "tests/test_progress.py",
    ),
    (
        "pipeline: a project's own templates read only their phase",
        "generator/phasedocs/pipeline.py",
        "inputs = everything if own else digests[p.folder]",
        "inputs = digests[p.folder]",
        "tests/test_writer.py",
    ),
    (
        "pipeline: a group's digest ignores its facts",
        "generator/phasedocs/pipeline.py",
        "return _digest(p.source.digest, repr(shown))",
        "return p.source.digest",
        "tests/test_writer.py",
    ),
    (
        'pipeline: if path == "README.md":',
        "generator/phasedocs/pipeline.py",
        '    if path == "README.md":',
        "    if False:",
        "tests/test_progress.py",
    ),
    (
        "pages: if (docs / uri).is_file() and manifest.files.get(uri) != sha",
        "generator/phasedocs/site/pages.py",
        "        if (docs / uri).is_file() and manifest.files.get(uri) != sha256((docs / uri).read_bytes())",
        "        if (docs / uri).is_file() and False",
        "tests/test_site.py",
    ),
    (
        'zensical: theme["variant"] = "classic"',
        "generator/phasedocs/site/zensical.py",
        '        theme["variant"] = "classic"',
        "        pass",
        "tests/test_engines.py",
    ),
    (
        'zensical: config["extra_javascript"] = [*scripts, MERMAID_URI]',
        "generator/phasedocs/site/zensical.py",
        '    config["extra_javascript"] = [*scripts, MERMAID_URI]',
        '    config["extra_javascript"] = scripts',
        "tests/test_engines.py",
    ),
    (
        "zensical: if path.is_file() and rel not in files: path.unlink()",
        "generator/phasedocs/site/zensical.py",
        "        if path.is_file() and rel not in files:\n            path.unlink()",
        "        if False:\n            path.unlink()",
        "tests/test_engines.py",
    ),
    (
        "deploy: return [line[3:] for line in done.stdout.splitlines() if lin",
        "generator/phasedocs/site/deploy.py",
        "    return [line[3:] for line in done.stdout.splitlines() if line.strip()] if done.returncode == 0 else []",
        "    return []",
        "tests/test_site.py",
    ),
    (
        "drawing: style_of = {name: narrow if name.endswith(NARROW_SUFFIX) els",
        "generator/phasedocs/charts/drawing.py",
        "    style_of = {name: narrow if name.endswith(NARROW_SUFFIX) else style for name, _ in items}",
        "    style_of = {name: style for name, _ in items}",
        "tests/test_browser.py",
    ),
    (
        'init: read("workflow.yml").replace(b"__VERSION__", __version__.encode())',
        "generator/phasedocs/commands/init.py",
        'read("workflow.yml").replace(b"__VERSION__", __version__.encode())',
        "",
        "tests/test_init.py",
    ),
    (
        "pages: parts = [p if i % 2 else _ICON_RE.sub(_icon_span, p) for i, ",
        "generator/phasedocs/site/pages.py",
        "        parts = [p if i % 2 else _ICON_RE.sub(_icon_span, p) for i, p in enumerate(parts)]",
        "        parts = parts",
        "tests/test_site.py",
    ),
    (
        "messages: a mapping's key read as a field name",
        "generator/phasedocs/input/messages.py",
        "        if _container(current):",
        "        if isinstance(part, int):",
        "tests/test_messages.py",
    ),
    (
        "gate: a complete phase's criteria never settled replace the missed ones",
        "generator/phasedocs/gate.py",
        '        out += [_criterion(p, c) for c in p.criteria if c.state == "pending"]',
        '        out = [_criterion(p, c) for c in p.criteria if c.state == "pending"]',
        "tests/test_gate.py",
    ),
    (
        "reports: namespaced tags kept whole",
        "generator/phasedocs/input/reports.py",
        '    return str(tag).rpartition("}")[2]',
        "    return str(tag)",
        "tests/test_reports.py",
    ),
    (
        "gate: criteria never settled fail a phase still under way",
        "generator/phasedocs/gate.py",
        '    if p.state == "complete":\n        out += [_criterion(p, c) for c in p.criteria if c.state == "pending"]',
        '    if True:\n        out += [_criterion(p, c) for c in p.criteria if c.state == "pending"]',
        "tests/test_gate.py",
    ),
    (
        "gate: a task done in a tenth of its time exactly is implausible",
        "generator/phasedocs/gate.py",
        "days >= IMPLAUSIBLE_SHARE * planned - EPS:",
        "days > IMPLAUSIBLE_SHARE * planned:",
        "tests/test_check.py",
    ),
    (
        "gate: work complete before the start, judged by the snapshot's time alone",
        "generator/phasedocs/gate.py",
        "(e.at or info.timestamp) < start",
        "info.timestamp < start and False",
        "tests/test_check.py",
    ),
    (
        "feeds: the badge counts what fails only with --strict",
        "generator/phasedocs/render/feeds.py",
        "        if f.fails:\n            failing[f.words]",
        "        if True:\n            failing[f.words]",
        "tests/test_feeds.py",
    ),
    (
        "views: the computed health ignores a failing gate",
        "generator/phasedocs/render/views.py",
        "if self.missed or p.gate_failures or any(",
        "if self.missed or any(",
        "tests/test_check.py",
    ),
    (
        "writer: the handoff check compares whole files",
        "generator/phasedocs/output/writer.py",
        'old.partition(b"\\n")[0] != data.partition(b"\\n")[0]',
        "old != data",
        "tests/test_writer.py",
    ),
    (
        "paths: a pages folder is not checked",
        "generator/phasedocs/paths.py",
        '    inside_project(\n        root, folder, "docs_dir",',
        '    (lambda *a: None)(\n        root, folder, "docs_dir",',
        "tests/security/test_sec_site.py",
    ),
    (
        "reports: globs follow symlinked folders",
        "generator/phasedocs/input/reports.py",
        "        _through_link(root, path)\n",
        "",
        "tests/security/test_sec_paths.py",
    ),
    (
        "writer: every temp-looking file is swept",
        "generator/phasedocs/output/writer.py",
        '*([rf"\\..+\\.{re.escape(token)}\\.tmp"] if token else []),',
        'r"\\..+\\.[a-z0-9_]{8}\\.tmp",',
        "tests/security/test_sec_paths.py",
    ),
]


def stale(name: str, rel: str, old: str) -> str | None:
    """Why a mutation no longer applies (its text is not found exactly once), or None."""
    count = (ROOT / rel).read_text().count(old)
    return None if count == 1 else f"{name}: its pattern is found {count} times; update it to the code"


def main(only: list[str]) -> int:
    """Apply each mutation named (all without names), run its tests, restore; 1 if any survived."""
    caught = survived = 0
    for name, rel, old, new, tests in M:
        if only and not any(o in name for o in only):
            continue
        path = ROOT / rel
        src = path.read_text()
        if stale(name, rel, old):
            print(f"STALE    {stale(name, rel, old)}")
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
    return 0 if survived == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
