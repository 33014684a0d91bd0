"""Python module names of the scanned tree, without libcst: shared by the analyzer (constant
lookups across modules), the result cache (validating recorded lookups) and the scanner."""

from __future__ import annotations


def module_name(rel: str) -> str:
    """Dotted module name of a .py path relative to the scan root ('pkg/__init__.py' -> 'pkg')."""
    name = rel[:-3] if rel.endswith(".py") else rel
    parts = name.split("/")
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


class ModuleFinder:
    """Finds 'pkg.consts' among the tree's modules, also when the tree is indexed from a
    parent folder ('src.pkg.consts'): an exact name first, else the first (sorted) name that
    ends with '.pkg.consts'. A dict by last component keeps each lookup cheap on big trees."""

    def __init__(self, names):
        self.names = names
        self._by_last: dict[str, list[str]] | None = None

    def find(self, module: str) -> str | None:
        if module in self.names:
            return module
        if self._by_last is None:
            self._by_last = {}
            for name in sorted(self.names):
                self._by_last.setdefault(name.rsplit(".", 1)[-1], []).append(name)
        suffix = "." + module
        for name in self._by_last.get(module.rsplit(".", 1)[-1], ()):
            if name.endswith(suffix):
                return name
        return None
