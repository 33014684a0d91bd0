"""Pure text rewrites of one literal's content: scope lists and URL parts.

A literal's content is edited as source text (escapes left as they are): scope names and
the authorize URL hold no character any language escapes, so what we look for is what
the source says, and what we write needs no quoting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# One scope list: names joined by the separators OAuth clients use (comma, URL-encoded comma
# or space, '+'). Whitespace joins names only when the list is the literal's whole content
# ('user_profile user_media'), so prose around a scope name is never read as a list.
_NAME = r"[A-Za-z0-9_]+"
_SEP = r"(?:[ \t]*,[ \t]*|%2[Cc]|%20|\+)"
_WS_SEP = r"(?:[ \t]*,[ \t]*|%2[Cc]|%20|\+|[ \t]+)"
_RUN = re.compile(rf"(?<![A-Za-z0-9_]){_NAME}(?:{_SEP}{_NAME})*(?![A-Za-z0-9_])")
_WHOLE = re.compile(rf"\s*{_NAME}(?:{_WS_SEP}{_NAME})*\s*")
_SPLIT = re.compile(rf"({_SEP})")
_WS_SPLIT = re.compile(rf"({_WS_SEP})")


@dataclass(frozen=True)
class ScopeMap:
    """Old scope value -> new value (a rule's fix: one `to` for all, or per-value suggestions)."""

    mapping: dict[str, str]

    def __contains__(self, value: str) -> bool:
        return value in self.mapping

    def get(self, value: str) -> str:
        return self.mapping.get(value, value)


def scope_values_in(content: str, scopes: ScopeMap) -> list[tuple[int, int]]:
    """Spans of whole scope names of the map inside content."""
    spans = []
    for run in _RUN.finditer(content):
        for name in re.finditer(_NAME, run.group(0)):
            if name.group(0) in scopes:
                spans.append((run.start() + name.start(), run.start() + name.end()))
    return spans


def rewrite_list(text: str, scopes: ScopeMap, whitespace: bool) -> str:
    """Rename the scopes of one list and drop a renamed value that the list already holds
    (['user_profile', 'user_media'] both become instagram_business_basic: kept once)."""
    parts = (_WS_SPLIT if whitespace else _SPLIT).split(text)
    values, seps = parts[0::2], parts[1::2]
    unchanged = {v.strip() for v in values if v.strip() not in scopes}
    kept: list[int] = []
    seen: set[str] = set()
    for i, value in enumerate(values):
        name = value.strip()
        if name in scopes:
            new = scopes.get(name)
            if new in unchanged or new in seen:
                continue
            seen.add(new)
            values[i] = value.replace(name, new)
        kept.append(i)
    out = ""
    for position, i in enumerate(kept):
        if position:
            # the separator that followed the previous kept value (or preceded this one)
            prev = kept[position - 1]
            out += seps[prev] if prev < len(seps) else seps[i - 1]
        out += values[i]
    return out


def _all_scopes(content: str, scopes: ScopeMap, known: frozenset[str]) -> bool:
    """Every word of a space-separated content is a scope name (not prose around one)."""
    return all(w in scopes or w in known or "_" in w for w in re.findall(_NAME, content))


def rewrite_scopes(content: str, scopes: ScopeMap, known: frozenset[str] = frozenset()) -> str:
    """Content with every scope list that names a mapped scope rewritten; the rest (URL,
    other parameters, prose) kept byte for byte. `known`: other permission names, so
    'email user_profile' reads as a list."""
    if _WHOLE.fullmatch(content) and scope_values_in(content, scopes) and _all_scopes(content, scopes, known):
        lead = len(content) - len(content.lstrip())
        trail = len(content.rstrip())
        return content[:lead] + rewrite_list(content[lead:trail], scopes, whitespace=True) + content[trail:]
    out, last = [], 0
    for run in _RUN.finditer(content):
        if any(name.group(0) in scopes for name in re.finditer(_NAME, run.group(0))):
            out.append(content[last:run.start()])
            out.append(rewrite_list(run.group(0), scopes, whitespace=False))
            last = run.end()
    out.append(content[last:])
    return "".join(out)


def rewrite_pattern(content: str, pattern: re.Pattern, to: str) -> str:
    return pattern.sub(lambda _m: to, content)


def pure_scope(content: str, scopes: ScopeMap) -> str | None:
    """The new value when content is exactly one mapped scope name (a list element), else None."""
    name = content.strip()
    if name in scopes and name == content:
        return scopes.get(name)
    return None
