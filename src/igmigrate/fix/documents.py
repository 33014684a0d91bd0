"""Where a flagged value sits in a file, and whether an edited file still parses.

One Document per file, by language: Python through libcst, the tree-sitter languages through
their grammar (rules/grammars.yaml), YAML through PyYAML's node marks, everything else
(.env, JSON, TOML, ini, Dockerfile, templates, shell) as text lines. Each answers two
questions: `literal_at(start, end)` (the string literal whose content holds that span, with
its list if it is one element of a list), and `problem(new_text)` (why the edited text no
longer parses in its language, or None).

Offsets are indices into the decoded text (str), never bytes.
"""

from __future__ import annotations

import ast
import bisect
import configparser
import json
import re
from dataclasses import dataclass
from pathlib import PurePosixPath

try:  # Python 3.11+
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - 3.10
    import tomli as tomllib  # type: ignore[no-redef]


@dataclass(frozen=True)
class Container:
    """A list literal (or a collection-building call) whose elements are edited as a whole."""

    start: int
    end: int
    elements: tuple[tuple[int, int], ...]  # element spans, in order
    contents: tuple[str | None, ...]  # each element's whole string content, None if not a plain string
    separators: str = r"[\s,]*"  # what may sit between two elements for one to be removed with them
    one_tuple: bool = False  # Python tuple: a single element keeps a trailing comma


@dataclass(frozen=True)
class Literal:
    start: int  # the whole literal, quotes included
    end: int
    body_start: int  # the content part that holds the value (no quotes, no interpolation)
    body_end: int
    whole: bool  # the body is the literal's entire content
    container: Container | None = None
    index: int | None = None  # element index in the container


class Document:
    language = "text"

    def __init__(self, text: str, name: str):
        self.text = text
        self.name = name

    def literal_at(self, start: int, end: int) -> Literal | None:
        raise NotImplementedError

    def problem(self, new_text: str) -> str | None:
        return None


# ---------------------------------------------------------------- text (config, templates)
_QUOTED = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|`(?:[^`\\\n]|\\.)*`')
_BARE_STOP = set(" \t\r\n\"'`<>()[]{};")
_STR = r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\''
_ARRAY = re.compile(rf"\[\s*(?:(?:{_STR})\s*,\s*)*(?:{_STR})\s*,?\s*\]")


def _line_bounds(text: str, offset: int) -> tuple[int, int]:
    start = max(text.rfind("\n", 0, offset), text.rfind("\r", 0, offset)) + 1
    ends = [i for i in (text.find("\n", offset), text.find("\r", offset)) if i >= 0]
    return start, min(ends) if ends else len(text)


class TextDocument(Document):
    """Config files and templates: a value is the quoted string around it on its line, else
    the bare token (KEY=value, key: value); single- and multi-line ["a", "b"] arrays of
    quoted strings are lists. The check is the format's own parser where it has one."""

    def __init__(self, text: str, name: str, check: str | None = None):
        super().__init__(text, name)
        self.check = check or _format_of(name)
        self.language = self.check or "text"
        self._arrays: list[Container] | None = None
        self._before = _parse_error(self.check, text)

    def literal_at(self, start: int, end: int) -> Literal | None:
        line_start, line_end = _line_bounds(self.text, start)
        if end > line_end:
            return None
        line = self.text[line_start:line_end]
        for m in _QUOTED.finditer(line):
            s, e = line_start + m.start(), line_start + m.end()
            if s < start and end < e:
                return self._with_container(Literal(s, e, s + 1, e - 1, True))
        s = start
        while s > line_start and self.text[s - 1] not in _BARE_STOP:
            s -= 1
        e = end
        while e < line_end and self.text[e] not in _BARE_STOP:
            e += 1
        return Literal(s, e, s, e, False)

    def _with_container(self, literal: Literal) -> Literal:
        if self._arrays is None:
            self._arrays = []
            for m in _ARRAY.finditer(self.text):
                items = [(m.start() + x.start(), m.start() + x.end()) for x in re.finditer(_STR, m.group(0))]
                self._arrays.append(Container(m.start(), m.end(), tuple(items),
                                              tuple(self.text[s + 1:e - 1] for s, e in items)))
        for container in self._arrays:
            if (literal.start, literal.end) in container.elements:
                return Literal(literal.start, literal.end, literal.body_start, literal.body_end, True,
                               container, container.elements.index((literal.start, literal.end)))
        return literal

    def problem(self, new_text: str) -> str | None:
        if self.check is None:
            return None
        after = _parse_error(self.check, new_text)
        if after is None or after == self._before:
            return None
        return f"{self.check} no longer parses: {after}"


def _format_of(name: str) -> str | None:
    suffix = PurePosixPath(name).suffix.lower()
    return {".json": "json", ".toml": "toml", ".ini": "ini", ".cfg": "ini", ".py": "python", ".pyw": "python",
            ".yml": "yaml", ".yaml": "yaml"}.get(suffix) or ("json" if name.endswith("composer.lock") else None)


def _parse_error(check: str | None, text: str) -> str | None:
    """The parser's complaint about text (None: parses, or no parser for this format)."""
    try:
        if check == "json":
            json.loads(text)
        elif check == "toml":
            tomllib.loads(text)
        elif check == "ini":
            configparser.ConfigParser(interpolation=None, strict=False).read_string(text)
        elif check == "python":
            ast.parse(text)
        elif check == "yaml":
            import yaml

            list(yaml.safe_load_all(text))
    except (ValueError, SyntaxError, configparser.Error, tomllib.TOMLDecodeError, RecursionError) as exc:
        return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    except Exception as exc:  # noqa: BLE001 - yaml.YAMLError and friends: any complaint counts
        return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    return None


# ---------------------------------------------------------------- YAML
class YamlDocument(Document):
    """YAML through PyYAML's composer: scalar values (plain or quoted) and sequences, with
    the exact character marks of each node."""

    language = "yaml"

    def __init__(self, text: str, name: str):
        super().__init__(text, name)
        import yaml

        self.scalars: list[tuple[int, int, int, int, Container | None, int | None]] = []
        for root in yaml.compose_all(text, Loader=yaml.SafeLoader):
            self._walk(root, None, None)

    def _walk(self, node, container: Container | None, index: int | None) -> None:
        import yaml

        if isinstance(node, yaml.ScalarNode):
            s, e = node.start_mark.index, node.end_mark.index
            if node.style in ('"', "'"):
                self.scalars.append((s, e, s + 1, e - 1, container, index))
            elif node.style is None:
                self.scalars.append((s, e, s, e, container, index))
        elif isinstance(node, yaml.SequenceNode):
            items = tuple((c.start_mark.index, c.end_mark.index) for c in node.value)
            contents = tuple(c.value if isinstance(c, yaml.ScalarNode) and c.style in (None, '"', "'") else None
                             for c in node.value)
            box = Container(node.start_mark.index, node.end_mark.index, items, contents, separators=r"[\s,\-]*")
            for i, child in enumerate(node.value):
                self._walk(child, box, i)
        elif isinstance(node, yaml.MappingNode):
            for _key, value in node.value:
                self._walk(value, None, None)

    def literal_at(self, start: int, end: int) -> Literal | None:
        for s, e, bs, be, container, index in self.scalars:
            if bs <= start and end <= be:
                return Literal(s, e, bs, be, True, container, index)
        return None

    def problem(self, new_text: str) -> str | None:
        error = _parse_error("yaml", new_text)
        return f"yaml no longer parses: {error}" if error else None


# ---------------------------------------------------------------- Python (libcst)
# Calls whose arguments are a list of values, not distinct parameters.
_COLLECTION_CALL = re.compile(r"(?:^|[.\s])(?:list|tuple|set|frozenset|listOf|setOf|arrayOf|mutableListOf|mutableSetOf|"
                              r"hashSetOf|asList|of|Array|array|compact|[A-Za-z]*[Ss]copes?)$")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class PythonDocument(Document):
    language = "python"

    def __init__(self, text: str, name: str):
        super().__init__(text, name)
        import libcst as cst
        from libcst.metadata import MetadataWrapper, PositionProvider

        self._cst = cst
        wrapper = MetadataWrapper(cst.parse_module(text), unsafe_skip_copy=True)
        positions = wrapper.resolve(PositionProvider)
        starts = [0] + [m.end() for m in _LINE_BREAK.finditer(text)]

        def offset(pos) -> int:
            return starts[pos.line - 1] + pos.column

        def span(node) -> tuple[int, int]:
            p = positions[node]
            return offset(p.start), offset(p.end)

        self.literals: list[Literal] = []
        boxes: dict[int, tuple[Container, int]] = {}
        for node in positions:
            values = None
            if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
                values = [el.value for el in node.elements if isinstance(el, cst.Element)]
                if len(values) != len(node.elements):
                    values = None
            elif isinstance(node, cst.Call) and _COLLECTION_CALL.search(cst.Module([]).code_for_node(node.func)):
                if all(arg.keyword is None and not arg.star for arg in node.args):
                    values = [arg.value for arg in node.args]
            if values and len(values) > 1:
                contents = tuple(_simple_content(v, cst) for v in values)
                start, end = span(node)
                box = Container(start, end, tuple(span(v) for v in values), contents,
                                one_tuple=isinstance(node, cst.Tuple))
                for i, value in enumerate(values):
                    boxes[id(value)] = (box, i)
        for node in positions:
            if isinstance(node, cst.SimpleString):
                s, e = span(node)
                prefix = len(node.prefix)
                quote = len(node.quote)
                box, index = boxes.get(id(node), (None, None))
                self.literals.append(Literal(s, e, s + prefix + quote, e - quote, True, box, index))
            elif isinstance(node, cst.FormattedStringText):
                s, e = span(node)
                self.literals.append(Literal(s, e, s, e, False))

    def literal_at(self, start: int, end: int) -> Literal | None:
        for literal in self.literals:
            if literal.body_start <= start and end <= literal.body_end:
                return literal
        return None

    def problem(self, new_text: str) -> str | None:
        try:
            self._cst.parse_module(new_text)
            ast.parse(new_text)
        except Exception as exc:  # noqa: BLE001 - libcst.ParserSyntaxError, SyntaxError, ValueError
            return f"python no longer parses: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        return None


def _simple_content(node, cst) -> str | None:
    if isinstance(node, cst.SimpleString):
        return node.value[len(node.prefix) + len(node.quote):len(node.value) - len(node.quote)]
    return None


# ---------------------------------------------------------------- tree-sitter languages
_CONTAINER_TYPES = re.compile(r"^(?:array|array_creation_expression|string_array|array_initializer|literal_value|"
                              r"collection_literal|array_literal|initializer_expression|collection_expression|"
                              r"list_literal|set_or_map_literal|argument_list|arguments|value_arguments)$")
_ARGUMENT_TYPES = re.compile(r"^(?:argument_list|arguments|value_arguments)$")
_WRAPPER_TYPES = re.compile(r"^(?:array_element_initializer|literal_element|value_argument|argument|element)$")
_CONTENT_SUFFIXES = ("content", "fragment", "text", "chars", "_value")


def _stringish(node) -> bool:
    t = node.type
    return node.is_named and ("string" in t or t.endswith("_str") or "str_" in t) and not t.endswith(_CONTENT_SUFFIXES) \
        and not _CONTAINER_TYPES.match(t)


class TreeDocument(Document):
    def __init__(self, text: str, name: str, grammar: str):
        super().__init__(text, name)
        from igmigrate.analyzers.grammars import parse

        self.language = grammar
        self._parse = lambda data: parse(grammar, data)
        self.data = text.encode("utf-8")
        self.tree = self._parse(self.data)
        self._ascii = len(self.data) == len(text)
        self._char_at_byte: list[int] | None = None
        self._errors = _error_count(self.tree.root_node)

    # char <-> byte offsets (identity for ASCII files)
    def _byte(self, char: int) -> int:
        return char if self._ascii else len(self.text[:char].encode("utf-8"))

    def _char(self, byte: int) -> int:
        if self._ascii:
            return byte
        if self._char_at_byte is None:
            self._char_at_byte = []
            total = 0
            for ch in self.text:
                self._char_at_byte.append(total)
                total += len(ch.encode("utf-8"))
        return bisect.bisect_left(self._char_at_byte, byte)

    def _span(self, node) -> tuple[int, int]:
        return self._char(node.start_byte), self._char(node.end_byte)

    def literal_at(self, start: int, end: int) -> Literal | None:
        bs, be = self._byte(start), self._byte(end)
        node = self.tree.root_node.descendant_for_byte_range(bs, be)
        if node is None:
            return None
        string = node if _stringish(node) else node.parent if node.parent is not None and _stringish(node.parent) else None
        if string is None:
            return None
        if any("comment" in a.type for a in _ancestors(string)):
            return None
        if node is string:
            body = _body_of(string)
        else:
            body = (node.start_byte, node.end_byte)
        if body is None or not (body[0] <= bs and be <= body[1]):
            return None
        whole_body = _body_of(string)
        whole = whole_body == body and all(c.type.endswith(_CONTENT_SUFFIXES) for c in string.named_children)
        container, index = self._container(string)
        s, e = self._span(string)
        return Literal(s, e, self._char(body[0]), self._char(body[1]), whole, container, index)

    def _container(self, string) -> tuple[Container | None, int | None]:
        element = string
        while element.parent is not None:
            parent = element.parent
            if _CONTAINER_TYPES.match(parent.type):
                if _ARGUMENT_TYPES.match(parent.type) and not self._collection_call(parent):
                    return None, None
                elements = [c for c in parent.named_children if "comment" not in c.type]
                if len(elements) < 2 or not any(c.id == element.id for c in elements):
                    return None, None
                contents = tuple(self._content_of(c) for c in elements)
                s, e = self._span(parent)
                box = Container(s, e, tuple(self._span(c) for c in elements), contents,
                                separators=r"[\s,]*")
                return box, next(i for i, c in enumerate(elements) if c.id == element.id)
            if parent.named_child_count == 1 and _WRAPPER_TYPES.match(parent.type):
                element = parent
                continue
            return None, None
        return None, None

    def _collection_call(self, arguments) -> bool:
        call = arguments.parent
        if call is None or not call.named_children:
            return False
        callee = call.named_children[0]
        if callee.id == arguments.id:
            return False
        name = self.data[callee.start_byte:callee.end_byte].decode("utf-8", "replace")
        return bool(_COLLECTION_CALL.search(name))

    def _content_of(self, element) -> str | None:
        node = element
        while not _stringish(node) and node.named_child_count == 1:
            node = node.named_children[0]
        if not _stringish(node) or not all(c.type.endswith(_CONTENT_SUFFIXES) for c in node.named_children):
            return None
        body = _body_of(node)
        return self.data[body[0]:body[1]].decode("utf-8", "replace") if body else None

    def problem(self, new_text: str) -> str | None:
        tree = self._parse(new_text.encode("utf-8"))
        errors = _error_count(tree.root_node)
        if errors > self._errors:
            return f"{self.language} no longer parses ({errors - self._errors} new syntax error(s))"
        return None


def _ancestors(node):
    node = node.parent
    while node is not None:
        yield node
        node = node.parent


def _body_of(string) -> tuple[int, int] | None:
    """The content bytes of a string node: between its opening and closing delimiter tokens."""
    children = string.children
    if not children:  # a bare word (Ruby %w element) or a grammar without quote tokens
        return string.start_byte, string.end_byte
    named = [c for c in children if c.is_named]
    if named and all(c.type.endswith(_CONTENT_SUFFIXES) for c in named) and len(named) == 1 \
            and not any(not c.is_named for c in children if c.start_byte > named[0].start_byte and c.end_byte < named[0].end_byte):
        first_open = next((c for c in children if not c.is_named), None)
        last_close = next((c for c in reversed(children) if not c.is_named), None)
        if first_open is not None and last_close is not None and first_open.id != last_close.id:
            return first_open.end_byte, last_close.start_byte
        return named[0].start_byte, named[0].end_byte
    first_open = children[0] if not children[0].is_named else None
    last_close = children[-1] if not children[-1].is_named else None
    if first_open is not None and last_close is not None and first_open.id != last_close.id:
        return first_open.end_byte, last_close.start_byte
    return None


def _error_count(node) -> int:
    if not node.has_error:
        return 0
    count = 0
    stack = [node]
    while stack:
        n = stack.pop()
        if n.is_error or n.is_missing:
            count += 1
        stack.extend(c for c in n.children if c.has_error or c.is_missing)
    return count


def document_for(text: str, name: str) -> Document:
    """The Document that reads this file (by file name); a Python or YAML file its parser
    cannot read is handled as text, checked by 'no new syntax error'."""
    base = PurePosixPath(name).name
    suffix = PurePosixPath(name).suffix.lower()
    if suffix in (".py", ".pyw", ".pyi"):
        try:
            return PythonDocument(text, name)
        except Exception:  # noqa: BLE001 - libcst.ParserSyntaxError and its recursion limits
            return TextDocument(text, name, check="python")
    if suffix in (".yml", ".yaml"):
        try:
            return YamlDocument(text, name)
        except Exception:  # noqa: BLE001 - yaml.YAMLError: read as text, checked by the same parser
            return TextDocument(text, name, check="yaml")
    from igmigrate.analyzers.grammars import grammar_for

    grammar = grammar_for(base)
    if grammar is not None:
        return TreeDocument(text, name, grammar)
    return TextDocument(text, name)
