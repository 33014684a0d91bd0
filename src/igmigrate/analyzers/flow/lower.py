"""Lower a tree-sitter tree into the flow IR, driven by a LanguageSpec (rules/flow/*.yaml).

One walk over the tree: declarations become Definitions (module, class, function scopes),
functions record what they return (so a helper that prefixes a base can be evaluated with
its arguments), imports/exports are noted for cross-file lookups, and every value the
program builds (assigned, returned, passed, written as a statement) becomes a Site.
Work is linear in the tree: each node is lowered once.
"""

from __future__ import annotations

import codecs
import re
from functools import lru_cache

from igmigrate.analyzers.flow import annotations
from igmigrate.analyzers.flow.builders import dotted as _dotted
from igmigrate.analyzers.flow.ir import (Call, Concat, Expr, FileModel, Function, Import, ListOf, MapOf, Member, Ref,
                                         Site, Span, Str, Unknown)
from igmigrate.analyzers.flow.spec import LanguageSpec

MAX_DEPTH = 200  # expression nesting deeper than this is Unknown (bounded recursion)
_ESCAPE = re.compile(r"\\(?:u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)", re.DOTALL)


def _unescape(raw: str) -> str:
    if raw.startswith("\\u{"):
        try:
            return chr(int(raw[3:-1], 16))
        except ValueError:
            return raw
    try:
        return codecs.decode(raw, "unicode_escape")
    except (UnicodeDecodeError, ValueError):
        return raw[1:]


class Lowerer:
    def __init__(self, spec: LanguageSpec, source: bytes, model: FileModel):
        self.spec = spec
        self.src = source
        self.model = model
        self.receiver: str | None = None  # Go: the method receiver's name stands for `this`
        self.depth = 0
        self._anon = 0
        self.class_prefix: dict[str, Expr] = {}  # JAX-RS @Path / Spring @RequestMapping on a class
        self.class_fields: set[tuple[str, str]] = set()  # (class, field) declared without a value
        self.consumed: set[int] = set()  # sibling nodes already lowered as a function's body

    # ------------------------------------------------------------------ helpers
    def span(self, node) -> Span:
        (l1, c1), (l2, c2) = node.start_point, node.end_point
        return Span(node.start_byte, node.end_byte, l1 + 1, c1, l2 + 1, c2)

    def text(self, node) -> str:
        return self.src[node.start_byte:node.end_byte].decode("utf-8", "replace")

    def field(self, node, key: str | None):
        if not key:
            return None
        if key == ".":  # the node itself (a Kotlin lambda is its own body)
            return node
        if key.startswith("+"):  # the next named sibling of that type (Dart: a body follows its signature)
            sibling = node.next_named_sibling
            while sibling is not None and sibling.type in self.spec.comments:
                sibling = sibling.next_named_sibling
            if sibling is None:
                return None
            if key.startswith("+!"):  # ... of any type but these (Kotlin `x: T = v`: the value follows the parameter)
                return sibling if sibling.type not in key[2:].split("|") else None
            if key.startswith("+:"):  # ... that the parent holds under this field (Swift `default_value`)
                parent = node.parent
                index = next(i for i, c in enumerate(parent.children) if c.id == sibling.id)
                return sibling if parent.field_name_for_child(index) == key[2:] else None
            return sibling if sibling is not None and sibling.type in key[1:].split("|") else None
        if "/" in key:  # a path of selectors: "@call_suffix/@value_arguments"
            for part in key.split("/"):
                node = self.field(node, part) if node is not None else None
            return node
        if key.startswith("#"):
            named = [c for c in node.named_children if c.type not in self.spec.comments]
            index = int(key[1:])
            return named[index] if -len(named) <= index < len(named) else None
        if key.startswith("@"):  # the first named child of one of these types (grammars without fields)
            types = key[1:].split("|")
            return next((c for c in node.named_children if c.type in types), None)
        return node.child_by_field_name(key)

    def name_of(self, node) -> str:
        text = self.text(node)
        if "\\" in text:
            text = text.rsplit("\\", 1)[1]  # PHP \App\Endpoints: classes are found by their short name
        return text.lstrip(self.spec.strip_sigils) if self.spec.strip_sigils else text

    # ------------------------------------------------------------------ statements
    def run(self, root) -> FileModel:
        self.walk(root, "", "")
        return self.model

    def walk(self, node, scope: str, cls: str) -> None:
        """Statement-level walk: declarations, classes, functions, imports, sites."""
        spec = self.spec
        stack = [node]
        while stack:
            node = stack.pop()
            t = node.type
            if node.id in self.consumed:
                continue
            if t in spec.comments:
                self.model.comments.append((self.text(node), node.start_point[0] + 1, node.start_point[1]))
                continue
            if t in spec.annotation_nodes:
                annotations.annotation(self, node, scope, cls)
                continue
            if t in spec.classes:
                name_node = self.field(node, spec.classes[t].get("name", "name"))
                name = self.name_of(name_node).replace("::", ".") if name_node is not None else f"<class@{node.start_byte}>"
                qualified = f"{cls}.{name}" if cls else name
                self.model.classes.add(qualified)
                body = [c for c in node.named_children if c is not name_node]
                for child in body:
                    self.walk(child, qualified, qualified)
                continue
            if t in spec.functions:
                self.function(node, scope, cls, None)
                continue
            if t in spec.import_nodes and self.imports(node, scope, cls):
                continue
            if t in spec.enum_members and cls:
                self.enum_member(node, scope, cls)
                continue
            if t in spec.declarations:
                self.declaration(node, scope, cls)
                continue
            if t in spec.returns and t in spec.sequences:
                self.site(node, scope, cls, None)  # Dart `return Ig.base + path;`: one folded value
                continue
            if t in spec.returns:
                for child in node.named_children:
                    if child.type not in spec.comments:
                        self.site(child, scope, cls, None)
                continue
            if self.is_expression(t) and not self._statement_sequence(node):
                self.site(node, scope, cls, None)
                continue
            stack.extend(reversed(node.children))

    def is_expression(self, t: str) -> bool:
        s = self.spec
        return (t in s.strings or t in s.calls or t in s.binary or t in s.lists or t in s.maps or t in s.composite
                or t in s.members or t in s.sequences)

    def _statement_sequence(self, node) -> bool:
        """A sequence node that holds statements (a Dart `{ ... }` function body), not a value."""
        seq = self.spec.sequences.get(node.type)
        return seq is not None and any(c.type in (seq.get("statements") or ()) for c in node.named_children)

    def _sequence(self, nodes: list, span: Span, mode: str, scope: str, cls: str) -> Expr:
        """Dart writes `Ig.api + '/x'` and `[Perm.a, Perm.b].join(',')` as flat child lists:
        a primary, its selectors (`.name`, `(args)`), operators between operands. Fold them
        into Member/Call/Concat; several operands without operators are a list's items."""
        conf = self.spec.sequence_selectors
        operands: list[Expr] = []
        operators: list[str] = []
        current: Expr | None = None
        for n in nodes:
            if n.type in self.spec.comments:
                continue
            if n.type in conf.get("operators", ()):
                if current is not None:
                    operands.append(current)
                operators.append(self.text(n))
                current = None
                continue
            if n.type in conf.get("selectors", ()) and current is not None:
                current = self._select(current, n, scope, cls)
                continue
            if current is not None:
                operands.append(current)
            current = self.expr(n, scope, cls)
        if current is not None:
            operands.append(current)
        if mode == "list":
            return ListOf(tuple(operands), span=span)
        if not operands:
            return Unknown("", span=span)
        if operators and all(op in self.spec.concat_operators for op in operators):
            parts: list[Expr] = []
            for operand in operands:
                parts.extend(operand.parts if isinstance(operand, Concat) else (operand,))
            return Concat(tuple(parts), span=span)
        if operators:
            return Unknown(operators[0], span=span)
        return operands[0] if len(operands) == 1 else ListOf(tuple(operands), span=span)

    def _select(self, current: Expr, selector, scope: str, cls: str) -> Expr:
        conf = self.spec.sequence_selectors
        inner = next((c for c in selector.named_children if c.type not in self.spec.comments), None)
        if inner is None:
            return current
        span = Span(current.span.start, selector.end_byte, current.span.line, current.span.column,
                    selector.end_point[0] + 1, selector.end_point[1])
        if inner.type in conf.get("calls", ()):
            args_node = next((c for c in inner.named_children if c.type in conf.get("arguments", ())), inner)
            args, keywords = self._args(args_node, scope, cls)
            if self.spec.list_calls and _dotted(current) in self.spec.list_calls:
                return ListOf(args, span=span)
            return Call(current, args, keywords, span=span)
        names = [n for n in _descendants(inner) if n.type in self.spec.names]
        if names:
            return Member(current, self.name_of(names[-1]), span=span)
        return Unknown("", span=span)

    def site(self, node, scope: str, cls: str, target: str | None) -> Expr:
        expr = self.expr(node, scope, cls)
        if not isinstance(expr, (Ref, Unknown)):
            self.model.sites.append(Site(expr, scope, target))
        return expr

    def function(self, node, scope: str, cls: str, name: str | None) -> None:
        spec = self.spec.functions[node.type]
        name_node = self.field(node, spec.get("name"))
        if name_node is not None:
            name = self.name_of(name_node)
        if name is None:
            self._anon += 1
            name = f"<fn{self._anon}>"
        owner = cls
        saved = self.receiver
        receiver_node = self.field(node, spec.get("receiver"))
        if receiver_node is not None:
            owner, self.receiver = self._receiver(receiver_node)
            if owner:
                self.model.classes.add(owner)
        own_scope = f"{owner}.{name}" if owner else f"{scope}.{name}" if scope else name
        params = []
        for key in ("params", "param"):
            params_node = self.field(node, spec.get(key))
            if params_node is not None:
                params.extend(self._param_names(params_node))
        if spec.get("param_nodes"):  # Swift: parameters are children of the declaration; `name` is the inner name
            for child in node.named_children:
                if child.type in spec["param_nodes"]:
                    inner = child.child_by_field_name(spec.get("param_name", "name"))
                    if inner is not None:
                        params.append(self.name_of(inner))
        body = self.field(node, spec.get("body"))
        if body is not None and str(spec.get("body", "")).startswith("+"):
            self.consumed.add(body.id)
        if self.spec.param_defaults:
            self._param_defaults(node, body, own_scope, owner)
        if self.spec.annotation_nodes:
            skip = {c.id for c in (body, self.field(node, spec.get("params"))) if c is not None}
            for child in node.children:
                if child.id not in skip:
                    for a in _descendants(child):
                        if a.type in self.spec.annotation_nodes:
                            annotations.annotation(self, a, scope, owner or cls)
        returned: Expr = Unknown(name)
        if body is not None:
            if (body.type in self.spec.strings or self.is_expression(body.type) or body.type in self.spec.names) \
                    and not self._statement_sequence(body):
                returned = self.site(body, own_scope, owner, None)
            else:
                returned = self._walk_body(body, own_scope, owner)
        self.model.functions[(owner or scope, name)] = Function(owner or scope, name, tuple(params), returned, own_scope)
        self.receiver = saved

    def _param_defaults(self, node, body, scope: str, cls: str) -> None:
        """Default parameter values (`$scopes = ['user_profile']`, `scopes = [...]`) are values
        the code writes: sites of the function's scope, named after the parameter."""
        table = self.spec.param_defaults
        for child in node.children:
            if body is not None and child.id == body.id:
                continue
            for param in _descendants(child):
                conf = table.get(param.type)
                if conf is None:
                    continue
                value = self.field(param, conf.get("value"))
                if value is None:
                    continue
                name_node = self.field(param, conf.get("name"))
                name = self.name_of(name_node) if name_node is not None and name_node.type in self.spec.names else None
                self.site(value, scope, cls, name)

    def _walk_body(self, body, scope: str, cls: str) -> Expr:
        """Walk a function body; return what it returns (the last `return`, or the last
        expression where the language returns it implicitly)."""
        before = len(self.model.sites)
        if body.type in self.spec.functions:  # a lambda that is its own body: walk what it holds
            for child in body.children:
                self.walk(child, scope, cls)
        else:
            self.walk(body, scope, cls)
        returned: Expr = Unknown("")
        for node in _returns(body, self.spec):
            named = [c for c in node.named_children if c.type not in self.spec.comments]
            if named and node.type in self.spec.sequences:
                returned = self._site_expr(node, before) or returned
            elif named:
                returned = self._site_expr(named[0], before) or returned
        if self.spec.implicit_return:
            named = [c for c in body.named_children if c.type not in self.spec.comments]
            last = named[-1] if named else None
            if last is not None and last.type not in self.spec.returns and (
                    last.type in self.spec.strings or last.type in self.spec.names or self.is_expression(last.type)):
                returned = self._site_expr(last, before) or returned
        return returned

    def _site_expr(self, node, first_site: int) -> Expr | None:
        for site in self.model.sites[first_site:]:
            if site.expr.span.start == node.start_byte and site.expr.span.end == node.end_byte:
                return site.expr
        return self.expr(node, "", "")

    def _receiver(self, node) -> tuple[str, str | None]:
        names = [n for n in _descendants(node) if n.type in self.spec.names]
        types = [n for n in names if "type" in n.type]
        values = [n for n in names if "type" not in n.type]
        return (self.text(types[-1]) if types else ""), (self.text(values[0]) if values else None)

    def _param_names(self, node) -> list[str]:
        if node.type in self.spec.names:
            return [self.name_of(node)]
        out = []
        for child in node.named_children:
            if child.type in self.spec.names:
                out.append(self.name_of(child))
                continue
            first = next((n for n in _descendants(child) if n.type in self.spec.names and "type" not in n.type), None)
            if first is not None:
                out.append(self.name_of(first))
        return out

    def enum_member(self, node, scope: str, cls: str) -> None:
        """An enum case and the value it carries: Swift `case media = "me/media"`, Java
        `MEDIA("me/media")`, Dart `media('me/media')` (the first argument). `Enum.MEDIA`
        then reads that value; `.rawValue`/`.value` on it too (identity members)."""
        conf = self.spec.enum_members[node.type]
        name_node = self.field(node, conf.get("name", "name"))
        value = self.field(node, conf.get("value"))
        if name_node is None:
            return
        if value is not None and not (value.type in self.spec.strings or self.is_expression(value.type)
                                      or value.type in self.spec.names):
            named = [c for c in _descendants(value) if c is not value and (c.type in self.spec.strings or
                     self.is_expression(c.type) or c.type in self.spec.names)]
            value = named[0] if named else None
        name = self.name_of(name_node)
        if value is None:
            if not (conf.get("name_is_value") and self._raw_string_enum(node, conf)):
                return
            expr: Expr = Str(name, span=self.span(name_node))  # Swift `case basic` of a String enum: "basic"
        else:
            expr = self.expr(value, scope, cls)
        self.model.define(cls, name, expr, self.span(node))
        if not isinstance(expr, (Ref, Unknown)):
            self.model.sites.append(Site(expr, scope, name))

    def _raw_string_enum(self, node, conf: dict) -> bool:
        """Whether the enum holding this case declares String raw values (`enum X: String`)."""
        parent = node.parent
        while parent is not None and parent.type not in self.spec.classes:
            parent = parent.parent
        return parent is not None and any(c.type == conf.get("raw_type_node") and self.text(c).strip() == "String"
                                          for c in parent.named_children)

    def declaration(self, node, scope: str, cls: str) -> None:
        spec = self.spec.declarations[node.type]
        targets = [n for n in node.children_by_field_name(spec["target"]) if n.is_named] \
            if not spec["target"].startswith(("#", "@")) else [self.field(node, spec["target"])]
        targets = [t for t in targets if t is not None]
        if str(spec.get("value", "")).startswith("*"):
            self._sequence_declaration(node, spec, targets, scope, cls)
            return
        value = self.field(node, spec.get("value"))
        if value is not None and any(value.id == t.id for t in targets):
            value = None  # Kotlin `val x: String` (the value is the last child when there is one)
        if value is None:
            for target in targets:
                self._maybe_class_member(target, scope, cls)
            ids = {t.id for t in targets}
            for child in node.named_children:  # a computed property's body, a delegate: code too
                if child.id not in ids:
                    self.walk(child, scope, cls)
            return
        values = [value]
        if value.type in self.spec.transparent and len(targets) > 1:
            values = [c for c in value.named_children if c.type not in self.spec.comments]
        if len(values) != len(targets):
            targets, values = targets[:1], values[:1]
        operator = self.field(node, spec.get("operator"))
        append = operator is not None and self.text(operator) in self.spec.append_operators
        for target, value in zip(targets, values):
            self._bind(node, target, value, scope, cls, append, spec.get("member_of_class", False))

    def _sequence_declaration(self, node, spec: dict, targets: list, scope: str, cls: str) -> None:
        """Dart `static const graph = Ig.base + '/me'`: the value is the children after the
        name (`value: "*1"`), folded as a sequence."""
        named = [c for c in node.named_children if c.type not in self.spec.comments]
        nodes = named[int(spec["value"][1:]):]
        if not targets or not nodes:
            return
        first, last = self.span(nodes[0]), self.span(nodes[-1])
        span = Span(first.start, last.end, first.line, first.column, last.end_line, last.end_column)
        if len(nodes) == 1 and nodes[0].type in self.spec.functions:
            self.function(nodes[0], scope, cls, self.name_of(targets[0]))
            return
        expr = self._sequence(nodes, span, "value", scope, cls)
        name, where = self._target(targets[0], scope, cls, spec.get("member_of_class", False))
        if name:
            self.model.define(where, name, expr, self.span(node))
        if not isinstance(expr, (Ref, Unknown)):
            self.model.sites.append(Site(expr, scope, name))

    def _maybe_class_member(self, target, scope, cls) -> None:
        """A field declared without a value (`private readonly string _base;`): a later
        `_base = Graph.Base` in a constructor assigns the field, not a local."""
        while target.type in self.spec.transparent and target.named_child_count:
            target = target.named_children[0]
        if cls and scope == cls and target.type in self.spec.names:
            self.class_fields.add((cls, self.name_of(target)))

    def _bind(self, node, target, value, scope, cls, append: bool, member_of_class: bool) -> None:
        while target.type in self.spec.transparent and target.named_child_count:
            target = target.named_children[0]
        if value.type in self.spec.functions:
            name = self.name_of(target) if target.type in self.spec.names else None
            self.function(value, scope, cls, name)
            return
        if self.spec.imports == "es" and self._require(target, value):
            return
        name, where = self._target(target, scope, cls, member_of_class)
        expr = self.expr(value, scope, cls)
        if append and name:
            expr = Concat((Ref(name, span=self.span(target)), expr), span=self.span(value))
        if name:
            self.model.define(where, name, expr, self.span(node))
            if where == "" and self.spec.imports == "es":
                self._commonjs_export(name, expr)
        if not isinstance(expr, (Ref, Unknown)) or append:
            self.model.sites.append(Site(expr, scope, name))

    def _target(self, target, scope: str, cls: str, member_of_class: bool) -> tuple[str | None, str]:
        """(name, scope it is bound in): locals in the current scope, `this.x`/`@x`/`$this->x`
        on the class, dotted module names (`exports.X`, `Config.base`) at module level."""
        t = target.type
        if t in self.spec.names:
            name = self.name_of(target)
            if member_of_class and cls:
                return name, cls
            if cls and scope != cls and (cls, name) in self.class_fields and (scope, name) not in self.model.definitions:
                return name, cls
            return name, scope
        if t in self.spec.this_members:
            return self.name_of(target), cls
        if t in self.spec.members:
            member = self.expr(target, scope, cls)
            if isinstance(member, Member):
                if isinstance(member.obj, Ref) and member.obj.name == "this":
                    return member.name, cls
                dotted = _dotted(member)
                if dotted:
                    return dotted, ""
        return None, scope

    def _commonjs_export(self, name: str, expr: Expr) -> None:
        if name == "module.exports":
            self.model.exports["module.exports"] = expr
        elif name.startswith(("module.exports.", "exports.")) and name.count(".") == name.startswith("module.") + 1:
            self.model.exports[name.rsplit(".", 1)[1]] = expr

    # ------------------------------------------------------------------ imports
    def imports(self, node, scope: str, cls: str) -> bool:
        kind = self.spec.import_nodes[node.type].get("kind", "")
        handler = getattr(self, f"_import_{kind}", None)
        return bool(handler and handler(node, scope, cls))

    def _source_text(self, node) -> str:
        return "".join(self.text(c) for c in _descendants(node) if c.type in self.spec.string_content)

    def _import_es_import(self, node, scope, cls) -> bool:
        source = node.child_by_field_name("source")
        if source is None:
            return True
        src = self._source_text(source)
        for clause in node.named_children:
            if clause.type != "import_clause":
                continue
            for part in clause.named_children:
                if part.type == "identifier":
                    self.model.imports[self.text(part)] = Import(self.text(part), src, "default")
                elif part.type == "namespace_import":
                    ident = next((c for c in part.named_children if c.type == "identifier"), None)
                    if ident is not None:
                        self.model.imports[self.text(ident)] = Import(self.text(ident), src, None)
                elif part.type == "named_imports":
                    for spec in part.named_children:
                        if spec.type != "import_specifier":
                            continue
                        name = spec.child_by_field_name("name")
                        alias = spec.child_by_field_name("alias") or name
                        if name is not None:
                            self.model.imports[self.text(alias)] = Import(self.text(alias), src, self.text(name))
        return True

    def _import_es_export(self, node, scope, cls) -> bool:
        source = node.child_by_field_name("source")
        declaration = node.child_by_field_name("declaration")
        value = node.child_by_field_name("value")
        if declaration is not None:
            before = set(self.model.definitions)
            self.walk(declaration, scope, cls)
            for key in set(self.model.definitions) - before:
                if key[0] == "":
                    self.model.exports[key[1]] = Ref(key[1])
            for (owner, name) in list(self.model.functions):
                if owner == "" and name not in self.model.exports:
                    self.model.exports[name] = Ref(name)
            named = declaration.child_by_field_name("name")
            if named is not None and self.name_of(named) in self.model.classes:
                self.model.exports[self.name_of(named)] = Ref(self.name_of(named))
            return True
        if value is not None:
            if value.type in self.spec.functions or value.type in self.spec.classes:
                self.walk(value, scope, cls)
                self.model.exports["default"] = Unknown("default")
            else:
                self.model.exports["default"] = self.site(value, scope, cls, None)
            return True
        src = self._source_text(source) if source is not None else None
        clause = next((c for c in node.named_children if c.type == "export_clause"), None)
        if clause is None:
            if src is not None:
                self.model.reexports.append((src, None, None))  # export * from './x'
            return True
        for spec in clause.named_children:
            name = spec.child_by_field_name("name")
            alias = spec.child_by_field_name("alias") or name
            if name is None:
                continue
            if src is not None:
                self.model.reexports.append((src, self.text(name), self.text(alias)))
            else:
                self.model.exports[self.text(alias)] = Ref(self.text(name))
        return True

    def _require(self, target, value) -> bool:
        """`const ep = require('./ep')`, `const {A, B: b} = require('./a')`, `require('./a').A`."""
        member = None
        call = value
        if value.type == "member_expression":
            call, member = value.child_by_field_name("object"), value.child_by_field_name("property")
        if call is None or call.type != "call_expression":
            return False
        fn = call.child_by_field_name("function")
        if fn is None or self.text(fn) != "require":
            return False
        src = self._source_text(call.child_by_field_name("arguments") or call)
        if target.type in self.spec.names:
            local = self.name_of(target)
            self.model.imports[local] = Import(local, src, self.text(member) if member is not None else None)
            return True
        if target.type == "object_pattern":
            for part in target.named_children:
                if part.type == "shorthand_property_identifier_pattern":
                    self.model.imports[self.text(part)] = Import(self.text(part), src, self.text(part))
                elif part.type == "pair_pattern":
                    key, val = part.child_by_field_name("key"), part.child_by_field_name("value")
                    if key is not None and val is not None:
                        self.model.imports[self.text(val)] = Import(self.text(val), src, self.text(key))
            return True
        return False

    def _import_php_use(self, node, scope, cls) -> bool:
        for clause in _descendants(node):
            if clause.type != "namespace_use_clause":
                continue
            named = [c for c in clause.named_children]
            if not named:
                continue
            full = self.text(named[0]).lstrip("\\")
            alias = self.text(named[-1]) if len(named) > 1 else full.rsplit("\\", 1)[-1]
            self.model.imports[alias] = Import(alias, full, full.rsplit("\\", 1)[-1])
        return True

    def _import_dotted(self, node, scope, cls) -> bool:
        """Java/Kotlin `import a.b.C`, `import static a.b.C.X`, C# `using static A.B.C`,
        `using X = A.B.C`: a dotted path binds its last segment (or an alias). A static
        import of a whole class (C# `using static`, Java `import static a.b.C.*`) makes the
        class's members visible unqualified: it is kept as a star import ("*" + path)."""
        conf = self.spec.import_nodes[node.type]
        words = {self.text(c) for c in node.children if not c.is_named}
        path_node = self.field(node, conf.get("path")) if conf.get("path") else next(
            (c for c in node.named_children if c.type in conf.get("path_types", ())), None)
        if path_node is None:
            return True
        path = self.text(path_node).replace(" ", "")
        alias_node = self.field(node, conf.get("alias")) if conf.get("alias") else None
        wildcard = path.endswith(".*") or any(c.type in ("asterisk", "wildcard_import") or self.text(c) == "*"
                                              for c in node.children)
        path = path.removesuffix(".*")
        static = bool(conf.get("static_word")) and conf["static_word"] in words
        if conf.get("whole_class_when_static") and static:
            wildcard = True
        if wildcard:
            if static:
                self.model.imports["*" + path] = Import("*" + path, path, None)
            return True
        if conf.get("alias_only") and alias_node is None and not static:
            return True  # C# `using A.B;` opens a namespace, it binds no name
        local = self.text(alias_node).strip() if alias_node is not None else path.rsplit(".", 1)[-1]
        self.model.imports[local] = Import(local, path, path.rsplit(".", 1)[-1])
        return True

    def _import_path(self, node, scope, cls) -> bool:
        """Dart `import 'config.dart';` (every top-level name of the library becomes visible:
        a star import) and `import 'config.dart' as cfg;` (a namespace)."""
        conf = self.spec.import_nodes[node.type]
        source = next((n for n in _descendants(node) if n.type in self.spec.strings), None)
        if source is None:
            return True
        src = self.text(source).strip("'\"")
        alias = next((n for n in _descendants(node) if n.type in conf.get("alias_types", ())), None)
        if alias is not None:
            name = next((n for n in _descendants(alias) if n.type in self.spec.names), None)
            if name is not None:
                self.model.imports[self.text(name)] = Import(self.text(name), src, None)
                return True
        self.model.imports["*" + src] = Import("*" + src, src, None)
        return True

    def _import_ruby_require(self, node, scope, cls) -> bool:
        callee = node.child_by_field_name("method")
        if callee is None or self.text(callee) not in ("require_relative", "require", "load"):
            return False
        args = node.child_by_field_name("arguments")
        if args is not None:
            src = self._source_text(args)
            if src:
                self.model.requires.append(("./" if self.text(callee) == "require_relative" else "") + src)
        return False  # still a call: its arguments are values too

    # ------------------------------------------------------------------ expressions
    def expr(self, node, scope: str, cls: str) -> Expr:
        if node is None:
            return Unknown("")
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                return Unknown("", span=self.span(node))
            return self._expr(node, scope, cls)
        finally:
            self.depth -= 1

    def _expr(self, node, scope: str, cls: str) -> Expr:
        spec = self.spec
        t = node.type
        span = self.span(node)
        if t in spec.sequences:
            seq = spec.sequences[t]
            named = [c for c in node.named_children if c.type not in spec.comments]
            return self._sequence(named[int(seq.get("skip", 0)):], span, seq.get("mode", "value"), scope, cls)
        if t in spec.strings:
            return self._string(node, scope, cls)
        if t in spec.symbols:
            return Str(self.text(node).strip(":"), span=span)
        if t in spec.this:
            return Ref("this", span=span)
        if t in spec.this_members:
            return Member(Ref("this", span=span), self.name_of(node), span=span)
        if t in spec.names:
            name = self.name_of(node)
            if (self.receiver is not None and name == self.receiver) or name in spec.this_names:
                return Ref("this", span=span)
            return Ref(name, span=span)
        if t in spec.pair_nodes:
            pair = spec.pair_nodes[t]
            key, op, value = (self.field(node, pair.get(k)) for k in ("key", "operator", "value"))
            if key is not None and value is not None and (op is None or self.text(op) == pair.get("word", self.text(op))):
                key_expr = self.expr(key, scope, cls)
                if isinstance(key_expr, Str):
                    return MapOf(((key_expr, self.expr(value, scope, cls)),), span=span)
            return Unknown("pair", span=span)
        if t in spec.transparent:
            named = [c for c in node.named_children if c.type not in spec.comments]
            if len(named) == 1 or (named and t not in spec.lists):
                return self.expr(named[0], scope, cls)
            return Unknown(t, span=span)
        if t in spec.members:
            m = spec.members[t]
            obj = self.expr(self.field(node, m.get("object")), scope, cls)
            if "key" in m:
                key = self.expr(self.field(node, m["key"]), scope, cls)
                if isinstance(key, Str):
                    return Member(obj, key.text, span=span)
                return Unknown("item", span=span)
            name_node = self.field(node, m.get("name"))
            name = self.name_of(name_node) if name_node is not None else ""
            if name in spec.record_results and isinstance(obj, Ref):
                # `components.url`: read as a call, so the builder sees the record's fields
                return Call(Member(obj, name, span=span), (), span=span)
            return Member(obj, name, span=span)
        if t in spec.binary:
            return self._binary(node, scope, cls)
        if t in spec.calls:
            return self._call(node, scope, cls)
        if t in spec.lists:
            items = tuple(self.expr(c, scope, cls) for c in node.named_children if c.type not in spec.comments)
            return ListOf(items, span=span)
        if t in spec.maps:
            return self._map(node, spec.maps[t], scope, cls)
        if t in spec.composite:
            return self._composite(node, scope, cls)
        if t in spec.functions:
            self.function(node, scope, cls, None)
            return Unknown("function", span=span)
        if t in spec.classes:
            self.walk(node, scope, cls)
            return Unknown("class", span=span)
        return Unknown(t if node.named_child_count == 0 else "", span=span)

    def _string(self, node, scope: str, cls: str) -> Expr:
        if self.spec.string_gaps:
            return self._gap_string(node, scope, cls)
        parts: list[Expr] = []
        buffer: list[str] = []
        start = None
        spec = self.spec
        named = [c for c in node.named_children if c.type not in spec.comments]
        if not named and 1 <= node.child_count <= 2:  # "" (a leaf literal, C# @"...", is read below)
            return Str("", span=self.span(node))
        for child in named:
            if child.type in spec.string_ignore:
                continue  # `$` and braces of C# interpolated strings, raw string delimiters
            if child.type in spec.string_content or child.type in spec.escapes:
                if start is None:
                    start = child
                raw = self.text(child)
                buffer.append(_unescape(raw) if child.type in spec.escapes else raw)
                continue
            if buffer:
                parts.append(Str("".join(buffer), span=self._join_span(start, child)))
                buffer, start = [], None
            inner = child
            if child.type in spec.wrappers:
                inner_named = [c for c in child.named_children if c.type not in spec.comments
                               and c.type not in spec.string_ignore]
                if not inner_named:
                    continue
                inner = inner_named[0]
            parts.append(self.expr(inner, scope, cls))
        if buffer:
            parts.append(Str("".join(buffer), span=self._join_span(start, None)))
        if not named:
            body = self.text(node).lstrip(spec.string_prefix)  # C# @"verbatim": the prefix is no text
            if spec.string_prefix and '""' in body[1:-1]:
                body = body[0] + body[1:-1].replace('""', '"') + body[-1]  # a doubled quote is one quote
            return Str(body[1:-1] if len(body) >= 2 else body, span=self.span(node))
        if spec.inline_refs:
            parts = self._inline_refs(parts)
        if len(parts) == 1 and isinstance(parts[0], Str):
            # The literal's own span: a fix replaces the whole literal, quotes included.
            return Str(parts[0].text, span=self.span(node))
        return Concat(tuple(parts), span=self.span(node))

    def _gap_string(self, node, scope: str, cls: str) -> Expr:
        """Dart: a literal's text is the bytes between its interpolations (the grammar has no
        text nodes), less the prefix and quotes (r, one or three quote characters)."""
        raw = self.src[node.start_byte:node.end_byte]
        prefix = len(raw) - len(raw.lstrip(b"r"))
        width = 3 if raw[prefix:prefix + 3] in (b"'" * 3, b'"' * 3) else 1
        start, end = node.start_byte + prefix + width, max(node.start_byte + prefix + width, node.end_byte - width)
        parts: list[Expr] = []
        position = start
        for child in node.named_children:
            if child.type in self.spec.comments:
                continue
            if child.start_byte > position:
                parts.append(Str(self._unescape_text(self.src[position:child.start_byte]), span=self.span(node)))
            if child.type in self.spec.wrappers:
                named = [c for c in child.named_children if c.type not in self.spec.comments]
                parts.append(self._sequence(named, self.span(child), "value", scope, cls))
            elif child.type in self.spec.escapes:
                parts.append(Str(_unescape(self.text(child)), span=self.span(child)))
            else:
                parts.append(self.expr(child, scope, cls))
            position = max(position, child.end_byte)
        if end > position:
            parts.append(Str(self._unescape_text(self.src[position:end]), span=self.span(node)))
        if not parts:
            return Str("", span=self.span(node))
        if len(parts) == 1 and isinstance(parts[0], Str):
            return Str(parts[0].text, span=self.span(node))
        return Concat(tuple(parts), span=self.span(node))

    def _unescape_text(self, raw: bytes) -> str:
        return _ESCAPE.sub(lambda m: _unescape(m.group(0)), raw.decode("utf-8", "replace"))

    def _inline_refs(self, parts: list[Expr]) -> list[Expr]:
        """Names a grammar leaves inside string text (Kotlin `"$BASE/me"` is text, unlike
        `"${BASE}/me"`): split into text and references with the table's pattern."""
        pattern = _inline_pattern(self.spec.inline_refs)
        out: list[Expr] = []
        for part in parts:
            if not isinstance(part, Str) or not pattern.search(part.text):
                out.append(part)
                continue
            last = 0
            for m in pattern.finditer(part.text):
                if m.start() > last:
                    out.append(Str(part.text[last:m.start()], span=part.span))
                out.append(Ref(m.group(1), span=part.span))
                last = m.end()
            if last < len(part.text):
                out.append(Str(part.text[last:], span=part.span))
        return out

    def _join_span(self, first, stop) -> Span:
        end_node = first
        # contiguous content children from `first` up to (not including) `stop`
        sibling = first
        while sibling is not None and sibling != stop:
            if sibling.type in self.spec.string_content or sibling.type in self.spec.escapes:
                end_node = sibling
            sibling = sibling.next_named_sibling
            if sibling is not None and sibling.type not in self.spec.string_content and sibling.type not in self.spec.escapes:
                break
        s, e = self.span(first), self.span(end_node)
        return Span(s.start, e.end, s.line, s.column, e.end_line, e.end_column)

    def _binary(self, node, scope: str, cls: str) -> Expr:
        b = self.spec.binary[node.type]
        op_node = self.field(node, b.get("operator", "operator"))
        op = self.text(op_node) if op_node is not None else ""
        left = self.expr(self.field(node, b.get("left", "left")), scope, cls)
        right = self.expr(self.field(node, b.get("right", "right")), scope, cls)
        span = self.span(node)
        if op in self.spec.concat_operators:
            parts = (left.parts if isinstance(left, Concat) and not isinstance(left, Str) else (left,)) + (right,)
            return Concat(parts, span=span)
        if op in self.spec.format_operators:
            from igmigrate.analyzers.flow.ir import Format

            args = right.items if isinstance(right, ListOf) else (right,)
            return Format(left, args, "printf", span=span)
        return Unknown(op, span=span)

    def _args(self, node, scope: str, cls: str) -> tuple[tuple[Expr, ...], tuple[tuple[str, Expr], ...]]:
        if node is None:
            return (), ()
        if node.type in self.spec.strings or node.type in self.spec.names or self.is_expression(node.type):
            return (self.expr(node, scope, cls),), ()  # Ruby `puts "x"`, a template tag
        args: list[Expr] = []
        keywords: list[tuple[str, Expr]] = []
        pair_types = {p for m in self.spec.maps.values() for p in m.get("pairs", ())}
        for child in node.named_children:
            if child.type in self.spec.comments:
                continue
            inner = child
            if child.type in self.spec.keyword_args:
                # `separator = ","`, `separator: ","`, `name: "scope"`: an argument passed by name
                conf = self.spec.keyword_args[child.type]
                named = [c for c in child.named_children if c.type not in self.spec.comments]
                key, value = self.field(child, conf.get("name", "#0")), self.field(child, conf.get("value", "#-1"))
                if len(named) >= 2 and key is not None and value is not None and key.id != value.id:
                    label = next((n for n in _descendants(key) if n.type in self.spec.names), key)
                    keywords.append((self.name_of(label), self.expr(value, scope, cls)))
                    continue
                if len(named) == 1:
                    inner = named[0]
            if child.type in self.spec.transparent and child.named_child_count == 1:
                inner = child.named_children[0]
            if inner.type in pair_types:
                m = next(m for m in self.spec.maps.values() if inner.type in m.get("pairs", ()))
                key = self.field(inner, m.get("key", "key"))
                value = self.field(inner, m.get("value", "value"))
                if key is not None and value is not None:
                    keywords.append((self._key_text(key, scope, cls), self.expr(value, scope, cls)))
                    continue
            args.append(self.expr(inner, scope, cls))
        return tuple(args), tuple(keywords)

    def _call(self, node, scope: str, cls: str) -> Expr:
        c = self.spec.calls[node.type]
        span = self.span(node)
        if "method" in c:
            method = self.field(node, c["method"])
            receiver = self.field(node, c.get("receiver"))
            name = self.name_of(method) if method is not None else ""
            callee: Expr = Member(self.expr(receiver, scope, cls), name, span=span) if receiver is not None \
                else Ref(name, span=span)
        else:
            callee = self.expr(self.field(node, c.get("callee")), scope, cls)
        args, keywords = self._args(self.field(node, c.get("args", "arguments")), scope, cls)
        if self.spec.list_calls and _dotted(callee) in self.spec.list_calls:
            return ListOf(args, span=span)  # List.of("a", "b"), listOf(...), arrayOf(...)
        pair_call = self.spec.pair_calls.get(_dotted(callee) or "")
        if pair_call is not None:  # URLQueryItem(name: "scope", value: v): one query pair
            named = dict(keywords)
            key, value = named.get(pair_call.get("key", "name")), named.get(pair_call.get("value", "value"))
            if key is not None and value is not None:
                return MapOf(((key, value),), span=span)
        if self.spec.map_calls and _dotted(callee) in self.spec.map_calls:
            pairs = tuple(p for a in args if isinstance(a, MapOf) for p in a.pairs)
            return MapOf(pairs, span=span)  # mapOf("scope" to "...", ...)
        initializer = self.field(node, c.get("initializer"))
        if initializer is not None and not args:
            return self.expr(initializer, scope, cls)  # new List<string> { "a", "b" }: the collection itself
        trailing = self.field(node, c.get("trailing"))
        if trailing is not None:
            args = args + (self.expr(trailing, scope, cls),)  # Kotlin/Swift trailing lambda: its body is code too
        call = Call(callee, args, keywords, span=span)
        if self.spec.clients:
            annotations.client_binding(self, node, call, scope, cls)
        for child in node.named_children:
            if child.type in self.spec.functions and child != trailing:
                self.function(child, scope, cls, None)  # Ruby do ... end blocks: code of their own
        if self.spec.import_nodes.get(node.type, {}).get("kind") == "ruby_require":
            self._import_ruby_require(node, scope, cls)
        return call

    def _key_text(self, key, scope, cls) -> str:
        if key.type in self.spec.names or key.type in self.spec.symbols:
            return self.name_of(key).strip(":")
        expr = self.expr(key, scope, cls)
        return expr.text if isinstance(expr, Str) else ""

    def _map(self, node, m: dict, scope: str, cls: str) -> Expr:
        pairs: list[tuple[Expr, Expr]] = []
        items: list[Expr] = []
        if m.get("inline"):  # Swift `["k": v, ...]`: keys and values are fields of the literal itself
            keys, values = node.children_by_field_name(m.get("key", "key")), node.children_by_field_name(m.get("value", "value"))
            for key, value in zip(keys, values):
                pairs.append((Str(self._key_text(key, scope, cls), span=self.span(key)), self.expr(value, scope, cls)))
            return MapOf(tuple(pairs), span=self.span(node))
        for child in node.named_children:
            if child.type in self.spec.comments:
                continue
            if child.type in m.get("pairs", ()):
                key = self.field(child, m.get("key", "key"))
                value = self.field(child, m.get("value", "value"))
                if key is None or value is None:
                    named = [c for c in child.named_children if c.type not in self.spec.comments]
                    if len(named) == 1:
                        items.append(self.expr(named[0], scope, cls))
                    continue
                while key.type in self.spec.transparent and key.named_child_count:
                    key = key.named_children[0]
                pairs.append((Str(self._key_text(key, scope, cls), span=self.span(key)), self.expr(value, scope, cls)))
            elif child.type in m.get("shorthand", ()):
                pairs.append((Str(self.text(child), span=self.span(child)), Ref(self.text(child), span=self.span(child))))
            else:
                items.append(self.expr(child, scope, cls))
        if items and not pairs:
            return ListOf(tuple(items), span=self.span(node))
        return MapOf(tuple(pairs), span=self.span(node))

    def _composite(self, node, scope: str, cls: str) -> Expr:
        """Go `&Client{base: graphBase}`: a map value, and field definitions of its type."""
        c = self.spec.composite[node.type]
        type_node = self.field(node, c.get("type", "type"))
        body = self.field(node, c.get("body", "body"))
        value = self.expr(body, scope, cls) if body is not None else Unknown("")
        if type_node is not None and type_node.type in self.spec.names and isinstance(value, MapOf):
            type_name = self.text(type_node)
            self.model.classes.add(type_name)
            for key, item in value.pairs:
                if isinstance(key, Str) and key.text.isidentifier():
                    self.model.define(type_name, key.text, item, self.span(node))
        return value


@lru_cache(maxsize=16)
def _inline_pattern(pattern: str) -> re.Pattern:
    return re.compile(pattern)


def _descendants(node):
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(n.children))


def _returns(body, spec: LanguageSpec):
    """Return statements of a body, not of functions nested in it."""
    stack = [body]
    while stack:
        n = stack.pop()
        if n.type in spec.returns:
            yield n
            continue
        if n is not body and (n.type in spec.functions or n.type in spec.classes):
            continue
        stack.extend(reversed(n.children))




def lower(spec: LanguageSpec, source: bytes, tree, path: str) -> FileModel:
    model = FileModel(language=spec.name, path=path)
    return Lowerer(spec, source, model).run(tree.root_node)
