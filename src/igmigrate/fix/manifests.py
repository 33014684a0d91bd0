"""Dependency bumps: move a manifest constraint to the first migrated release packages.yaml
names. Lock files are never edited; the plan says which lock command to run instead."""

from __future__ import annotations

import re
from dataclasses import dataclass

from igmigrate.analyzers.manifests import _normalize, _version_of, reader_for
from igmigrate.knowledge import KnowledgeBase, Package
from igmigrate.versions import VersionError, affected, lowest_admitted, parse_version

LOCK_FILES = {"package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "composer.lock",
              "Pipfile.lock", "poetry.lock", "Gemfile.lock", "go.sum", "packages.lock.json", "uv.lock"}
_VERSION = re.compile(r"\d+(?:\.\d+)*")
_UPPER = re.compile(r"<=?\s*v?(\d+(?:\.\d+)*)")


@dataclass(frozen=True)
class Bump:
    start: int  # span of the constraint text in the file
    end: int
    old: str
    new: str
    package: Package


class NoBump(Exception):
    """Why this dependency is left for manual work (one line)."""


def bump_for(kb: KnowledgeBase, name: str, text: str, line: int, rule_id: str) -> Bump:
    """The constraint edit for the dependency a package finding points at (line is 1-based)."""
    found = reader_for(name)
    if found is None:
        raise NoBump("not a manifest igmigrate reads")
    ecosystem, reader = found
    if name in LOCK_FILES:
        raise NoBump("lock files are never edited: move the manifest constraint, then run the lock command")
    try:
        deps = [d for d in reader(text) if d.line == line]
    except ValueError as exc:
        raise NoBump(f"cannot read the manifest ({exc})") from None
    for dep in deps:
        key = _normalize(dep.name, ecosystem)
        for pkg in kb.packages:
            if pkg.rule != rule_id or pkg.ecosystem != ecosystem or _normalize(pkg.name, ecosystem) != key:
                continue
            version = _version_of(dep)
            if version is not None and not affected(version, pkg.affected):
                continue
            if not pkg.fix_to:
                raise NoBump(f"{pkg.name} has no migrated release: {pkg.successor}")
            target = _target(pkg, version)
            new_spec = move_constraint(dep.spec, target)
            if new_spec is None:
                raise NoBump(f"constraint {dep.spec!r} of {dep.name} cannot be moved to {target} by rule; edit it by hand")
            _check(kb, pkg, new_spec, target)
            start, end = _spec_span(text, dep.name, dep.spec, line)
            return Bump(start, end, dep.spec, new_spec, pkg)
    raise NoBump("no dependency with a known migrated release on this line")


def _target(pkg: Package, current) -> str:
    """The lowest migrated release at or above what the constraint admits now."""
    if current is not None:
        for target in pkg.fix_to:
            if parse_version(target) >= current:
                return target
    return pkg.fix_to[0] if current is None else pkg.fix_to[-1]


def move_constraint(spec: str, target: str) -> str | None:
    """`^5.0` -> `^5.1.0`, `2.13.6` -> `2.13.7`, `==1.2` -> `==4.1.0`, `>=5.0,<6` -> `>=5.1.0,<6`,
    `v1.2.0` -> `v<target>`: the operator and layout kept, the lower bound replaced. None when
    the constraint is not one lower bound (alternatives, wildcards, ranges it would leave empty)."""
    text = spec.strip()
    if not text or "||" in text or "|" in text or re.search(r"[*xX]\b|\.x\b|\*", text) or text.startswith(("<", "!")):
        return None
    match = _VERSION.search(spec)
    if match is None:
        return None
    new = spec[:match.start()] + target + spec[match.end():]
    for upper in _UPPER.finditer(new):
        if parse_version(upper.group(1)) <= parse_version(target):
            return None
    return new


def _check(kb: KnowledgeBase, pkg: Package, new_spec: str, target: str) -> None:
    try:
        low = lowest_admitted(new_spec)
    except VersionError:
        low = None
    if low is None or low < parse_version(target):
        raise NoBump(f"moved constraint {new_spec!r} would still admit releases below {target}")
    for other in kb.packages:
        if other.name == pkg.name and other.ecosystem == pkg.ecosystem and kb.rules[other.rule].severity == "error" \
                and affected(low, other.affected):
            raise NoBump(f"{target} is still affected under {other.rule}")


def _spec_span(text: str, name: str, spec: str, line: int) -> tuple[int, int]:
    """Where the constraint text sits: after the dependency's name, on its line or, for
    XML manifests, inside the same <dependency> element."""
    lines = text.splitlines(keepends=True)
    start = sum(len(l) for l in lines[:line - 1])
    end = start + len(lines[line - 1]) if line - 1 < len(lines) else len(text)
    if text.lstrip().startswith("<") or "<dependency>" in text[start:end]:
        close = text.find("</dependency>", start)
        end = close if close >= 0 and "<dependency>" in text[start:end] else end
    low = text.lower()
    at = low.find(name.lower(), start, end)
    at = at + len(name) if at >= 0 else start
    where = text.find(spec, at, end)
    if where < 0:
        raise NoBump(f"cannot find the constraint {spec!r} of {name} on line {line}")
    return where, where + len(spec)
