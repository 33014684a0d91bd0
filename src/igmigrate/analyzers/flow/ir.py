"""The language-neutral value-flow IR: what a tree-sitter tree is lowered into.

Every node keeps its source span, so a finding can point at the expression that composed a
value and a fix can point at the literal that defined it. Lowering (lower.py) builds these
from a tree, driven by rules/flow/<language>.yaml; evaluation (evaluate.py) turns them into
strings with holes. Nothing here knows a language.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Span:
    start: int  # byte offsets into the UTF-8 text the tree was parsed from
    end: int
    line: int  # 1-based
    column: int  # 0-based byte column
    end_line: int
    end_column: int


NO_SPAN = Span(0, 0, 1, 0, 1, 0)


@dataclass(frozen=True)
class Expr:
    span: Span = field(default=NO_SPAN, compare=False, kw_only=True)


@dataclass(frozen=True)
class Str(Expr):
    text: str


@dataclass(frozen=True)
class Ref(Expr):
    name: str  # a bare name; "this" for this/self/$this/@ receivers


@dataclass(frozen=True)
class Member(Expr):
    obj: Expr
    name: str  # attribute, class constant, static member, struct field, map key


@dataclass(frozen=True)
class Concat(Expr):
    parts: tuple[Expr, ...]


@dataclass(frozen=True)
class Format(Expr):
    template: Expr
    args: tuple[Expr, ...]
    style: str  # printf | brace


@dataclass(frozen=True)
class Join(Expr):
    items: Expr
    sep: Expr | None


@dataclass(frozen=True)
class Query(Expr):
    pairs: Expr  # a MapOf (or a Ref to one): k=v&k=v


@dataclass(frozen=True)
class Call(Expr):
    callee: Expr
    args: tuple[Expr, ...]
    keywords: tuple[tuple[str, Expr], ...] = ()


@dataclass(frozen=True)
class ListOf(Expr):
    items: tuple[Expr, ...]


@dataclass(frozen=True)
class MapOf(Expr):
    pairs: tuple[tuple[Expr, Expr], ...]


@dataclass(frozen=True)
class Unknown(Expr):
    name: str = ""


@dataclass(frozen=True)
class Definition:
    """`scope` + `name` is bound to `expr` at `span` (the whole declaration)."""

    scope: str  # "" module level, "Class", "Class.method", "function"
    name: str
    expr: Expr
    span: Span


@dataclass(frozen=True)
class Function:
    scope: str  # where the function is declared ("" or a class name)
    name: str
    params: tuple[str, ...]
    body: Expr  # what it returns (the last return found)
    own_scope: str  # the scope its locals live in


@dataclass(frozen=True)
class Site:
    """An expression worth matching: a value a program builds (assigned, returned, passed)."""

    expr: Expr
    scope: str
    target: str | None  # the name it is assigned to or passed as (scope context)


@dataclass(frozen=True)
class Import:
    local: str  # name bound in this file
    source: str  # module specifier or file hint ("./endpoints", "App\\Endpoints", "")
    name: str | None  # the exported name; None = the whole module (namespace / require)


@dataclass
class FileModel:
    """One file lowered: what it defines, what it imports, and what it builds."""

    language: str
    path: str  # absolute path (cross-file keys), or the display path for a lone file
    definitions: dict[tuple[str, str], list[Definition]] = field(default_factory=dict)
    functions: dict[tuple[str, str], Function] = field(default_factory=dict)
    imports: dict[str, Import] = field(default_factory=dict)
    exports: dict[str, Expr] = field(default_factory=dict)  # exported name -> expr ("default" too)
    reexports: list[tuple[str, str | None, str | None]] = field(default_factory=list)  # (source, name, as)
    classes: set[str] = field(default_factory=set)
    sites: list[Site] = field(default_factory=list)
    comments: list[tuple[str, int, int]] = field(default_factory=list)  # (text, line, char column)
    requires: list[str] = field(default_factory=list)  # Ruby require_relative and the like
    contexts: dict[str, bool] = field(default_factory=dict)  # matching.file_contexts of the file's text

    def define(self, scope: str, name: str, expr: Expr, span: Span) -> None:
        self.definitions.setdefault((scope, name), []).append(Definition(scope, name, expr, span))
