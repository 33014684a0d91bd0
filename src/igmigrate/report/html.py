"""One self-contained HTML page: inline CSS, inline SVG charts, a sortable and filterable table.

Every value goes through `e()` (html.escape, quotes included). The inline script is a constant
that reads the table the page already holds, so scanned text never enters a <script> element,
and links are only ever knowledge-base https:// URLs.
"""

from __future__ import annotations

from html import escape

from igmigrate.findings import SEVERITIES, SEVERITY_RANK
from igmigrate.own_outputs import HTML_GENERATOR  # first in <head>: later scans skip the page
from igmigrate.report.assets import CSS, JS
from igmigrate.report.charts import Bar, Point, bar_chart, burndown
from igmigrate.report.model import Report, Row, hours, plural, strip_docs


def e(value: object) -> str:
    return escape(str(value), quote=True)


def a(label: str, url: str | None) -> str:
    if not url or not url.startswith("https://"):
        return e(label)
    return f'<a href="{e(url)}" rel="noreferrer">{e(label)}</a>'


def loc(row: Row) -> str:
    """file:line, breakable only after a "/" so a narrow column never splits a file name."""
    return "<code>" + e(row.location).replace("/", "/<wbr>") + "</code>"


def sev(severity: str) -> str:
    return f'<span class="sev {e(severity)}">{e(severity)}</span>'


def table(head: list[str], rows: list[str], foot: str = "", table_id: str = "", num: frozenset[int] = frozenset(),
          css: str = "") -> str:
    """A table inside its own horizontal scroll box (a 390 px screen scrolls the table, not the page)."""
    cells = "".join(f'<th{" class=num data-num" if i in num else ""}>{e(h)}</th>' for i, h in enumerate(head))
    ident = f' id="{table_id}"' if table_id else ""
    klass = f' class="{css}"' if css else ""
    tfoot = f"<tfoot>{foot}</tfoot>" if foot else ""
    return (f'<div class="scroll"><table{ident}{klass}><thead><tr>{cells}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody>{tfoot}</table></div>')


def _header(r: Report) -> str:
    baseline = f" Compared with the baseline <code>{e(r.baseline)}</code>." if r.baseline else ""
    scanned = f"<p>Scanned <b>{e(r.scanned.text())}</b>.</p>" if r.scanned else ""
    return (f'<header class="top"><div><h1>{e(r.title)}</h1>{scanned}'
            f"<p>Generated {e(r.generated)} by igmigrate {e(r.tool_version)} · knowledge base {e(r.kb_version)} "
            f"(updated {e(r.kb_updated)}).{baseline}</p></div></header>")


def _toc(r: Report) -> str:
    items = [("summary", "Summary"), ("history", "Burndown"), ("flows", "Flows"), ("files", "Files"),
             ("rules", "Rules"), ("manual", "No code change fixes"), ("probe", "Live evidence"), ("findings", "Findings")]
    present = {"flows": bool(r.flows), "rules": bool(r.rules), "probe": r.probe is not None, "files": bool(r.files),
               "history": r.history is not None}
    return toc([(key, label) for key, label in items if present.get(key, True)])


def history_section(history) -> str:
    """The burndown of `igmigrate history` (its points, oldest first) with the numbers under it."""
    points = [Point(p.date[:10], f"{p.commit[:12]} {p.date[:10]}", p.errors, p.warnings, p.notes) for p in history.points]
    rows = [f"<tr><td><code>{e(p.commit[:12])}</code></td><td>{e(p.date)}</td><td class=num>{p.errors}</td>"
            f"<td class=num>{p.warnings}</td><td class=num>{p.notes}</td></tr>" for p in reversed(history.points)]
    first, last = (history.points[0], history.points[-1]) if history.points else (None, None)
    trend = (f"Errors {first.errors} → {last.errors}, warnings {first.warnings} → {last.warnings} from "
             f"{first.date[:10]} to {last.date[:10]} ({plural(len(history.points), 'commit')}"
             f"{', every ' + str(history.every) + 'th' if history.every > 1 else ''}).") if first else ""
    return ('<section id="history"><h2>Burndown</h2>'
            f'<p>{e(trend)} <span class="muted">From <code>igmigrate history</code> of {e(history.repository)} '
            f"({e(history.branch or 'detached HEAD')}), committer dates.</span></p>"
            f"<figure class=\"burndown\">{burndown(points)}</figure>"
            "<details><summary>The numbers</summary>"
            + table(["Commit", "Date", "Errors", "Warnings", "Notes"], rows, num=frozenset({2, 3, 4}))
            + "</details></section>")


def _summary(r: Report) -> str:
    s = r.severities
    cards = [("", r.total, "findings"), ("error", s["error"], "errors"), ("warning", s["warning"], "warnings"),
             ("note", s["note"], "notes"), ("", f"{r.files_affected} / {r.files_scanned}", "files affected / scanned"),
             ("", hours(r.effort), f"{r.effort_unit} of work (estimate)")]
    if r.baseline:
        new = sum(row.status == "new" for row in r.rows)
        cards += [("error", new, "new since baseline"), ("", len(r.fixed), "fixed since baseline")]
    out = ['<section id="summary"><h2>Summary</h2><div class="cards">']
    out += [f'<div class="card {cls}"><b>{e(value)}</b><span>{e(label)}</span></div>' for cls, value, label in cards]
    out.append("</div>")
    notes = []
    if r.suppressed:
        notes.append(f"{plural(r.suppressed, 'suppressed finding')} not counted.")
    if r.errors:
        notes.append(f"{plural(len(r.errors), 'file')} could not be read or parsed (run igmigrate scan to list them).")
    if notes:
        out.append(f'<p class="muted">{e(" ".join(notes))}</p>')
    out.append(table(["Date", "What happened"], [f"<tr><td>{e(date)}</td><td>{e(label)}</td></tr>" for label, date in r.dates],
                     css="dates"))
    if r.rows:
        worst = {rid: max((SEVERITY_RANK[x.finding.severity] for x in r.rows if x.finding.rule_id == rid), default=1)
                 for rid, _, _ in r.by_rule}
        names = {rank: name for name, rank in SEVERITY_RANK.items()}
        rule_bars = [Bar(rid, n, f"bar {names[worst[rid]]}", f"{rid} {title}: {n}", f"#rule-{rid}")
                     for rid, title, n in r.by_rule]
        dir_bars = [Bar(d, n) for d, n in r.by_directory]
        flow_bars = [Bar(f.title.split(" (")[0], f.effort, "bar", f"{f.title}: {hours(f.effort)} {r.effort_unit} (estimate)",
                         f"#flow-{f.id}", hours(f.effort)) for f in r.flows]
        out.append('<div class="charts">'
                   f"<figure><figcaption>Findings by rule</figcaption>{bar_chart(rule_bars, 'Findings by rule')}</figure>"
                   f"<figure><figcaption>Effort by flow ({e(r.effort_unit)}, estimate)</figcaption>"
                   f"{bar_chart(flow_bars, 'Effort by flow')}</figure>"
                   f"<figure><figcaption>Findings by top-level directory</figcaption>"
                   f"{bar_chart(dir_bars, 'Findings by top-level directory')}</figure></div>")
    out.append("</section>")
    return "".join(out)


def _live(row: Row) -> str:
    """The verdict stands out; the call and the reason stay plain text."""
    live = row.live
    if live is None:
        return ""
    if live.step is None:
        return f'<span class="muted">{e(live.text())}</span>'
    reason = live.step.reason()
    where = f' <span class="label-local">{e(live.stand_in)}, not Instagram</span>' if live.stand_in else ""
    return (f'<span class="muted">calls {e(live.call)}; probe on {e(live.date)}:</span>{where} '
            f'<span class="verdict {e(live.verdict)}">{e(live.verdict)}</span>' + (f" · {e(reason)}" if reason else ""))


def _flows(r: Report) -> str:
    if not r.flows:
        return ""
    out = ['<section id="flows"><h2>Flows to migrate</h2>',
           '<p class="lead">Each flow is one unit of work: change its call sites together.</p>']
    live = r.probe is not None
    rows = [f'<tr><td><a href="#flow-{e(f.id)}">{e(f.title)}</a></td><td class=num>{len(f.rows)}</td>'
            f"<td class=num>{hours(f.effort)}</td></tr>" for f in r.flows]
    foot = (f'<tr class="total"><th>Total</th><th class=num>{sum(len(f.rows) for f in r.flows)}</th>'
            f"<th class=num>{hours(sum(f.effort for f in r.flows))}</th></tr>")
    out.append(table(["Flow", "Call sites", f"Effort ({r.effort_unit}, estimate)"], rows, foot, num=frozenset({1, 2}))
               + f'<p class="muted">{e(r.effort_note)}</p>')
    for flow in r.flows:
        rows = []
        for row in flow.rows:
            f = row.finding
            rows.append(f"<tr><td class=\"loc\">{loc(row)}</td><td><a href=\"#rule-{e(f.rule_id)}\">{e(f.rule_id)}</a></td>"
                        f"<td>{sev(f.severity)}</td><td class=snip><code>{e(f.snippet)}</code></td>"
                        f"{f'<td class=live>{_live(row)}</td>' if live else ''}</tr>")
        out.append(f'<article class="flow" id="flow-{e(flow.id)}"><h3>{e(flow.title)} <span class="count">· '
                   f'{plural(len(flow.rows), "call site")} · {hours(flow.effort)} {e(r.effort_unit)} (estimate)</span></h3>'
                   f"<p>{e(flow.summary)}</p>"
                   + table(["Call site", "Rule", "Severity", "Code", *(["Live evidence"] if live else [])], rows)
                   + "</article>")
    out.append("</section>")
    return "".join(out)


def _files(r: Report) -> str:
    if not r.files:
        return ""
    rows = [f'<tr><td class="loc"><code>{e(f.path).replace("/", "/<wbr>")}</code></td>'
            + "".join(f"<td class=num>{f.severities[x]}</td>" for x in SEVERITIES)
            + f"<td>{', '.join(e(x) for x in f.rules)}</td><td class=num>{hours(f.effort)}</td></tr>" for f in r.files]
    return ('<section id="files"><h2>Files</h2><p class="lead">Every affected file, most errors first.</p>'
            + table(["File", "Errors", "Warnings", "Notes", "Rules", f"Effort ({r.effort_unit}, est.)"], rows,
                    table_id="files-table", num=frozenset({1, 2, 3, 5}))
            + "</section>")


def _rules(r: Report) -> str:
    if not r.rules:
        return ""
    out = ['<section id="rules"><h2>Rules that fired</h2>']
    for sec in r.rules:
        rule = sec.rule
        counts = ", ".join(f"{n} {s}" for s, n in sorted(sec.severities.items()))
        removed = f" Removed {e(rule.removed)}." if rule.removed else ""
        out.append(f'<article class="rule" id="rule-{e(rule.id)}"><h3><span class="id">{e(rule.id)}</span> {e(rule.title)}</h3>'
                   f'<p class="muted">{plural(sec.count, "finding")} ({e(counts)}); category {e(rule.category)}.{removed}</p>'
                   f"<p><b>What it means:</b> {e(sec.example.finding.message)} "
                   f'<span class="muted">(e.g. <code>{e(sec.example.location)}</code>)</span></p>')
        out += [f"<p><b>Replacement:</b> {e(rep)}</p>" for rep in sec.replacements[:3]]
        if sec.before and sec.after:
            out.append(f'<div class="ba"><p class="muted">Before and after: {e(sec.example_source)}.</p>'
                       f'<figure class="before"><figcaption>Before · {e(sec.before.file)}</figcaption>'
                       f"<pre><code>{e(sec.before.code.rstrip())}</code></pre></figure>"
                       f'<figure class="after"><figcaption>After · {e(sec.after.file)}</figcaption>'
                       f"<pre><code>{e(sec.after.code.rstrip())}</code></pre></figure></div>")
        elif sec.example_missing:
            out.append(f'<p class="muted">No before/after example in {e(sec.example_missing)} yet; the replacement '
                       "above says what to change.</p>")
        if rule.docs:
            out.append(f"<p>Docs: {a(rule.docs, rule.docs)}</p>")
        out.append("</article>")
    out.append("</section>")
    return "".join(out)


def _manual(r: Report) -> str:
    out = ['<section id="manual"><h2>What no code change fixes</h2>']
    for item in r.manual:
        out.append(f'<article class="manual"><h3>{e(item.title)}</h3><p>{e(item.text)}</p>')
        if item.docs:
            out.append(f"<p>Docs: {a(item.docs, item.docs)}</p>")
        if item.rows:
            sites = ", ".join(f"<code>{e(x.location)}</code> ({e(x.finding.rule_id)})" for x in item.rows[:8])
            more = f" and {len(item.rows) - 8} more" if len(item.rows) > 8 else ""
            out.append(f"<p><b>In this code:</b> {sites}{more}.</p>")
        out.append("</article>")
    out.append("</section>")
    return "".join(out)


def _probe(r: Report) -> str:
    p = r.probe
    if p is None:
        return ""
    verdict = f' Overall verdict: <span class="verdict {e(p.verdict)}">{e(p.verdict)}</span>.' if p.verdict else ""
    out = ['<section id="probe"><h2>Live evidence</h2>']
    if p.stand_ins:
        out.append(f'<p class="stand-in"><span class="label-local">Not from Instagram</span> These answers came from '
                   f"{', '.join(f'<code>{e(h)}</code>' for h in p.stand_ins)}, not from Instagram's hosts "
                   "(a local stand-in or a proxy): they show how the probe classifies answers, not what Instagram "
                   "answers today.</p>")
    out.append(f"<p>Probe results <code>{e(p.path)}</code>, dated {e(p.date)} ({e(p.date_source)}).{verdict} "
               "A verdict is evidence, not proof; each finding in the table shows the verdict of the endpoint it calls.</p>")
    rows = []
    for s in p.steps:
        request = f"{s.method or ''} {s.url or ''}".strip() or "-"
        evidence = f"{s.signature}: {s.detail}" if s.signature else s.detail
        rows.append(f"<tr><td>{e(s.step)}</td><td>{e(p.calls.get(s.step, '-'))}</td><td class=snip><code>{e(request)}</code></td>"
                    f"<td class=\"num\">{e(s.status if s.status is not None else '-')}</td>"
                    f'<td><span class="verdict {e(s.verdict)}">{e(s.verdict)}</span></td><td class="evidence">{e(evidence)}</td>'
                    f'<td class="num">{p.joined.get(s.step, 0)}</td></tr>')
    out.append(table(["Step", "Checks", "Request (masked)", "Status", "Verdict", "Evidence", "Findings joined"], rows,
                     num=frozenset({3, 6})) + "</section>")
    return "".join(out)


def _findings(r: Report) -> str:
    live = r.probe is not None
    base = r.baseline is not None
    status_filter = ('<select id="filter-status" aria-label="Baseline status"><option value="">new and existing</option>'
                     '<option value="new">new only</option><option value="existing">existing only</option></select>'
                     if base else "")
    severity_options = "".join(f'<option value="{s}">{s}</option>' for s in SEVERITIES)
    out = ['<section id="findings"><h2>Findings</h2>',
           '<div class="controls"><input id="filter-text" type="search" placeholder="Filter: path, rule, text…" '
           'aria-label="Filter findings"><select id="filter-severity" aria-label="Severity">'
           f'<option value="">all severities</option>{severity_options}</select>{status_filter}'
           '<span id="filter-count" class="muted"></span></div>',
           '<div class="scroll"><table id="findings-table"><thead><tr><th>Location</th><th>Rule</th><th data-num>Severity</th>'
           f"{'<th>Baseline</th>' if base else ''}<th>Snippet</th><th>Replacement</th>"
           f"{'<th>Live evidence</th>' if live else ''}</tr></thead><tbody>"]
    for row in r.rows:
        f = row.finding
        status = row.status or ""
        out.append(
            f'<tr data-severity="{e(f.severity)}" data-status="{e(status)}">'
            f'<td class="loc" data-sort="{e(f.path)}:{f.line:09d}">{loc(row)}</td>'
            f'<td><a href="#rule-{e(f.rule_id)}">{e(f.rule_id)}</a></td>'
            f'<td data-sort="{SEVERITY_RANK.get(f.severity, 0)}">{sev(f.severity)}</td>'
            + (f'<td class="status-{e(status)}">{e(status)}</td>' if base else "")
            + f'<td class="snip"><code>{e(f.snippet)}</code></td><td class="rep">{e(strip_docs(f.replacement))}</td>'
            + (f'<td class="live">{_live(row)}</td>' if live else "") + "</tr>")
    out.append("</tbody></table></div>")
    if base:
        out.append(f"<h3>Fixed since the baseline ({len(r.fixed)})</h3>")
        if r.fixed:
            rows = []
            for entry in r.fixed:
                where = f"{entry.path}:{entry.line}" if entry.path and entry.line else entry.path or ""
                rows.append(f"<tr><td><code>{e(where)}</code></td><td>{e(entry.rule_id or '')}</td>"
                            f"<td><code>{e(entry.fingerprint)}</code></td></tr>")
            out.append(table(["Was at", "Rule", "Fingerprint"], rows))
        else:
            out.append('<p class="muted">None.</p>')
    out.append("</section>")
    return "".join(out)


def toc(items: list[tuple[str, str]]) -> str:
    links = "".join(f'<li><a href="#{key}">{e(label)}</a></li>' for key, label in items)
    return f'<nav class="toc"><ul>{links}</ul></nav>'


def page(title: str, header: str, nav: str, body: str, tool_version: str, kb_version: str) -> str:
    """The whole document around a report's sections (single-repository and organisation pages)."""
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head>{HTML_GENERATOR}<meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(title)}</title><style>{CSS}</style></head><body>\n"
        f"{header}\n{nav}\n<main>\n{body}\n"
        f'<footer>igmigrate {e(tool_version)} · knowledge base {e(kb_version)} · '
        "this page loads nothing from the network.</footer>\n</main>\n"
        f"<script>{JS}</script>\n</body></html>\n"
    )


def render(report: Report) -> str:
    history = history_section(report.history) if report.history is not None else ""
    body = "\n".join(part for part in (_summary(report), history, _flows(report), _files(report), _rules(report),
                                       _manual(report), _probe(report), _findings(report)) if part)
    return page(report.title, _header(report), _toc(report), body, report.tool_version, report.kb_version)
