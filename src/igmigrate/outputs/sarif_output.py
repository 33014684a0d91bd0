"""SARIF 2.1.0 for GitHub code scanning (and any other SARIF consumer).

Choices GitHub relies on: every rule of the knowledge base is listed in tool.driver.rules with
short/full descriptions, helpUri and default level; each result points at a %SRCROOT%-relative
artifact (the repository root, so alerts land on the right file whatever directory the scan
ran in); partialFingerprints carry our line-independent fingerprint so alerts survive edits
above them; inline-suppressed findings stay in the log with suppressions[kind=inSource].
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from urllib.parse import quote

from igmigrate import __version__
from igmigrate.changes import repository_root
from igmigrate.findings import Finding, ScanResult
from igmigrate.knowledge import KnowledgeBase, Rule

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "igmigrate/v1"
# GitHub code scanning rejects a run above these (docs: "SARIF support for code scanning").
MAX_RESULTS = 25_000
MAX_LOCATIONS = 1_000
_RANK = {"error": 0, "warning": 1, "note": 2}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def source_root(options: dict) -> tuple[Path, Path]:
    """(cwd, root): paths in findings are relative to cwd; artifacts are relative to root.

    root is where the scanned paths live, not where the command ran (`cd parent; igmigrate
    scan proj` must give proj-relative URIs): the git top level holding the common folder of
    the scanned paths, else that folder itself."""
    cwd = Path(options.get("cwd") or Path.cwd()).resolve()
    root = options.get("root")
    if root:
        return cwd, Path(root).resolve()
    context = options.get("scan_context")
    base = _common_folder([cwd / p for p in context.paths] if context is not None and context.paths else [cwd])
    return cwd, repository_root(str(base)) or base


def _common_folder(paths: list[Path]) -> Path:
    folders = [str(p.resolve() if p.is_dir() else p.resolve().parent) for p in paths]
    try:
        return Path(os.path.commonpath(folders))
    except ValueError:  # different drives (Windows): no common folder
        return Path(folders[0])


def root_relative(display: str, cwd: Path, root: Path) -> str | None:
    """A finding's path relative to root (POSIX), or None when it lies outside root."""
    absolute = cwd / display
    try:
        return absolute.relative_to(root).as_posix()
    except ValueError:
        try:
            return absolute.resolve().relative_to(root).as_posix()
        except ValueError:
            return None


def _artifact(display: str, cwd: Path, root: Path) -> dict:
    relative = root_relative(display, cwd, root)
    if relative is None:
        return {"uri": (cwd / display).resolve().as_uri()}
    return {"uri": quote(relative), "uriBaseId": SRCROOT}


# What each message slot stands for in a rule's description (the finding's message fills it).
_SLOT_WORDS = {"match": "the matched value", "package": "the package", "successor": "its successor",
               "suggestion": "the suggested value", "lock": "the lock file", "id": "the id"}
# Token and secret rules: GitHub ranks code-scanning alerts by this (0.0-10.0, 7.0+ is high).
SECURITY_SEVERITY = "7.5"


def _readable(template: str) -> str:
    """Rule messages are templates ({match}); a description says what each slot stands for
    ("the matched value") and drops slots that only add context ({detail}, {evidence})."""
    text = _PLACEHOLDER.sub(lambda m: _SLOT_WORDS.get(m.group(1), ""), template)
    return re.sub(r"\s+([,.;:)])", r"\1", re.sub(r"[ \t]{2,}", " ", text)).strip()


def _rule_descriptor(rule: Rule, kb: KnowledgeBase) -> dict:
    help_uri = rule.docs or next(iter(kb.docs.values()), None)
    full = _readable(rule.message)
    if rule.replacement:
        full += f". Replacement: {_readable(rule.replacement)}"
    markdown = [f"**{rule.title}**", "", full, ""]
    for side, label in (("bad", "Flagged"), ("good", "Fine")):
        for example in getattr(rule, side)[:1]:
            markdown += [f"{label} (`{example.file}`):", "", "```", example.code.rstrip("\n"), "```", ""]
    if help_uri:
        markdown.append(f"[Documentation]({help_uri})")
    descriptor = {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": full},
        "help": {"text": full + (f" ({help_uri})" if help_uri else ""), "markdown": "\n".join(markdown).strip()},
        "defaultConfiguration": {"level": rule.severity},
        "properties": {"tags": ["instagram", rule.category], "precision": "high"},
    }
    if help_uri:
        descriptor["helpUri"] = help_uri
    if rule.detect.kind == "token" or rule.detect.secret:
        descriptor["properties"]["tags"].append("security")
        descriptor["properties"]["security-severity"] = SECURITY_SEVERITY
    return descriptor


def _region(f: Finding) -> dict:
    start_line, start_col = max(1, f.line), max(1, f.column)
    region = {"startLine": start_line, "startColumn": start_col}
    if f.end_line >= start_line and f.end_column >= 1 and (f.end_line, f.end_column) > (start_line, start_col):
        region["endLine"] = f.end_line
        region["endColumn"] = f.end_column  # exclusive in both our model and SARIF
    if f.snippet:
        region["snippet"] = {"text": f.snippet}
    return region


def _engine_fixes(findings: list[Finding], kb: KnowledgeBase, cwd: Path) -> dict:
    """Finding -> its fix preview from the fix engine (igmigrate.fix.engine): the very edits
    `igmigrate fix` makes, safe and unsafe alike (the description says which). Files
    without a fixable finding are not read; nothing is written."""
    if not any(not f.suppressed and f.rule_id in kb.rules and kb.rules[f.rule_id].fix for f in findings):
        return {}
    from igmigrate.fix.engine import preview

    return {p.finding: p for p in preview(findings, cwd, kb, unsafe=True, scanned=[cwd])}


def _result(f: Finding, rule_index: dict[str, int], kb: KnowledgeBase, cwd: Path, root: Path,
            fixes: dict, state: str | None) -> dict:
    artifact = _artifact(f.path, cwd, root)
    text = f.message
    if f.replacement:
        text += f". Fix: {f.replacement}"
    result: dict = {
        "ruleId": f.rule_id,
        "level": f.severity,
        "message": {"text": text},
        "locations": [{"physicalLocation": {"artifactLocation": artifact, "region": _region(f)}}][:MAX_LOCATIONS],
        "partialFingerprints": {FINGERPRINT_KEY: f.fingerprint},
        "properties": {"category": f.category},
    }
    if f.rule_id in rule_index:
        result["ruleIndex"] = rule_index[f.rule_id]
    if f.replacement:
        result["properties"]["replacement"] = f.replacement
    if state is not None:
        result["baselineState"] = state
    if f.suppressed:
        result["suppressions"] = [{"kind": "inSource"}]
    fix = fixes.get(f)
    if fix is not None:
        flag = " --unsafe-fixes" if fix.applicability == "unsafe" else ""
        result["fixes"] = [{
            "description": {"text": f"{fix.applicability} fix (igmigrate fix{flag}): " + " / ".join(
                line.strip() for line in fix.after)},
            "artifactChanges": [{
                "artifactLocation": artifact if fix.path == f.path else _artifact(fix.path, cwd, root),
                "replacements": [{"deletedRegion": {"startLine": line, "startColumn": col, "endLine": end_line,
                                                    "endColumn": end_col},
                                  "insertedContent": {"text": text}} for line, col, end_line, end_col, text in fix.replacements],
            }],
        }]
    return result


def _capped(findings: list[tuple[Finding, str | None]]) -> tuple[list[tuple[Finding, str | None]], int]:
    """At most MAX_RESULTS, chosen errors first, then warnings, then notes (suppressed ones
    last); the kept ones stay in path order. Returns (kept, number left out)."""
    if len(findings) <= MAX_RESULTS:
        return findings, 0
    order = sorted(range(len(findings)), key=lambda i: (findings[i][0].suppressed,
                                                        _RANK.get(findings[i][0].severity, 3), i))
    kept = sorted(order[:MAX_RESULTS])
    return [findings[i] for i in kept], len(findings) - MAX_RESULTS


def _file_error(e, cwd: Path, root: Path) -> dict:
    # A file the scan meant to read and could not ("cannot read/decode/parse") is an error;
    # a deliberate skip (size limit, binary, our own output) is a warning.
    return {
        "level": "error" if e.message.startswith("cannot ") else "warning",
        "message": {"text": f"{e.path}: {e.message}"},
        "locations": [{"physicalLocation": {"artifactLocation": _artifact(e.path, cwd, root)}}],
    }


def _execution_successful(result: ScanResult) -> bool:
    """Decision: per-file failures do not fail the run (they are listed as error notifications,
    and the exit code stays 0/1 by the findings); a missing path never reaches this writer
    (the CLI exits 2 first). The run failed only when files could not be read and not one
    file was analyzed: the scan then did nothing that was asked."""
    could_not = any(e.message.startswith("cannot ") for e in result.errors)
    return not (could_not and result.scanned is not None and not result.scanned)


def document(result: ScanResult, kb: KnowledgeBase, options: dict | None = None) -> dict:
    cwd, root = source_root(options or {})
    rules = sorted(kb.rules.values(), key=lambda r: r.id)
    rule_index = {r.id: i for i, r in enumerate(rules)}
    # With --baseline, known findings stay in the log as "unchanged" (dropping them would make
    # a code-scanning upload close their alerts); without one, results carry no state.
    states: list[tuple[Finding, str | None]] = [(f, None if result.known is None else "new") for f in result.findings]
    states += [(f, "unchanged") for f in result.known or ()]
    states.sort(key=lambda fs: (fs[0].path, fs[0].line, fs[0].column, fs[0].rule_id, fs[0].fingerprint))
    states, left_out = _capped(states)
    fixes = _engine_fixes([f for f, _ in states], kb, cwd)
    notifications = [_file_error(e, cwd, root) for e in result.errors]
    if left_out:
        notifications.append({"level": "warning", "message": {"text": (
            f"{left_out} results left out: GitHub code scanning accepts at most {MAX_RESULTS} per run "
            f"(kept errors first, then warnings, then notes)")}})
    run = {
        "tool": {"driver": {
            "name": "igmigrate",
            "version": __version__,
            "semanticVersion": __version__,
            "rules": [_rule_descriptor(r, kb) for r in rules],
            "properties": {"knowledgeBase": {"version": kb.version, "updated": kb.updated}},
        }},
        "originalUriBaseIds": {SRCROOT: {"uri": root.as_uri().rstrip("/") + "/"}},
        # Our columns count code points (Python str indexes), not UTF-16 units.
        "columnKind": "unicodeCodePoints",
        "invocations": [{"executionSuccessful": _execution_successful(result),
                         "toolExecutionNotifications": notifications}],
        "results": [_result(f, rule_index, kb, cwd, root, fixes, state) for f, state in states],
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(result: ScanResult, kb: KnowledgeBase, options: dict) -> str:
    return json.dumps(document(result, kb, options), indent=2, ensure_ascii=False) + "\n"
