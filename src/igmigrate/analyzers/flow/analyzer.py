"""The tree-sitter analyzer: parse, lower, evaluate every site, match with the shared Matcher.

Hits are those of the text analyzer (same rules, same matched text, so fingerprints of
unchanged code stay put) but values come from the flow engine: constants of other files,
format calls over several lines, joins, query builders, helpers that prefix a base. A value
is reported where it is composed; what a definition already reported is not reported again
where it is used (one finding per URL flow, not one per reassignment).
"""

from __future__ import annotations

import bisect
import re
from itertools import accumulate

from igmigrate.analyzers.base import FileAnalysis, Hit
from igmigrate.analyzers.flow.evaluate import Evaluator, Frame, as_text
from igmigrate.analyzers.flow.ir import Call, Concat, Expr, FileModel, Format, Join, ListOf, MapOf, Member, Query, Ref, Str
from igmigrate.analyzers.flow.project import FlowFiles
from igmigrate.analyzers.flow.spec import spec_for_grammar
from igmigrate.analyzers.flow.workspace import Workspace
from igmigrate.analyzers.matching import OTHER_PLATFORM_HOST, Context, Matcher, ScopeWordLines, file_contexts, named_after
from igmigrate.knowledge import KnowledgeBase

_SCOPE_WORD = re.compile(r"(?i)scope|permission")
_LONE_WORD = re.compile(r"\s*[A-Za-z_][\w.]*\s*")
_HOLES = re.compile(r"%[-+# 0]*\d*[sdvq]|\{[^{}]*\}")
MAX_ERROR_SHARE = 0.2  # a tree with more of its bytes under ERROR nodes falls back to text rules


class FlowParseError(Exception):
    """The grammar could not read the file well enough; the caller uses the text rules."""


class Offsets:
    """Byte offsets of the UTF-8 text -> character offsets (identity for ASCII text)."""

    def __init__(self, text: str, data: bytes):
        self.ascii = len(text) == len(data)
        self._ends: list[int] | None = None
        self.text = text

    def char(self, byte: int) -> int:
        if self.ascii:
            return byte
        if self._ends is None:
            self._ends = list(accumulate(len(c.encode("utf-8", "surrogatepass")) for c in self.text))
        return bisect.bisect_right(self._ends, byte)


class FlowAnalyzer:
    def __init__(self, kb: KnowledgeBase, matcher: Matcher, files: FlowFiles | None = None):
        self.kb = kb
        self.matcher = matcher
        self.workspace = Workspace(files, self._parse_model)
        self.files = files

    def _parse_model(self, grammar: str, data: bytes, path: str) -> FileModel | None:
        from igmigrate.analyzers.flow.lower import lower
        from igmigrate.analyzers.grammars import parse

        spec = spec_for_grammar(grammar)
        if spec is None:
            return None
        tree = parse(grammar, data)
        if _error_share(tree.root_node) > MAX_ERROR_SHARE:
            return None
        model = lower(spec, data, tree, path)
        model.contexts = file_contexts(data.decode("utf-8", "replace"))
        return model

    def analyze(self, text: str, grammar: str, path: str, result: FileAnalysis,
                contexts: dict) -> list[tuple[int, int]]:
        """Adds hits to result; returns comment spans (character offsets) for the marker
        scan. Raises FlowParseError when the tree is mostly errors."""
        from igmigrate.analyzers.flow.lower import lower
        from igmigrate.analyzers.grammars import parse

        spec = spec_for_grammar(grammar)
        if spec is None:
            raise FlowParseError(f"no flow table for grammar {grammar}")
        data = text.encode("utf-8", "surrogatepass")
        tree = parse(grammar, data)
        share = _error_share(tree.root_node)
        if share > MAX_ERROR_SHARE:
            raise FlowParseError(f"{share:.0%} of the file is not valid {grammar}")
        model = lower(spec, data, tree, path)
        model.contexts = dict(contexts)
        self.workspace.add(model, grammar)
        offsets = Offsets(text, data)
        run = _Run(self, model, text, data, offsets, result, contexts)
        run.sites()
        comment_spans = []
        for node in _comment_nodes(tree.root_node, spec.comments):
            run.prose(node)
            comment_spans.append((offsets.char(node.start_byte), offsets.char(node.end_byte)))
        result.exports_instagram = any(not h.in_comment for h in result.hits)
        # Names other files read this file's values by (classes, module-level names): a file
        # the prefilter skipped that uses one is analyzed in a second pass (scanner.py).
        result.flow_names = tuple(sorted({c.split(".")[0] for c in model.classes}
                                         | {n for s, n in model.definitions if s == "" and n.isidentifier()}))
        return comment_spans


class _Run:
    """One file's analysis: the evaluator's memo and the hits reported so far."""

    def __init__(self, analyzer: FlowAnalyzer, model: FileModel, text: str, data: bytes, offsets: Offsets,
                 result: FileAnalysis, contexts: dict):
        self.a = analyzer
        self.model = model
        self.data = data
        self.offsets = offsets
        self.result = result
        self.contexts = contexts
        self.ev = Evaluator(analyzer.workspace, analyzer.matcher)
        self.spec = analyzer.workspace.spec_of(model)
        self.host_scope = contexts["instagram_context"] and not OTHER_PLATFORM_HOST.search(text)
        self.reported: set[tuple[int, str, str]] = set()
        self.scope_lines = ScopeWordLines(result.lines)  # each line searched once: linear on long-line bundles
        names = set()
        for site in model.sites:
            for s in _strings(site.expr):
                if s in analyzer.matcher.known_permissions:
                    names.add(s)
        self.catalogue = analyzer.kb.is_catalogue(names)

    def sites(self) -> None:
        for site in self.model.sites:
            self.visit(site.expr, site.target, Frame(self.model, site.scope))

    def visit(self, expr: Expr, target: str | None, frame: Frame, depth: int = 0) -> None:
        if depth > 50:
            return
        if isinstance(expr, Call):
            if self.ev.is_builder(expr, frame):
                self.report(expr, target, frame)
                if not self.ev.is_helper(expr, frame):
                    return
                # a helper of the project: its arguments are values too (`getData('https://…')`
                # where getData's body does not return the URL)
            callee = expr.callee
            name = callee.name if isinstance(callee, Member) else callee.name if isinstance(callee, Ref) else ""
            named = name if name and _SCOPE_WORD.search(name) else None
            args = list(expr.args)
            if name in self.spec.setters and len(args) >= 2 and isinstance(args[0], Str):
                self.visit(args[1], args[0].text, frame, depth + 1)
                args = args[2:]
            elif name in self.spec.key_calls and args and isinstance(args[0], (Str, Concat)):
                self.report(args[0], None, frame, key_like=True)  # a settings key, never a scope
                args = args[1:]
            for arg in args:
                self.visit(arg, named, frame, depth + 1)
            for key, value in expr.keywords:
                self.visit(value, key, frame, depth + 1)
            if isinstance(callee, Member):
                self.visit(callee.obj, None, frame, depth + 1)
            return
        if isinstance(expr, MapOf):
            for key, value in expr.pairs:
                self.visit(value, key.text if isinstance(key, Str) else target, frame, depth + 1)
            return
        if isinstance(expr, ListOf):
            if all(isinstance(i, (Str, Ref, Member, Concat)) for i in expr.items):
                self.report(expr, target, frame)
            else:
                for item in expr.items:
                    self.visit(item, target, frame, depth + 1)
            return
        if isinstance(expr, (Str, Concat, Format, Join, Query)):
            self.report(expr, target, frame)
            return
        if isinstance(expr, (Ref, Member)) and target and _SCOPE_WORD.search(target):
            self.report(expr, target, frame)  # `scope: USER_MEDIA`: the name is used as a scope here
            return
        if isinstance(expr, Member):
            self.visit(expr.obj, None, frame, depth + 1)

    def report(self, expr: Expr, target: str | None, frame: Frame, key_like: bool = False) -> None:
        value, inherited, literals = self.ev.evaluate(expr, frame)
        text = as_text(value)
        if not text:
            return
        span = expr.span
        line = span.line
        # A member of a class or enum named for scopes (`enum InstagramScope`, `class Permissions`)
        # is in a scope context, as a name that says scope is (Python does the same).
        named_scope = bool(target and _SCOPE_WORD.search(target)) or (
            frame.scope in self.model.classes and bool(_SCOPE_WORD.search(frame.scope.rsplit(".", 1)[-1])))
        scope_like = named_scope or self.scope_lines.near(line)
        if scope_like and not named_scope and _LONE_WORD.fullmatch(text) \
                and not self.scope_lines.on(line):
            scope_like = False  # `enum Scope {` / `class Scopes {` above a lone name is not a scope use
        ctx = Context(scope_context=scope_like, instagram_host_scope=self.host_scope, legacy_candidates=True,
                      **self.contexts)
        named = not scope_like and named_after(target, text)
        for match in self.a.matcher.match(text, ctx):
            if match.rule.detect.kind == "scope" and (key_like or named):
                # A name alone never makes a scope: a settings key, or USER_MEDIA = "user_media"
                # (where such a name is passed as a scope, that use is reported).
                continue
            if _inherited(match.rule.id, match.text, inherited):
                continue  # reported where the constant (or the previous binding) is defined
            definition = self._definition(literals, match.text)
            where = span
            if match.rule.detect.kind == "scope":
                # A scope is shown where it is written when that is inside this expression.
                literal = self._literal(literals, match.text)
                if literal is not None and span.start <= literal.start and literal.end <= span.end:
                    where = literal
            key = (where.line, match.rule.id, match.text)
            if key in self.reported:
                continue
            self.reported.add(key)
            hit = Hit(match.rule.id, where.line, self._column(where.start), where.end_line, self._column(where.end),
                      match.text, catalogue=self.catalogue and match.rule.detect.kind == "scope", extra=match.extra,
                      condition=match.condition, mixed=match.mixed, definition=definition)
            self.result.add_hit(hit, match.rule.detect.evidence)

    def _column(self, byte: int) -> int:
        start = self.data.rfind(b"\n", 0, byte) + 1
        return self.offsets.char(byte) - self.offsets.char(start) + 1

    def _literal(self, literals, matched: str):
        for path, span, text in literals:
            if path == self.model.path and matched in text:
                return span
        return None

    def _definition(self, literals, matched: str) -> tuple[str, int, int] | None:
        """The literal that holds the matched text (where a fix would edit): its display
        path and byte span, the quotes included."""
        files = self.a.files
        for path, span, text in literals:
            if matched in text or (text and text in matched and len(text) > 3):
                if path == self.model.path:
                    return (self.result.path, span.start, span.end)
                display = files.display.get(path, path) if files is not None else path
                return (display, span.start, span.end)
        return None

    def prose(self, node) -> None:
        from igmigrate.analyzers.text import prose_hits

        body = self.data[node.start_byte:node.end_byte].decode("utf-8", "replace")
        column = self._column(node.start_byte) - 1
        prose_hits(self.a.matcher, body, node.start_point[0] + 1, column, self.result, self.contexts)


def _inherited(rule_id: str, text: str, inherited: frozenset) -> bool:
    """Reported already where a definition this value reads was made: the same match; or one
    of the same rule that this match contains followed by nothing but query (a query string
    built first and put after the authorize URL, `url = url + '&limit=' + n`); or one with the
    same path once holes are normalised (a format template's %s filled at the call). A longer
    path (`OAUTH + '/authorize'`) is a new call."""
    if (rule_id, text) in inherited:
        return True
    normal = _HOLES.sub("{}", text)
    path = normal.split("?", 1)[0]
    for r, t in inherited:
        if r != rule_id or len(t) <= 8:
            continue
        t = _HOLES.sub("{}", t)
        at = normal.find(t)
        if at >= 0:
            rest = normal[at + len(t):]
            if not rest or rest[0] in "?&#" or "?" in t:
                return True
        if "/" in t and t.split("?", 1)[0] == path:
            return True
    return False


def _strings(expr: Expr):
    stack = [expr]
    while stack:
        e = stack.pop()
        if isinstance(e, Str):
            yield e.text
        elif isinstance(e, Concat):
            stack.extend(e.parts)
        elif isinstance(e, ListOf):
            stack.extend(e.items)
        elif isinstance(e, MapOf):
            stack.extend(v for _, v in e.pairs)
        elif isinstance(e, Call):
            stack.extend(e.args)


def _error_share(root) -> float:
    if not root.has_error:
        return 0.0
    total = max(1, root.end_byte - root.start_byte)
    bad = 0
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            bad += node.end_byte - node.start_byte
            continue
        if node.has_error:
            stack.extend(node.children)
    return bad / total


def _comment_nodes(root, types):
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type in types:
            yield node
            continue
        stack.extend(node.children)
