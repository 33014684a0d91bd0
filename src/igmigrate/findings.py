"""The finding model shared by every analyzer and output."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field, replace

SEVERITIES = ("error", "warning", "note")
SEVERITY_RANK = {"note": 1, "warning": 2, "error": 3}


@dataclass(frozen=True)
class Finding:
    rule_id: str
    severity: str
    category: str
    message: str
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    snippet: str
    replacement: str | None
    fingerprint: str = ""
    suppressed: bool = False
    # Identity text (masked, whitespace-normalized); not part of the JSON contract.
    matched: str = field(default="", compare=False)
    # The line's column where snippet starts (its indentation is stripped); for carets in text output.
    snippet_start: int = field(default=1, compare=False)
    # The string literal that defines the value (display path, start byte, end byte of the
    # UTF-8 text), when the flow analyzer knows it (docs/flow.md); `igmigrate fix` edits there.
    definition: tuple[str, int, int] | None = field(default=None, compare=False)

    def to_json(self) -> dict:
        data = asdict(self)
        data.pop("matched")
        data.pop("snippet_start")
        data.pop("definition")
        return data

    def with_changes(self, **changes) -> "Finding":
        return replace(self, **changes)


# Files skipped on purpose rather than failed: listed only with --verbose, no annotation.
QUIET_SKIPS = frozenset({"skipped: binary file", "skipped: igmigrate's own output"})


@dataclass(frozen=True)
class FileError:
    """A file that could not be read or parsed (reported, never fatal)."""

    path: str
    message: str

    def to_json(self) -> dict:
        return {"path": self.path, "message": self.message}


@dataclass
class ScanResult:
    findings: list[Finding]
    errors: list[FileError]
    files_scanned: int
    # Display paths of the files read and analyzed in full (no error): only their baseline
    # entries can be called fixed. None when unknown (a result built by hand).
    scanned: frozenset[str] | None = None
    # Findings a --baseline accepted: hidden from every format but SARIF, which keeps them as
    # baselineState "unchanged" so a code-scanning upload does not close their alerts.
    # None when no baseline was compared.
    known: list[Finding] | None = None

    def summary(self) -> dict:
        active = [f for f in self.findings if not f.suppressed]
        return {
            "files_scanned": self.files_scanned,
            "errors": sum(f.severity == "error" for f in active),
            "warnings": sum(f.severity == "warning" for f in active),
            "notes": sum(f.severity == "note" for f in active),
            "suppressed": sum(f.suppressed for f in self.findings),
        }


def normalize_match(text: str) -> str:
    return " ".join(text.split())


def assign_fingerprints(findings: list[Finding]) -> list[Finding]:
    """Identity = rule + path + normalized matched text + occurrence index.

    Line numbers are left out on purpose, so edits above a finding keep its identity.
    """
    seen: dict[tuple[str, str, str], int] = {}
    out = []
    for f in sorted(findings, key=lambda f: (f.path, f.line, f.column, f.rule_id)):
        key = (f.rule_id, f.path, normalize_match(f.matched))
        index = seen.get(key, 0)
        seen[key] = index + 1
        digest = hashlib.sha256("\x1f".join((*key, str(index))).encode()).hexdigest()[:20]
        out.append(f.with_changes(fingerprint=digest))
    return out


def fails(findings: list[Finding], fail_on: str) -> bool:
    if fail_on == "never":
        return False
    threshold = SEVERITY_RANK[fail_on]
    return any(not f.suppressed and SEVERITY_RANK[f.severity] >= threshold for f in findings)
