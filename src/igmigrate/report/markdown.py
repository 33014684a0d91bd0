"""GitHub-flavoured Markdown report, sized for a pull-request comment.

A comment holds at most 65,536 characters, so the document stays under MAX_CHARS: the parts
above the findings table are bounded (call sites per flow, directories), and the table gets the
rest of the budget; rows that do not fit are left out and counted.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from igmigrate.findings import SEVERITIES
from igmigrate.own_outputs import MARKDOWN_REPORT_MARKER
from igmigrate.report.model import Report, Row, hours, language_of, plural, strip_docs

MAX_CHARS = 60_000
_PUNCT = re.compile(r"([\\`*_\[\]<>|~#!&])")
_TICKS = re.compile(r"`+")


# ---- escaping: every value that may come from scanned code goes through one of these ----------

def text(value: object) -> str:
    """Inline text: Markdown and HTML syntax shown literally, on one line."""
    return _PUNCT.sub(r"\\\1", " ".join(str(value).split()))


def code(value: object, in_table: bool = False) -> str:
    """A code span that holds any text: the fence is longer than any backtick run inside."""
    body = " ".join(str(value).split())
    if not body:
        return ""
    if in_table:
        body = body.replace("|", "\\|")  # GFM splits cells before parsing code spans
    fence = "`" * (max((len(m) for m in _TICKS.findall(body)), default=0) + 1)
    if body.startswith("`") or body.endswith("`"):
        body = f" {body} "
    return f"{fence}{body}{fence}"


def code_block(source: str, language: str) -> str:
    fence = "`" * max(3, max((len(m) for m in _TICKS.findall(source)), default=0) + 1)
    return f"{fence}{language}\n{source.rstrip()}\n{fence}"


def link(url: str | None) -> str:
    """Knowledge-base URLs only; anything but a plain https:// URL is shown as text."""
    if not url or not re.fullmatch(r"https://[^\s<>]+", url):
        return text(url or "")
    return f"<{url}>"


def short(value: str, limit: int) -> str:
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


# ---- sections ---------------------------------------------------------------------------------

def _header(r: Report) -> list[str]:
    out = [MARKDOWN_REPORT_MARKER, f"# {text(r.title)}", ""]  # marker first: later scans skip the report
    if r.scanned:
        out += [f"Scanned {code(r.scanned.text())}.", ""]
    out.append(f"Generated {r.generated} by igmigrate {text(r.tool_version)} "
               f"(knowledge base {text(r.kb_version)}, updated {r.kb_updated}).")
    if r.baseline:
        out.append(f"Compared with the baseline {code(r.baseline)}.")
    out.append("")
    return out


def _summary(r: Report, max_dirs: int) -> list[str]:
    s = r.severities
    out = ["## Summary", "",
           f"**{plural(r.total, 'finding')}** ({plural(s['error'], 'error')}, {plural(s['warning'], 'warning')}, "
           f"{plural(s['note'], 'note')}) in **{r.files_affected} of {plural(r.files_scanned, 'file')}** scanned."]
    if r.suppressed:
        out.append(f"{plural(r.suppressed, 'suppressed finding')} not counted.")
    if r.errors:
        out.append(f"{plural(len(r.errors), 'file')} could not be read or parsed (see `igmigrate scan`).")
    if r.baseline:
        new = sum(row.status == "new" for row in r.rows)
        out.append(f"Against the baseline: **{new} new**, {r.total - new} still present, {len(r.fixed)} fixed.")
    if r.total:
        out.append(f"Effort: about **{hours(r.effort)} {text(r.effort_unit)}**. {text(r.effort_note)}")
    out += ["", "| Date | What happened |", "|---|---|"]
    out += [f"| {date} | {text(label)} |" for label, date in r.dates]
    out += ["", "| Severity | Findings |", "|---|---:|"]
    out += [f"| {sev} | {s[sev]} |" for sev in SEVERITIES]
    if r.by_rule:
        out += ["", "### By rule", "", "| Rule | Title | Findings |", "|---|---|---:|"]
        out += [f"| {rid} | {text(title)} | {n} |" for rid, title, n in r.by_rule]
    if r.by_directory:
        out += ["", "### By top-level directory", "", "| Directory | Findings |", "|---|---:|"]
        shown = r.by_directory[:max_dirs]
        out += [f"| {code(d, True)} | {n} |" for d, n in shown]
        rest = r.by_directory[max_dirs:]
        if rest:
            out.append(f"| {len(rest)} more directories | {sum(n for _, n in rest)} |")
    return out + [""]


def _site(row: Row) -> str:
    f = row.finding
    return f"- {code(row.location)} {f.rule_id} ({f.severity}): {code(short(f.snippet, 100))}"


def _flow_evidence(rows: tuple[Row, ...]) -> list[str]:
    """Live evidence once per endpoint, not per call site: the table has it per finding."""
    counts: dict[str, int] = {}
    for row in rows:
        if row.live:
            counts[row.live.text()] = counts.get(row.live.text(), 0) + 1
    return [f"> Live: {text(live)} ({plural(n, 'call site')})" for live, n in counts.items()]


def _flows(r: Report, max_sites: int) -> list[str]:
    if not r.flows:
        return []
    out = ["## Flows to migrate", "",
           "Each flow is one unit of work: change its call sites together.", "",
           f"| Flow | Call sites | Effort ({text(r.effort_unit)}, estimate) |", "|---|---:|---:|"]
    out += [f"| {text(f.title)} | {len(f.rows)} | {hours(f.effort)} |" for f in r.flows]
    out += [f"| **Total** | {sum(len(f.rows) for f in r.flows)} | {hours(sum(f.effort for f in r.flows))} |", ""]
    for flow in r.flows:
        out += [f"### {text(flow.title)} ({plural(len(flow.rows), 'call site')}, about {hours(flow.effort)} "
                f"{text(r.effort_unit)})", "", text(flow.summary), ""]
        evidence = _flow_evidence(flow.rows)
        if evidence:
            out += [line + "  " for line in evidence[:-1]] + evidence[-1:] + [""]
        out += [_site(row) for row in flow.rows[:max_sites]]
        if len(flow.rows) > max_sites:
            out.append(f"- … and {len(flow.rows) - max_sites} more call sites (see the findings table)")
        out.append("")
    return out


def _rules(r: Report, examples: bool) -> list[str]:
    if not r.rules:
        return []
    out = ["## Rules that fired", ""]
    for sec in r.rules:
        rule = sec.rule
        counts = ", ".join(f"{n} {sev}" for sev, n in sorted(sec.severities.items()))
        out += [f"### {rule.id} {text(rule.title)}", "", f"{plural(sec.count, 'finding')} ({counts}); category {text(rule.category)}."
                + (f" Removed {rule.removed}." if rule.removed else ""), ""]
        out.append(f"**What it means:** {text(sec.example.finding.message)} (e.g. {code(sec.example.location)})")
        out.append("")
        for rep in sec.replacements[:3]:
            out.append(f"**Replacement:** {text(rep)}")
            out.append("")
        if examples and sec.before and sec.after:
            out += [f"<details><summary>Before / after ({html.escape(sec.example_source)})</summary>", "",
                    f"Before ({code(sec.before.file)}):", "", code_block(sec.before.code, language_of(sec.before.file)), "",
                    f"After ({code(sec.after.file)}):", "", code_block(sec.after.code, language_of(sec.after.file)), "",
                    "</details>", ""]
        elif examples and sec.example_missing:
            out += [f"No before/after example in {text(sec.example_missing)} yet; the replacement says what to change.", ""]
        if rule.docs:
            out += [f"Docs: {link(rule.docs)}", ""]
    return out


def _files(r: Report, max_files: int) -> list[str]:
    if not r.files:
        return []
    out = ["## Files", "", f"| File | Errors | Warnings | Notes | Rules | Effort ({text(r.effort_unit)}, est.) |",
           "|---|---:|---:|---:|---|---:|"]
    out += [f"| {code(f.path, True)} | {f.severities['error']} | {f.severities['warning']} | {f.severities['note']} "
            f"| {', '.join(f.rules)} | {hours(f.effort)} |" for f in r.files[:max_files]]
    if len(r.files) > max_files:
        out.append(f"| {len(r.files) - max_files} more files | | | | | |")
    return out + [""]


def history_lines(history) -> list[str]:
    """The burndown as a table (Markdown has no charts): oldest commit first."""
    out = ["## Burndown", "", f"From `igmigrate history` of {text(history.repository)} "
           f"({text(history.branch or 'detached HEAD')}), committer dates, oldest first.", "",
           "| Commit | Date | Errors | Warnings | Notes |", "|---|---|---:|---:|---:|"]
    out += [f"| {code(p.commit[:12], True)} | {text(p.date[:10])} | {p.errors} | {p.warnings} | {p.notes} |"
            for p in history.points]
    return out + [""]


def _manual(r: Report, max_sites: int) -> list[str]:
    out = ["## What no code change fixes", ""]
    for item in r.manual:
        out += [f"### {text(item.title)}", "", text(item.text)]
        if item.docs:
            out += ["", f"Docs: {link(item.docs)}"]
        if item.rows:
            shown = ", ".join(f"{code(row.location)} ({row.finding.rule_id})" for row in item.rows[:max_sites])
            more = f" and {len(item.rows) - max_sites} more" if len(item.rows) > max_sites else ""
            out += ["", f"In this code: {shown}{more}."]
        out.append("")
    return out


def _probe(r: Report) -> list[str]:
    p = r.probe
    if p is None:
        return []
    out = ["## Live evidence", ""]
    if p.stand_ins:
        out += [f"**Not from Instagram:** these answers came from {', '.join(code(h) for h in p.stand_ins)}, not from "
                "Instagram's hosts (a local stand-in or a proxy); they show how the probe classifies answers, not what "
                "Instagram answers today.", ""]
    out += [f"Probe results {code(p.path)}, dated {p.date} ({text(p.date_source)})"
            + (f"; overall verdict: **{text(p.verdict)}**." if p.verdict else "."), "",
            "| Step | Checks | Status | Verdict | Evidence | Findings joined |", "|---|---|---:|---|---|---:|"]
    for s in p.steps:
        evidence = text(short(f"{s.signature}: {s.detail}" if s.signature else s.detail, 160))
        out.append(f"| {text(s.step)} | {text(p.calls.get(s.step, s.url or '-'))} | {s.status if s.status is not None else '-'} "
                   f"| **{text(s.verdict)}** | {evidence} | {p.joined.get(s.step, 0)} |")
    out += ["", "Each finding below shows the verdict of the endpoint it calls. A verdict is evidence, not proof: "
            "see `igmigrate probe --help`.", ""]
    return out


def _row(row: Row, live: bool) -> str:
    f = row.finding
    rep = strip_docs(f.replacement)
    cells = [code(row.location, True), f.rule_id, f.severity, code(short(f.snippet, 160), True), text(short(rep, 140))]
    if live:
        cells.append(text(row.live.text()) if row.live else "")
    return "| " + " | ".join(cells) + " |"


def _fixed_row(entry) -> str:
    where = f"{entry.path}:{entry.line}" if entry.path and entry.line else entry.path or ""
    return f"| {code(where, True)} | {text(entry.rule_id or '')} | {code(entry.fingerprint, True)} |"


def _table_head(live: bool) -> list[str]:
    head = "| Location | Rule | Severity | Snippet | Replacement |" + (" Live evidence |" if live else "")
    return [head, "|---|---|---|---|---|" + ("---|" if live else "")]


Group = tuple[str, list[str], list[str]]  # (summary line, table head, rows)


def _groups(r: Report) -> list[Group]:
    live = r.probe is not None
    if r.baseline is None:
        return [(f"All {plural(r.total, 'finding')}", _table_head(live), [_row(x, live) for x in r.rows])]
    new = [x for x in r.rows if x.status == "new"]
    old = [x for x in r.rows if x.status == "existing"]
    return [
        (f"New since the baseline: {plural(len(new), 'finding')}", _table_head(live), [_row(x, live) for x in new]),
        (f"Fixed since the baseline: {plural(len(r.fixed), 'finding')}", ["| Was at | Rule | Fingerprint |", "|---|---|---|"],
         [_fixed_row(e) for e in r.fixed]),
        (f"Still present (in the baseline): {plural(len(old), 'finding')}", _table_head(live), [_row(x, live) for x in old]),
    ]


def _findings(groups: list[Group], keep: int) -> tuple[list[str], int]:
    """The findings section with the first `keep` rows (across groups); returns it and the rows left out."""
    out = ["## Findings", ""]
    left_out = 0
    for summary, head, rows in groups:
        shown = rows[:max(0, keep)]
        keep -= len(shown)
        left_out += len(rows) - len(shown)
        out += ["<details>", f"<summary>{html.escape(summary)}</summary>", ""]
        if shown:
            out += head + shown
        elif rows:
            out.append("(left out for length: see below)")
        else:
            out.append("None.")
        out += ["", "</details>", ""]
    return out, left_out


def _note(left_out: int, max_chars: int) -> list[str]:
    return [f"**Table truncated:** {left_out} of the findings were left out to keep this report under {max_chars:,} "
            "characters. Run `igmigrate report --format html` or `igmigrate scan --format json` for all of them.", ""]


def _assemble(parts: list[list[str]]) -> str:
    return "\n".join(line for part in parts for line in part).rstrip() + "\n"


def render(report: Report, max_chars: int = MAX_CHARS) -> str:
    groups = _groups(report)
    total_rows = sum(len(rows) for _, _, rows in groups)
    head: Callable[[bool], list[list[str]]] = lambda full: [  # noqa: E731 - two sizes of the same head
        _header(report), _summary(report, 20 if full else 5),
        history_lines(report.history) if report.history is not None and full else [], _flows(report, 12 if full else 3),
        _files(report, 30 if full else 10), _rules(report, examples=full), _manual(report, 5 if full else 2), _probe(report)]
    for full in (True, False):
        parts = head(full)
        whole, _ = _findings(groups, total_rows)
        doc = _assemble(parts + [whole])
        if len(doc) <= max_chars:
            return doc
        # Binary search for the most rows that fit with the truncation note (the note's length
        # depends on the count, so each candidate is measured whole).
        low, high, best = 0, total_rows, None
        while low <= high:
            mid = (low + high) // 2
            section, left_out = _findings(groups, mid)
            doc = _assemble(parts + [_note(left_out, max_chars), section])
            if len(doc) <= max_chars:
                best, low = doc, mid + 1
            else:
                high = mid - 1
        if best is not None:
            return best
    section, left_out = _findings(groups, 0)  # pathological: even the compact head is too long
    return _assemble([_header(report), _note(left_out, max_chars), section])[:max_chars]
