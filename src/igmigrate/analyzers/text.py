"""Text analyzer: every non-Python text file (JS/TS, PHP, Ruby, Go, JVM, Swift, C#, shell,
markup, config, docs), driven by the language table in rules/languages.yaml.

A regex tokenizer splits the file into comments, string literals, identifiers and
operators. Same-file constants (`const BASE = '...'`, `self::AUTH_URL`, `${BASE}`,
`#{BASE}`) are substituted into concatenation chains, and each resulting value goes
through the shared matcher. Comments are matched as prose and become notes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import NamedTuple

from igmigrate.analyzers.base import FileAnalysis, Hit
from igmigrate.analyzers.matching import OTHER_PLATFORM_HOST, Context, Matcher, ScopeWordLines, file_contexts
from igmigrate.knowledge import KnowledgeBase, Language

_IDENT = r"[$@]?[A-Za-z_]\w*(?:(?:::|->|\?\.|\.)[$]?[A-Za-z_]\w*)*"
_SCOPE_WORD = re.compile(r"(?i)scope|permission")
_ASSIGN_OPS = {"=", ":=", ":", "=>", "||=", "??=", "+="}
_LARGE_CONFIG = 32 * 1024
_CONFIG_CANDIDATE = re.compile(r"(?i)instagr|\$\{?\w|igmigrate")


def _config_candidate(line: str) -> bool:
    """A line of a large config file worth reading: it names Instagram or igmigrate in any
    case, or refers to a variable. The regex per line was 0.28 s of a 700 KB RECORD file;
    for ASCII lines `lower` and `in` (C loops) answer the same. Other lines keep the regex:
    its case rules match more than `lower` does (a dotless ı matches i)."""
    if not line.isascii():
        return _CONFIG_CANDIDATE.search(line) is not None
    if "$" in line and _CONFIG_CANDIDATE.search(line):
        return True
    lowered = line.lower()
    return "instagr" in lowered or "igmigrate" in lowered


# `KEY=value`, `key: value`, `ENV KEY=value`, `export KEY=value`, `- value` (YAML list item)
_BARE = re.compile(r"^\s*(?:export\s+|ENV\s+|ARG\s+|set\s+|-\s+)?([\w.\-\[\]]*)\s*(?:=|:\s|:$|\s)?\s*(.*)$")


class Token(NamedTuple):
    """A NamedTuple: a big markup file makes one per word, and a frozen dataclass took
    several times as long to build."""

    kind: str  # str | ident | op | comment
    text: str
    start: int
    end: int
    line: int
    value: str = ""  # string content (str), comment text (comment)


@lru_cache(maxsize=64)
def _token_regex(lang: Language) -> re.Pattern:
    parts = []
    for marker in lang.line_comment:
        if marker == "#" and lang.family in ("php", "ruby", "python", "shell", "config"):
            # '#{' opens Ruby interpolation only inside strings, which are matched first.
            parts.append(r"(?P<lc_hash>#[^\n]*)")
        else:
            parts.append(f"(?P<lc{len(parts)}>{re.escape(marker)}[^\\n]*)")
    for i, (open_, close) in enumerate(lang.block_comment):
        anchor = "^" if open_.startswith("=") else ""
        parts.append(f"(?P<bc{i}>{anchor}{re.escape(open_)}.*?(?:{re.escape(close)}|\\Z))")
    for i, quote in enumerate(lang.quotes):
        q = re.escape(quote)
        if quote == "`" and lang.family != "go":
            parts.append(r"(?P<tpl>`)")  # template literal: scanned by hand (nested ${`...`})
        elif quote == "`":
            parts.append(f"(?P<s{i}>`[^`]*(?:`|\\Z))")
        else:
            parts.append(f"(?P<s{i}>{q}(?:\\\\.|[^{q}\\\\\\n])*{q}?)")
    parts.append(f"(?P<ident>{_IDENT})")
    parts.append(r"(?P<op>\|\|=|\?\?=|\+=|:=|=>|<<|::|->|[+.=:,()\[\]{};%])")
    return re.compile("|".join(parts), re.DOTALL | re.MULTILINE)


_OPENERS = ("${", "#{")


def interpolations(body: str, lang: Language) -> list[tuple[int, int]]:
    """(start, end) of each `${...}` / `#{...}` in a string body, braces balanced."""
    if lang.interpolation is None or not any(o in body for o in _OPENERS):
        return []
    out = []
    i = 0
    while i < len(body):
        if body.startswith(_OPENERS, i) and lang.interpolation.pattern.startswith(("\\$", "#")):
            depth, j = 1, i + 2
            while j < len(body) and depth:
                depth += {"{": 1, "}": -1}.get(body[j], 0)
                j += 1
            out.append((i, j))
            i = j
        else:
            i += 1
    return out


def _template_end(text: str, i: int) -> int:
    """End of the template literal opening at text[i] (a backtick), nested ${...} included."""
    n = len(text)
    j = i + 1
    while j < n:
        c = text[j]
        if c == "\\":
            j += 2
        elif c == "`":
            return j + 1
        elif c == "$" and text.startswith("${", j):
            j = _code_end(text, j + 2)
        else:
            j += 1
    return n


def _code_end(text: str, j: int) -> int:
    """Index after the brace closing an interpolation that starts at text[j]."""
    n = len(text)
    depth = 1
    while j < n:
        c = text[j]
        if c in "'\"":
            k = j + 1
            while k < n and text[k] != c and text[k] != "\n":
                k += 2 if text[k] == "\\" else 1
            j = k + 1
            continue
        if c == "`":
            j = _template_end(text, j)
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return j + 1
        j += 1
    return n


# The analyzer and the marker scan both tokenize a whole file (profile: tokenize was half of
# the analysis of a large text file, done twice): the last whole-file result is reused.
def tokenize(text: str, lang: Language, base: int = 0, first_line: int = 1) -> list[Token]:
    tokens = []
    line = first_line
    last = 0
    regex = _token_regex(lang)
    pos = 0
    while True:
        m = regex.search(text, pos)
        if m is None:
            break
        line += text.count("\n", last, m.start())
        last = m.start()
        kind = m.lastgroup or ""
        raw = m.group(0)
        pos = m.end() if m.end() > m.start() else m.start() + 1
        if kind == "tpl":
            end_index = _template_end(text, m.start())
            raw = text[m.start():end_index]
            kind = "s_tpl"
            pos = end_index
        start, end = base + m.start(), base + m.start() + len(raw)
        if kind.startswith(("lc", "bc")):
            tokens.append(Token("comment", raw, start, end, line, raw))
        elif kind.startswith("s"):
            body = raw[1:-1] if len(raw) >= 2 and raw[-1] == raw[0] else raw[1:]
            tokens.append(Token("str", raw, start, end, line, body))
            # Code inside ${...} is code: its strings and names take part like any other.
            for s_start, s_end in interpolations(body, lang):
                inner = body[s_start + 2:s_end - 1]
                offset = m.start() + 1 + s_start + 2
                tokens.extend(tokenize(inner, lang, base + offset, line + text.count("\n", m.start(), offset)))
            last = m.start()
        elif kind == "ident":
            tokens.append(Token("ident", raw, start, end, line))
        else:
            tokens.append(Token("op", raw, start, end, line))
    return tokens


def _last_segment(name: str) -> str:
    return re.split(r"::|->|\?\.|\.", name)[-1].lstrip("$@")


class TextAnalyzer:
    def __init__(self, kb: KnowledgeBase, matcher: Matcher, candidate: Callable[[str], bool] | None = None):
        self.kb = kb
        self.matcher = matcher
        # The scanner's prefilter on text: picks the lines of a large data file worth reading.
        self.candidate = candidate or matcher.could_match
        self.by_extension: dict[str, Language] = {}
        self.by_name: dict[str, Language] = {}
        self.prefixes: list[tuple[str, Language]] = []
        for lang in kb.languages:
            for ext in lang.extensions:
                self.by_extension[ext] = lang
            for name in lang.filenames:
                self.by_name[name] = lang
            for prefix in lang.filename_prefixes:
                self.prefixes.append((prefix, lang))

    def language_for(self, filename: str) -> Language | None:
        if filename in self.by_name:
            return self.by_name[filename]
        lower = filename.lower()
        for ext, lang in self.by_extension.items():
            if ext.count(".") > 1 and lower.endswith(ext):
                return lang
        dot = lower.rfind(".")
        if dot >= 0 and lower[dot:] in self.by_extension:
            return self.by_extension[lower[dot:]]
        for prefix, lang in self.prefixes:
            if filename.startswith(prefix):
                return lang
        return None

    def family(self, name: str) -> Language:
        return next(lang for lang in self.kb.languages if lang.family == name)

    # ------------------------------------------------------------------ analysis
    def analyze(self, text: str, lang: Language, result: FileAnalysis,
                contexts: dict | None = None) -> list[tuple[int, int]]:
        """Adds the file's hits to result; returns the comment spans (for the marker scan)."""
        contexts = contexts if contexts is not None else file_contexts(text)
        if lang.documentation:
            result.documentation = True
            self._prose(text, 1, 0, result, contexts)
            return []
        if lang.bare_values and len(text) > _LARGE_CONFIG:
            # Config values do not compose across lines (but for ${VAR}), so in a large data
            # file (a RECORD, a lock or .pem file) only lines that could match are read.
            # Other lines are blanked with spaces, so every offset and column stays true.
            text = "\n".join(line if _config_candidate(line) or self.candidate(line)
                             else " " * len(line) for line in text.split("\n"))
        tokens = tokenize(text, lang)
        strings = [t for t in tokens if t.kind == "str"]
        # A catalogue (an SDK's permission enum) holds many literals that are each one name;
        # a request holds them comma-joined in one string.
        names = {t.value for t in strings if t.value in self.matcher.known_permissions}
        catalogue = self.kb.is_catalogue(names)
        host_scope = contexts["instagram_context"] and not OTHER_PLATFORM_HOST.search(text)
        scope_lines = ScopeWordLines(result.lines)
        constants: dict[str, tuple[str, frozenset[str]]] = {}
        chains = list(self._chains(tokens, lang))  # read three times below
        # Two passes so constants defined below their first use still resolve.
        for _ in range(2):
            self._collect_constants(chains, lang, constants)
        reported: set[tuple[int, str, str]] = set()
        strings_by_line: dict[int, list[str]] = {}  # for _matches (a scan of every token per string was quadratic)
        for t in strings:
            strings_by_line.setdefault(t.line, []).append(t.value)
        for chain, target in chains:
            value, inherited = self._evaluate(chain, lang, constants)
            if not value:
                continue
            line = chain[0].line
            scope_like = bool(target and _SCOPE_WORD.search(target)) or scope_lines.near(line)
            ctx = Context(
                scope_context=scope_like, instagram_host_scope=host_scope, **contexts,
            )
            for match in self._matches(value, chain, ctx, strings_by_line):
                if (match.rule.id, match.text) in inherited:
                    continue  # reported where the constant is defined
                key = (line, match.rule.id, match.text)
                if key in reported:
                    continue
                reported.add(key)
                start, end = chain[0], chain[-1]
                col = start.start - _line_start(text, start.start) + 1
                end_line = end.line + end.text.count("\n")
                end_col = end.end - _line_start(text, end.end) + 1
                result.add_hit(
                    Hit(match.rule.id, line, col, end_line, end_col, match.text,
                        catalogue=catalogue and match.rule.detect.kind == "scope", extra=match.extra),
                    match.rule.detect.evidence,
                )
        if lang.bare_values or lang.family == "shell":
            self._bare_values(text, tokens, lang, constants, result, contexts, host_scope, reported)
        comments = [t for t in tokens if t.kind == "comment"]
        for t in comments:
            self._prose(t.value, t.line, t.start - _line_start(text, t.start), result, contexts)
        return [(t.start, t.end) for t in comments]

    def _bare_values(self, text, tokens, lang, constants, result, contexts, host_scope, reported) -> None:
        """Config and shell lines hold unquoted values: `SCOPE=user_profile`, `scope: user_media`,
        `ENV URL=https://...`. Each such line is matched as `key = value`."""
        quoted_lines = {t.line for t in tokens if t.kind == "str"}
        comment_lines = {t.line for t in tokens if t.kind == "comment" and not text[_line_start(text, t.start):t.start].strip()}
        for number, line in enumerate(text.split("\n"), 1):  # the analyzed text: data lines may be blanked
            if number in quoted_lines or number in comment_lines or not line.strip():
                continue
            m = _BARE.match(line)
            if not m:
                continue
            key, value = m.group(1), m.group(2).strip()
            value = re.sub(r"\s+[#;].*$", "", value)
            ctx = Context(scope_context=bool(_SCOPE_WORD.search(key)), instagram_host_scope=host_scope, **contexts)
            inherited: set = set()
            resolved = self._interpolate(value, lang, constants, inherited)
            for match in self.matcher.match(resolved, ctx):
                if (number, match.rule.id, match.text) in reported:
                    continue
                reported.add((number, match.rule.id, match.text))
                col = line.find(value) + 1
                result.add_hit(Hit(match.rule.id, number, col, number, col + len(value), match.text, extra=match.extra),
                               match.rule.detect.evidence)

    def _matches(self, value, chain, ctx, strings_by_line: dict[int, list[str]]):
        matches = self.matcher.match(value, ctx)
        if not matches and len(chain) == 1 and chain[0].kind == "str":
            # A line of bare permission strings (['user_profile', 'user_media']) is a scope list.
            siblings = strings_by_line.get(chain[0].line, [])
            if len(siblings) > 1 and all(self.matcher.permission_names(s) == {s} for s in siblings):
                matches = [m for m in self.matcher.match(",".join(siblings), ctx) if m.text == chain[0].value]
        return matches

    def _prose(self, text: str, first_line: int, first_col: int, result: FileAnalysis, contexts) -> None:
        prose_hits(self.matcher, text, first_line, first_col, result, contexts)

    def _collect_constants(self, chains: list[tuple[list[Token], str | None]], lang: Language, constants) -> None:
        for chain, target in chains:
            if target:
                value, _ = self._evaluate(chain, lang, constants)
                own = frozenset((m.rule.id, m.text) for m in self.matcher.match(value, Context(instagram_context=True)))
                constants[_last_segment(target)] = (value, own)

    def _chains(self, tokens: list[Token], lang: Language):
        """Yield (concatenation chain, name it is assigned to) for every chain holding a string."""
        code = [t for t in tokens if t.kind != "comment"]
        i = 0
        n = len(code)
        while i < n:
            t = code[i]
            kind = t.kind
            if kind != "str" and (kind != "ident" or i + 2 >= n or code[i + 1].kind != "op"
                                  or code[i + 1].text not in lang.concat):
                i += 1  # no string can join this token (most idents of a big file)
                continue
            chain = [t]
            j = i + 1
            while j + 1 < n and code[j].kind == "op" and code[j].text in lang.concat and code[j + 1].kind in ("str", "ident"):
                if code[j + 1].kind == "ident" and j + 2 < n and code[j + 2].text == "(":
                    chain.append(Token("ident", "{}", code[j + 1].start, code[j + 1].end, code[j + 1].line))
                    j += 2
                    break
                chain.extend((code[j], code[j + 1]))
                j += 2
            if any(c.kind == "str" for c in chain):
                yield chain, _assignment_target(code, i)
            i = j if j > i + 1 else i + 1

    def _evaluate(self, chain: list[Token], lang: Language, constants) -> tuple[str, frozenset[str]]:
        parts = []
        inherited: set[str] = set()
        for t in chain:
            if t.kind == "str":
                parts.append(self._interpolate(t.value, lang, constants, inherited))
            elif t.kind == "ident":
                known = constants.get(_last_segment(t.text))
                if known is None:
                    parts.append("{" + _last_segment(t.text) + "}")
                else:
                    parts.append(known[0])
                    inherited |= known[1]
        return "".join(parts), frozenset(inherited)

    def _interpolate(self, body: str, lang: Language, constants, inherited: set[str]) -> str:
        if lang.interpolation is None or not body:
            return body
        spans = interpolations(body, lang)
        if spans:
            out, last = [], 0
            for start, end in spans:
                out.append(body[last:start])
                expr = body[start + 2:end - 1].strip()
                known = constants.get(_last_segment(expr)) if re.fullmatch(_IDENT, expr or "-") else None
                if known is not None:
                    inherited.update(known[1])
                    out.append(known[0])
                else:
                    out.append("{" + (re.sub(r"[^\w]+", "_", expr).strip("_")[:40]) + "}")
                last = end
            out.append(body[last:])
            return "".join(out)

        def substitute(m: re.Match) -> str:
            name = _last_segment(m.group(1).strip()) if re.fullmatch(_IDENT, m.group(1).strip() or "-") else ""
            known = constants.get(name) if name else None
            if known is None:
                return "{" + (name or re.sub(r"[^\w]+", "_", m.group(1)).strip("_")) + "}"
            inherited.update(known[1])
            return known[0]

        return lang.interpolation.sub(substitute, body)


def prose_hits(matcher: Matcher, text: str, first_line: int, first_col: int, result: FileAnalysis, contexts) -> None:
    """Comment or documentation text: free-text matching, every hit a note (shared with the
    tree-sitter analyzer, whose comments are read the same way)."""
    ctx = Context(prose=True, **contexts)
    for offset, line_text in enumerate(text.split("\n")):
        if not line_text.strip():
            continue
        for match in matcher.match(line_text, ctx):
            col = (first_col if offset == 0 else 0) + match.start + 1
            result.add_hit(
                Hit(match.rule.id, first_line + offset, col, first_line + offset, col + len(match.text),
                    match.text, in_comment=True, extra=match.extra),
                match.rule.detect.evidence,
            )


def _assignment_target(code: list[Token], i: int) -> str | None:
    """Name a chain starting at code[i] is bound to: `NAME = ...`, `key: ...`, `define('NAME', ...)`."""
    if i >= 2 and code[i - 1].kind == "op" and code[i - 1].text in _ASSIGN_OPS:
        prev = code[i - 2]
        if prev.kind == "ident":
            return prev.text
        if prev.kind == "str":
            return prev.value
    if i >= 4 and code[i - 1].text == "," and code[i - 2].kind == "str" and code[i - 3].text == "(" \
            and code[i - 4].kind == "ident" and code[i - 4].text.lower() == "define":
        return code[i - 2].value
    if i >= 2 and code[i - 1].text == "(" and code[i - 2].kind == "ident" and _SCOPE_WORD.search(code[i - 2].text):
        return code[i - 2].text  # Scope.Add("user_profile"), withScopes('...')
    return None


def _line_start(text: str, offset: int) -> int:
    return text.rfind("\n", 0, offset) + 1
