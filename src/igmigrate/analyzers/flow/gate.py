"""Which files the flow analyzer reads, and the fallback when it cannot.

A file goes to the tree-sitter analyzer when rules/grammars.yaml names a grammar for it and
rules/flow/ has a lowering table for that grammar; everything else stays on the text rules.
The analyzer (and tree_sitter, and the grammar) is imported on the first such file. A file
the grammar cannot read (mostly ERROR nodes, a grammar that does not load, any crash in the
engine) is analyzed by the text rules instead, with a notice that lists it in errors[].
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from igmigrate.analyzers.base import FileAnalysis


@lru_cache(maxsize=4096)
def flow_grammar(filename: str) -> str | None:
    from igmigrate.analyzers.flow.spec import spec_for_grammar
    from igmigrate.analyzers.grammars import grammar_for

    grammar = grammar_for(filename)
    return grammar if grammar is not None and spec_for_grammar(grammar) is not None else None


class FlowGate:
    def __init__(self, kb, matcher, files: Callable[[], object] | None = None):
        self.kb = kb
        self.matcher = matcher
        self.files = files  # builds the tree's FlowFiles on first need
        self._analyzer = None

    @property
    def analyzer(self):
        if self._analyzer is None:
            from igmigrate.analyzers.flow.analyzer import FlowAnalyzer

            self._analyzer = FlowAnalyzer(self.kb, self.matcher, self.files() if self.files else None)
        return self._analyzer

    def analyze(self, text: str, grammar: str, path: str, result: FileAnalysis,
                contexts: dict) -> list[tuple[int, int]] | None:
        """Comment spans, or None after a failure (result is left as it was, with a notice)."""
        hits, evidence = len(result.hits), len(result.evidence)
        try:
            return self.analyzer.analyze(text, grammar, path, result, contexts)
        except RecursionError:
            reason = "nesting too deep for the tree-sitter analyzer"
        except Exception as exc:  # noqa: BLE001 - one file never sinks a scan; the text rules take over
            reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        del result.hits[hits:]
        del result.evidence[evidence:]
        result.notices.append(f"{grammar} parse failed ({reason}); scanned with the text rules instead")
        return None

    def start(self) -> None:
        if self._analyzer is not None or self.files is not None:
            self.analyzer.workspace.start()

    def stop(self) -> frozenset:
        return self.analyzer.workspace.stop() if self._analyzer is not None else frozenset()
