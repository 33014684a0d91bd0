"""Before/after examples in the project's own language.

Where the fix engine (`igmigrate.fix.engine.preview`) can rewrite one of the rule's findings,
its rewrite of the project's own lines is the example. Otherwise the example is a knowledge-base pair in the language of the
rule's findings (else the project's main language): the rule's own example from rules.yaml or
one of `migrations` in rules/report.yaml. A rule with no pair in that language shows none: a
PHP team is never shown Python or Go. Config-like examples (`.env`) suit every language.
"""

from __future__ import annotations

import posixpath
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from igmigrate.findings import Finding
from igmigrate.knowledge import Example, KnowledgeBase

NEUTRAL = "any"  # a file kind every project has (settings, docs, data): never decides the language
_EXTENSIONS = {
    ".py": "python", ".pyi": "python", ".js": "javascript", ".mjs": "javascript", ".cjs": "javascript",
    ".jsx": "javascript", ".ts": "javascript", ".tsx": "javascript", ".vue": "javascript", ".svelte": "javascript",
    ".php": "php", ".phtml": "php", ".twig": "php", ".rb": "ruby", ".erb": "ruby", ".rake": "ruby",
    ".gemspec": "ruby", ".go": "go", ".java": "java", ".kt": "java", ".kts": "java", ".scala": "java",
    ".groovy": "java", ".gradle": "java", ".cs": "csharp", ".csproj": "csharp", ".swift": "swift",
    ".dart": "dart", ".rs": "rust", ".ex": "elixir", ".exs": "elixir", ".lua": "lua",
}
# Manifests say their ecosystem by name, whatever their extension.
_NAMES = {
    "composer.json": "php", "composer.lock": "php", "package.json": "javascript", "package-lock.json": "javascript",
    "yarn.lock": "javascript", "pnpm-lock.yaml": "javascript", "gemfile": "ruby", "gemfile.lock": "ruby",
    "go.mod": "go", "go.sum": "go", "pom.xml": "java", "build.gradle": "java", "build.gradle.kts": "java",
    "pyproject.toml": "python", "setup.py": "python", "setup.cfg": "python", "pipfile": "python",
    "pipfile.lock": "python", "poetry.lock": "python", "packages.config": "csharp", "cargo.toml": "rust",
}


def language(path: str) -> str:
    """The ecosystem a file belongs to ("php", "javascript", ...), or NEUTRAL."""
    name = posixpath.basename(path.replace("\\", "/")).lower()
    if name in _NAMES:
        return _NAMES[name]
    if name.startswith("requirements") and name.endswith((".txt", ".in")):
        return "python"
    return _EXTENSIONS.get(posixpath.splitext(name)[1], NEUTRAL)


def main_language(paths: Iterable[str], prefer: str | None = None) -> str | None:
    """The most common non-neutral language among the paths (a tie: `prefer`, else alphabetical)."""
    counts = Counter(lang for lang in map(language, paths) if lang != NEUTRAL)
    if not counts:
        return None
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0] != prefer, kv[0]))[0][0]


@dataclass(frozen=True)
class Pair:
    before: Example
    after: Example
    source: str  # "the fix engine on your code (...)", or "knowledge-base example (php)"

    @property
    def language(self) -> str:
        return language(self.before.file)


def pick(candidates: Iterable[tuple[Example, Example]], wanted: str | None) -> Pair | None:
    """The first pair in the wanted language, else the first language-neutral pair."""
    candidates = list(candidates)
    for before, after in candidates:
        if wanted is not None and language(before.file) == wanted:
            return Pair(before, after, f"knowledge-base example ({wanted})")
    for before, after in candidates:
        if language(before.file) == NEUTRAL:
            return Pair(before, after, "knowledge-base example")
    return None


def fix_previews(findings: list[Finding], root: Path, kb: KnowledgeBase) -> dict[str, Pair]:
    """rule id -> the fix engine's before/after of the first of its findings the engine can
    rewrite (the project's own lines); empty when no fix engine is installed."""
    try:
        from igmigrate.fix.engine import preview
    except ImportError:
        return {}
    out: dict[str, Pair] = {}
    for item in preview(findings, root, kb):
        finding = item.finding
        if finding.rule_id in out or not item.before or not item.after:
            continue
        where = f"{finding.path}:{item.line}"
        safety = "a safe fix" if item.applicability == "safe" else f"an {item.applicability} fix: review it"
        out[finding.rule_id] = Pair(Example(finding.path, "\n".join(item.before) + "\n"),
                                    Example(finding.path, "\n".join(item.after) + "\n"),
                                    f"the fix engine on your code ({where}, {safety})")
    return out
