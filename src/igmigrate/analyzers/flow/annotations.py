"""HTTP clients declared by annotations (`annotations:` and `clients:` in a flow table).

Retrofit `@GET("me/media")`, JAX-RS `@Path`, Spring `@GetMapping`, Refit `[Get("/me/media")]`,
retrofit.dart `@GET('me/media')` name a path; the base URL comes from elsewhere:
  - an annotation of the interface (`@RegisterRestClient(baseUri = ...)`, `@FeignClient(url =
    ...)`, `@RestApi(baseUrl: ...)`), defined as `<base:Interface>` in the interface's scope;
  - a call that binds the interface to a base (`Retrofit.Builder().baseUrl(X)...create(Api.class)`,
    `RestService.For<IApi>(X)`), defined as the module-level name `<base:Interface>` in the
    file that makes the call (found from the interface's file like any other module name).
A path annotation becomes a site `<url>(<base:Interface>, class prefix, path)`: the URL join of
builders.py, so `https://graph.instagram.com/` + `me/media` reads as one URL.
"""

from __future__ import annotations

import re

from igmigrate.analyzers.flow.builders import dotted as _dotted
from igmigrate.analyzers.flow.ir import Call, Expr, Member, Ref, Site

URL_JOIN = "<url>"
_TYPE_ARGUMENT = re.compile(r"<\s*([A-Za-z_][\w.]*)\s*>")
_CLASS_LITERAL = re.compile(r"([A-Za-z_][\w]*)\s*(?:\.class|::class(?:\.java)?)?\s*$")


def base_name(cls: str) -> str:
    return f"<base:{cls.rsplit('.', 1)[-1]}>"


def _descendants(node, stop=()):
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        if n is not node and n.type in stop:
            continue
        stack.extend(reversed(n.children))


def info(lw, node) -> tuple[str, object | None, dict]:
    """(annotation name, first positional argument node, keyword argument nodes)."""
    conf = lw.spec.annotations
    spec = lw.spec
    name = ""
    for n in _descendants(node):
        if n is not node and n.type in spec.names:
            name = lw.text(n)
            break
    keywords: dict[str, object] = {}
    positional = None
    pair_types = conf.get("pairs") or {}
    skip: set[int] = set()
    for n in _descendants(node):
        if n.type in pair_types:
            pair = pair_types[n.type]
            named = [c for c in n.named_children if c.type not in spec.comments]
            if len(named) < int(pair.get("min", 2)):
                continue
            key, value = lw.field(n, pair.get("key", "#0")), lw.field(n, pair.get("value", "#1"))
            if key is None or value is None:
                continue
            key_name = next((lw.text(k) for k in _descendants(key) if k.type in spec.names), lw.text(key))
            keywords[key_name.rstrip(":")] = value
            skip.update(id(d) for d in _descendants(n))
    for n in _descendants(node):
        if id(n) in skip or n is node:
            continue
        if n.type in spec.strings or (n.type in spec.members and positional is None and n.start_byte > node.start_byte
                                      and lw.text(n) != name):
            positional = n
            break
    return name, positional, keywords


def owner_kind(lw, node) -> str:
    parent = node.parent
    while parent is not None:
        if parent.type in lw.spec.functions:
            return "function"
        if parent.type in lw.spec.classes:
            return "class"
        parent = parent.parent
    return ""


def annotation(lw, node, scope: str, cls: str) -> None:
    """Lower one annotation: a class's base URL or path prefix, or a method's path."""
    conf = lw.spec.annotations
    name, positional, keywords = info(lw, node)
    if not name or not cls:
        return
    kind = owner_kind(lw, node)
    bases = conf.get("bases") or {}
    if name in bases and kind == "class":
        value = keywords.get(bases[name]) if bases[name] else positional
        if value is not None:
            lw.model.define(cls, base_name(cls), lw.expr(value, scope, cls), lw.span(node))
        return
    path_node = positional
    for key in conf.get("path_keywords") or ():
        if key in keywords:
            path_node = keywords[key]
            break
    if path_node is None:
        return
    if name in (conf.get("prefixes") or ()) and kind == "class":
        lw.class_prefix[cls] = lw.expr(path_node, scope, cls)
        return
    if name not in (conf.get("paths") or ()) and name not in (conf.get("prefixes") or ()):
        return
    span = lw.span(node)
    parts: list[Expr] = [Ref(base_name(cls), span=span)]
    if cls in lw.class_prefix:
        parts.append(lw.class_prefix[cls])
    parts.append(lw.expr(path_node, scope, cls))
    lw.model.sites.append(Site(Call(Ref(URL_JOIN, span=span), tuple(parts), span=span), cls, None))


def client_binding(lw, node, call: Call, scope: str, cls: str) -> None:
    """`...baseUrl(X)...create(Api.class)`, `RestService.For<IApi>(X)`: define <base:Api>."""
    for rule in lw.spec.clients:
        method = call.callee.name if isinstance(call.callee, Member) else None
        dotted = re.sub(r"<[^<>]*>", "", _dotted(call.callee) or "")  # RestService.For<IApi> -> RestService.For
        if rule.get("method") and method == rule["method"] and call.args:
            arg = node_args_text(lw, node)
            m = _CLASS_LITERAL.search(arg)
            if m is None:
                continue
            interface = m.group(1)
            base = _chain_argument(lw, call.callee.obj, rule.get("base_method", ""), scope)
        elif rule.get("function") and (dotted == rule["function"] or dotted.endswith("." + rule["function"])):
            m = _TYPE_ARGUMENT.search(lw.text(node))
            index = int(rule.get("base_arg", 0))
            if m is None or index >= len(call.args):
                continue
            interface, base = m.group(1).rsplit(".", 1)[-1], call.args[index]
        else:
            continue
        if base is not None:
            lw.model.define("", base_name(interface), _qualify(lw, base, scope), lw.span(node))
        return


def node_args_text(lw, node) -> str:
    args = lw.field(node, lw.spec.calls[node.type].get("args", "arguments"))
    return lw.text(args).strip("()") if args is not None else ""


def _chain_argument(lw, expr: Expr, method: str, scope: str, depth: int = 0) -> Expr | None:
    """The first argument of the `method(...)` call down a receiver chain, following local
    names to what they were assigned (`retrofit = Retrofit.Builder().baseUrl(X).build()`)."""
    while depth < 8:
        depth += 1
        if isinstance(expr, Call) and isinstance(expr.callee, Member):
            if expr.callee.name == method and expr.args:
                return expr.args[0]
            expr = expr.callee.obj
            continue
        if isinstance(expr, Ref):
            found = None
            s = scope
            while True:
                defs = lw.model.definitions.get((s, expr.name))
                if defs:
                    found = defs[-1].expr
                    break
                if not s:
                    break
                s = s.rpartition(".")[0]
            if found is None:
                return None
            expr = found
            continue
        return None
    return None


def _qualify(lw, expr: Expr, scope: str) -> Expr:
    """A name of the enclosing class, read from module level: `IG_GRAPH` -> `Network.IG_GRAPH`."""
    if isinstance(expr, Ref):
        s = scope
        while s:
            if (s, expr.name) in lw.model.definitions and s in lw.model.classes:
                return Member(Ref(s, span=expr.span), expr.name, span=expr.span)
            s = s.rpartition(".")[0]
    return expr


__all__ = ["URL_JOIN", "annotation", "client_binding", "base_name"]
