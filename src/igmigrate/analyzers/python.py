"""Python analyzer (libcst): resolves string values the way the program would build them.

Module constants, class attributes (self.X, cls.X, Class.X), function locals, constants
imported from other modules of the scanned tree, f-strings, `+`, `%`, `.format`, implicit
concatenation, `urljoin`, `urlencode`, params/data dicts and `",".join(...)` are evaluated
into strings; unknown pieces become "{}". Each value then goes through the shared matcher.
A finding is reported where its endpoint or scope first appears: at the use site that
composes it, or at the constant's definition when nothing composes it further.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from igmigrate.analyzers.base import FileAnalysis, Hit
from igmigrate.analyzers.python_helpers import Helper, helper_of, self_assignments
from igmigrate.analyzers.python_index import ModuleIndex, register_table_builder
from igmigrate.analyzers.python_tokens import PythonTokens, prose_hits
from igmigrate.analyzers.matching import OTHER_PLATFORM_HOST, INSTAGRAM_HOST, Context, Matcher, named_after

Value = object  # str | list | dict | None
_SCOPE_WORD = re.compile(r"(?i)scope|permission")
# Calls whose string arguments are keys (dict, settings, preferences), never scopes.
_KEY_CALLS = {"get", "pop", "setdefault", "getattr", "hasattr", "getlist", "__getitem__", "set", "put", "has",
              "remove", "delete", "contains", "getboolean", "getint", "getfloat"}
UNKNOWN = "{}"


@dataclass(frozen=True)
class Hole:
    """An unknown value that keeps its name, so "{graph_version}" reads better than "{}"."""

    name: str


def _piece(value: Value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, Hole):
        return "{" + value.name + "}"
    return UNKNOWN


@dataclass
class Binding:
    value: Value
    own: frozenset  # (rule_id, matched text) already reported at the definition


@dataclass
class ModuleTable:
    constants: dict[str, Binding] = field(default_factory=dict)
    classes: dict[str, dict[str, Binding]] = field(default_factory=dict)
    imports: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # alias -> (module, name)
    helpers: dict[tuple[str | None, str], Helper] = field(default_factory=dict)  # (class, function) -> helper


def build_table(tree: cst.Module, module: str, index: ModuleIndex | None, matcher: Matcher, depth: int) -> ModuleTable:
    table = ModuleTable()
    evaluator = Evaluator(table, module, index, matcher, depth)
    for stmt in tree.body:
        _collect_imports(stmt, table, module, index)
    for stmt in tree.body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                for name, value in _simple_assignments(small):
                    table.constants[name] = evaluator.bind(value, name)
        elif isinstance(stmt, cst.FunctionDef):
            _add_helper(table, None, stmt)
        elif isinstance(stmt, cst.ClassDef):
            attrs: dict[str, Binding] = {}
            table.classes[stmt.name.value] = attrs
            evaluator.current_class = stmt.name.value
            body = stmt.body.body if isinstance(stmt.body, cst.IndentedBlock) else []
            for inner in body:
                if isinstance(inner, cst.SimpleStatementLine):
                    for small in inner.body:
                        for name, value in _simple_assignments(small):
                            attrs[name] = evaluator.bind(value, name)
            # self.X = "..." in methods (a base URL set in __init__); the class body wins
            for inner in body:
                if isinstance(inner, cst.FunctionDef):
                    _add_helper(table, stmt.name.value, inner)
                    for name, value in self_assignments(inner):
                        if name not in attrs:
                            binding = evaluator.bind(value, name)
                            if isinstance(binding.value, (str, list, dict)):
                                attrs[name] = binding
            evaluator.current_class = None
    return table


def _add_helper(table: ModuleTable, cls: str | None, func: cst.FunctionDef) -> None:
    helper = helper_of(func, method=cls is not None)
    if helper is not None:
        table.helpers[(cls, func.name.value)] = helper


def _collect_imports(stmt, table: ModuleTable, module: str, index: ModuleIndex | None) -> None:
    if not isinstance(stmt, cst.SimpleStatementLine):
        return
    for small in stmt.body:
        if isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
            source = _dotted(small.module) if small.module else ""
            level = len(small.relative)
            target = index.resolve(module, source, level) if index else source
            for alias in small.names:
                name = _dotted(alias.name)
                local = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else name
                table.imports[local] = (target, name)
        elif isinstance(small, cst.Import):
            for alias in small.names:
                name = _dotted(alias.name)
                local = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else name
                table.imports[local] = (name, None)


def _dotted(node) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""


def _simple_assignments(small) -> list[tuple[str, cst.BaseExpression]]:
    if isinstance(small, cst.Assign) and len(small.targets) == 1:
        target = small.targets[0].target
        if isinstance(target, cst.Name):
            return [(target.value, small.value)]
    if isinstance(small, cst.AnnAssign) and small.value is not None and isinstance(small.target, cst.Name):
        return [(small.target.value, small.value)]
    return []


def as_text(value: Value) -> str | None:
    """The string a value would put on the wire (lists comma-joined, dicts as a query)."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        parts = [as_text(v) for v in value]
        return ",".join(p if p is not None else UNKNOWN for p in parts)
    if isinstance(value, dict):
        return "&".join(f"{k}={as_text(v) if as_text(v) is not None else UNKNOWN}" for k, v in value.items())
    return None


class Evaluator:
    """Turns expressions into values using the module table, class attributes and locals."""

    def __init__(self, table: ModuleTable, module: str, index: ModuleIndex | None, matcher: Matcher, depth: int = 0):
        self.table = table
        self.module = module
        self.index = index
        self.matcher = matcher
        self.depth = depth
        self.current_class: str | None = None
        self.locals: dict[str, Binding] | None = None
        self.refs: set = set()

    def bind(self, node: cst.BaseExpression, name: str | None = None) -> Binding:
        self.refs = set()
        value = self.value(node)
        text = as_text(value)
        own = set(self.refs)
        if text:
            own |= {(m.rule.id, m.text) for m in self.matcher.match(
                text, Context(instagram_context=True, scope_context=True, legacy_candidates=True))
                if not (m.rule.detect.kind == "scope" and named_after(name, text)
                        and not _SCOPE_WORD.search(self.current_class or ""))}
        return Binding(value, frozenset(own))

    def lookup_name(self, name: str) -> Value:
        for scope in (self.locals or {}, (self.table.classes.get(self.current_class) or {}) if self.current_class and self.locals is None else {}, self.table.constants):
            if name in scope:
                self.refs |= scope[name].own
                return scope[name].value
        if name in self.table.imports and self.index is not None:
            module, attr = self.table.imports[name]
            if attr is not None:
                other = self.index.table(module, self.matcher, self.depth)
                if other is not None and attr in other.constants:
                    self.refs |= other.constants[attr].own
                    return other.constants[attr].value
        return None

    def lookup_attribute(self, node: cst.Attribute) -> Value:
        attr = node.attr.value
        base = node.value
        if isinstance(base, cst.Name):
            owner = base.value
            if owner in ("self", "cls") and self.current_class:
                return self._class_attr(self.current_class, attr)
            if owner in self.table.classes:
                return self._class_attr(owner, attr)
            if owner in self.table.imports and self.index is not None:
                module, name = self.table.imports[owner]
                other = self.index.table(module if name is None else f"{module}.{name}", self.matcher, self.depth)
                if other is not None and attr in other.constants:
                    self.refs |= other.constants[attr].own
                    return other.constants[attr].value
                if name is not None:  # a class imported from a module: Hosts.GRAPH
                    owning = self.index.table(module, self.matcher, self.depth)
                    attrs = owning.classes.get(name) if owning is not None else None
                    if attrs and attr in attrs:
                        self.refs |= attrs[attr].own
                        return attrs[attr].value
        elif attr == "value" and isinstance(base, cst.Attribute):
            return self.lookup_attribute(base)  # Host.GRAPH.value: an enum member's raw value
        return None

    def _class_attr(self, cls: str, attr: str) -> Value:
        attrs = self.table.classes.get(cls) or {}
        if attr in attrs:
            self.refs |= attrs[attr].own
            return attrs[attr].value
        return None

    def value(self, node: cst.BaseExpression) -> Value:
        try:
            return self._value(node)
        except RecursionError:
            return None

    def _value(self, node) -> Value:
        if isinstance(node, cst.SimpleString):
            v = node.evaluated_value
            return v if isinstance(v, str) else v.decode("latin-1")
        if isinstance(node, cst.ConcatenatedString):
            return _concat(self.value(node.left), self.value(node.right))
        if isinstance(node, cst.FormattedString):
            out = []
            for part in node.parts:
                if isinstance(part, cst.FormattedStringText):
                    out.append(part.value)
                else:
                    out.append(_piece(self.value(part.expression)))
            return "".join(out)
        if isinstance(node, cst.Name):
            found = self.lookup_name(node.value)
            return Hole(node.value) if found is None else found
        if isinstance(node, cst.Attribute):
            found = self.lookup_attribute(node)
            return Hole(node.attr.value) if found is None else found
        if isinstance(node, cst.BinaryOperation):
            left, right = self.value(node.left), self.value(node.right)
            if isinstance(node.operator, cst.Add):
                if isinstance(left, list) and isinstance(right, list):
                    return left + right
                return _concat(left, right)
            if isinstance(node.operator, cst.Modulo) and isinstance(left, str):
                return _percent_format(left, right)
            return None
        if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
            return [self.value(e.value) if isinstance(e, cst.Element) else None for e in node.elements]
        if isinstance(node, cst.Dict):
            out = {}
            for e in node.elements:
                if isinstance(e, cst.DictElement):
                    key = self.value(e.key)
                    if isinstance(key, str):
                        out[key] = self.value(e.value)
            return out
        if isinstance(node, cst.IfExp):
            body = self.value(node.body)
            return body if body is not None else self.value(node.orelse)
        if isinstance(node, cst.Call):
            return self._call(node)
        return None

    def _call(self, node: cst.Call) -> Value:
        func = node.func
        args = [a for a in node.args if a.keyword is None and not a.star]
        name = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else ""
        if isinstance(func, cst.Attribute):
            receiver = self.value(func.value) if name in ("format", "join", "replace", "strip", "lower") else None
            if name == "format" and isinstance(receiver, str):
                return _brace_format(receiver, [self.value(a.value) for a in args],
                                     {a.keyword.value: self.value(a.value) for a in node.args if a.keyword})
            if name == "join" and isinstance(receiver, str) and args:
                items = self.value(args[0].value)
                if isinstance(items, list):
                    return receiver.join(i if isinstance(i, str) else UNKNOWN for i in items)
                return None
        if name == "urljoin" and len(args) >= 2:
            base, tail = self.value(args[0].value), self.value(args[1].value)
            if not isinstance(base, str):
                return f"{_piece(base)}/{_piece(tail).lstrip('/')}"
            return urljoin(base, _piece(tail))
        if name in ("urlencode",) and args:
            data = self.value(args[0].value)
            if isinstance(data, list):
                data = {k: v for k, v in (p for p in data if isinstance(p, list) and len(p) == 2 and isinstance(p[0], str))}
            return as_text(data) if isinstance(data, dict) else None
        if isinstance(func, (cst.Name, cst.Attribute)) and name not in ("quote", "quote_plus", "str", "dict", "get",
                                                                    "getenv", "list", "tuple", "sorted", "urlencode"):
            return Hole(name)
        if name in ("quote", "quote_plus", "str") and args:
            inner = self.value(args[0].value)
            return inner if isinstance(inner, str) else None
        if name == "dict":
            return {a.keyword.value: self.value(a.value) for a in node.args if a.keyword}
        if name in ("get", "getenv") and len(args) >= 2 and _dotted(func).endswith(("environ.get", "getenv")):
            default = self.value(args[1].value)
            return default if isinstance(default, str) else None
        if name in ("list", "tuple", "sorted") and args:
            inner = self.value(args[0].value)
            return inner if isinstance(inner, list) else None
        return None


def _concat(left: Value, right: Value) -> str | None:
    if not isinstance(left, str) and not isinstance(right, str):
        return None
    return _piece(left) + _piece(right)


def _percent_format(template: str, args: Value) -> str:
    if isinstance(args, dict):
        def named(m):
            v = args.get(m.group(1))
            return v if isinstance(v, str) else m.group(0)
        return re.sub(r"%\((\w+)\)[sdr]", named, template)
    values = args if isinstance(args, list) else [args]
    it = iter(values)

    def positional(m):
        v = next(it, None)
        return v if isinstance(v, str) else UNKNOWN
    return re.sub(r"%[sdr]", positional, template)


def _brace_format(template: str, positional: list, named: dict) -> str:
    counter = iter(range(1000))

    def repl(m):
        key = m.group(1)
        if key == "":
            idx = next(counter)
            v = positional[idx] if idx < len(positional) else None
        elif key.isdigit():
            v = positional[int(key)] if int(key) < len(positional) else None
        else:
            v = named.get(key)
        return v if isinstance(v, str) else UNKNOWN
    try:
        return re.sub(r"\{([A-Za-z0-9_]*)(?:[!:][^{}]*)?\}", repl, template)
    except (IndexError, ValueError):
        return template


@dataclass
class _Candidate:
    node: cst.CSTNode
    context_name: str | None
    key_like: bool = False


class _Collector(cst.CSTVisitor):
    """Walks the module in source order, binding locals and evaluating candidate expressions."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, analyzer: "PythonAnalyzer", evaluator: Evaluator, result: FileAnalysis, base_ctx: dict,
                 class_hosts: dict[str | None, bool], catalogue: bool):
        super().__init__()
        self.analyzer = analyzer
        self.ev = evaluator
        self.result = result
        self.base_ctx = base_ctx
        self.class_hosts = class_hosts
        self.catalogue = catalogue
        self.class_stack: list[str] = []
        self.function_stack: list[str] = []
        self.raw_hits: list[tuple[Hit, tuple[int, int, int, int], str | None]] = []
        self.evaluated: list[tuple[int, int, int, int]] = []
        self.strings: list[cst.CSTNode] = []
        self.docstrings: set[int] = set()
        self.literals: list[tuple[int, int, int, int, str]] = []
        self.literal_starts: list[tuple[int, int]] | None = None  # (line, col) of each literal, on first need

    # --- scopes
    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.class_stack.append(node.name.value)
        self.ev.current_class = node.name.value if len(self.class_stack) == 1 else self.ev.current_class
        self._mark_docstring(node.body)

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        self.class_stack.pop()
        self.ev.current_class = self.class_stack[0] if self.class_stack else None

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.function_stack.append(node.name.value)
        self._mark_docstring(node.body)
        # Locals are per function; nested functions start afresh (flow-insensitive, last binding wins).
        self.ev.locals = {}
        for param in [*node.params.params, *node.params.kwonly_params, *node.params.posonly_params]:
            if param.default is not None:
                self._candidate(param.default, param.name.value)

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.function_stack.pop()
        self.ev.locals = {} if self.function_stack else None

    def visit_Module(self, node: cst.Module) -> None:
        self._mark_docstring(node)

    def _mark_docstring(self, body) -> None:
        stmts = body.body if hasattr(body, "body") else []
        if stmts and isinstance(stmts[0], cst.SimpleStatementLine) and stmts[0].body and isinstance(stmts[0].body[0], cst.Expr):
            expr = stmts[0].body[0].value
            if isinstance(expr, (cst.SimpleString, cst.ConcatenatedString)):
                self.docstrings.add(id(expr))

    # --- candidates
    def visit_Assign(self, node: cst.Assign) -> None:
        name = _target_name(node.targets[0].target) if node.targets else None
        self._candidate(node.value, name, binding=True)
        if self.ev.locals is not None and len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
            self.ev.locals[node.targets[0].target.value] = self.ev.bind(node.value, node.targets[0].target.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._candidate(node.value, _target_name(node.target), binding=True)
            if self.ev.locals is not None and isinstance(node.target, cst.Name):
                self.ev.locals[node.target.value] = self.ev.bind(node.value, node.target.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._candidate(node.value, _target_name(node.target))

    def visit_Return(self, node: cst.Return) -> None:
        if node.value is not None:
            self._candidate(node.value, self.function_stack[-1] if self.function_stack else None)

    def visit_Call(self, node: cst.Call) -> None:
        func_name = _dotted(node.func).split(".")[-1] if _dotted(node.func) else ""
        for arg in node.args:
            if arg.keyword is not None:
                self._candidate(arg.value, arg.keyword.value)
            else:
                self._candidate(arg.value, func_name, key_like=func_name in _KEY_CALLS)
        self._through_helper(node)

    def _through_helper(self, node: cst.Call) -> None:
        """`self._get("/me/media")` where `_get` does `requests.get(self.base + path)`: the
        helper's expressions evaluated with the argument, reported at the argument."""
        func = node.func
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value in ("self", "cls"):
            key = (self.class_stack[0] if self.class_stack else None, func.attr.value)
        elif isinstance(func, cst.Name):
            key = (None, func.value)
        else:
            return
        helper = self.ev.table.helpers.get(key)
        if helper is None:
            return
        positional = [a.value for a in node.args if a.keyword is None and not a.star]
        bound = {}
        for param, arg in zip(helper.params, positional):
            value = self.ev.value(arg)
            # only an argument with known text ("/me/media", "/{id}/children") says which call
            if isinstance(value, str) and re.search(r"\w", re.sub(r"\{[^{}]*\}", "", value)):
                bound[param] = (value, arg)
        if not bound:
            return
        saved = self.ev.locals, self.ev.current_class
        self.ev.current_class = key[0]
        try:
            for sink in helper.sinks:
                self.ev.locals = {}
                baseline = as_text(self.ev.value(sink))  # what the helper reports by itself
                self.ev.locals = {p: Binding(v, frozenset()) for p, (v, _) in bound.items()}
                self.ev.refs = set()
                text = as_text(self.ev.value(sink))
                if not text or text == baseline:
                    continue
                known = {(m.rule.id, m.text) for m in self.analyzer.matcher.match(
                    baseline or "", Context(instagram_context=True, scope_context=True))}
                arg = next(iter(bound.values()))[1]
                self.analyzer.emit(self, text, self._pos(arg), key[1], False, known | set(self.ev.refs))
        finally:
            self.ev.locals, self.ev.current_class = saved

    def visit_DictElement(self, node: cst.DictElement) -> None:
        self._candidate(node.key, None, key_like=True)  # {"user_profile": ...}: a key, not a scope
        key = self.ev.value(node.key)
        self._candidate(node.value, key if isinstance(key, str) else None)

    def visit_Element(self, node: cst.Element) -> None:
        pass

    def visit_Subscript(self, node: cst.Subscript) -> None:
        for element in node.slice:
            if isinstance(element.slice, cst.Index):
                self.evaluated.append(self._pos(element.slice.value))

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        self.strings.append((node, self._pos(node), self.ev.locals, self.ev.current_class, tuple(self.class_stack)))

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        self.strings.append((node, self._pos(node), self.ev.locals, self.ev.current_class, tuple(self.class_stack)))

    def _pos(self, node) -> tuple[int, int, int, int]:
        pos = self.get_metadata(PositionProvider, node)
        return (pos.start.line, pos.start.column + 1, pos.end.line, pos.end.column + 1)

    def _candidate(self, node: cst.BaseExpression, context_name: str | None, key_like: bool = False,
                   binding: bool = False) -> None:
        if isinstance(node, (cst.Integer, cst.Float, cst.Lambda)):
            return
        span = self._pos(node)
        self.ev.refs = set()
        value = self.ev.value(node)
        text = as_text(value)
        self.evaluated.append(span)
        if not text:
            return
        inherited = set(self.ev.refs)
        self.analyzer.emit(self, text, span, context_name, key_like, inherited, binding, _key_words(value))

    def in_scope_class(self) -> bool:
        """The class body (not a method) of a class named for scopes: `class Scope(Enum)`."""
        return bool(self.class_stack and not self.function_stack and _SCOPE_WORD.search(self.class_stack[-1]))

    def region(self) -> str | None:
        return ".".join(self.class_stack) if self.class_stack else None


def _same_call_more_query(match, inherited) -> bool:
    """`url = url + "&limit=" + n`: the URL already reported, with more query parameters, is
    the same call (one finding per URL flow, not one per reassignment)."""
    return any(rule_id == match.rule.id and match.text.startswith(text) and match.text[len(text):][:1] in ("?", "&", "#")
               for rule_id, text in inherited)


def _key_words(value: Value) -> frozenset:
    """Words that are only dict keys in a value ({"user_profile": p}): keys are not scopes."""
    if not isinstance(value, dict):
        return frozenset()
    keys = {k for k in value if isinstance(k, str) and k.isidentifier()}
    values = " ".join(as_text(v) or "" for v in value.values())
    return frozenset(k for k in keys if k not in values)


def _target_name(target) -> str | None:
    if isinstance(target, cst.Name):
        return target.value
    if isinstance(target, cst.Attribute):
        return target.attr.value
    if isinstance(target, cst.Subscript) and target.slice and isinstance(target.slice[0].slice, cst.Index):
        key = target.slice[0].slice.value
        if isinstance(key, cst.SimpleString) and isinstance(key.evaluated_value, str):
            return key.evaluated_value
    return None


class PythonAnalyzer:
    def __init__(self, matcher: Matcher, index: ModuleIndex | None = None):
        self.matcher = matcher
        self.index = index

    def analyze_tokens(self, text: str, tokens: PythonTokens, result: FileAnalysis, module: str,
                       contexts: dict) -> list[tuple[int, int]] | None:
        """Adds the file's hits to result and returns its comment spans (offsets, for the
        marker scan); None when libcst cannot parse the file (the caller falls back to text rules)."""
        try:
            tree = cst.parse_module(text)
            wrapper = MetadataWrapper(tree, unsafe_skip_copy=True)
        except (cst.ParserSyntaxError, RecursionError, ValueError):
            return None
        table = build_table(tree, module, self.index, self.matcher, 0)
        evaluator = Evaluator(table, module, self.index, self.matcher)
        class_hosts = _class_hosts(table, contexts, text)
        exported = [*table.constants.values(), *(b for attrs in table.classes.values() for b in attrs.values())]
        result.exports_instagram = any(b.own or (isinstance(b.value, str) and INSTAGRAM_HOST.search(b.value))
                                       for b in exported)
        literal_names: set[str] = set()
        for m in re.finditer(r"['\"]([a-z_]{4,60})['\"]", text):
            if m.group(1) in self.matcher.known_permissions:
                literal_names.add(m.group(1))
        catalogue = self.matcher.kb.is_catalogue(literal_names)
        collector = _Collector(self, evaluator, result, contexts, class_hosts, catalogue)
        collector.literals = tokens.literals
        try:
            wrapper.visit(collector)
        except RecursionError:
            result.notices.append("expression nesting too deep; part of the file was not analyzed")
        self._leftover_strings(collector)
        self._finish(collector, result)
        prose_hits(self.matcher, tokens, result, contexts)
        return tokens.comment_spans

    def emit(self, collector: _Collector, text: str, span, context_name, key_like, inherited, binding=False,
             key_words: frozenset = frozenset()) -> None:
        region = collector.region()
        # A bare path ("oauth/access_token") bound to a name is reported where it is used.
        host_scope = not binding and collector.class_hosts.get(
            collector.class_stack[0] if collector.class_stack else None, collector.class_hosts.get(None, False))
        scope_like = bool(context_name and _SCOPE_WORD.search(context_name)) or collector.in_scope_class()
        ctx = Context(scope_context=scope_like, instagram_host_scope=host_scope, legacy_candidates=True,
                      **collector.base_ctx)
        for match in self.matcher.match(text, ctx):
            if match.rule.detect.kind == "scope" and (key_like or match.text in key_words
                                                       or (named_after(context_name, text) and not scope_like)):
                continue
            if (match.rule.id, match.text) in inherited or _same_call_more_query(match, inherited):
                continue
            where = self._literal_holding(collector, span, match.text)
            hit = Hit(match.rule.id, where[0], where[1], where[2], where[3], match.text, region=region,
                      catalogue=collector.catalogue and match.rule.detect.kind == "scope", extra=match.extra,
                      condition=match.condition, mixed=match.mixed)
            collector.raw_hits.append((hit, span, match.rule.detect.evidence))

    @staticmethod
    def _literal_holding(collector: "_Collector", span, text: str):
        """The string literal inside span that holds the matched text: a sharper location
        than the start of a long expression (a scope on the fourth line of a URL). Literals
        are in source order, so only those starting inside span are looked at (a pass over
        every literal per match was quadratic in the matches of a file)."""
        starts = collector.literal_starts
        if starts is None:
            starts = collector.literal_starts = [(lit[0], lit[1]) for lit in collector.literals]
        literals = collector.literals
        end = (span[2], span[3])
        for i in range(bisect.bisect_left(starts, (span[0], span[1])), len(literals)):
            literal = literals[i]
            if starts[i] > end:
                break
            if _contains(span, literal[:4]) and text in literal[4]:
                return literal[:4]
        return span

    def _leftover_strings(self, collector: _Collector) -> None:
        """Strings in places no candidate covered (comparisons, `in` tests, bare expressions)."""
        covered = _covered_by_any(collector.evaluated)
        for node, span, local_scope, current_class, class_stack in collector.strings:
            if id(node) in collector.docstrings:
                continue
            if covered(span):
                continue
            collector.ev.locals, collector.ev.current_class = local_scope, current_class
            collector.class_stack = list(class_stack)
            collector.ev.refs = set()
            value = collector.ev.value(node)
            if isinstance(value, str):
                self.emit(collector, value, span, None, False, set())
        collector.class_stack = []

    def _finish(self, collector: _Collector, result: FileAnalysis) -> None:
        hits = collector.raw_hits
        # Prefer the innermost expression that shows the same match (most precise location):
        # a hit is dropped when another hit of the same rule and text lies strictly inside its span.
        spans_of: dict[tuple[str, str], set] = {}
        for hit, span, _ in hits:
            spans_of.setdefault((hit.rule_id, hit.match), set()).add(span)
        outer = {key: _spans_holding_another(spans) for key, spans in spans_of.items()}
        keep = [(hit, evidence) for hit, span, evidence in hits if span not in outer[(hit.rule_id, hit.match)]]
        # A bare path ("/me/media") where the same line shows the whole URL of the same rule.
        by_line: dict[tuple[int, str], set[str]] = {}
        for hit, _ in keep:
            by_line.setdefault((hit.line, hit.rule_id), set()).add(hit.match)
        keep = [(hit, evidence) for hit, evidence in keep
                if not any(hit.match.strip("/") in other and other != hit.match
                           for other in by_line[(hit.line, hit.rule_id)])]
        seen = set()
        for hit, evidence in sorted(keep, key=lambda h: (h[0].line, h[0].rule_id, -len(h[0].match))):
            key = (hit.line, hit.rule_id, hit.match)
            if key in seen:
                continue
            seen.add(key)
            result.add_hit(hit, evidence)


def _covered_by_any(spans):
    """A test equal to `any(_contains(outer, span) for outer in spans)`, in O(log n) per
    call: the pairwise loop was 20% of the time on large modules (profile: 2.5 million
    _contains calls for one 236 KB file)."""
    ordered = sorted(((s[0], s[1]), (s[2], s[3])) for s in spans)
    starts = [start for start, _ in ordered]
    furthest = []  # furthest end among spans starting at or before each position
    for _, end in ordered:
        furthest.append(end if not furthest or end > furthest[-1] else furthest[-1])

    def covered(inner) -> bool:
        i = bisect.bisect_right(starts, (inner[0], inner[1]))
        return i > 0 and (inner[2], inner[3]) <= furthest[i - 1]

    return covered


def _spans_holding_another(spans: set) -> set:
    """The spans (line, col, end_line, end_col) that contain another span of the set, in
    O(n log n): sorted by start, the spans starting inside a span are one run of the order,
    and it holds another one exactly when the least end in that run (itself left out) is
    within its own end. Least ends of runs come from a sparse table."""
    if len(spans) < 2:
        return set()
    ordered = sorted(spans)
    starts = [(s[0], s[1]) for s in ordered]
    ends = [(s[2], s[3]) for s in ordered]
    table = [ends]  # table[k][i]: least end of ordered[i : i + 2**k]
    while 2 ** len(table) <= len(ordered):
        half, previous = 2 ** (len(table) - 1), table[-1]
        table.append([min(previous[i], previous[i + half]) for i in range(len(previous) - half)])

    def least(lo: int, hi: int):
        if lo >= hi:
            return None
        k = (hi - lo).bit_length() - 1
        return min(table[k][lo], table[k][hi - 2 ** k])

    found = set()
    for i, span in enumerate(ordered):
        end = ends[i]
        hi = bisect.bisect_right(starts, end)  # spans starting at or before this one's end
        for lo_, hi_ in ((i + 1, hi), (bisect.bisect_left(starts, starts[i]), i)):
            smallest = least(lo_, hi_)
            if smallest is not None and smallest <= end:
                found.add(span)
                break
    return found


def _contains(outer, inner) -> bool:
    return (outer[0], outer[1]) <= (inner[0], inner[1]) and (inner[2], inner[3]) <= (outer[2], outer[3])


def _class_hosts(table: ModuleTable, contexts: dict, text: str) -> dict[str | None, bool]:
    """Whether bare paths ('refresh_access_token') can be Instagram calls in each class."""
    out: dict[str | None, bool] = {None: contexts["instagram_context"] and not OTHER_PLATFORM_HOST.search(text)}
    for cls, attrs in table.classes.items():
        texts = " ".join(as_text(b.value) or "" for b in attrs.values())
        if OTHER_PLATFORM_HOST.search(texts):
            out[cls] = False
        elif INSTAGRAM_HOST.search(texts):
            out[cls] = True
        else:
            out[cls] = out[None]
    return out


register_table_builder(build_table)
