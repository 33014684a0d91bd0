"""The history as data: one point per commit, oldest first, and its JSON form
(`{"points": [{"commit", "date", "errors", "warnings", "notes", "by_rule"}]}`), which
`igmigrate report --history FILE` reads back."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from igmigrate.report.inputs import InputError, load_json


@dataclass(frozen=True)
class HistoryPoint:
    commit: str
    date: str  # committer date, ISO 8601
    errors: int
    warnings: int
    notes: int
    by_rule: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"commit": self.commit, "date": self.date, "errors": self.errors, "warnings": self.warnings,
                "notes": self.notes, "by_rule": dict(sorted(self.by_rule.items()))}


@dataclass(frozen=True)
class History:
    points: tuple[HistoryPoint, ...]  # oldest first
    repository: str | None = None
    branch: str | None = None
    every: int = 1

    def to_json(self) -> dict:
        return {"schema_version": 1, "repository": self.repository, "branch": self.branch, "every": self.every,
                "points": [p.to_json() for p in self.points]}


def _count(raw: dict, key: str, bad) -> int:
    value = raw.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise bad(f"'{key}' must be a non-negative integer")
    return value


def parse_history(doc: object, where: str) -> History:
    def bad(problem: str) -> InputError:
        return InputError(f"--history {where}: {problem} (expected the output of igmigrate history --format json)")

    if not isinstance(doc, dict) or not isinstance(doc.get("points"), list):
        raise bad("the document must be an object with a 'points' list")
    points = []
    for index, raw in enumerate(doc["points"]):
        if not isinstance(raw, dict):
            raise bad(f"points[{index}] must be an object")
        commit, date = raw.get("commit"), raw.get("date")
        if not isinstance(commit, str) or not commit or not isinstance(date, str) or not date:
            raise bad(f"points[{index}] needs 'commit' and 'date' strings")
        by_rule = raw.get("by_rule") or {}
        if not isinstance(by_rule, dict) or not all(isinstance(k, str) and isinstance(v, int) for k, v in by_rule.items()):
            raise bad(f"points[{index}].by_rule must map rule ids to counts")
        points.append(HistoryPoint(commit, date, _count(raw, "errors", bad), _count(raw, "warnings", bad),
                                   _count(raw, "notes", bad), dict(by_rule)))
    repository = doc.get("repository") if isinstance(doc.get("repository"), str) else None
    branch = doc.get("branch") if isinstance(doc.get("branch"), str) else None
    every = doc.get("every") if isinstance(doc.get("every"), int) and doc.get("every", 0) > 0 else 1
    return History(tuple(points), repository, branch, every)


def read_history(path: Path) -> History:
    return parse_history(load_json(path, "--history"), str(path))
