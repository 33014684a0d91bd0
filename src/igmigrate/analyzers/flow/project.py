"""The files of the scanned tree a flow analysis may read besides its own, and how a name
in one file finds the file that defines it.

Every cross-file read is a *query* answered from the tree's file list; the answer (a path,
or several joined by newlines) is recorded with its content hash, like a Python module
lookup (cache.py), so a cached analysis is reused only while every query still finds the
same files with the same bytes. Queries:

  flow:module:<abs path without extension>   ES import / require of a relative path
  flow:dir:<abs folder>:<grammar>            Go: the other files of a package (same folder)
  flow:name:<grammar>:<lowercased name>      PHP classes and Ruby modules by file name
                                             (Endpoints -> Endpoints.php, IG -> ig.rb)

This module imports no tree-sitter code: the cache validates queries with it on warm scans.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
MAX_NAME_MATCHES = 8  # files one class name may resolve to (a bound on a crowded tree)
MAX_TREE_FILES = 48  # files of a folder tree one lookup may read (a bound on a crowded module)


def snake(name: str) -> str:
    return _CAMEL.sub("_", name).lower()


class FlowFiles:
    """Paths (absolute, as discovered) of the tree's files that have a grammar."""

    def __init__(self, files: Iterable[tuple[str, str]]):
        """files: (absolute path, display path) of the tree's files."""
        from igmigrate.analyzers.grammars import grammar_for

        self.grammar: dict[str, str] = {}
        self.display: dict[str, str] = {}
        self.by_dir: dict[tuple[str, str], list[str]] = {}
        self.by_name: dict[tuple[str, str], list[str]] = {}
        for path, display in sorted(files):
            grammar = grammar_for(path)
            if grammar is None:
                continue
            self.grammar[path] = grammar
            self.display[path] = display
            folder, base = os.path.split(path)
            self.by_dir.setdefault((folder, grammar), []).append(path)
            stem = base.split(".", 1)[0]
            for key in {stem.lower(), snake(stem)}:
                self.by_name.setdefault((grammar, key), []).append(path)

    def _tree(self, folder: str, grammar: str) -> list[str]:
        """Files of one grammar in a folder and its subfolders, nearest folders first (a Swift
        module, a Kotlin or C# source set): the same folder's files, then deeper ones."""
        prefix = folder.rstrip(os.sep) + os.sep
        found = [p for (f, g), paths in self.by_dir.items() if g == grammar and (f == folder or f.startswith(prefix))
                 for p in paths]
        return sorted(found, key=lambda p: (p.count(os.sep), p))

    def resolve(self, query: str) -> str | None:
        kind, _, arg = query.partition(":")[2].partition(":")
        if kind == "module":
            base, _, exts = arg.rpartition("|")
            if base in self.grammar:
                return base
            for ext in exts.split(","):
                for candidate in (base + ext, os.path.join(base, "index" + ext)):
                    if candidate in self.grammar:
                        return candidate
            return None
        if kind == "dir":
            folder, _, grammar = arg.rpartition(":")
            found = self.by_dir.get((folder, grammar))
            return "\n".join(found) if found else None
        if kind == "tree":
            folder, _, grammar = arg.rpartition(":")
            found = self._tree(folder, grammar)
            return "\n".join(found[:MAX_TREE_FILES]) if found else None
        if kind == "name":
            grammar, _, name = arg.partition(":")
            found = self.by_name.get((grammar, name))
            return "\n".join(found[:MAX_NAME_MATCHES]) if found else None
        return None


def tree_query(folder: str, grammar: str) -> str:
    return f"flow:tree:{folder}:{grammar}"


def module_query(base: str, extensions: tuple[str, ...]) -> str:
    return f"flow:module:{base}|{','.join(extensions)}"


def dir_query(folder: str, grammar: str) -> str:
    return f"flow:dir:{folder}:{grammar}"


def name_query(grammar: str, name: str) -> str:
    return f"flow:name:{grammar}:{name}"
