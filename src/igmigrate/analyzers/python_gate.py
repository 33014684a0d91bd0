"""Python files: one tokenizer pass, then libcst only for files whose strings could matter.

libcst is the dearest step of a scan (its import alone is ~0.3 s per process, its parse
0.03-0.3 MB/s with positions), and most files that pass the byte prefilter name Instagram
only in comments, docstrings or identifiers. Those get their prose notes from the tokens
and are never parsed; the analyzer in python.py (and libcst) is imported on first need.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from igmigrate.analyzers.base import FileAnalysis
from igmigrate.analyzers.matching import Matcher, file_contexts
from igmigrate.analyzers.python_index import ModuleIndex
from igmigrate.analyzers.python_tokens import MAX_NESTING, PythonTokens, max_nesting, prose_hits
from igmigrate.limits import MAX_LIBCST_BYTES


class PythonGate:
    def __init__(self, matcher: Matcher, index: ModuleIndex | None = None,
                 candidate: Callable[[str], bool] | None = None):
        self.matcher = matcher
        self.index = index
        self.candidate = candidate  # the prefilter on text; None = always parse
        self._deep = None

    def analyze(self, text: str, result: FileAnalysis, module: str = "__main__",
                contexts: dict | None = None) -> list[tuple[int, int]] | None:
        """Adds the file's hits to result and returns its comment spans (offsets, for the
        marker scan); None when libcst cannot parse the file (the caller falls back to text rules)."""
        if max_nesting(text) > MAX_NESTING:
            return None  # libcst's native parser overflows its stack on such input (a crash, not an error)
        contexts = contexts if contexts is not None else file_contexts(text)
        tokens = PythonTokens(text)
        if self.candidate is not None and not self._worth_parsing(tokens, module):
            prose_hits(self.matcher, tokens, result, contexts)
            return tokens.comment_spans
        if len(text) > MAX_LIBCST_BYTES:
            result.notices.append(f"Python module over {MAX_LIBCST_BYTES // 1024} KB: not parsed (libcst needs"
                                  " hundreds of bytes of memory per byte); scanned with the text rules instead")
            return None
        if self._deep is None:
            from igmigrate.analyzers.python import PythonAnalyzer

            self._deep = PythonAnalyzer(self.matcher, self.index)
        return self._deep.analyze_tokens(text, tokens, result, module, contexts)

    def _client_import(self, statement: str) -> bool:
        return any(p.search(statement) for package in self.matcher.kb.packages for p in package.imports)

    def _worth_parsing(self, tokens: PythonTokens, module: str) -> bool:
        """A cheap look (the tokens we need anyway; an ast walk of every node cost more than
        the tokenizer on big modules) for a string value that could matter: a candidate word
        in a string that is not a docstring, or an import of an in-tree module that could
        export Instagram constants."""
        if not tokens.ok:
            return True  # let libcst (or the text fallback) decide
        if any(self.candidate(value) for value in tokens.values):
            return True
        if any(self._client_import(statement) for statement in tokens.imports):
            return True  # a known client's scope words ("likes", "comments") pass no prefilter
        if self.index is None:
            return False
        for statement in tokens.imports:
            try:
                nodes = ast.parse(statement).body
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                return True
            for node in nodes:
                if isinstance(node, ast.ImportFrom):
                    base = self.index.resolve(module, node.module or "", node.level)
                    targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
                    if any(self.index.may_export(t) for t in targets if t):
                        return True
                elif isinstance(node, ast.Import) and any(self.index.may_export(a.name) for a in node.names):
                    return True
        return False
