"""SARIF 2.1.0 for GitHub code scanning (and any other SARIF consumer).

Choices GitHub relies on: every rule of the knowledge base is listed in tool.driver.rules with
short/full descriptions, helpUri and default level; each result points at a %SRCROOT%-relative
artifact (the repository root, so alerts land on the right file whatever directory the scan
ran in); partialFingerprints carry our line-independent fingerprint so alerts survive edits
above them; inline-suppressed findings stay in the log with suppressions[kind=inSource].
"""

from __future__ import annotations

import json
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
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_WORD_CHAR = re.compile(r"\w")
_TOKEN_SPLIT = re.compile(r"[,\s]+")  # same-line hits are merged as "a, b"


def source_root(options: dict) -> tuple[Path, Path]:
    """(cwd, root): paths in findings are relative to cwd; artifacts are relative to root."""
    cwd = Path(options.get("cwd") or Path.cwd()).resolve()
    root = options.get("root")
    root = Path(root).resolve() if root else (repository_root(str(cwd)) or cwd)
    return cwd, root


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


def _readable(template: str) -> str:
    """Rule messages are templates ({match}); show the slots as <match> in descriptions."""
    return _PLACEHOLDER.sub(r"<\1>", template)


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


class _Sources:
    """Reads each file once, only for findings that may get a fix."""

    def __init__(self, cwd: Path):
        self.cwd = cwd
        self.cache: dict[str, list[str] | None] = {}

    def lines(self, display: str) -> list[str] | None:
        if display not in self.cache:
            try:
                # utf-8-sig: a BOM would shift line-1 columns against the scanner's view.
                text = (self.cwd / display).read_text(encoding="utf-8-sig")
                # The scanner's line ends: \n, \r\n and a lone \r, nothing else.
                self.cache[display] = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
            except (OSError, UnicodeDecodeError):
                self.cache[display] = None
        return self.cache[display]


def _find_word(lines: list[str], f: Finding, word: str) -> list[tuple[int, int]]:
    """(line, 1-based column) of each whole-word occurrence of word inside the finding's region."""
    hits = []
    for number in range(f.line, f.end_line + 1):
        text = lines[number - 1]
        low = f.column - 1 if number == f.line else 0
        high = f.end_column - 1 if number == f.end_line else len(text)
        start = text.find(word, low)
        while start != -1 and start + len(word) <= high:
            before = text[start - 1] if start > 0 else " "
            after = text[start + len(word)] if start + len(word) < len(text) else " "
            if not _WORD_CHAR.match(before) and not _WORD_CHAR.match(after):
                hits.append((number, start + 1))
            start = text.find(word, start + 1)
    return hits


def _token_edits(f: Finding, rule: Rule, sources: _Sources) -> list[tuple[str, dict, str]]:
    """Real textual edits, only when the knowledge base names an exact substitute for every
    matched token (detect.suggestions, e.g. business_basic -> instagram_business_basic) and
    each token occurs exactly once as a whole word inside the finding's region. Prose
    replacements (most rules) are advice, not edits: they stay in the message and
    properties, because fix tooling applies an edit without reading it."""
    tokens = [t for t in _TOKEN_SPLIT.split(f.matched) if t]
    if not tokens or not all(t in rule.detect.suggestions for t in tokens):
        return []
    lines = sources.lines(f.path)
    if lines is None or not (1 <= f.line <= f.end_line <= len(lines)):
        return []
    edits = []
    for token in tokens:
        hits = _find_word(lines, f, token)
        if len(hits) != 1:
            return []
        line, column = hits[0]
        deleted = {"startLine": line, "startColumn": column, "endLine": line, "endColumn": column + len(token)}
        edits.append((token, deleted, str(rule.detect.suggestions[token])))
    return edits


def _result(f: Finding, rule_index: dict[str, int], kb: KnowledgeBase, cwd: Path, root: Path,
            sources: _Sources) -> dict:
    artifact = _artifact(f.path, cwd, root)
    text = f.message
    if f.replacement:
        text += f". Fix: {f.replacement}"
    result: dict = {
        "ruleId": f.rule_id,
        "level": f.severity,
        "message": {"text": text},
        "locations": [{"physicalLocation": {"artifactLocation": artifact, "region": _region(f)}}],
        "partialFingerprints": {FINGERPRINT_KEY: f.fingerprint},
        "properties": {"category": f.category},
    }
    if f.rule_id in rule_index:
        result["ruleIndex"] = rule_index[f.rule_id]
    if f.replacement:
        result["properties"]["replacement"] = f.replacement
    if f.suppressed:
        result["suppressions"] = [{"kind": "inSource"}]
    rule = kb.rules.get(f.rule_id)
    edits = _token_edits(f, rule, sources) if rule is not None else []
    if edits:
        result["fixes"] = [{
            "description": {"text": "; ".join(f"replace {old} with {new}" for old, _, new in edits)},
            "artifactChanges": [{
                "artifactLocation": artifact,
                "replacements": [{"deletedRegion": region, "insertedContent": {"text": new}} for _, region, new in edits],
            }],
        }]
    return result


def document(result: ScanResult, kb: KnowledgeBase, options: dict | None = None) -> dict:
    cwd, root = source_root(options or {})
    rules = sorted(kb.rules.values(), key=lambda r: r.id)
    rule_index = {r.id: i for i, r in enumerate(rules)}
    sources = _Sources(cwd)
    findings = sorted(result.findings, key=lambda f: (f.path, f.line, f.column, f.rule_id, f.fingerprint))
    notifications = [
        {
            "level": "warning",
            "message": {"text": e.message},
            "locations": [{"physicalLocation": {"artifactLocation": _artifact(e.path, cwd, root)}}],
        }
        for e in result.errors
    ]
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
        "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notifications}],
        "results": [_result(f, rule_index, kb, cwd, root, sources) for f in findings],
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(result: ScanResult, kb: KnowledgeBase, options: dict) -> str:
    return json.dumps(document(result, kb, options), indent=2, ensure_ascii=False) + "\n"
