"""The stdlib tokenizer's view of a Python file, as PythonTokens computed it before it got its
own lexer: the reference the lexer must equal (tests/test_python_tokens.py)."""

from __future__ import annotations

import io
import tokenize

from igmigrate.analyzers.python_tokens import PythonTokens


# Token types, resolved once (f-string parts are tokens of their own from Python 3.12 on).
_STRING_TYPES = frozenset({tokenize.STRING, getattr(tokenize, "FSTRING_MIDDLE", tokenize.STRING)})
_INSIDE_STRINGS = frozenset({tokenize.NL, *(getattr(tokenize, n) for n in ("FSTRING_START", "FSTRING_END")
                                             if hasattr(tokenize, n))})
_STATEMENT_START = frozenset({None, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT})
_NOT_SIGNIFICANT = frozenset({tokenize.COMMENT, tokenize.NL})


class TokenizeTokens(PythonTokens):
    """PythonTokens whose facts come from the stdlib tokenizer (the fields, their clearing when
    the tokenizer gives up, and the string-value rules are PythonTokens' own)."""

    def _lex(self, text: str) -> bool:
        try:
            tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
        except (tokenize.TokenError, IndentationError, SyntaxError):
            return False
        line_starts = [0]
        for line in text.splitlines(keepends=True):
            line_starts.append(line_starts[-1] + len(line))
        previous_significant = None
        group: list[str] = []  # adjacent string tokens: one value
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
                group.append(tok.string)
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
        return True
