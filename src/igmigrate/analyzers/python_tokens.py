"""What a Python file holds for the analyzer, without libcst (or the stdlib tokenizer): string
literal positions, comments and docstrings (prose notes), comment offsets, and for the
decision whether libcst must parse the file at all, the text values and the import statements."""

from __future__ import annotations

import ast
import bisect
import itertools
import re
import warnings

from igmigrate.analyzers.base import FileAnalysis, Hit
from igmigrate.analyzers.matching import Context, Matcher
from igmigrate.limits import nesting

MAX_NESTING = 150  # CPython itself refuses more than 200 nested brackets
_BRACKETS = re.compile(r"[()\[\]{}]")


def max_nesting(text: str) -> int:
    return nesting(text, _BRACKETS)


# One regex finds what matters of a Python file: comments, strings (with prefixes, triple
# quotes, escapes, backslash-newlines), brackets, line ends and continuations; words and
# operators only move the "start of a statement" state. The stdlib tokenizer is pure Python
# before 3.12 and was most of the time spent on files that name Instagram only in prose
# (0.3 s for eight large modules); this lexer gives the same answers (tests compare the two
# on real code) at a fraction of the cost.
_LEX = re.compile(r"""
    (?P<comment>\#[^\r\n]*)
  | (?P<string>[rRbBuUfF]{0,2}(?:
        '''(?:[^\\]|\\.)*?'''
      | \"\"\"(?:[^\\]|\\.)*?\"\"\"
      | (?!''')'(?:[^\\'\r\n]|\\(?:\r\n|.))*'
      | (?!\"\"\")"(?:[^\\"\r\n]|\\(?:\r\n|.))*"))
  | (?P<open>[(\[{])
  | (?P<close>[)\]}])
  | (?P<continuation>\\\r?\n)
  | (?P<newline>\r?\n)
  | (?P<unterminated>[rRbBuUfF]{0,2}(?:'''|\"\"\"))
  | (?P<code>(?:\w+|[^\s\w\#'"\\()\[\]{}]+)(?:[\ \t\f\v]*(?:\w+|[^\s\w\#'"\\()\[\]{}]+))*)
  | (?P<other>['"\\])
""", re.VERBOSE | re.DOTALL)
# What may stand right before a quote as a string prefix (the rest are names: `or'x'`).
_PREFIXES = frozenset("".join(cased) for base in ("r", "u", "f", "b", "fr", "rf", "br", "rb")
                      for cased in itertools.product(*[(ch, ch.upper()) for ch in base]))
_TRAILING_WORD = re.compile(r"(?<!\w)[A-Za-z]{1,2}$")
_IMPORT = re.compile(r"(?:import|from)(?!\w)")


def _indent_column(text: str) -> int:
    """Column of a line's indentation as the tokenizer counts it (tabs to multiples of 8)."""
    column = 0
    for char in text:
        if char == " ":
            column += 1
        elif char == "\t":
            column = (column // 8 + 1) * 8
        else:  # form feed
            column = 0
    return column


class PythonTokens:
    """What a Python file holds for this analyzer, from one pass of _LEX: string literal
    positions (sharper finding locations), comments and docstrings (prose notes), comment
    offsets (so the marker scan skips comments), and for the decision whether libcst must
    parse the file, the text values and the import statements."""

    def __init__(self, text: str):
        self.literals: list[tuple[int, int, int, int, str]] = []  # line, col, end_line, end_col (1-based), source
        self.prose: list[tuple[int, int, str]] = []  # line, col (0-based), text of comments and docstrings
        self.comment_spans: list[tuple[int, int]] = []  # offsets into text
        self.values: list[str] = []  # text strings that are not statements of their own (implicit concatenation joined)
        self.imports: list[str] = []  # source of each `import` / `from ... import` statement
        self.ok = self._lex(text)  # False where the tokenizer would give up (the caller then parses to decide)
        if not self.ok:
            self.literals, self.prose, self.comment_spans, self.values, self.imports = [], [], [], [], []

    def _lex(self, text: str) -> bool:
        line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        depth = 0
        statement_start = True  # nothing significant since the last logical line end
        line_has_tokens = False  # the logical line so far holds a significant token
        at_line_begin = True  # at the first significant token of a physical line (indentation check)
        continued = False  # the physical line follows a backslash continuation
        indents = [0]
        group: list[str] = []  # adjacent strings: one value
        group_starts_statement = False
        import_start: int | None = None
        prefix, prefix_end = "", -1  # a string prefix ending a code run, and where it ends

        def indented(start: int) -> bool:
            """Track the indentation of a line's first token; False for a dedent to no outer level."""
            line = bisect.bisect_right(line_starts, start)
            column = _indent_column(text[line_starts[line - 1]:start])
            if column > indents[-1]:
                indents.append(column)
            while column < indents[-1]:
                indents.pop()
                if column > indents[-1]:
                    return False
            return True

        def close_group(ends_statement: bool) -> None:
            nonlocal group
            if group:
                if not (group_starts_statement and ends_statement):  # a whole statement: docstring or dead prose
                    self._add_value(group)
                group = []

        for m in _LEX.finditer(text):
            kind = m.lastgroup
            start = m.start()
            if kind == "comment":
                line = bisect.bisect_right(line_starts, start)
                self.prose.append((line, start - line_starts[line - 1], m.group()))
                self.comment_spans.append((start, m.end()))
                continue
            if kind == "newline":
                # A logical line ends (the tokenizer ends a continued line even when it is empty).
                if depth == 0 and (line_has_tokens or continued):
                    close_group(True)
                    if import_start is not None:
                        self.imports.append(text[import_start:start])
                        import_start = None
                    statement_start, line_has_tokens = True, False
                if depth == 0:
                    at_line_begin, continued = True, False
                continue
            if kind == "continuation":
                if at_line_begin and depth == 0 and not line_has_tokens and not indented(start):
                    return False  # the tokenizer checks the indentation of a line that starts with `\`
                at_line_begin, continued = False, True
                if m.end() == len(text):
                    return False  # the file ends inside a continued line (the tokenizer's "EOF in multi-line statement")
                continue
            if kind == "unterminated":
                return False  # the tokenizer stops at a string that never ends
            # A significant token.
            if at_line_begin and depth == 0 and not line_has_tokens and not indented(start):
                return False  # a dedent to no outer level: the tokenizer's IndentationError
            at_line_begin = False
            line_has_tokens = True
            if kind == "string":
                source = m.group()
                if prefix_end == start:  # `x = rb"..."`: the code run took the prefix
                    source, start = prefix + source, start - len(prefix)
                line = bisect.bisect_right(line_starts, start)
                end_line = bisect.bisect_right(line_starts, m.end() - 1) if m.end() > start else line
                end_col = m.end() - line_starts[end_line - 1]
                self.literals.append((line, start - line_starts[line - 1] + 1, end_line, end_col + 1, source))
                if statement_start and source.lstrip("rRbBuU").startswith(('"""', "\'\'\'")):
                    self.prose.append((line, start - line_starts[line - 1], source))
                if not group:
                    group_starts_statement = statement_start
                group.append(source)
                statement_start = False
                continue
            close_group(False)
            if kind == "code":
                if statement_start and _IMPORT.match(m.group()):
                    import_start = start
                trailing = _TRAILING_WORD.search(m.group())
                if trailing is not None and trailing.group() in _PREFIXES:
                    prefix, prefix_end = trailing.group(), m.end()
            elif kind == "open":
                depth += 1
            elif kind == "close" and depth:
                depth -= 1
            statement_start = False
        if depth:
            return False  # EOF inside brackets
        close_group(True)  # the end of the file ends the last statement
        if import_start is not None:
            self.imports.append(text[import_start:len(text)].rstrip("\r\n"))
        return True

    def _add_value(self, group: list[str]) -> None:
        inner = []
        for source in group:
            prefix = len(source) - len(source.lstrip("rRbBuUfF"))
            if "b" in source[:prefix].lower():
                return  # bytes: not a text value
            body = source[prefix:]
            quote = 3 if body[:3] in ('"""', "\'\'\'") else (1 if body[:1] in ('"', "\'") else 0)
            part = body[quote:len(body) - quote] if quote else body
            # An f-string is one string here (as for the tokenizer before 3.12): its {fields} are code.
            inner.append(fstring_text(part) if "f" in source[:prefix].lower() else part)
        value = "".join(inner)
        if "\\" in value:  # escapes: the evaluated value can hold a word its source does not
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # invalid escapes (a SyntaxWarning on stderr from 3.12)
                    evaluated = ast.literal_eval(" ".join(group))
                if isinstance(evaluated, str):
                    value += "\n" + evaluated
            except (ValueError, SyntaxError, MemoryError, RecursionError):
                pass
        self.values.append(value)


def fstring_text(body: str) -> str:
    """The literal text of an f-string body: replacement fields dropped, {{ and }} kept as braces."""
    out = []
    depth = 0
    i = 0
    while i < len(body):
        pair = body[i:i + 2]
        if depth == 0 and pair in ("{{", "}}"):
            out.append(pair[0])
            i += 2
            continue
        c = body[i]
        if c == "{":
            depth += 1
        elif c == "}" and depth:
            depth -= 1
        elif depth == 0:
            out.append(c)
        i += 1
    return "".join(out)


def prose_hits(matcher: Matcher, tokens: PythonTokens, result: FileAnalysis, contexts: dict) -> None:
    """Notes for Basic Display words in comments and docstrings."""
    ctx = Context(prose=True, **contexts)
    for number, col, comment in tokens.prose:
        for offset, line_text in enumerate(comment.split("\n")):
            for match in matcher.match(line_text, ctx):
                c = (col if offset == 0 else 0) + match.start + 1
                result.add_hit(Hit(match.rule.id, number + offset, c, number + offset, c + len(match.text),
                                   match.text, in_comment=True, extra=match.extra), match.rule.detect.evidence)
