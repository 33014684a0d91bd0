"""Bounds on what one scanned file may cost: parsers (json, toml, libcst) recurse per level
of nesting and hold a tree per node, so a hostile or generated file could exhaust the stack
or memory of the whole scan. Files over a bound are listed as errors (or, for Python, go to
the text rules with a notice); they never end a scan."""

from __future__ import annotations

import re

# Data files (package.json, composer.json, pyproject.toml...): real ones nest a dozen levels.
MAX_DATA_NESTING = 200
# libcst holds several objects per token with positions: ~600 bytes of memory per byte of
# source (a 4 MB module took 2.7 GB). Larger Python modules are generated code (tables,
# vendored bundles) and are read with the text rules instead.
MAX_LIBCST_BYTES = 512 * 1024
_DATA_BRACKETS = re.compile(r"[\[\]{}]")


class TooDeep(ValueError):
    """A file nests deeper than a parser may go."""


def nesting(text: str, brackets: re.Pattern[str] = _DATA_BRACKETS, limit: int | None = None) -> int:
    """The deepest bracket nesting of text (brackets inside strings count too: an upper
    bound, which is what a limit needs). Stops counting once past limit."""
    depth = deepest = 0
    for m in brackets.finditer(text):
        if m.group(0) in "([{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if limit is not None and deepest > limit:
                    break
        elif depth:
            depth -= 1
    return deepest


def check_data_nesting(text: str, limit: int = MAX_DATA_NESTING) -> None:
    """Raise TooDeep when brackets nest deeper than limit (before json/toml recurse into them)."""
    # Counting opening brackets (C speed) settles nearly every file: fewer than limit cannot nest deeper.
    if text.count("[") + text.count("{") > limit and nesting(text, limit=limit) > limit:
        raise TooDeep(f"nesting deeper than {limit} levels")
