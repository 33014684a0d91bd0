"""YAML, JSON and TOML files read as trees (PyYAML nodes with marks, json, tomllib), not
line by line: a scope list spread over lines (`scopes:\n  - user_profile\n  - user_media`)
is one list under a key named scope; mapping keys (`user_profile: {...}`) are never values.

Comments still go through the text tokenizer (prose notes, and the spans the marker scan
skips). A file too large, too deep or that does not parse returns None: the caller reads it
with the text rules as before (and says so for a parse failure).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

from igmigrate.analyzers.base import FileAnalysis, Hit
from igmigrate.analyzers.matching import OTHER_PLATFORM_HOST, Context, Matcher
from igmigrate.analyzers.text import prose_hits, tokenize
from igmigrate.knowledge import Language
from igmigrate.limits import TooDeep, check_data_nesting

try:  # Python 3.11+
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - 3.10
    import tomli as tomllib  # type: ignore[no-redef]

# PyYAML composes at ~150 KB/s in pure Python (~1.5 MB/s with libyaml); larger data files
# (generated lists, dumps) keep the line reading of the text analyzer.
MAX_TREE_BYTES = 128 * 1024
_KINDS = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".toml": "toml"}
_SCOPE_WORD = re.compile(r"(?i)scope|permission")


class ConfigParseError(ValueError):
    """The file is not valid in its format (the message says where)."""


@dataclass(frozen=True)
class Scalar:
    """A string value with its place: 1-based line and column of its first and last+1 character."""

    value: str
    line: int
    column: int
    end_line: int
    end_column: int


def tree_kind(filename: str) -> str | None:
    dot = filename.rfind(".")
    return _KINDS.get(filename[dot:].lower()) if dot >= 0 else None


def analyze_config_tree(kind: str, text: str, lang: Language, matcher: Matcher, result: FileAnalysis,
                        contexts: dict) -> list[tuple[int, int]] | None:
    """Adds the file's hits; returns comment spans, or None when the file is left to the text
    rules (too large or too deep). Raises ConfigParseError when it does not parse."""
    if len(text) > MAX_TREE_BYTES:
        return None
    try:
        check_data_nesting(text)
    except TooDeep:
        return None
    groups = list(_yaml_groups(text, kind) if kind in ("yaml", "json") else _toml_groups(text))
    host_scope = contexts["instagram_context"] and not OTHER_PLATFORM_HOST.search(text)
    reported: set[tuple[int, str, str]] = set()
    for path, scalars in groups:
        scope_like = any(_SCOPE_WORD.search(key) for key in path[-2:])
        ctx = Context(scope_context=scope_like, instagram_host_scope=host_scope, legacy_candidates=True, **contexts)
        for scalar, match in _matches(matcher, scalars, ctx):
            key = (scalar.line, match.rule.id, match.text)
            if key in reported:
                continue  # a YAML alias repeats its anchor's node
            reported.add(key)
            result.add_hit(Hit(match.rule.id, scalar.line, scalar.column, scalar.end_line, scalar.end_column,
                               match.text, extra=match.extra, condition=match.condition, mixed=match.mixed),
                           match.rule.detect.evidence)
    comments = [t for t in tokenize(text, lang) if t.kind == "comment"]
    for t in comments:
        line_start = text.rfind("\n", 0, t.start) + 1
        prose_hits(matcher, t.value, t.line, t.start - line_start, result, contexts)
    return [(t.start, t.end) for t in comments]


def _matches(matcher: Matcher, scalars: list[Scalar], ctx: Context):
    """A list of strings is matched as one comma-joined value (a scope list), each match
    placed on the element that holds it; a lone string as itself."""
    if len(scalars) == 1:
        for match in matcher.match(scalars[0].value, ctx):
            yield scalars[0], match
        return
    joined = ",".join(s.value for s in scalars)
    bounds = []
    at = 0
    for s in scalars:
        bounds.append((at, at + len(s.value), s))
        at += len(s.value) + 1
    for match in matcher.match(joined, ctx):
        holder = next((s for start, end, s in bounds if start <= match.start < end or start < match.end <= end), None)
        if holder is not None:
            yield holder, match


# ---------------------------------------------------------------- YAML and JSON
def _yaml_groups(text: str, kind: str) -> Iterator[tuple[tuple[str, ...], list[Scalar]]]:
    import yaml

    if kind == "json":
        try:
            json.loads(text)
        except ValueError as exc:
            raise ConfigParseError(f"invalid JSON ({exc})") from None
    try:
        # libyaml's loader when PyYAML has it: ten times faster, same nodes and marks
        documents = list(yaml.compose_all(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))
    except yaml.YAMLError as exc:
        if kind == "json":
            return  # valid JSON PyYAML reads otherwise (rare escapes): nothing better than text rules
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ConfigParseError(f"invalid YAML{where}") from None
    except RecursionError:
        raise ConfigParseError("nesting too deep") from None
    for document in documents:
        if document is not None:
            yield from _walk_yaml(document, (), set())


def _walk_yaml(node, path: tuple[str, ...], seen: set[int]):
    import yaml

    if id(node) in seen:
        return  # an alias: its node was walked where it was anchored
    seen.add(id(node))
    if isinstance(node, yaml.ScalarNode):
        if node.tag.endswith(":str"):
            yield path, [_scalar(node)]
    elif isinstance(node, yaml.SequenceNode):
        items = node.value
        if items and all(isinstance(i, yaml.ScalarNode) and i.tag.endswith(":str") for i in items):
            yield path, [_scalar(i) for i in items]
        else:
            for item in items:
                yield from _walk_yaml(item, path, seen)
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else ""
            yield from _walk_yaml(value, (*path, str(name)), seen)


def _scalar(node) -> Scalar:
    start, end = node.start_mark, node.end_mark
    return Scalar(node.value, start.line + 1, start.column + 1, end.line + 1, end.column + 1)


# ---------------------------------------------------------------- TOML
def _toml_groups(text: str) -> Iterator[tuple[tuple[str, ...], list[Scalar]]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigParseError(f"invalid TOML ({exc})") from None
    except RecursionError:
        raise ConfigParseError("nesting too deep") from None
    locator = _Locator(text)
    yield from _walk_toml(data, (), locator)


def _walk_toml(value, path: tuple[str, ...], locator: "_Locator"):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _walk_toml(inner, (*path, str(key)), locator)
    elif isinstance(value, list):
        strings = [v for v in value if isinstance(v, str)]
        if strings and len(strings) == len(value):
            found = [locator.find(path[-1] if path else "", s) for s in strings]
            if all(found):
                yield path, found
        else:
            for inner in value:
                yield from _walk_toml(inner, path, locator)
    elif isinstance(value, str):
        found = locator.find(path[-1] if path else "", value)
        if found:
            yield path, [found]


class _Locator:
    """tomllib keeps no positions: a string value is found as a quoted literal after its key,
    in document order (values are walked in the order the file gives them)."""

    def __init__(self, text: str):
        self.text = text
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.cursor: dict[str, int] = {}

    def find(self, key: str, value: str) -> Scalar | None:
        start = self.cursor.get(key)
        if start is None:
            m = re.search(rf"(?m)^[ \t]*(?:[\w.\"'-]*\.)?[\"']?{re.escape(key)}[\"']?[ \t]*=", self.text) if key else None
            start = m.end() if m else 0
        for literal in (json.dumps(value), f"'{value}'", f'"""{value}"""', f"'''{value}'''"):
            at = self.text.find(literal, start)
            if at >= 0:
                self.cursor[key] = at + len(literal)
                return self._scalar(value, at, at + len(literal))
        return None

    def _scalar(self, value: str, start: int, end: int) -> Scalar:
        import bisect

        line = bisect.bisect_right(self.starts, start)
        end_line = bisect.bisect_right(self.starts, end)
        return Scalar(value, line, start - self.starts[line - 1] + 1, end_line, end - self.starts[end_line - 1] + 1)
