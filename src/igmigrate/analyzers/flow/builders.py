"""URL builders: calls and method chains that assemble a URL from parts (`builders:` in a
flow table). Android `Uri.Builder().scheme(..).authority(..).appendPath(..)
.appendQueryParameter(k, v)`, Spring `UriComponentsBuilder.fromHttpUrl(base).path(..)
.queryParam(k, v)`, OkHttp `base.toHttpUrl().newBuilder().addPathSegments(..)`, Dart
`Uri.https(host, path, {query})` and `Uri(scheme:, host:, path:, queryParameters:)`, C#
`QueryHelpers.AddQueryString(url, query)`.

A rule names the call that starts the value (`function` as written, or `method` on any
receiver, whose receiver is then the base URL), the roles of its positional arguments
(`args`) and keyword arguments (`keywords`), a fixed `scheme`, and the roles of the chained
methods that follow (`steps`). Roles: scheme, host, base, path, segment, param (name, value),
query (a map). Chained methods a rule does not name (build, toString, encode) pass the value
through. Unknown parts stay holes; the known parts still count.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from igmigrate.analyzers.flow.ir import Call, Expr, Member, Ref

ROLES = frozenset({"scheme", "host", "base", "path", "segment", "param", "query", "ignore"})


@dataclass(frozen=True)
class BuilderRule:
    function: str | None = None
    method: str | None = None
    scheme: str | None = None
    args: tuple[str, ...] = ()
    keywords: tuple[tuple[str, str], ...] = ()
    steps: tuple[tuple[str, str], ...] = ()
    receiver: str = "base"  # method starts: the role of the receiver

    def step_role(self, name: str) -> str | None:
        return next((role for method, role in self.steps if method == name), None)


def parse_rules(entries, where: str) -> tuple[BuilderRule, ...]:
    out = []
    for i, entry in enumerate(entries or ()):
        try:
            rule = BuilderRule(
                function=entry.get("function"), method=entry.get("method"), scheme=entry.get("scheme"),
                args=tuple(entry.get("args") or ()), keywords=tuple((entry.get("keywords") or {}).items()),
                steps=tuple((entry.get("steps") or {}).items()), receiver=entry.get("receiver", "base"),
            )
        except AttributeError as exc:
            raise ValueError(f"{where}: builders[{i}]: {exc}") from None
        roles = set(rule.args) | {r for _, r in rule.keywords} | {r for _, r in rule.steps} | {rule.receiver}
        if roles - ROLES or not (rule.function or rule.method):
            raise ValueError(f"{where}: builders[{i}]: needs function or method; roles are {sorted(ROLES)}")
        out.append(rule)
    return tuple(out)


@dataclass
class _Url:
    scheme: object = None
    host: object = None
    base: object = None
    path: list = field(default_factory=list)
    params: list = field(default_factory=list)  # (name, value) or a map's text

    def text(self, piece) -> str:
        out = ""
        if self.base is not None:
            out = piece(self.base)
        elif self.host is not None:
            out = (piece(self.scheme) + "://" if self.scheme is not None else "https://") + piece(self.host)
        for part in self.path:
            text = piece(part)
            if text and not out.endswith("/") and not text.startswith("/"):
                out += "/"
            out += text
        query = []
        for item in self.params:
            query.append(item if isinstance(item, str) else f"{piece(item[0])}={piece(item[1])}")
        if query:
            out += ("&" if "?" in out else "?") + "&".join(query)
        return out


def dotted(expr: Expr | None) -> str | None:
    """`Uri.Builder` for Member(Ref(Uri), Builder): a callee as written, or None."""
    if isinstance(expr, Ref):
        return expr.name
    if isinstance(expr, Member):
        inner = dotted(expr.obj)
        return f"{inner}.{expr.name}" if inner else None
    return None


def _starts(rule: BuilderRule, call: Call) -> bool:
    if rule.function is not None:
        written = dotted(call.callee) or ""
        return written == rule.function or written.endswith("." + rule.function)
    return isinstance(call.callee, Member) and call.callee.name == rule.method


# A path annotation joined with its client's base URL (annotations.py): `<url>(base, path...)`.
URL_JOIN_RULE = BuilderRule(function="<url>", args=("base", "path", "path", "path"))


def find(rules: tuple[BuilderRule, ...], expr: Call) -> tuple[BuilderRule, Call, list[Call]] | None:
    """The rule whose start call this chain (outermost call first) goes down to, the start
    call, and the chained calls above it (innermost first)."""
    if isinstance(expr.callee, Ref) and expr.callee.name == URL_JOIN_RULE.function:
        return URL_JOIN_RULE, expr, []
    chain: list[Call] = []
    node: Expr = expr
    while isinstance(node, Call):
        for rule in rules:
            if _starts(rule, node):
                return rule, node, list(reversed(chain))
        if not isinstance(node.callee, Member):
            return None
        chain.append(node)
        node = node.callee.obj
    return None


def value(ev, found: tuple[BuilderRule, Call, list[Call]], frame, piece) -> str:
    rule, start, chain = found
    url = _Url(scheme=rule.scheme)
    if rule.method is not None and isinstance(start.callee, Member):
        _apply(url, rule.receiver, [ev.value(start.callee.obj, frame)])
    for role, arg in zip(rule.args, start.args):
        _apply(url, role, [ev.value(arg, frame)])
    keywords = dict(rule.keywords)
    for name, arg in start.keywords:
        if name in keywords:
            _apply(url, keywords[name], [ev.value(arg, frame)])
    for call in chain:
        role = rule.step_role(call.callee.name)
        if role is not None:
            _apply(url, role, [ev.value(a, frame) for a in call.args])
    return url.text(piece)


def _apply(url: _Url, role: str, values: list) -> None:
    if not values:
        return
    first = values[0]
    if role == "scheme":
        url.scheme = first
    elif role == "host":
        url.host = first
    elif role == "base":
        url.base = first
    elif role in ("path", "segment"):
        url.path.append(first)
    elif role == "param" and len(values) >= 2:
        url.params.append((first, values[1]))
    elif role == "query":
        if isinstance(first, dict):
            url.params.extend(first.items())
        elif isinstance(first, list):  # [[k, v], ...] or [{k: v}, ...] (URLQueryItem)
            for item in first:
                if isinstance(item, dict):
                    url.params.extend(item.items())
                elif isinstance(item, list) and len(item) == 2:
                    url.params.append(tuple(item))


def record_value(ev, call: Call, frame, records: dict, piece) -> str | None:
    """`components.url` where `var components = URLComponents(...)` was then set field by field
    (`components.host = ...`, `components.queryItems = [...]`): the URL those fields make."""
    if not isinstance(call.callee, Member) or not isinstance(call.callee.obj, Ref):
        return None
    name = call.callee.obj.name
    found = ev.ws.lookup(frame.model, frame.scope, name, call.span.start)
    if found is None:
        return None
    model, definition = found
    init = definition.expr
    if not isinstance(init, Call):
        return None
    kind = dotted(init.callee) or ""
    record = records.get(kind.rsplit(".", 1)[-1])
    if record is None or call.callee.name not in (record.get("results") or ()):
        return None
    url = _Url()
    # Read through the definition, so what it already reported is not reported again here.
    start = ev.definition_value(model, definition)
    if isinstance(start, str) and start:
        url.base = start
    for field_name, role in (record.get("fields") or {}).items():
        assigned = ev.ws.lookup(model, frame.scope, f"{name}.{field_name}", call.span.start)
        if assigned is not None and assigned[1].span.start > definition.span.start:  # this record's own fields
            _apply(url, role, [ev.definition_value(*assigned)])
    return url.text(piece)
