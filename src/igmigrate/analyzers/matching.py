"""Match one resolved string value against the knowledge base's rules.

Both analyzers (libcst for Python, the text analyzer for everything else) first turn code
into string values (constants substituted, pieces concatenated); this module decides which
rules those values trigger. Unknown pieces of a value are written as "{}".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from igmigrate.knowledge import KnowledgeBase, Rule

INSTAGRAM_HOST = re.compile(r"(?:api|graph|www)\.instagram\.com|api-privatebeta\.instagr\.am|(?<![\w.])instagram\.com/oauth")
INSTAGRAM_OAUTH = re.compile(r"api\.instagram\.com|instagram\.com/oauth|api-privatebeta\.instagr\.am")
OTHER_PLATFORM_HOST = re.compile(r"graph\.threads\.net|threads\.net/oauth|graph\.facebook\.com|facebook\.com/[\w.]*/?dialog")
_SCOPE_SPLIT = re.compile(r"(?:%2[Cc]|%20|%2[Bb]|[,\s+;|])+")
_SCOPE_PARAM = re.compile(r"(?:^|[?&\s])scopes?=([^&#\s]*)")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Context:
    """What surrounds a string value."""

    scope_context: bool = False  # assigned to / passed as something named scope or permission
    instagram_context: bool = False  # the file talks to Instagram at all
    instagram_oauth_context: bool = False  # the file uses Instagram OAuth hosts
    instagram_host_scope: bool = False  # the enclosing class/file uses an Instagram host (path-only forms)
    prose: bool = False  # comment or documentation text: free-text matching
    # report Legacy scope words the file alone cannot confirm, marked conditional: the
    # classifier keeps them where the file or its project shows Legacy evidence
    legacy_candidates: bool = False


@dataclass(frozen=True)
class Match:
    rule: Rule
    text: str
    start: int
    end: int
    extra: tuple[tuple[str, str], ...] = ()
    condition: str | None = None  # evidence kind the finding needs from its file or project
    mixed: bool = False  # a scope list that also names another provider's scopes (email, openid)


class Matcher:
    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        self.endpoint_rules = _ordered_endpoint_rules(kb)
        self.scope_rules = kb.rules_of_kind("scope")
        self.token_rules = kb.rules_of_kind("token")
        self.scope_values = {v: r for r in self.scope_rules for v in r.detect.values}
        self.grant_rules = {g: r for r in self.endpoint_rules for g in r.detect.grants}
        self.path_rules = {p: r for r in self.endpoint_rules for p in r.detect.paths}
        self.known_permissions = kb.known_permissions
        # Scope words of Instagram's own logins (Basic Display, Instagram Login, Legacy): a list
        # holding any other word (email, openid, profile) may be another OAuth server's request.
        self.instagram_scopes = frozenset(
            {n for n, family in kb.permission_family.items() if family in ("basic_display", "instagram_login")}
            | {v for r in self.scope_rules for v in r.detect.values})
        self._gate = _gate_regex(self.endpoint_rules + self.token_rules, self.scope_values, self.grant_rules,
                                 self.path_rules)

    def permission_names(self, value: str) -> set[str]:
        return {t for t in _SCOPE_SPLIT.split(value) if t in self.known_permissions}

    def could_match(self, value: str) -> bool:
        return bool(self._gate.search(value))

    def match(self, value: str, ctx: Context) -> list[Match]:
        if not value or not self._gate.search(value):
            return []
        out: list[Match] = []
        out.extend(self._endpoints(value, ctx))
        out.extend(self._scopes(value, ctx))
        for rule in self.token_rules:
            if rule.detect.requires and not _context_ok(rule.detect.requires, ctx):
                continue
            for pattern in rule.detect.patterns:
                for m in pattern.finditer(value):
                    out.append(Match(rule, m.group(0), m.start(), m.end()))
        return out

    def _endpoints(self, value: str, ctx: Context) -> list[Match]:
        out: list[Match] = []
        taken: list[tuple[int, int]] = []
        seen_rules: set[str] = set()
        for rule in self.endpoint_rules:
            for pattern in rule.detect.patterns:
                relative = pattern.pattern.startswith("^")
                if relative and (ctx.prose or not _context_ok(rule.detect.relative_requires, ctx)):
                    continue
                for m in pattern.finditer(value):
                    if any(m.start() < e and s < m.end() for s, e in taken):
                        continue
                    taken.append((m.start(), m.end()))
                    seen_rules.add(rule.id)
                    out.append(Match(rule, m.group(0), m.start(), m.end()))
        # Grant types identify the token calls even when the URL is built elsewhere.
        for grant, rule in self.grant_rules.items():
            start = value.find(grant)
            if start >= 0 and rule.id not in seen_rules and _is_word(value, start, len(grant)):
                seen_rules.add(rule.id)
                out.append(Match(rule, grant, start, start + len(grant)))
        # Bare paths ("refresh_access_token") only count inside Instagram code.
        if ctx.instagram_host_scope and not out and not ctx.prose:
            path = re.sub(r"^(?:\{[^}]*\})?/*", "", value.strip()).split("?")[0].strip("/")
            rule = self.path_rules.get(path)
            if rule is not None:
                out.append(Match(rule, value.strip(), 0, len(value)))
        return out

    def _scopes(self, value: str, ctx: Context) -> list[Match]:
        param = _SCOPE_PARAM.search(value)
        if param:
            segments = [(param.group(1), param.start(1), True)]
        else:
            segments = [(value, 0, ctx.scope_context)]
        out = []
        for text, offset, scope_like in segments:
            tokens = [(m.group(0), m.start() + offset) for m in _WORD.finditer(text)]
            if not tokens:
                continue
            known = [t for t, _ in tokens if t in self.known_permissions]
            mixed = len(tokens) > 1 and any(t not in self.instagram_scopes for t in _words_outside_holes(text))
            is_list = len(tokens) > 1 and len(known) == len(tokens) and not ctx.prose
            for token, start in tokens:
                rule = self.scope_values.get(token)
                if rule is None:
                    continue
                whole = text.strip() == token
                words = [t for t, _ in tokens]
                if rule.detect.requires and not _context_ok(rule.detect.requires, ctx):
                    condition = _unconfirmed(rule, words, scope_like or bool(param), whole, ctx)
                    if condition:
                        out.append(Match(rule, token, start, start + len(token),
                                         condition=None if condition == "distinctive" else condition))
                    continue
                own_list = len(words) > 1 and all(t in rule.detect.values for t in words)
                if ctx.prose:
                    # Free text: distinctive values only, never plain words like "basic" or "likes".
                    if rule.detect.scope_context or rule.detect.requires:
                        continue
                elif rule.detect.scope_context:
                    if not (scope_like or param) or not (whole or is_list or own_list or param):
                        continue
                elif not (is_list or param or scope_like or (whole and (ctx.instagram_context or "instagram" in token))):
                    continue
                extra = ()
                suggestion = rule.detect.suggestions.get(token)
                if suggestion:
                    extra = (("suggestion", suggestion),)
                out.append(Match(rule, token, start, start + len(token), extra, mixed=mixed))
        return out


def _words_outside_holes(text: str) -> list[str]:
    """The words of a value, leaving out unknown pieces ("{scope}") that name no scope."""
    return _WORD.findall(re.sub(r"\{[^{}]*\}", " ", text))


def _unconfirmed(rule: Rule, tokens: list[str], scope_like: bool, whole: bool, ctx: Context) -> str:
    """For a scope rule whose context requirement fails: "distinctive" when the value names the
    rule's API on its own (only the rule's values, one of them distinctive), the evidence kind
    to ask the classifier for when a scope is made of the rule's words only, "" to drop it."""
    if ctx.prose:
        return ""
    own_list = len(tokens) > 1 and all(t in rule.detect.values for t in tokens)
    if not (own_list or (whole and scope_like)):
        return ""
    if any(t in rule.detect.distinctive for t in tokens):
        return "distinctive"
    return (rule.detect.evidence or "") if ctx.legacy_candidates and scope_like else ""


def _gate_regex(pattern_rules: list[Rule], *literal_maps: dict) -> re.Pattern:
    """One search that every possible match needs to pass: the union of all patterns and
    literal values. Most values (any string in a file that passed the prefilter) match
    nothing, and this answers that in one pass instead of one per rule."""
    pieces = []
    for rule in pattern_rules:
        for pattern in rule.detect.patterns:
            text = pattern.pattern
            if text.startswith("(?i)"):
                text = "(?i:" + text[4:] + ")"
            pieces.append(f"(?:{text})")
    for literals in literal_maps:
        pieces.extend(re.escape(value) for value in literals)
    return re.compile("|".join(pieces) or "(?!)", re.MULTILINE)


def _is_word(value: str, start: int, length: int) -> bool:
    before = value[start - 1] if start > 0 else ""
    after = value[start + length] if start + length < len(value) else ""
    return not (before.isalnum() or before == "_") and not (after.isalnum() or after == "_")


def _context_ok(requirement: str | None, ctx: Context) -> bool:
    if requirement is None:
        return True
    if requirement == "instagram_oauth_context":
        return ctx.instagram_oauth_context
    if requirement == "instagram_context":
        return ctx.instagram_context
    return False


def _ordered_endpoint_rules(kb: KnowledgeBase) -> list[Rule]:
    """Most specific first: Legacy paths, Instagram-Login-only calls, then shared flows."""
    rules = kb.rules_of_kind("endpoint")

    def order(rule: Rule) -> tuple[int, str]:
        if rule.detect.evidence == "legacy":
            return (0, rule.id)
        if rule.detect.evidence == "instagram_login":
            return (1, rule.id)
        return (2, rule.id)

    return sorted(rules, key=order)


_INSTAGRAM_WORD = re.compile(r"(?i)instagram|instafeed")


def file_contexts(text: str) -> dict[str, bool]:
    return {
        # The file is about Instagram at all: a host, a grant type, or the name itself.
        "instagram_context": bool(_INSTAGRAM_WORD.search(text)) or "ig_exchange_token" in text or "ig_refresh_token" in text,
        "instagram_oauth_context": bool(INSTAGRAM_OAUTH.search(text)),
    }


def named_after(name: str | None, text: str) -> bool:
    """A lone scope word held by a name that spells it (USER_MEDIA = "user_media",
    PREF_USER_PROFILE = "user_profile"): a key or label named after the value, not a request.
    A list of scope names ("user_profile,user_media") is a scope whatever holds it."""
    word = text.strip()
    if not name or not word.isidentifier():
        return False
    return _squash(word) in _squash(name)


def _squash(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())
_SCOPE_NAME = re.compile(r"(?i)scope|permission")


class ScopeWordLines:
    """Whether a line, or one of the two before it, names a scope or permission (a bare
    permission literal there is a scope request). Each line is searched once per file: a
    search of three lines per string was quadratic on files of a few long lines (a
    vendored icon bundle)."""

    def __init__(self, lines: list[str]):
        self.lines = lines
        self._named: dict[int, bool] = {}

    def _names(self, number: int) -> bool:
        answer = self._named.get(number)
        if answer is None:
            answer = self._named[number] = bool(_SCOPE_NAME.search(self.lines[number - 1]))
        return answer

    def near(self, line: int) -> bool:
        return any(self._names(n) for n in range(max(1, line - 2), min(line, len(self.lines)) + 1))

    def on(self, line: int) -> bool:
        """Whether this very line names a scope or permission."""
        return 1 <= line <= len(self.lines) and self._names(line)
