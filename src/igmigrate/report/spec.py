"""Load rules/report.yaml: flows, the probe join, manual work and date labels.

The report's groupings are data so that adding a rule or a probe step means editing YAML, not
Python. Every problem raises KnowledgeBaseError("report.yaml: ..."), which the CLI maps to exit 2.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from igmigrate.knowledge import Example, KnowledgeBase, KnowledgeBaseError

FILE = "report.yaml"
_ID = re.compile(r"^[a-z][a-z0-9_-]*$")


@dataclass(frozen=True)
class FlowSpec:
    id: str
    title: str
    summary: str
    rules: tuple[str, ...]  # extra members besides rules whose detect.flow is this id


@dataclass(frozen=True)
class JoinSpec:
    step: str
    call: str
    rules: tuple[str, ...]
    when: re.Pattern | None = None

    def applies(self, rule_id: str, texts: tuple[str, ...]) -> bool:
        if rule_id not in self.rules:
            return False
        return self.when is None or any(self.when.search(t) for t in texts)


@dataclass(frozen=True)
class ManualSpec:
    id: str
    title: str
    text: str
    docs: str | None
    rules: tuple[str, ...]


@dataclass(frozen=True)
class EffortSpec:
    """Hours per call site by rule: a planning estimate, labelled as one wherever it is shown."""

    unit: str
    default: float  # rules without a weight (and rules of a newer knowledge base)
    weights: dict[str, float]
    note: str

    def weight(self, rule_id: str) -> float:
        return self.weights.get(rule_id, self.default)


@dataclass(frozen=True)
class ReportSpec:
    dates: tuple[tuple[str, str], ...]  # (knowledge.yaml date key, label)
    flows: tuple[FlowSpec, ...]
    joins: tuple[JoinSpec, ...]
    manual: tuple[ManualSpec, ...]
    after_examples: dict[str, Example | None]  # rule id -> shown instead of its first `good` example
    effort: EffortSpec = EffortSpec("hours", 1.0, {}, "")
    migrations: dict[str, tuple[tuple[Example, Example], ...]] = field(default_factory=dict)  # rule -> (before, after)

    def flow_of(self, kb: KnowledgeBase, rule_id: str) -> str | None:
        rule = kb.rules.get(rule_id)
        for flow in self.flows:
            if rule_id in flow.rules:
                return flow.id
        return rule.detect.flow if rule is not None else None

    def join_of(self, rule_id: str, texts: tuple[str, ...]) -> JoinSpec | None:
        return next((j for j in self.joins if j.applies(rule_id, texts)), None)


class _Check:
    def __init__(self, rules: set[str]):
        self.rules = rules
        self.where = ""

    def fail(self, problem: str) -> None:
        where = f" {self.where}:" if self.where else ""
        raise KnowledgeBaseError(f"{FILE}:{where} {problem}")

    def mapping(self, value, what: str) -> dict:
        if not isinstance(value, dict):
            self.fail(f"{what} must be a mapping")
        return value

    def items(self, value, what: str) -> list:
        if not isinstance(value, list) or not value:
            self.fail(f"{what} must be a non-empty list")
        return value

    def text(self, data: dict, key: str, required: bool = True) -> str | None:
        value = data.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value.strip():
            self.fail(f"key '{key}' must be a non-empty string")
        return " ".join(value.split())

    def url(self, data: dict, key: str) -> str | None:
        value = self.text(data, key, required=False)
        if value is not None and not value.startswith("https://"):
            self.fail(f"key '{key}' must be an https:// URL")
        return value

    def rule_ids(self, data: dict, required: bool) -> tuple[str, ...]:
        raw = data.get("rules")
        if raw is None and not required:
            return ()
        ids = self.items(raw, "rules")
        for rule_id in ids:
            if rule_id not in self.rules:
                self.fail(f"rules names unknown rule {rule_id!r}")
        return tuple(ids)

    def known_keys(self, data: dict, allowed: set[str]) -> None:
        extra = sorted(set(data) - allowed)
        if extra:
            self.fail(f"unknown key '{extra[0]}'")


def _flows(raw: list, kb: KnowledgeBase, check: _Check) -> tuple[FlowSpec, ...]:
    flows = []
    for item in check.items(raw, "flows"):
        item = check.mapping(item, "each flow")
        check.where = f"flow {item.get('id', '?')}"
        check.known_keys(item, {"id", "title", "summary", "rules"})
        flow_id = check.text(item, "id")
        if not _ID.match(flow_id) or any(f.id == flow_id for f in flows):
            check.fail("id must be a unique lower-case name")
        flows.append(FlowSpec(flow_id, check.text(item, "title"), check.text(item, "summary"),
                              check.rule_ids(item, required=False)))
    check.where = ""
    ids = {f.id for f in flows}
    for rule in kb.rules.values():
        if rule.detect.flow and rule.detect.flow not in ids:
            check.fail(f"no flow entry for detect.flow {rule.detect.flow!r} (rule {rule.id})")
    return tuple(flows)


def _joins(raw: list, check: _Check) -> tuple[JoinSpec, ...]:
    joins = []
    for item in check.items(raw, "probe_join"):
        item = check.mapping(item, "each probe_join entry")
        check.where = f"probe_join {item.get('step', '?')}"
        check.known_keys(item, {"step", "call", "rules", "when"})
        step = check.text(item, "step")
        if not _ID.match(step):
            check.fail("step must be a lower-case name")
        when = check.text(item, "when", required=False)
        try:
            pattern = re.compile(when) if when else None
        except re.error as exc:
            check.fail(f"when {when!r} is not a valid regex ({exc})")
        joins.append(JoinSpec(step, check.text(item, "call"), check.rule_ids(item, required=True), pattern))
    check.where = ""
    return tuple(joins)


def _manual(raw: list, check: _Check) -> tuple[ManualSpec, ...]:
    out = []
    for item in check.items(raw, "manual"):
        item = check.mapping(item, "each manual entry")
        check.where = f"manual {item.get('id', '?')}"
        check.known_keys(item, {"id", "title", "text", "docs", "rules"})
        out.append(ManualSpec(check.text(item, "id"), check.text(item, "title"), check.text(item, "text"),
                              check.url(item, "docs"), check.rule_ids(item, required=False)))
    check.where = ""
    return tuple(out)


def _after_examples(raw, check: _Check) -> dict[str, Example | None]:
    out: dict[str, Example | None] = {}
    for rule_id, item in check.mapping(raw if raw is not None else {}, "after_examples").items():
        check.where = f"after_examples {rule_id}"
        if rule_id not in check.rules:
            check.fail("names an unknown rule")
        if item is None:
            out[rule_id] = None
            continue
        out[rule_id] = _example(item, check, "the example")
    check.where = ""
    return out


def _number(value, check: _Check, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1000:
        check.fail(f"{what} must be a number of hours from 0 to 1000")
    return float(value)


def _effort(raw, check: _Check) -> EffortSpec:
    check.where = "effort"
    item = check.mapping(raw, "effort")
    check.known_keys(item, {"unit", "default", "note", "weights"})
    weights = {}
    for rule_id, value in check.mapping(item.get("weights"), "weights").items():
        if rule_id not in check.rules:
            check.fail(f"weights names unknown rule {rule_id!r}")
        weights[rule_id] = _number(value, check, f"weights.{rule_id}")
    spec = EffortSpec(check.text(item, "unit"), _number(item.get("default"), check, "default"), weights,
                      check.text(item, "note"))
    check.where = ""
    return spec


def _example(raw, check: _Check, what: str) -> Example:
    item = check.mapping(raw, what)
    check.known_keys(item, {"file", "code"})
    code = item.get("code")
    if not isinstance(code, str) or not code.strip():
        check.fail(f"{what}: key 'code' must be a non-empty string")
    return Example(file=check.text(item, "file"), code=code)


def _migrations(raw, check: _Check) -> dict[str, tuple[tuple[Example, Example], ...]]:
    out: dict[str, tuple[tuple[Example, Example], ...]] = {}
    for rule_id, pairs in check.mapping(raw if raw is not None else {}, "migrations").items():
        check.where = f"migrations {rule_id}"
        if rule_id not in check.rules:
            check.fail("names an unknown rule")
        found = []
        for pair in check.items(pairs, "the examples"):
            pair = check.mapping(pair, "each example pair")
            check.known_keys(pair, {"before", "after"})
            found.append((_example(pair.get("before"), check, "before"), _example(pair.get("after"), check, "after")))
        out[rule_id] = tuple(found)
    check.where = ""
    return out


def parse_spec(doc: object, kb: KnowledgeBase) -> ReportSpec:
    check = _Check(set(kb.rules))
    doc = check.mapping(doc, "the document")
    check.known_keys(doc, {"schema_version", "dates", "flows", "probe_join", "manual", "after_examples", "effort",
                           "migrations"})
    if doc.get("schema_version") != 1:
        check.fail("schema_version must be 1")
    labels = check.mapping(doc.get("dates"), "dates")
    for key, label in labels.items():
        if not isinstance(label, str) or not label.strip():
            check.fail(f"dates.{key} must be a non-empty label")
    dates = tuple((str(k), v) for k, v in labels.items() if k in kb.dates and kb.dates[k])
    return ReportSpec(dates=dates, flows=_flows(doc.get("flows"), kb, check),
                      joins=_joins(doc.get("probe_join"), check), manual=_manual(doc.get("manual"), check),
                      after_examples=_after_examples(doc.get("after_examples"), check),
                      effort=_effort(doc.get("effort"), check), migrations=_migrations(doc.get("migrations"), check))


def load_spec(kb: KnowledgeBase, path: Path | None = None) -> ReportSpec:
    path = path or Path(kb.root) / FILE
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError:
        raise KnowledgeBaseError(f"{FILE}: file missing from the knowledge base ({path.parent})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark else ""
        raise KnowledgeBaseError(f"{FILE}:{line} invalid YAML") from None
    return parse_spec(doc, kb)
