"""The stdlib tokenizer's view of a Python file, as PythonTokens computed it before it got its
own lexer: the reference the lexer must equal (tests/test_python_tokens.py)."""

from __future__ import annotations

import ast
import io
import tokenize

from igmigrate.analyzers.python_tokens import fstring_text


# Token types, resolved once (f-string parts are tokens of their own from Python 3.12 on).
_STRING_TYPES = frozenset({tokenize.STRING, getattr(tokenize, "FSTRING_MIDDLE", tokenize.STRING)})
_INSIDE_STRINGS = frozenset({tokenize.NL, *(getattr(tokenize, n) for n in ("FSTRING_START", "FSTRING_END")
                                             if hasattr(tokenize, n))})
_STATEMENT_START = frozenset({None, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT})
_NOT_SIGNIFICANT = frozenset({tokenize.COMMENT, tokenize.NL})


class TokenizeTokens:
    """One pass of the stdlib tokenizer, for what libcst's tree does not give cheaply: string
    literal positions (sharper finding locations), comments and docstrings (prose notes),
    comment offsets (so the marker scan skips comments), and for the parse-or-not decision
    the values of non-docstring strings and the source of import statements."""

    def __init__(self, text: str):
        self.literals: list[tuple[int, int, int, int, str]] = []  # line, col, end_line, end_col (1-based), source
        self.prose: list[tuple[int, int, str]] = []  # line, col (0-based), text of comments and docstrings
        self.comment_spans: list[tuple[int, int]] = []  # offsets into text
        self.values: list[str] = []  # text strings that are not statements of their own (implicit concatenation joined)
        self.imports: list[str] = []  # source of each `import` / `from ... import` statement
        self.ok = False  # False when the tokenizer gave up (the caller then parses to decide)
        try:
            tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
        except (tokenize.TokenError, IndentationError, SyntaxError):
            return
        self.ok = True
        line_starts = [0]
        for line in text.splitlines(keepends=True):
            line_starts.append(line_starts[-1] + len(line))
        previous_significant = None
        group: list[tokenize.TokenInfo] = []  # adjacent string tokens: one value
        group_starts_statement = False
        import_start: tuple[int, int] | None = None
        for tok in tokens:
            if tok.type == tokenize.COMMENT:
                self.prose.append((tok.start[0], tok.start[1], tok.string))
                start = line_starts[tok.start[0] - 1] + tok.start[1]
                self.comment_spans.append((start, start + len(tok.string)))
            elif tok.type in _STRING_TYPES:
                self.literals.append((tok.start[0], tok.start[1] + 1, tok.end[0], tok.end[1] + 1, tok.string))
                at_statement_start = previous_significant in _STATEMENT_START
                if at_statement_start and tok.string.lstrip("rRbBuU").startswith(('"""', "'''")):
                    self.prose.append((tok.start[0], tok.start[1], tok.string))
                if not group:
                    group_starts_statement = at_statement_start
                group.append(tok)
            elif tok.type not in _INSIDE_STRINGS:
                if group:
                    # A string that is a whole statement is a docstring (or dead prose).
                    if not (group_starts_statement and tok.type in (tokenize.NEWLINE, tokenize.ENDMARKER)):
                        self._add_value(group)
                    group = []
                if tok.type == tokenize.NAME and tok.string in ("import", "from") and previous_significant in _STATEMENT_START:
                    import_start = tok.start
                elif tok.type in (tokenize.NEWLINE, tokenize.ENDMARKER) and import_start is not None:
                    begin = line_starts[import_start[0] - 1] + import_start[1]
                    self.imports.append(text[begin:line_starts[tok.start[0] - 1] + tok.start[1]])
                    import_start = None
            if tok.type not in _NOT_SIGNIFICANT:
                previous_significant = tok.type
        if group:
            self._add_value(group)

    def _add_value(self, group: list[tokenize.TokenInfo]) -> None:
        inner = []
        for tok in group:
            prefix = len(tok.string) - len(tok.string.lstrip("rRbBuUfF"))
            if "b" in tok.string[:prefix].lower():
                return  # bytes: not a text value
            body = tok.string[prefix:]
            quote = 3 if body[:3] in ('"""', "'''") else (1 if body[:1] in ('"', "'") else 0)
            part = body[quote:len(body) - quote] if quote else body
            # Before 3.12 an f-string is one token: its {fields} are code, not text.
            inner.append(fstring_text(part) if "f" in tok.string[:prefix].lower() else part)
        value = "".join(inner)
        if "\\" in value:  # escapes: the evaluated value can hold a word its source does not
            try:
                evaluated = ast.literal_eval(" ".join(t.string for t in group))
                if isinstance(evaluated, str):
                    value += "\n" + evaluated
            except (ValueError, SyntaxError, MemoryError, RecursionError):
                pass
        self.values.append(value)
