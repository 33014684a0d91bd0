"""Tree-sitter grammars, loaded on first use.

Which grammar reads which file is data (rules/grammars.yaml). A grammar's module, and the
tree_sitter bindings themselves, are imported the first time a file of that language needs a
tree: a pre-commit scan of Python files never pays for them.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

if TYPE_CHECKING:
    from tree_sitter import Parser, Tree


class GrammarError(Exception):
    """A grammar that is declared but cannot be loaded (missing wheel, ABI mismatch)."""


@dataclass(frozen=True)
class Grammar:
    name: str
    module: str
    function: str
    extensions: tuple[str, ...] = ()
    filenames: tuple[str, ...] = ()


def _table_path() -> Path:
    from igmigrate.knowledge import rules_dir

    return rules_dir() / "grammars.yaml"


@lru_cache(maxsize=None)
def grammars() -> tuple[Grammar, ...]:
    path = _table_path()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise GrammarError(f"{path}: cannot read the grammar table: {exc}") from None
    out = []
    for i, entry in enumerate(data.get("grammars") or []):
        try:
            out.append(Grammar(
                name=str(entry["name"]),
                module=str(entry["module"]),
                function=str(entry.get("function", "language")),
                extensions=tuple(entry.get("extensions") or ()),
                filenames=tuple(entry.get("filenames") or ()),
            ))
        except (KeyError, TypeError) as exc:
            raise GrammarError(f"{path}: grammars[{i}]: missing or bad key {exc}") from None
    return tuple(out)


@lru_cache(maxsize=None)
def _by_suffix() -> tuple[dict[str, str], dict[str, str]]:
    extensions: dict[str, str] = {}
    filenames: dict[str, str] = {}
    for grammar in grammars():
        for ext in grammar.extensions:
            extensions[ext.lower()] = grammar.name
        for name in grammar.filenames:
            filenames[name] = grammar.name
    return extensions, filenames


def grammar_for(filename: str) -> str | None:
    """The grammar name that reads this file (by base name, then extension), or None."""
    base = os.path.basename(filename)
    extensions, filenames = _by_suffix()
    if base in filenames:
        return filenames[base]
    _, ext = os.path.splitext(base)
    return extensions.get(ext.lower())


@lru_cache(maxsize=None)
def parser(name: str) -> "Parser":
    """A parser for the named grammar (one per process; parsers are not thread-safe, and
    scan workers are processes)."""
    from tree_sitter import Language, Parser

    grammar = next((g for g in grammars() if g.name == name), None)
    if grammar is None:
        raise GrammarError(f"unknown grammar {name!r} (see rules/grammars.yaml)")
    try:
        module = importlib.import_module(grammar.module)
        language = Language(getattr(module, grammar.function)())
    except Exception as exc:  # noqa: BLE001 - any loader failure is one clear error
        raise GrammarError(f"grammar {name}: cannot load {grammar.module}.{grammar.function}: {exc}") from None
    return Parser(language)


def parse(name: str, data: bytes) -> "Tree":
    """The syntax tree of `data` (tree-sitter never raises on bad syntax: it marks ERROR nodes;
    callers decide what a tree with errors is worth via `tree.root_node.has_error`)."""
    return parser(name).parse(data)
