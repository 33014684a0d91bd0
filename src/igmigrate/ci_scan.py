"""The CI steps around a scan, in the order they must run:

1. before the scan, --changed-since / --changed-lines restrict the files (ScanOptions.only_files);
2. after it, --baseline hides known findings (kept aside in ScanResult.known for SARIF) and counts fixed entries (over every changed
   file, before the line filter, so a known finding off the changed lines is not "fixed");
3. last, --changed-lines drops findings that do not touch a changed line.

A plain scan (the pre-commit hook) needs none of these steps, so the git and baseline
modules are imported by the step that uses them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from igmigrate.findings import ScanResult

if TYPE_CHECKING:
    from igmigrate.changes import ChangeSet
    from igmigrate.scanner import ScanOptions


class CIError(Exception):
    """A git or baseline-file problem, said in one line (the CLI exits 2)."""


@dataclass(frozen=True)
class CIOptions:
    baseline: Path | None = None
    changed_since: str | None = None
    changed_lines: bool = False


@dataclass
class CIOutcome:
    result: ScanResult
    notes: list[str] = field(default_factory=list)  # one-line reports for the terminal


def restrict(ci: CIOptions, options: ScanOptions, cwd: Path) -> ChangeSet | None:
    """Limit the scan to changed files. --changed-lines alone compares with HEAD (local edits)."""
    if ci.changed_since is None and not ci.changed_lines:
        return None
    from igmigrate.changes import GitError, changed_since

    try:
        changes = changed_since(ci.changed_since or "HEAD", cwd, with_lines=ci.changed_lines)
    except GitError as exc:
        raise CIError(str(exc)) from None
    only = changes.files if options.only_files is None else options.only_files & changes.files
    options.only_files = frozenset(only)
    return changes


def finish(ci: CIOptions, result: ScanResult, options: ScanOptions, changes: ChangeSet | None,
           cwd: Path) -> CIOutcome:
    outcome = CIOutcome(result)
    if not result.findings and ci.baseline is None and not ci.changed_lines:
        return outcome  # nothing to hide, compare or count
    from igmigrate import baseline as baselines

    findings = baselines.without_baseline_files(result.findings, cwd)
    known: list | None = None
    if ci.baseline is not None:
        try:
            known = baselines.load(ci.baseline)
        except baselines.BaselineError as exc:
            raise CIError(str(exc)) from None
        scope = baselines.scan_scope(options.paths, options.only_files, cwd, result.scanned)
        comparison = baselines.compare(known, findings, scope)
        findings, known = comparison.new, comparison.accepted
        note = f"baseline {ci.baseline}: {comparison.known} known findings not shown, {len(comparison.fixed)} baseline entries fixed"
        if comparison.fixed:
            note += f" (`igmigrate baseline update {ci.baseline}` drops them)"
        outcome.notes.append(note)
    if ci.changed_lines and changes is not None:
        resolved = cwd.resolve()

        def on_changed_lines(items: list) -> list:
            return [f for f in items if changes.touches(str((resolved / f.path).resolve()), f.line, f.end_line)]

        kept = on_changed_lines(findings)
        outcome.notes.append(f"changed lines since {changes.base[:12]}: {len(findings) - len(kept)} findings "
                             f"on unchanged lines not shown")
        findings = kept
        known = None if known is None else on_changed_lines(known)
    if findings != result.findings or known is not None:
        outcome.result = ScanResult(findings=findings, errors=result.errors, files_scanned=result.files_scanned,
                                    scanned=result.scanned, known=known)
    return outcome
