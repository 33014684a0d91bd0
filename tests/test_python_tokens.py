"""The analyzer's Python lexer gives what the stdlib tokenizer gave (tests/tokens_oracle.py):
on real modules of the interpreter's own library, and on generated snippets full of the
cases that trip lexers (prefixes, continuations, unterminated strings, odd indentation)."""

from __future__ import annotations

import sysconfig
import warnings
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from igmigrate.analyzers.python_tokens import PythonTokens
from tokens_oracle import TokenizeTokens

FIELDS = ("ok", "values", "imports", "prose", "comment_spans", "literals")
_SPLITLINES_ONLY = ("\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029", "\r")


def _view(tokens) -> dict:
    if not tokens.ok:
        return {"ok": False}
    return {field: getattr(tokens, field) for field in FIELDS}


def _library_sample(every: int = 40) -> list[Path]:
    root = Path(sysconfig.get_paths()["stdlib"])
    return sorted(root.glob("*.py"))[::every // 8] + sorted(root.glob("*/**/*.py"))[::every]


@pytest.mark.parametrize("path", _library_sample(), ids=lambda p: p.name)
def test_same_as_the_tokenizer_on_library_modules(path):
    try:
        text = path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        pytest.skip("not UTF-8")
    assert _view(PythonTokens(text)) == _view(TokenizeTokens(text))


PIECES = ["x", " = ", "import os", "from . import a", "from", "(", ")", "[", "]", "{", "}", ",", "\n", "\n    ",
          "\n\t", "\n        ", "  ", "\\\n", "# c", "#", "'a'", '"b"', "'''doc'''", '"""d\n"""', "r'\\d'", "rb'x'",
          "f'{x}'", "Rb\"y\"", "u'z'", "br''", "or", "'", '"', "'''", "'\\", "x = rb", "\"\\\"\"", "'user_profile'",
          "def f():", "\n  ", "if x:", ";", "\f", "\r\n", "'''a\nb'''", "instagr", "\\x5f", "'\\x5f'", ":"]


def _compiles(text: str) -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # invalid escape sequences in generated strings
        try:
            compile(text, "<snippet>", "exec", dont_inherit=True)
        except (SyntaxError, ValueError):
            return False
    return True


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=16).map("".join))
def test_same_as_the_tokenizer_on_generated_snippets(text):
    # Equal on valid Python. On invalid Python the two may disagree on whether to give up
    # (libcst then fails on such a file either way); the lexer must only never crash.
    mine = PythonTokens(text)
    assert all(text[start:end].startswith("#") for start, end in mine.comment_spans)
    if _compiles(text):
        expected = _view(TokenizeTokens(text))
        if any(sep in text for sep in _SPLITLINES_ONLY):
            # The tokenizer-based code counted offsets with str.splitlines, which also breaks
            # at form feeds and lone CRs (the tokenizer does not): its comment offsets and
            # import slices were wrong there. The lexer's are checked on their own instead.
            offsets = ("comment_spans", "imports")
            assert all(statement.startswith(("import", "from")) for statement in mine.imports)
            assert {k: v for k, v in _view(mine).items() if k not in offsets} == \
                   {k: v for k, v in expected.items() if k not in offsets}
        else:
            assert _view(mine) == expected


def test_cases_worth_naming():
    # a prefix taken by a preceding run of code, a docstring with a prefix, `or'x'` (a name, then a string)
    tokens = PythonTokens('x = rb"a"\nr"""doc"""\ny = z or\'q\'\n')
    assert [lit[4] for lit in tokens.literals] == ['rb"a"', 'r"""doc"""', "'q'"]
    assert tokens.prose == [(2, 0, 'r"""doc"""')] and tokens.values == ["q"]
    assert not PythonTokens("x = '''never closed\n").ok
    assert not PythonTokens("f(\n").ok
    assert not PythonTokens("if x:\n        a\n    b\n").ok  # a dedent to no outer level
