"""Evaluate flow IR into string values, across the files of one project.

Values are those of the Python analyzer: str (unknown pieces written "{name}"), list, dict,
a Hole (an unknown value that keeps its name), or None. Where part of a value is unknown the
known parts still count. A name resolves through the function's parameters (when a helper
is evaluated with its arguments), the enclosing scopes of its file, the file's imports, and
then what the language makes visible across files (workspace.py). Work is bounded: a depth
limit on expressions and helper calls, one evaluation per definition per analysis (memo),
and a cycle guard.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from igmigrate.analyzers.flow import builders
from igmigrate.analyzers.flow.builders import dotted as _dotted
from igmigrate.analyzers.flow.ir import (Call, Concat, Definition, Expr, FileModel, Format, Function, Join, ListOf,
                                         MapOf, Member, Query, Ref, Span, Str, Unknown)
from igmigrate.analyzers.flow.spec import CallRule, LanguageSpec
from igmigrate.analyzers.matching import Context, Matcher, named_after

UNKNOWN = "{}"
MAX_DEPTH = 60
MAX_CALL_DEPTH = 3
_SCOPE_WORD = re.compile(r"(?i)scope|permission")
_PRINTF = re.compile(r"%(?:\[\d+\]|\d+\$)?[-+# 0]*\d*(?:\.\d+)?(l?[svdqfxX%@])")  # Go, Java %1$s, Swift %@
_BRACE = re.compile(r"\{([A-Za-z0-9_]*)(?:[!:][^{}]*)?\}")


@dataclass(frozen=True)
class Hole:
    name: str


@dataclass(frozen=True)
class ModuleValue:
    """What `import * as m` / `require('./m')` binds: a file's exports."""

    model: FileModel


@dataclass(frozen=True)
class ClassValue:
    model: FileModel
    name: str


Value = object  # str | list | dict | Hole | ModuleValue | ClassValue | None


def piece(value: Value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, Hole):
        return "{" + value.name + "}"
    if isinstance(value, (list, dict)):
        text = as_text(value)
        return text if text is not None else UNKNOWN
    return UNKNOWN


def as_text(value: Value) -> str | None:
    """The string a value would put on the wire (lists comma-joined, maps as a query)."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        if value and all(isinstance(v, dict) for v in value):
            return "&".join(piece(v) for v in value)  # query items: [{name: value}, ...]
        return ",".join(piece(v) for v in value)
    if isinstance(value, dict):
        return "&".join(f"{k}={piece(v)}" for k, v in value.items())
    return None


def query_text(data: dict) -> str:
    """What a query builder puts on the wire: k=v&k=v, spaces encoded as '+'."""
    return "&".join(f"{k}={piece(v).replace(' ', '+')}" for k, v in data.items())


@dataclass
class Frame:
    model: FileModel
    scope: str
    env: dict[str, Value] | None = None  # parameters bound to argument values


class Evaluator:
    """One per analyzed file (its memo is that analysis's)."""

    def __init__(self, workspace, matcher: Matcher):
        self.ws = workspace
        self.matcher = matcher
        self.memo: dict[int, tuple[Value, frozenset]] = {}
        self.busy: set[int] = set()
        self.refs: set = set()  # own matches of the definitions read by the current value
        self.literals: list[tuple[str, Span, str]] = []  # (path, span, text) of the literals read
        self.depth = 0
        self.call_depth = 0

    # ------------------------------------------------------------------ entry points
    def evaluate(self, expr: Expr, frame: Frame) -> tuple[Value, frozenset, list[tuple[str, Span, str]]]:
        self.refs = set()
        self.literals = []
        value = self.value(expr, frame)
        return value, frozenset(self.refs), self.literals

    def value(self, expr: Expr, frame: Frame) -> Value:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                return None
            return self._value(expr, frame)
        except RecursionError:
            return None
        finally:
            self.depth -= 1

    def _value(self, expr: Expr, frame: Frame) -> Value:
        if isinstance(expr, Str):
            self.literals.append((frame.model.path, expr.span, expr.text))
            return expr.text
        if isinstance(expr, Concat):
            values = [self.value(p, frame) for p in expr.parts]
            if not any(isinstance(v, str) for v in values):
                return Hole(_name(expr.parts[-1])) if values else None
            return "".join(piece(v) for v in values)
        if isinstance(expr, Ref):
            return self.ref(expr, frame)
        if isinstance(expr, Member):
            return self.member(expr, frame)
        if isinstance(expr, ListOf):
            return [self.value(i, frame) for i in expr.items]
        if isinstance(expr, MapOf):
            out = {}
            for k, v in expr.pairs:
                key = self.value(k, frame) if not isinstance(k, Str) else k.text
                if isinstance(key, str):
                    out[key] = self.value(v, frame)
            return out
        if isinstance(expr, Format):
            return self.format(self.value(expr.template, frame), [self.value(a, frame) for a in expr.args], expr.style)
        if isinstance(expr, Join):
            return _join(self.value(expr.items, frame), self.value(expr.sep, frame) if expr.sep else ",")
        if isinstance(expr, Query):
            data = self.value(expr.pairs, frame)
            return query_text(data) if isinstance(data, dict) else None
        if isinstance(expr, Call):
            return self.call(expr, frame)
        if isinstance(expr, Unknown):
            return Hole(expr.name) if expr.name else None
        return None

    # ------------------------------------------------------------------ names
    def ref(self, expr: Ref, frame: Frame) -> Value:
        name = expr.name
        if frame.env is not None and name in frame.env:
            return frame.env[name]
        definition = self.ws.lookup(frame.model, frame.scope, name, expr.span.start)
        if definition is not None:
            return self.definition_value(definition[0], definition[1])
        found = self.ws.resolve_name(frame.model, frame.scope, name, self)
        if found is not None:
            return found
        return Hole(name)

    def definition_value(self, model: FileModel, definition: Definition) -> Value:
        key = id(definition)
        if key in self.memo:
            value, own = self.memo[key]
            self.refs |= own
            return value
        if key in self.busy:
            return Hole(definition.name)
        self.busy.add(key)
        outer_refs = self.refs
        self.refs = set()
        try:
            value = self.value(definition.expr, Frame(model, definition.scope))
            own = set(self.refs)
            own |= self._own_matches(value, definition.name, model)
        finally:
            self.busy.discard(key)
            self.refs = outer_refs
        self.memo[key] = (value, frozenset(own))
        self.refs |= own
        return value

    def _own_matches(self, value: Value, name: str, model: FileModel) -> set:
        """What a definition (or a helper, with its parameters unknown) reports where it is
        written: its uses do not report it again."""
        text = as_text(value)
        if not text:
            return set()
        # what the analyzer reports at the definition (a name that spells its lone
        # scope word is a key, not a scope: its uses as a scope are reported)
        scope_like = bool(_SCOPE_WORD.search(name))
        named = named_after(name, text) and not scope_like
        contexts = model.contexts or {"instagram_context": True, "instagram_oauth_context": True}
        ctx = Context(scope_context=scope_like, legacy_candidates=True, **contexts)
        return {(m.rule.id, m.text) for m in self.matcher.match(text, ctx)
                if not (named and m.rule.detect.kind == "scope")}

    def member(self, expr: Member, frame: Frame) -> Value:
        obj = expr.obj
        if isinstance(obj, Ref) and obj.name == "this":
            cls = self.ws.class_of(frame.model, frame.scope)
            if cls:
                found = self.ws.member_definition(frame.model, cls, expr.name)
                if found is not None:
                    return self.definition_value(*found)
            found = self.ws.unique_field(frame.model, expr.name)
            return self.definition_value(*found) if found is not None else Hole(expr.name)
        dotted = _dotted(obj)
        if dotted:
            found = self.ws.qualified(frame.model, frame.scope, dotted, expr.name, self)
            if found is not None:
                return self.definition_value(*found)
        base = self.value(obj, frame) if not isinstance(obj, (Str, Concat)) else None
        if isinstance(base, str) and expr.name in self.ws.spec_of(frame.model).identity_members:
            return base  # Swift `Endpoint.media.rawValue`, Kotlin/Dart `Scope.PROFILE.value`
        if isinstance(base, dict):
            return base.get(expr.name, Hole(expr.name))
        if isinstance(base, ModuleValue):
            value = self.ws.export_value(base.model, expr.name, self)
            return value if value is not None else Hole(expr.name)
        if isinstance(base, ClassValue):
            found = self.ws.member_definition(base.model, base.name, expr.name)
            return self.definition_value(*found) if found is not None else Hole(expr.name)
        if isinstance(obj, Ref) and isinstance(base, Hole):
            found = self.ws.unique_field(frame.model, expr.name)
            if found is not None:
                return self.definition_value(*found)
        return Hole(expr.name)

    # ------------------------------------------------------------------ calls
    def call(self, expr: Call, frame: Frame) -> Value:
        spec: LanguageSpec = self.ws.spec_of(frame.model)
        callee = expr.callee
        dotted, method, receiver = _callee_parts(callee)
        last = method or dotted
        if spec.builders or spec.annotation_nodes:
            found = builders.find(spec.builders, expr)
            if found is not None:
                return builders.value(self, found, frame, piece)
        if spec.records and method in spec.record_results:
            built = builders.record_value(self, expr, frame, spec.records, piece)
            if built is not None:
                return built
        if dotted in spec.identity_functions or last in spec.identity_functions:
            first = expr.args[0] if expr.args else expr.keywords[0][1] if expr.keywords else None
            return self.value(first, frame) if first is not None else None  # URL(string: x)
        if method in spec.identity_methods and receiver is not None:
            base = self.value(receiver, frame)
            return base if isinstance(base, (str, Hole)) else as_text(base)
        rule = _rule(spec.formats, dotted, method, receiver)
        if rule is not None and rule.template_keyword is not None:
            template = dict(expr.keywords).get(rule.template_keyword)
            if template is not None:  # Swift String(format: "%@/me", base)
                return self.format(self.value(template, frame), [self.value(a, frame) for a in expr.args], rule.style)
            rule = None
        if rule is not None and rule.template is None and receiver is not None:
            # `"%s/me".formatted(base)`, Kotlin `"%s/me".format(base)`: the receiver is the template
            return self.format(self.value(receiver, frame), [self.value(a, frame) for a in expr.args], rule.style)
        if rule is not None and rule.template is not None and len(expr.args) > rule.template:
            template = self.value(expr.args[rule.template], frame)
            rest = [self.value(a, frame) for a in expr.args[rule.template + 1:]]
            return self.format(template, rest, rule.style)
        rule = _rule(spec.joins, dotted, method, receiver)
        if rule is not None:
            items = self.value(receiver, frame) if rule.items is None and receiver is not None else \
                self._items(expr.args[rule.items:], frame) if rule.items is not None else None
            keywords = dict(expr.keywords)
            sep = self.value(keywords[rule.sep_keyword], frame) if rule.sep_keyword in keywords else \
                self.value(expr.args[rule.sep], frame) if rule.sep is not None and rule.sep < len(expr.args) else ","
            if isinstance(items, list):
                return _join(items, sep)
        rule = _rule(spec.queries, dotted, method, receiver)
        if rule is not None:
            if rule.arg is None and receiver is not None:
                data = self.value(receiver, frame)
            elif rule.arg is not None and rule.arg < len(expr.args):
                data = self.value(expr.args[rule.arg], frame)
            else:
                data = {k: self.value(v, frame) for k, v in expr.keywords}
            if isinstance(data, list) and all(isinstance(p, list) and len(p) == 2 for p in data):
                data = {p[0]: p[1] for p in data if isinstance(p[0], str)}
            if isinstance(data, dict):
                return query_text(data)
            if isinstance(data, str):
                return data
            return None
        helper = self.ws.function(frame.model, frame.scope, callee, self)
        if helper is not None and self.call_depth < MAX_CALL_DEPTH:
            model, function = helper
            env = {}
            for i, param in enumerate(function.params):
                env[param] = self.value(expr.args[i], frame) if i < len(expr.args) else Hole(param)
            self.call_depth += 1
            try:
                result = self._helper_value(function, Frame(model, function.own_scope, env))
                # What the helper builds whatever its arguments (`Authorize("")` returning a whole
                # authorize URL) is reported inside it; the call reports only what they add.
                alone = self._helper_value(function, Frame(model, function.own_scope,
                                                           {p: Hole(p) for p in function.params}))
                self.refs |= self._own_matches(alone, function.name, model)
            finally:
                self.call_depth -= 1
            if isinstance(result, (str, list, dict)):
                return result
        return Hole(last.rsplit(".", 1)[-1] if last else "call")

    def _helper_value(self, function: Function, frame: Frame) -> Value:
        result = self.value(function.body, frame)
        if not isinstance(result, (str, list, dict)):
            # `get(path)` returning `http.get(URI.create(base + path))`: what the helper sends
            # is the string it builds from its parameter.
            built = _built_from(function.body, frozenset(function.params))
            result = self.value(built, frame) if built is not None else result
        return result

    def _items(self, args: tuple[Expr, ...], frame: Frame) -> Value:
        """A join's items: one list argument, or the items themselves (`String.join(",", a, b)`)."""
        values = [self.value(a, frame) for a in args]
        if len(values) == 1 and isinstance(values[0], list):
            return values[0]
        return values if values else None

    def is_helper(self, expr: Call, frame: Frame) -> bool:
        """A call to a function of the project (not a format, join, query or identity call)."""
        spec: LanguageSpec = self.ws.spec_of(frame.model)
        callee = expr.callee
        dotted, method, receiver = _callee_parts(callee)
        if any(_rule(rules, dotted, method, receiver) for rules in (spec.formats, spec.joins, spec.queries)):
            return False
        return self.ws.function(frame.model, frame.scope, callee, self) is not None

    def is_builder(self, expr: Call, frame: Frame) -> bool:
        """Whether a call composes a value we evaluate whole (format, join, query, identity,
        a helper of the project) rather than one whose arguments are values of their own."""
        spec: LanguageSpec = self.ws.spec_of(frame.model)
        callee = expr.callee
        dotted, method, receiver = _callee_parts(callee)
        if dotted in spec.identity_functions or (method in spec.identity_methods and receiver is not None):
            return True
        if (spec.builders or spec.annotation_nodes) and builders.find(spec.builders, expr) is not None:
            return True
        if spec.records and method in spec.record_results and not expr.args:
            return True
        if any(_rule(rules, dotted, method, receiver) for rules in (spec.formats, spec.joins, spec.queries)):
            return True
        helper = self.ws.function(frame.model, frame.scope, callee, self)
        return helper is not None and not isinstance(helper[1].body, Unknown)

    def format(self, template: Value, args: list[Value], style: str) -> Value:
        if not isinstance(template, str):
            return None
        if style == "brace":
            counter = iter(range(1000))

            def brace(m: re.Match) -> str:
                key = m.group(1)
                index = next(counter) if key == "" else int(key) if key.isdigit() else None
                v = args[index] if index is not None and index < len(args) else None
                return piece(v) if v is not None else UNKNOWN
            return _BRACE.sub(brace, template)
        it = iter(args)

        def printf(m: re.Match) -> str:
            if m.group(1) == "%":
                return "%"
            v = next(it, None)
            return piece(v) if v is not None else UNKNOWN
        return _PRINTF.sub(printf, template)


def _built_from(expr: Expr, params: frozenset[str], depth: int = 0) -> Expr | None:
    """The first concatenation or format inside a returned call expression that reads one of
    the helper's parameters (the URL a request wrapper is given), or None."""
    if depth > 12 or not params:
        return None
    if isinstance(expr, (Concat, Format)):
        return expr if _reads(expr, params) else None
    if isinstance(expr, Call):
        for arg in (*expr.args, *(v for _, v in expr.keywords)):
            found = _built_from(arg, params, depth + 1)
            if found is not None:
                return found
        if isinstance(expr.callee, Member):
            return _built_from(expr.callee.obj, params, depth + 1)
    return None


def _reads(expr: Expr, params: frozenset[str]) -> bool:
    if isinstance(expr, Ref):
        return expr.name in params
    if isinstance(expr, Concat):
        return any(_reads(p, params) for p in expr.parts)
    if isinstance(expr, Format):
        return _reads(expr.template, params) or any(_reads(a, params) for a in expr.args)
    if isinstance(expr, Call):
        return any(_reads(a, params) for a in expr.args)
    return False


def _rule(rules: tuple[CallRule, ...], dotted: str, method: str | None, receiver: Expr | None) -> CallRule | None:
    for rule in rules:
        if rule.function is not None and (dotted == rule.function or dotted.endswith("." + rule.function)
                                          and rule.function[0].isupper()):
            return rule
        if rule.method is not None and method == rule.method and receiver is not None:
            if rule.receiver is None or _dotted(receiver) == rule.receiver:
                return rule
    return None


def _join(items: Value, sep: Value) -> Value:
    if not isinstance(items, list):
        return None
    separator = sep if isinstance(sep, str) else ","
    return separator.join(piece(i) for i in items)




def _name(expr: Expr) -> str:
    if isinstance(expr, Ref):
        return expr.name
    if isinstance(expr, Member):
        return expr.name
    if isinstance(expr, Call):
        return _name(expr.callee)
    return ""


__all__ = ["Evaluator", "Frame", "Hole", "ModuleValue", "ClassValue", "as_text", "piece", "Function"]


def _callee_parts(callee: Expr) -> tuple[str, str | None, Expr | None]:
    """A callee as the spec's call rules read it: its dotted name ("" when it has none), and
    for `obj.m(...)` the method name and the receiver."""
    if isinstance(callee, Member):
        return _dotted(callee) or "", callee.name, callee.obj
    return _dotted(callee) or "", None, None
