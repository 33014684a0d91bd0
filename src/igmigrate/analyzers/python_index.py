"""The Python modules of the scanned tree by dotted name, for constants imported across
modules. Importing this costs nothing: libcst loads only when a module's table is built."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from igmigrate.analyzers.matching import Matcher
from igmigrate.limits import MAX_LIBCST_BYTES
from igmigrate.modules import ModuleFinder
from igmigrate.reading import TooLarge, read_bytes

# The libcst evaluator (analyzers/python.py) registers the function that builds a module's
# table when it is imported; only it asks for tables. Registering, instead of importing it
# here, keeps imports pointing down (python -> python_index, never back).
_table_builder: list[Callable] = []


def register_table_builder(builder: Callable) -> None:
    _table_builder[:] = [builder]


# A module's table (analyzers.python.ModuleTable); typed loosely so this module needs
# nothing from the evaluator above it.
ModuleTable = Any


class ModuleIndex:
    """Dotted module names of the scanned tree, parsed lazily for their constants."""

    def __init__(self, python_files: dict[str, Path]):
        self.files = python_files  # "pkg.mod" -> path
        self.tables: dict[str, ModuleTable | None] = {}
        self._finder = ModuleFinder(python_files)
        # Set by the scanner to its byte prefilter: a module whose bytes hold no candidate
        # word cannot export an Instagram URL or scope, so it is never parsed for constants.
        self.byte_filter: Callable[[bytes], object] | None = None

    def resolve(self, current: str, module: str, level: int) -> str:
        if level:
            base = current.split(".")
            base = base[: len(base) - level] if level <= len(base) else []
            return ".".join([*base, module] if module else base)
        return module

    def find(self, module: str) -> str | None:
        return self._finder.find(module)

    def may_export(self, module: str) -> bool:
        """Whether the in-tree module could hold Instagram constants (its bytes pass the prefilter)."""
        name = self.find(module)
        if name is None:
            return False
        if self.byte_filter is None:
            return True
        try:
            return bool(self.byte_filter(read_bytes(str(self.files[name]), MAX_LIBCST_BYTES)))
        except (OSError, TooLarge):
            return False

    def table(self, module: str, matcher: Matcher, depth: int = 0) -> ModuleTable | None:
        name = self.find(module)
        if name is None or depth > 2:
            return None
        if name not in self.tables:
            from libcst import ParserSyntaxError, parse_module

            build_table = _table_builder[0]
            self.tables[name] = None  # cycle guard
            try:
                data = read_bytes(str(self.files[name]), MAX_LIBCST_BYTES)  # libcst's bound, as for scanned files
                if self.byte_filter is not None and not self.byte_filter(data):
                    return None
                source = data.decode("utf-8", errors="replace")
                tree = parse_module(source)
            except (OSError, TooLarge, ParserSyntaxError, RecursionError):
                return None
            self.tables[name] = build_table(tree, name, self, matcher, depth + 1)
        return self.tables[name]
