"""What analyzers hand to the classifier: raw hits and flow evidence, before severities.

Analyzers answer "what does this file contain"; the classifier (igmigrate.classify) answers
"what does it mean here", using evidence from the same class, file, directory and project.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class Hit:
    rule_id: str
    line: int
    column: int
    end_line: int
    end_column: int
    match: str
    in_comment: bool = False
    region: str | None = None  # enclosing Python class, for evidence scoping
    catalogue: bool = False  # a scope listed in a permission catalogue, not requested
    extra: tuple[tuple[str, str], ...] = ()  # message fields: detail, successor, suggestion
    condition: str | None = None  # evidence kind the file or project must show to keep the hit
    # The string literal that defines the matched value (display path, start byte, end byte
    # in the UTF-8 text, quotes included): where a fix edits, which may be a constant in
    # another file. Set by the flow analyzer (docs/flow.md); None elsewhere.
    definition: tuple[str, int, int] | None = None
    mixed: bool = False  # a scope list mixed with another provider's scopes: at most a warning alone

    def extras(self) -> dict[str, str]:
        """Message fields; a field repeated by merged hits lists each distinct value once."""
        out: dict[str, str] = {}
        for key, value in self.extra:
            if key not in out:
                out[key] = value
            elif value not in out[key].split(", "):
                out[key] += ", " + value
        return out


@dataclass(frozen=True)
class Evidence:
    """A fact that tells which API a flow belongs to (a requested scope, a token, an import)."""

    kind: str  # basic_display | basic_display_weak | instagram_login | legacy
    line: int
    match: str
    region: str | None = None


# An OAuth or token URL of another service (not the app's own callback on localhost): a
# Legacy-looking scope word ("basic") next to it is that provider's scope.
_OAUTH_URL = re.compile(r"(?i)\bhttps?://([A-Za-z0-9.-]+)[^\s'\"`]*(?:oauth|authori[sz]e|access_token|/token\b)")
_INSTAGRAM_HOSTS = re.compile(r"(?:^|\.)(?:instagram\.com|instagr\.am|localhost)$|^127\.")


@dataclass
class FileAnalysis:
    path: str  # display path (POSIX)
    hits: list[Hit] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    documentation: bool = False  # a prose file: everything in it is a note
    manifest_names: tuple[str, ...] = ()  # package names this file declares (the project's own)
    notices: list[str] = field(default_factory=list)  # e.g. parse fallbacks (reported as errors[])
    suppressions: dict[int, tuple[str, ...] | None] = field(default_factory=dict)  # line -> rule ids (None = all)
    unknown_suppressions: list[tuple[int, str]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # source lines while analyzing; emptied by finish()
    # line -> (characters stripped from its start, its masked text) for the lines with hits
    snippets: dict[int, tuple[int, str]] = field(default_factory=dict)
    code_flags: tuple[str, ...] = ()  # packages whose Instagram part this code uses (only_if_code)
    exports_instagram: bool = False  # a Python module whose constants hold Instagram URLs or scopes
    flow_names: tuple[str, ...] = ()  # classes and module-level names of a tree-sitter file (second pass)
    other_oauth_url: bool = False  # names another service's OAuth URL (asked only for conditional hits)

    def finish(self, mask) -> None:
        """Keep what findings need and nothing raw: the masked, stripped text of the lines with
        hits (snippets are 240 characters at most), masked matches; drop the source lines.
        The result cache stores analyses, so no secret from a scanned file reaches its disk."""
        wanted = {hit.line for hit in self.hits}
        if any(hit.condition for hit in self.hits):
            self.other_oauth_url = any(not _INSTAGRAM_HOSTS.search(m.group(1).lower())
                                       for line in self.lines for m in _OAUTH_URL.finditer(line))
        self.snippets = {n: _snippet(self.lines[n - 1], mask) for n in sorted(wanted) if 0 < n <= len(self.lines)}
        self.lines = []
        self.hits = [h if mask(h.match) == h.match else replace(h, match=mask(h.match)) for h in self.hits]
        self.evidence = [e if mask(e.match) == e.match else replace(e, match=mask(e.match)) for e in self.evidence]

    def add_hit(self, hit: Hit, evidence_kind: str | None) -> None:
        self.hits.append(hit)
        # A conditional hit waits for evidence from elsewhere: it cannot be its own evidence.
        if evidence_kind and not hit.catalogue and hit.condition is None and (
                not hit.in_comment or evidence_kind == "basic_display_weak"):
            self.evidence.append(Evidence(evidence_kind, hit.line, hit.match, hit.region))


def _snippet(line: str, mask) -> tuple[int, str]:
    stripped = line.lstrip()
    return len(line) - len(stripped), mask(stripped.rstrip())[:240]
