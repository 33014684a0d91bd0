"""One self-contained HTML page: inline CSS, inline SVG charts, a sortable and filterable table.

Every value goes through `e()` (html.escape, quotes included). The inline script is a constant
that reads the table the page already holds, so scanned text never enters a <script> element,
and links are only ever knowledge-base https:// URLs.
"""

from __future__ import annotations

from html import escape

from igmigrate.findings import SEVERITIES, SEVERITY_RANK
from igmigrate.report.assets import CSS, JS
from igmigrate.report.model import Report, Row, plural, strip_docs
from igmigrate.report.svg import Bar, bar_chart


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


def _header(r: Report) -> str:
    baseline = f" Compared with the baseline <code>{e(r.baseline)}</code>." if r.baseline else ""
    return (f'<header class="top"><div><h1>{e(r.title)}</h1>'
            f"<p>Generated {e(r.generated)} by igmigrate {e(r.tool_version)} · knowledge base {e(r.kb_version)} "
            f"(updated {e(r.kb_updated)}).{baseline}</p></div></header>")


def _toc(r: Report) -> str:
    items = [("summary", "Summary"), ("flows", "Flows"), ("rules", "Rules"), ("manual", "No code change fixes"),
             ("probe", "Live evidence"), ("findings", "Findings")]
    present = {"flows": bool(r.flows), "rules": bool(r.rules), "probe": r.probe is not None}
    links = "".join(f'<li><a href="#{key}">{label}</a></li>' for key, label in items if present.get(key, True))
    return f'<nav class="toc"><ul>{links}</ul></nav>'


def _summary(r: Report) -> str:
    s = r.severities
    cards = [("", r.total, "findings"), ("error", s["error"], "errors"), ("warning", s["warning"], "warnings"),
             ("note", s["note"], "notes"), ("", f"{r.files_affected} / {r.files_scanned}", "files affected / scanned")]
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
    out.append('<table class="dates"><thead><tr><th>Date</th><th>What happened</th></tr></thead><tbody>')
    out += [f"<tr><td>{e(date)}</td><td>{e(label)}</td></tr>" for label, date in r.dates]
    out.append("</tbody></table>")
    if r.rows:
        worst = {rid: max((SEVERITY_RANK[x.finding.severity] for x in r.rows if x.finding.rule_id == rid), default=1)
                 for rid, _, _ in r.by_rule}
        names = {rank: name for name, rank in SEVERITY_RANK.items()}
        rule_bars = [Bar(rid, n, f"bar {names[worst[rid]]}", f"{rid} {title}: {n}") for rid, title, n in r.by_rule]
        dir_bars = [Bar(d, n) for d, n in r.by_directory]
        out.append('<div class="charts">'
                   f"<figure><figcaption>Findings by rule</figcaption>{bar_chart(rule_bars, 'Findings by rule')}</figure>"
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
    return (f'<span class="muted">calls {e(live.call)}; probe on {e(live.date)}:</span> '
            f'<span class="verdict {e(live.verdict)}">{e(live.verdict)}</span>' + (f" · {e(reason)}" if reason else ""))


def _flows(r: Report) -> str:
    if not r.flows:
        return ""
    out = ['<section id="flows"><h2>Flows to migrate</h2>',
           '<p class="lead">Each flow is one unit of work: change its call sites together.</p>']
    live = r.probe is not None
    for flow in r.flows:
        out.append(f'<article class="flow"><h3>{e(flow.title)} <span class="count">· {plural(len(flow.rows), "call site")}</span></h3>'
                   f"<p>{e(flow.summary)}</p><table><thead><tr><th>Call site</th><th>Rule</th><th>Severity</th>"
                   f"<th>Code</th>{'<th>Live evidence</th>' if live else ''}</tr></thead><tbody>")
        for row in flow.rows:
            f = row.finding
            out.append(f"<tr><td class=\"loc\">{loc(row)}</td><td><a href=\"#rule-{e(f.rule_id)}\">{e(f.rule_id)}</a></td>"
                       f"<td>{sev(f.severity)}</td><td><code>{e(f.snippet)}</code></td>"
                       f"{f'<td>{_live(row)}</td>' if live else ''}</tr>")
        out.append("</tbody></table></article>")
    out.append("</section>")
    return "".join(out)


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
            out.append('<div class="ba">'
                       f'<figure class="before"><figcaption>Before · {e(sec.before.file)}</figcaption>'
                       f"<pre><code>{e(sec.before.code.rstrip())}</code></pre></figure>"
                       f'<figure class="after"><figcaption>After · {e(sec.after.file)}</figcaption>'
                       f"<pre><code>{e(sec.after.code.rstrip())}</code></pre></figure></div>")
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
    out = ['<section id="probe"><h2>Live evidence</h2>',
           f"<p>Probe results <code>{e(p.path)}</code>, dated {e(p.date)} ({e(p.date_source)}).{verdict} "
           "A verdict is evidence, not proof; each finding in the table shows the verdict of the endpoint it calls.</p>",
           "<table><thead><tr><th>Step</th><th>Checks</th><th>Request (masked)</th><th class=\"num\">Status</th>"
           "<th>Verdict</th><th>Evidence</th><th class=\"num\">Findings joined</th></tr></thead><tbody>"]
    for s in p.steps:
        request = f"{s.method or ''} {s.url or ''}".strip() or "-"
        evidence = f"{s.signature}: {s.detail}" if s.signature else s.detail
        out.append(f"<tr><td>{e(s.step)}</td><td>{e(p.calls.get(s.step, '-'))}</td><td><code>{e(request)}</code></td>"
                   f"<td class=\"num\">{e(s.status if s.status is not None else '-')}</td>"
                   f'<td><span class="verdict {e(s.verdict)}">{e(s.verdict)}</span></td><td>{e(evidence)}</td>'
                   f'<td class="num">{p.joined.get(s.step, 0)}</td></tr>')
    out.append("</tbody></table></section>")
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
            out.append("<table><thead><tr><th>Was at</th><th>Rule</th><th>Fingerprint</th></tr></thead><tbody>")
            for entry in r.fixed:
                where = f"{entry.path}:{entry.line}" if entry.path and entry.line else entry.path or ""
                out.append(f"<tr><td><code>{e(where)}</code></td><td>{e(entry.rule_id or '')}</td>"
                           f"<td><code>{e(entry.fingerprint)}</code></td></tr>")
            out.append("</tbody></table>")
        else:
            out.append('<p class="muted">None.</p>')
    out.append("</section>")
    return "".join(out)


def render(report: Report) -> str:
    body = "\n".join(part for part in (_summary(report), _flows(report), _rules(report), _manual(report),
                                       _probe(report), _findings(report)) if part)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(report.title)}</title><style>{CSS}</style></head><body>\n"
        f"{_header(report)}\n{_toc(report)}\n<main>\n{body}\n"
        f'<footer>igmigrate {e(report.tool_version)} · knowledge base {e(report.kb_version)} · '
        "this page loads nothing from the network.</footer>\n</main>\n"
        f"<script>{JS}</script>\n</body></html>\n"
    )
