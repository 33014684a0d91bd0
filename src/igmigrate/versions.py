"""Version numbers and ranges, just enough for package manifests of every ecosystem.

Knowledge-base ranges use a small common syntax ("*", "<5.1.0", ">=2024.7.0,<2025.1.0").
Manifest constraints come in each ecosystem's dialect (^1.1, ~> 1.3, >=3,<4, 5.0.*, v1.2.0);
we reduce them to the lowest version they admit, which is what a fresh install or an
old lock file may well run. An exact pin from a lock file is used as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

Version = tuple[int, ...]

_NUMBER = re.compile(r"v?(\d+(?:\.\d+)*)")
_COMPARATOR = re.compile(r"^\s*(<=|>=|==|!=|<|>|=)?\s*(.+?)\s*$")


class VersionError(ValueError):
    pass


def parse_version(text: str) -> Version:
    match = _NUMBER.match(text.strip())
    if not match:
        raise VersionError(f"not a version: {text!r}")
    parts = tuple(int(p) for p in match.group(1).split("."))
    while len(parts) > 1 and parts[-1] == 0:
        parts = parts[:-1]
    return parts


@dataclass(frozen=True)
class Specifier:
    """A conjunction of comparisons; empty means every version."""

    clauses: tuple[tuple[str, Version], ...]

    def contains(self, version: Version) -> bool:
        for op, bound in self.clauses:
            ok = {
                "<": version < bound, "<=": version <= bound, ">": version > bound,
                ">=": version >= bound, "==": version == bound, "=": version == bound,
                "!=": version != bound,
            }[op]
            if not ok:
                return False
        return True


def parse_specifier(text: str) -> Specifier:
    text = text.strip()
    if text in ("*", ""):
        return Specifier(())
    clauses = []
    for part in text.split(","):
        match = _COMPARATOR.match(part)
        if not match:
            raise VersionError(f"cannot read range {text!r}")
        op = match.group(1) or "=="
        clauses.append((op, parse_version(match.group(2))))
    return Specifier(tuple(clauses))


def affected(version: Version, ranges: tuple[str, ...]) -> bool:
    return any(parse_specifier(r).contains(version) for r in ranges)


_LOWER_BOUND = re.compile(r"(?:\^|~>|~=|~|>=|==|=|\bv)?\s*v?(\d+(?:\.\d+)*)")


def lowest_admitted(constraint: str) -> Version | None:
    """Lowest version a manifest constraint admits, or None when it says nothing usable.

    '^1.1' -> (1, 1); '~> 1.3' -> (1, 3); '>=2.0,<3' -> (2,); '5.0.*' -> (5,); '*' -> None;
    '<2.0' -> (0,) (anything below 2.0 is admitted). Alternatives ('1.x || 2.x') take the lowest.
    """
    constraint = constraint.strip().strip("'\"")
    if not constraint or constraint in ("*", "latest", "x") or constraint.startswith(("dev-", "git", "http", "file:", "link:", "workspace:")):
        return None
    lows = []
    for alternative in re.split(r"\|\|?", constraint):
        alternative = alternative.strip()
        if not alternative:
            continue
        if re.match(r"^\s*<", alternative) and not re.search(r">", alternative):
            lows.append((0,))
            continue
        match = _LOWER_BOUND.search(alternative.replace(" ", "") if "~>" in alternative else alternative)
        if match:
            lows.append(parse_version(match.group(1)))
    return min(lows) if lows else None
