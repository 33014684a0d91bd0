"""Per-language lowering tables: rules/flow/<language>.yaml, read once per process.

A table says which tree-sitter node types are strings, names, member accesses, calls,
declarations, classes and functions (and which fields hold their parts), and which calls
format, join, build queries or pass a value through unchanged. lower.py reads nothing else
about a language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from igmigrate.analyzers.flow.builders import parse_rules

from igmigrate.knowledge import KnowledgeBaseError


class FlowSpecError(KnowledgeBaseError):
    """A lowering table that cannot be read: a broken knowledge base (exit code 2)."""


@dataclass(frozen=True)
class CallRule:
    """A call recognised by its callee: `function` (dotted name as written) or `method`
    (the last member name, whatever the receiver) or `constructor` (after `new`)."""

    function: str | None = None
    method: str | None = None
    receiver: str | None = None  # method calls only: the receiver must be written so
    style: str = "printf"  # formats
    template: int | None = 0  # formats: the template argument (None = the receiver)
    template_keyword: str | None = None  # formats: the template passed by name (Swift `String(format:)`)
    items: int | None = None  # joins: the list argument (None = the receiver)
    sep: int | None = 0  # joins: the separator argument
    sep_keyword: str | None = None  # joins: the separator passed by name (`separator: ","`)
    arg: int | None = 0  # queries: the map argument (None = the receiver)


@dataclass(frozen=True)
class LanguageSpec:
    name: str
    grammars: tuple[str, ...]
    comments: frozenset[str]
    strings: frozenset[str]
    string_content: frozenset[str]
    escapes: frozenset[str]
    wrappers: frozenset[str]  # interpolation wrappers: their single named child is code
    names: frozenset[str]
    strip_sigils: str  # "$" for PHP, "@" for Ruby
    this: frozenset[str]
    this_names: frozenset[str]  # names that mean the receiver (`$this`)
    this_members: frozenset[str]  # `@base`: a member of this, written as one token
    symbols: frozenset[str]  # `:scope`, `scope:` keys: literal text
    members: dict[str, dict]
    binary: dict[str, dict]
    concat_operators: frozenset[str]
    format_operators: frozenset[str]
    calls: dict[str, dict]
    lists: frozenset[str]
    maps: dict[str, dict]
    transparent: frozenset[str]
    declarations: dict[str, dict]
    append_operators: frozenset[str]
    classes: dict[str, dict]
    functions: dict[str, dict]
    returns: frozenset[str]
    implicit_return: bool
    composite: dict[str, dict]  # Go composite literals: typed maps that also define fields
    imports: str  # es | php | ruby | go
    import_nodes: dict[str, dict]
    formats: tuple[CallRule, ...]
    joins: tuple[CallRule, ...]
    queries: tuple[CallRule, ...]
    identity_functions: frozenset[str]
    identity_methods: frozenset[str]
    setters: frozenset[str]
    key_calls: frozenset[str]  # calls whose first argument is a key (settings, preferences, maps)
    module_extensions: tuple[str, ...] = ()
    visibility: dict = field(default_factory=dict)  # imports: visible (visible.py)
    list_calls: frozenset[str] = frozenset()  # calls whose arguments are a list's items
    enum_members: dict = field(default_factory=dict)  # enum cases that carry a value
    param_defaults: dict = field(default_factory=dict)  # parameter nodes and where their default value is
    identity_members: frozenset[str] = frozenset()  # `.rawValue`, `.value`: the value itself
    builders: tuple = ()  # URL builder calls and chains (builders.py)
    annotations: dict = field(default_factory=dict)  # HTTP client annotations (annotations.py)
    annotation_nodes: frozenset[str] = frozenset()
    clients: tuple = ()  # calls binding a client interface to its base URL
    keyword_args: dict = field(default_factory=dict)  # argument nodes that may carry a name
    inline_refs: str = ""  # regex: a name written inside string text (Kotlin `$token`)
    map_calls: frozenset[str] = frozenset()  # calls whose pair arguments are a map (mapOf)
    pair_nodes: dict = field(default_factory=dict)  # `"a" to 1`: a one-pair map
    pair_calls: dict = field(default_factory=dict)  # URLQueryItem(name:, value:): a one-pair map
    records: dict = field(default_factory=dict)  # URLComponents set field by field (builders.py)
    string_ignore: frozenset[str] = frozenset()  # delimiter nodes inside a string literal
    string_gaps: bool = False  # Dart: string text is the bytes between interpolations
    string_prefix: str = ""  # characters before the quote that are no text (C# `@`)
    sequences: dict = field(default_factory=dict)  # Dart: nodes whose children are primary + selectors
    sequence_selectors: dict = field(default_factory=dict)  # which children are selectors and operators
    record_results: frozenset[str] = frozenset()  # `.url`: members that read a record's URL
    extra: dict = field(default_factory=dict)


def flow_dir() -> Path:
    from igmigrate.knowledge import rules_dir

    return rules_dir() / "flow"



def _rules(data: dict, key: str, path: Path) -> tuple[CallRule, ...]:
    out = []
    for i, entry in enumerate(data.get(key) or []):
        try:
            out.append(CallRule(**entry))
        except TypeError as exc:
            raise FlowSpecError(f"{path}: {key}[{i}]: {exc}") from None
    return tuple(out)


@lru_cache(maxsize=None)
def load_spec(name: str) -> LanguageSpec:
    path = flow_dir() / f"{name}.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise FlowSpecError(f"{path}: cannot read the flow table: {exc}") from None
    base = data.pop("extends", None)
    if base:
        parent = yaml.safe_load((flow_dir() / f"{base}.yaml").read_text(encoding="utf-8")) or {}
        for key, value in data.items():
            if isinstance(value, dict) and isinstance(parent.get(key), dict):
                parent[key] = {**parent[key], **value}
            elif isinstance(value, list) and isinstance(parent.get(key), list) and key != "grammars":
                parent[key] = parent[key] + value
            else:
                parent[key] = value
        data = parent

    def names(key: str) -> frozenset[str]:
        return frozenset(data.get(key) or ())

    def table(key: str) -> dict[str, dict]:
        return {k: (v or {}) for k, v in (data.get(key) or {}).items()}

    try:
        identity = data.get("identity") or {}
        return LanguageSpec(
            name=name, grammars=tuple(data.get("grammars") or (name,)), comments=names("comments"),
            strings=names("strings"), string_content=names("string_content"), escapes=names("escapes"),
            wrappers=names("wrappers"), names=names("names"), strip_sigils=str(data.get("strip_sigils") or ""),
            this=names("this"), this_names=names("this_names"), this_members=names("this_members"), symbols=names("symbols"),
            members=table("members"), binary=table("binary"), concat_operators=names("concat_operators"),
            format_operators=names("format_operators"), calls=table("calls"), lists=names("lists"),
            maps=table("maps"), transparent=names("transparent"), declarations=table("declarations"),
            append_operators=names("append_operators"), classes=table("classes"), functions=table("functions"),
            returns=names("returns"), implicit_return=bool(data.get("implicit_return")),
            composite=table("composite"), imports=str(data.get("imports") or ""), import_nodes=table("import_nodes"),
            formats=_rules(data, "formats", path), joins=_rules(data, "joins", path),
            queries=_rules(data, "queries", path),
            identity_functions=frozenset(identity.get("functions") or ()),
            identity_methods=frozenset(identity.get("methods") or ()), setters=names("setters"),
            key_calls=names("key_calls"),
            module_extensions=tuple(data.get("module_extensions") or ()),
            visibility=dict(data.get("visibility") or {}), list_calls=names("list_calls"),
            builders=parse_rules(data.get("builders"), str(path)), annotations=dict(data.get("annotations") or {}),
            annotation_nodes=frozenset((data.get("annotations") or {}).get("nodes") or ()),
            clients=tuple(dict(c) for c in data.get("clients") or ()), keyword_args=table("keyword_args"),
            inline_refs=str(data.get("inline_refs") or ""), map_calls=names("map_calls"), pair_nodes=table("pair_nodes"),
            pair_calls=table("pair_calls"), records=table("records"), string_ignore=names("string_ignore"),
            string_gaps=bool(data.get("string_gaps")), string_prefix=str(data.get("string_prefix") or ""), sequences=table("sequences"),
            sequence_selectors=dict(data.get("sequence_selectors") or {}),
            record_results=frozenset(r for v in table("records").values() for r in v.get("results") or ()), enum_members=table("enum_members"), param_defaults=table("param_defaults"), identity_members=frozenset(identity.get("members") or ()),
        )
    except (TypeError, AttributeError, ValueError) as exc:
        raise FlowSpecError(f"{path}: bad flow table: {exc}") from None


@lru_cache(maxsize=None)
def spec_for_grammar(grammar: str) -> LanguageSpec | None:
    """The flow table that lowers trees of this grammar, or None (the text rules read it)."""
    for path in sorted(flow_dir().glob("*.yaml")):
        spec = load_spec(path.stem)
        if grammar in spec.grammars:
            return spec
    return None
