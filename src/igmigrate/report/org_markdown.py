"""The organisation report as GitHub-flavoured Markdown: the same sections as org_html.py,
with tables for charts and an explicit anchor before each repository's detail."""

from __future__ import annotations

from igmigrate.findings import SEVERITIES
from igmigrate.report.markdown import code, history_lines, text
from igmigrate.report.model import hours, plural
from igmigrate.report.organisation import OrgReport
from igmigrate.report.saved import RepoScan

SHORT_SHA = 12


def _sha(commit: str | None) -> str:
    return code(commit[:SHORT_SHA], True) if commit else "-"


def _day(date: str | None) -> str:
    return text(date[:10]) if date else "-"  # from a saved scan: escaped like any text


def _header(r: OrgReport) -> list[str]:
    scans = len(r.repos) + len(r.dropped)
    return [f"# {text(r.title)}", "",
            f"{plural(len(r.repos), 'repository', 'repositories')} from {plural(scans, 'saved scan')}; generated "
            f"{r.generated} by igmigrate {text(r.tool_version)} (knowledge base {text(r.kb_version)}).", ""]


def _summary(r: OrgReport) -> list[str]:
    s = r.severities
    out = ["## Summary", "",
           f"**{plural(r.total, 'finding')}** ({plural(s['error'], 'error')}, {plural(s['warning'], 'warning')}, "
           f"{plural(s['note'], 'note')}) in {r.files_affected:,} of {plural(r.files_scanned, 'file')} scanned. "
           f"Effort: about **{hours(r.effort)} {text(r.effort_unit)}**. {text(r.effort_note)}", ""]
    if r.by_rule:
        out += ["### By rule", "", "| Rule | Title | Worst | Findings | Repositories |", "|---|---|---|---:|---:|"]
        out += [f"| {text(t.rule_id)} | {text(t.title)} | {t.worst} | {t.count} | {t.repositories} |" for t in r.by_rule]
        out.append("")
    if r.by_flow:
        out += ["### Flows to migrate", "",
                f"| Flow | Call sites | Repositories | Effort ({text(r.effort_unit)}, estimate) |", "|---|---:|---:|---:|"]
        out += [f"| {text(f.title)} | {f.call_sites} | {f.repositories} | {hours(f.effort)} |" for f in r.by_flow]
        out.append("")
    return out


def _top_rules(r: OrgReport, repo: RepoScan) -> str:
    return ", ".join(f"{text(rid)} {n}" for rid, n in r.top_rules(repo)) or "-"


def _repositories(r: OrgReport) -> list[str]:
    out = ["## Repositories", "", "Most errors first; each name links to its detail below.", "",
           f"| Repository | Errors | Warnings | Notes | Flows | Effort ({text(r.effort_unit)}, est.) | Top rules "
           "| Commit | Date |", "|---|---:|---:|---:|---:|---:|---|---|---|"]
    for repo in r.repos:
        s = repo.severities
        out.append(f"| [{text(repo.repository)}](#{r.anchor(repo)}) | " + " | ".join(str(s[x]) for x in SEVERITIES)
                   + f" | {len(repo.by_flow)} | {hours(repo.effort)} | {_top_rules(r, repo)} | {_sha(repo.commit)} "
                   f"| {_day(repo.commit_date)} |")
    s = r.severities
    out.append("| **Total** | " + " | ".join(f"**{s[x]}**" for x in SEVERITIES)
               + f" | {len(r.by_flow)} | **{hours(r.effort)}** | {', '.join(text(t.rule_id) for t in r.by_rule[:3]) or '-'} | | |")
    return out + [""]


def _inputs(r: OrgReport) -> list[str]:
    tools = ", ".join(f"{text(v)} ({n})" for v, n in r.tool_versions.items()) or "-"
    kbs = ", ".join(f"{text(v)} ({n})" for v, n in r.kb_versions.items()) or "-"
    out = ["## Saved scans", "", f"igmigrate versions: {tools}. Knowledge-base versions: {kbs}."]
    if len(r.tool_versions) > 1 or len(r.kb_versions) > 1:
        out.append("The scans come from different versions: a newer knowledge base may find what an older one did "
                   "not, so compare counts across repositories with that in mind.")
    out.append("")
    if r.dropped:
        out += [f"Dropped {plural(len(r.dropped), 'older scan')} of a repository scanned twice (the later commit "
                "date counts):", "", "| Repository | Dropped file | Its commit and date | Kept instead |",
                "|---|---|---|---|"]
        out += [f"| {text(d.repository)} | {code(d.source, True)} | {_sha(d.commit)} {_day(d.commit_date)} "
                f"| {code(d.kept_source, True)} ({_day(d.kept_date)}) |" for d in r.dropped]
        out.append("")
    unnamed = [repo.source for repo in r.repos if repo.named_from != "scan block"]
    if unnamed:
        out += [f"Named after the file (no `scan` block, written by an older igmigrate): "
                f"{', '.join(code(x) for x in unnamed[:20])}{' and more' if len(unnamed) > 20 else ''}.", ""]
    return out


def _detail(r: OrgReport, repo: RepoScan) -> list[str]:
    s = repo.severities
    out = [f'<a id="{r.anchor(repo)}"></a>', "", f"### {text(repo.repository)}", "",
           f"Saved scan {code(repo.source)}; scanned {', '.join(code(x) for x in repo.roots) or '-'} at commit "
           f"{_sha(repo.commit)} ({text(repo.branch or 'no branch')}, {text(repo.commit_date or 'no date')}); "
           f"igmigrate {text(repo.tool_version)}, knowledge base {text(repo.kb_version)}.", "",
           f"{s['error']} errors, {s['warning']} warnings, {s['note']} notes in {repo.files_affected:,} of "
           f"{plural(repo.files_scanned, 'file')}"
           + (f" ({plural(repo.file_errors, 'file')} unreadable or unparsable)" if repo.file_errors else "")
           + f"; about {hours(repo.effort)} {text(r.effort_unit)} (estimate).", ""]
    if repo.by_flow:
        out += ["| Flow | Call sites | Effort (est.) |", "|---|---:|---:|"]
        out += [f"| {text(r.flow_titles.get(f, f))} | {n} | {hours(repo.flow_effort.get(f, 0.0))} |"
                for f, n in repo.by_flow.most_common()]
        out.append("")
    if repo.findings:
        out += ["| Location | Rule | Severity | Snippet |", "|---|---|---|---|"]
        out += [f"| {code(f'{f.path}:{f.line}', True)} | {text(f.rule_id)} | {f.severity} | {code(f.snippet[:160], True)} |"
                for f in repo.findings]
        rest = repo.total - len(repo.findings)
        if rest > 0:
            out.append(f"| … and {plural(rest, 'more finding')} | | | |")
        out.append("")
    return out


def render(report: OrgReport) -> str:
    parts = [_header(report), _summary(report)]
    if report.history is not None:
        parts.append(history_lines(report.history))
    parts += [_repositories(report), _inputs(report), ["## Details per repository", ""]]
    parts += [_detail(report, repo) for repo in report.repos]
    return "\n".join(line for part in parts for line in part).rstrip() + "\n"
