"""The organisation report as data: saved scans of many repositories merged into one page
(rows per repository, totals, charts, each repository's detail), rendered by org_html.py and
org_markdown.py.

Saved scans arrive as a stream of RepoScan (report/saved.py); one entry per repository is
kept. Two scans of the same repository: the later commit date counts (a scan without a date
loses to one with a date; equal dates keep the file given later) and the page names the one
dropped.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from igmigrate import __version__
from igmigrate.findings import SEVERITIES, SEVERITY_RANK
from igmigrate.knowledge import KnowledgeBase
from igmigrate.report.model import DEFAULT_TITLE, slug
from igmigrate.report.saved import RepoScan
from igmigrate.report.spec import ReportSpec

ORG_TITLE = "Instagram API migration: organisation report"


@dataclass(frozen=True)
class Dropped:
    repository: str
    source: str
    commit: str | None
    commit_date: str | None
    kept_source: str
    kept_date: str | None


@dataclass(frozen=True)
class RuleTotal:
    rule_id: str
    title: str
    count: int
    repositories: int
    worst: str  # most severe severity seen


@dataclass(frozen=True)
class FlowTotal:
    id: str
    title: str
    call_sites: int
    repositories: int
    effort: float


@dataclass
class OrgReport:
    title: str
    generated: str
    tool_version: str
    kb_version: str
    repos: list[RepoScan]  # most errors first
    severities: dict[str, int]
    effort: float
    effort_unit: str
    effort_note: str
    files_scanned: int
    files_affected: int
    by_rule: tuple[RuleTotal, ...]
    by_flow: tuple[FlowTotal, ...]
    dropped: tuple[Dropped, ...]
    tool_versions: dict[str, int]
    kb_versions: dict[str, int]
    flow_titles: dict[str, str]
    rule_titles: dict[str, str]
    history: object | None = None  # a history.History, when --history was given
    anchors: dict[str, str] = field(default_factory=dict)  # repository -> unique anchor id

    @property
    def total(self) -> int:
        return sum(self.severities.values())

    def anchor(self, repo: RepoScan) -> str:
        return self.anchors[repo.repository]

    def top_rules(self, repo: RepoScan, count: int = 3) -> list[tuple[str, int]]:
        return sorted(repo.by_rule.items(), key=lambda kv: (-SEVERITY_RANK.get(repo.rule_worst.get(kv[0], ""), 0),
                                                           -kv[1], kv[0]))[:count]


def _later(new: RepoScan, kept: RepoScan) -> bool:
    a, b = new.when(), kept.when()
    if a is not None and b is not None and a != b:
        return a > b
    if (a is None) != (b is None):
        return a is not None
    return new.order > kept.order


def merge(scans: Iterable[RepoScan]) -> tuple[list[RepoScan], list[Dropped]]:
    """One RepoScan per repository (by name, case-insensitive); the dropped ones, named."""
    kept: dict[str, RepoScan] = {}
    dropped: list[Dropped] = []
    for scan in scans:
        key = scan.repository.lower()
        old = kept.get(key)
        if old is None:
            kept[key] = scan
            continue
        winner, loser = (scan, old) if _later(scan, old) else (old, scan)
        kept[key] = winner
        dropped.append(Dropped(loser.repository, loser.source, loser.commit, loser.commit_date,
                               winner.source, winner.commit_date))
    # A later winner may itself have beaten an earlier winner: name the final kept file.
    final = {k: v.source for k, v in kept.items()}
    dropped = [Dropped(d.repository, d.source, d.commit, d.commit_date, final[d.repository.lower()],
                       kept[d.repository.lower()].commit_date) for d in dropped]
    return list(kept.values()), dropped


def _anchors(repos: list[RepoScan]) -> dict[str, str]:
    out: dict[str, str] = {}
    used: set[str] = set()
    for repo in repos:
        base = "repo-" + (slug(repo.repository) or "unnamed")
        anchor, n = base, 2
        while anchor in used:
            anchor, n = f"{base}-{n}", n + 1
        used.add(anchor)
        out[repo.repository] = anchor
    return out


def build_org_report(scans: Iterable[RepoScan], kb: KnowledgeBase, spec: ReportSpec, *, title: str | None = None,
                     history: object | None = None, today: dt.date | None = None) -> OrgReport:
    repos, dropped = merge(scans)
    repos.sort(key=lambda r: (-r.severities["error"], -r.severities["warning"], -r.severities["note"],
                              r.repository.lower()))
    severities = {s: sum(r.severities[s] for r in repos) for s in SEVERITIES}
    rule_counts: Counter = Counter()
    rule_repos: Counter = Counter()
    worst: dict[str, str] = {}
    flow_sites: Counter = Counter()
    flow_repos: Counter = Counter()
    flow_effort: dict[str, float] = {}
    for repo in repos:
        rule_counts.update(repo.by_rule)
        rule_repos.update(repo.by_rule.keys())
        for rule_id, severity in repo.rule_worst.items():
            if SEVERITY_RANK[severity] > SEVERITY_RANK.get(worst.get(rule_id, ""), 0):
                worst[rule_id] = severity
        flow_sites.update(repo.by_flow)
        flow_repos.update(repo.by_flow.keys())
        for flow, hours in repo.flow_effort.items():
            flow_effort[flow] = flow_effort.get(flow, 0.0) + hours
    rule_titles = {rid: rule.title for rid, rule in kb.rules.items()}
    by_rule = tuple(RuleTotal(rid, rule_titles.get(rid, rid), n, rule_repos[rid], worst.get(rid, "note"))
                    for rid, n in sorted(rule_counts.items(), key=lambda kv: (-kv[1], kv[0])))
    by_flow = tuple(FlowTotal(f.id, f.title, flow_sites[f.id], flow_repos[f.id], flow_effort.get(f.id, 0.0))
                    for f in spec.flows if flow_sites.get(f.id))
    return OrgReport(
        title=" ".join((title or ORG_TITLE).split()) or DEFAULT_TITLE,
        generated=(today or dt.datetime.now(dt.timezone.utc).date()).isoformat(),
        tool_version=__version__, kb_version=kb.version, repos=repos, severities=severities,
        effort=sum(r.effort for r in repos), effort_unit=spec.effort.unit, effort_note=spec.effort.note,
        files_scanned=sum(r.files_scanned for r in repos), files_affected=sum(r.files_affected for r in repos),
        by_rule=by_rule, by_flow=by_flow, dropped=tuple(dropped),
        tool_versions=dict(Counter(r.tool_version for r in repos).most_common()),
        kb_versions=dict(Counter(r.kb_version for r in repos).most_common()),
        flow_titles={f.id: f.title for f in spec.flows}, rule_titles=rule_titles, history=history,
        anchors=_anchors(repos),
    )
