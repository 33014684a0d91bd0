"""The organisation report as one HTML page: a row per repository with a totals row, charts
across repositories, and each repository's detail one click away (#repo-... anchors).

Same rules as html.py: every value goes through e(), the only script is the constant sorter,
links are same-page anchors or knowledge-base https:// URLs.
"""

from __future__ import annotations

from igmigrate.findings import SEVERITIES
from igmigrate.report.charts import Bar, bar_chart
from igmigrate.report.html import e, history_section, page, sev, table, toc
from igmigrate.report.model import hours, plural, slug
from igmigrate.report.organisation import OrgReport
from igmigrate.report.saved import RepoScan

SHORT_SHA = 12


def short_sha(commit: str | None) -> str:
    return commit[:SHORT_SHA] if commit else "-"


def day(date: str | None) -> str:
    return date[:10] if date else "-"


def rule_anchor(rule_id: str) -> str:
    """Rule ids come from saved scans: only a slug goes into an id or a link."""
    return "rule-" + (slug(rule_id) or "unnamed")


def _header(r: OrgReport) -> str:
    scans = len(r.repos) + len(r.dropped)
    return (f'<header class="top"><div><h1>{e(r.title)}</h1>'
            f"<p>{plural(len(r.repos), 'repository', 'repositories')} from "
            f"{plural(scans, 'saved scan')} · generated {e(r.generated)} by igmigrate {e(r.tool_version)} · "
            f"knowledge base {e(r.kb_version)}.</p></div></header>")


def _nav(r: OrgReport) -> str:
    items = [("summary", "Summary"), ("repositories", "Repositories")]
    if r.history is not None:
        items.append(("history", "Burndown"))
    items += [("flows", "Flows"), ("rules", "Rules"), ("inputs", "Saved scans"), ("details", "Details")]
    return toc(items)


def _summary(r: OrgReport) -> str:
    s = r.severities
    cards = [("", len(r.repos), "repositories"), ("error", s["error"], "errors"), ("warning", s["warning"], "warnings"),
             ("note", s["note"], "notes"), ("", hours(r.effort), f"{r.effort_unit} of work (estimate)"),
             ("", f"{r.files_affected:,} / {r.files_scanned:,}", "files affected / scanned")]
    out = ['<section id="summary"><h2>Summary</h2><div class="cards">']
    out += [f'<div class="card {cls}"><b>{e(value)}</b><span>{e(label)}</span></div>' for cls, value, label in cards]
    out.append(f'</div><p class="muted">{e(r.effort_note)}</p>')
    if r.total:
        rule_bars = [Bar(t.rule_id, t.count, f"bar {t.worst}", f"{t.rule_id} {t.title}: {t.count}", "#" + rule_anchor(t.rule_id))
                     for t in r.by_rule]
        repo_bars = [Bar(x.repository, x.total, f"bar {next(s for s in SEVERITIES if x.severities[s])}",
                         f"{x.repository}: {x.severities['error']} errors, {x.severities['warning']} warnings, "
                         f"{x.severities['note']} notes", "#" + r.anchor(x)) for x in r.repos if x.total]
        effort_bars = [Bar(f.title.split(" (")[0], f.effort, "bar", f"{f.title}: {hours(f.effort)} {r.effort_unit} (estimate)",
                           "#flows", hours(f.effort)) for f in r.by_flow]
        out.append('<div class="charts">'
                   f"<figure><figcaption>Findings by rule</figcaption>{bar_chart(rule_bars, 'Findings by rule')}</figure>"
                   f"<figure><figcaption>Findings by repository</figcaption>"
                   f"{bar_chart(repo_bars, 'Findings by repository')}</figure>")
        if effort_bars:
            out.append(f"<figure><figcaption>Effort by flow ({e(r.effort_unit)}, estimate)</figcaption>"
                       f"{bar_chart(effort_bars, 'Effort by flow')}</figure>")
        out.append("</div>")
    out.append("</section>")
    return "".join(out)


def _top_rules(r: OrgReport, repo: RepoScan) -> str:
    return ", ".join(f'<a href="#{rule_anchor(rid)}">{e(rid)}</a>&nbsp;{n}' for rid, n in r.top_rules(repo)) or "-"


def _repositories(r: OrgReport) -> str:
    rows = []
    for repo in r.repos:
        s = repo.severities
        rows.append(f'<tr><td class="name"><a href="#{r.anchor(repo)}">{e(repo.repository).replace("/", "/<wbr>")}</a></td>'
                    + "".join(f'<td class="num">{s[x]}</td>' for x in SEVERITIES)
                    + f'<td class="num" data-sort="{len(repo.by_flow)}">{len(repo.by_flow)}</td>'
                    f'<td class="num">{hours(repo.effort)}</td><td>{_top_rules(r, repo)}</td>'
                    f'<td class="nowrap"><code>{e(short_sha(repo.commit))}</code></td>'
                    f'<td class="nowrap">{e(day(repo.commit_date))}</td></tr>')
    s = r.severities
    foot = ('<tr class="total"><th>Total</th>' + "".join(f'<th class="num">{s[x]}</th>' for x in SEVERITIES)
            + f'<th class="num">{len(r.by_flow)}</th><th class="num">{hours(r.effort)}</th>'
            + f"<th>{', '.join(e(t.rule_id) for t in r.by_rule[:3]) or '-'}</th><th></th><th></th></tr>")
    head = ["Repository", "Errors", "Warnings", "Notes", "Flows", f"Effort ({r.effort_unit}, est.)", "Top rules",
            "Commit", "Date"]
    return ('<section id="repositories"><h2>Repositories</h2>'
            '<p class="lead">Most errors first. Click a name for its detail; click a column header to sort.</p>'
            + table(head, rows, foot, "repo-table", {1, 2, 3, 4, 5}) + "</section>")


def _flows(r: OrgReport) -> str:
    if not r.by_flow:
        return '<section id="flows"><h2>Flows to migrate</h2><p class="muted">No flow has call sites.</p></section>'
    rows = [f"<tr><td>{e(f.title)}</td><td class=num>{f.call_sites}</td><td class=num>{f.repositories}</td>"
            f"<td class=num>{hours(f.effort)}</td></tr>" for f in r.by_flow]
    return ('<section id="flows"><h2>Flows to migrate</h2>'
            f'<p class="lead">Call sites of each flow across the repositories. {e(r.effort_note)}</p>'
            + table(["Flow", "Call sites", "Repositories", f"Effort ({r.effort_unit}, est.)"], rows, num={1, 2, 3})
            + "</section>")


def _rules(r: OrgReport) -> str:
    rows = [f'<tr id="{rule_anchor(t.rule_id)}"><td>{e(t.rule_id)}</td><td>{e(t.title)}</td><td>{sev(t.worst)}</td>'
            f"<td class=num>{t.count}</td><td class=num>{t.repositories}</td></tr>" for t in r.by_rule]
    if not rows:
        return '<section id="rules"><h2>Rules</h2><p class="muted">No findings.</p></section>'
    return ('<section id="rules"><h2>Rules</h2>'
            + table(["Rule", "Title", "Worst", "Findings", "Repositories"], rows, num={3, 4}) + "</section>")


def _inputs(r: OrgReport) -> str:
    out = ['<section id="inputs"><h2>Saved scans</h2>']
    tools = ", ".join(f"{e(v)} ({n})" for v, n in r.tool_versions.items()) or "-"
    kbs = ", ".join(f"{e(v)} ({n})" for v, n in r.kb_versions.items()) or "-"
    out.append(f"<p>igmigrate versions: {tools}. Knowledge-base versions: {kbs}.</p>")
    if len(r.tool_versions) > 1 or len(r.kb_versions) > 1:
        out.append('<p class="muted">The scans come from different versions: a newer knowledge base may find what '
                   "an older one did not, so compare counts across repositories with that in mind.</p>")
    if r.dropped:
        rows = [f"<tr><td>{e(d.repository)}</td><td><code>{e(d.source)}</code></td>"
                f"<td><code>{e(short_sha(d.commit))}</code> {e(day(d.commit_date))}</td>"
                f"<td><code>{e(d.kept_source)}</code> ({e(day(d.kept_date))})</td></tr>" for d in r.dropped]
        out.append(f"<h3>Dropped: {plural(len(r.dropped), 'older scan')} of a repository scanned twice</h3>"
                   "<p>The scan with the later commit date counts.</p>"
                   + table(["Repository", "Dropped file", "Its commit and date", "Kept instead"], rows))
    unnamed = [repo for repo in r.repos if repo.named_from != "scan block"]
    if unnamed:
        names = ", ".join(f"<code>{e(x.source)}</code>" for x in unnamed[:20])
        more = f" and {len(unnamed) - 20} more" if len(unnamed) > 20 else ""
        out.append(f'<p class="muted">Named after the file (no <code>scan</code> block, written by an older '
                   f"igmigrate): {names}{more}.</p>")
    out.append("</section>")
    return "".join(out)


def _detail(r: OrgReport, repo: RepoScan) -> str:
    s = repo.severities
    facts = [("Saved scan", f"<code>{e(repo.source)}</code>"),
             ("Scanned", ", ".join(f"<code>{e(x)}</code>" for x in repo.roots) or "-"),
             ("Commit", f"<code>{e(repo.commit or '-')}</code>"), ("Branch", e(repo.branch or "-")),
             ("Committer date", e(repo.commit_date or "-")),
             ("Files", f"{repo.files_affected:,} affected of {repo.files_scanned:,} scanned"
              + (f"; {plural(repo.file_errors, 'file')} unreadable or unparsable" if repo.file_errors else "")),
             ("Counts", f"{s['error']} errors, {s['warning']} warnings, {s['note']} notes"
              + (f" ({repo.suppressed} suppressed not counted)" if repo.suppressed else "")),
             ("Effort", f"{hours(repo.effort)} {e(r.effort_unit)} (estimate)"),
             ("Tool", f"igmigrate {e(repo.tool_version)}, knowledge base {e(repo.kb_version)}")]
    out = [f'<article class="repo" id="{r.anchor(repo)}"><h3>{e(repo.repository)}</h3><dl class="facts">']
    out += [f"<dt>{label}</dt><dd>{value}</dd>" for label, value in facts]
    out.append("</dl>")
    if repo.by_flow:
        rows = [f"<tr><td>{e(r.flow_titles.get(f, f))}</td><td class=num>{n}</td>"
                f"<td class=num>{hours(repo.flow_effort.get(f, 0.0))}</td></tr>" for f, n in repo.by_flow.most_common()]
        out.append(table(["Flow", "Call sites", f"Effort ({r.effort_unit}, est.)"], rows, num={1, 2}))
    if repo.top_files:
        rows = [f'<tr><td class="loc"><code>{e(path).replace("/", "/<wbr>")}</code></td>'
                + "".join(f"<td class=num>{c[x]}</td>" for x in SEVERITIES) + "</tr>" for path, c in repo.top_files]
        more = repo.files_affected - len(repo.top_files)
        out.append(table(["File", "Errors", "Warnings", "Notes"], rows, num={1, 2, 3})
                   + (f'<p class="muted">and {plural(more, "more file")}.</p>' if more > 0 else ""))
    if repo.findings:
        rows = [f'<tr><td class="loc"><code>{e(f"{f.path}:{f.line}").replace("/", "/<wbr>")}</code></td>'
                f"<td>{e(f.rule_id)}</td><td>{sev(f.severity)}</td><td class=snip><code>{e(f.snippet)}</code></td></tr>"
                for f in repo.findings]
        rest = repo.total - len(repo.findings)
        out.append(f"<p><b>Most severe findings</b></p>"
                   + table(["Location", "Rule", "Severity", "Snippet"], rows)
                   + (f'<p class="muted">and {plural(rest, "more finding")}: run <code>igmigrate report</code> '
                      "in the repository for all of them.</p>" if rest > 0 else ""))
    out.append('<p><a href="#repositories">Back to the repositories</a></p></article>')
    return "".join(out)


def _details(r: OrgReport) -> str:
    return '<section id="details"><h2>Details per repository</h2>' + "".join(_detail(r, x) for x in r.repos) + "</section>"


def _history(r: OrgReport) -> str:
    return history_section(r.history) if r.history is not None else ""


def render(report: OrgReport) -> str:
    body = "\n".join(part for part in (_summary(report), _repositories(report), _history(report), _flows(report),
                                       _rules(report), _inputs(report), _details(report)) if part)
    return page(report.title, _header(report), _nav(report), body, report.tool_version, report.kb_version)
