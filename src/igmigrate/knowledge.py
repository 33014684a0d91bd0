"""Load and check the knowledge base (rules/*.yaml): rules, packages, languages, facts.

The YAML files are the single source of what igmigrate knows; this module only checks
their shape and turns them into dataclasses. A malformed file stops the tool with a
message naming the file and the rule (the CLI maps KnowledgeBaseError to exit 2).

Regexes are compiled on first use (LazyPattern). Loading validates them all, with the
error above, except for the copy installed inside the package: it was checked by the test
suite before release, and a pre-commit scan whose file fails the prefilter uses none of
them. A bad regex there (someone edited site-packages) gives the same error at first use.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from igmigrate.findings import SEVERITIES

RULE_ID = re.compile(r"^IGM\d{3}$")
DETECT_KINDS = {"scope", "endpoint", "token", "marker", "import", "package", "derived", "none"}
EVIDENCE = {"basic_display", "basic_display_weak", "instagram_login", "legacy"}
CATEGORIES = {"basic-display", "legacy", "instagram-login", "instagram-login-scope", "secret",
              "dependency", "product", "inventory", "tool"}
ECOSYSTEMS = {"pypi", "npm", "composer", "rubygems", "go", "maven", "nuget"}
FIX_APPLICABILITY = ("safe", "unsafe")
# scope: rename the rule's scope values (to one value, else each to its detect.suggestions entry);
# text: replace what `pattern` matches inside a literal by `to`; package: move a manifest
# constraint to the first migrated release (packages.yaml fix.to).
FIX_KINDS = {"scope": "scope", "text": None, "package": "package"}  # fix kind -> detect kind it needs


class KnowledgeBaseError(Exception):
    """A rules file is missing or malformed."""


class LazyPattern:
    """A regex compiled on first use, standing in for re.Pattern; `pattern` costs nothing.

    Once compiled, the match methods (and flags, groups) sit in slots as the compiled
    pattern's own, so the analyzers' loops pay no extra call. `problem` starts the error
    message (file, rule, key, pattern) if the regex does not compile.
    """

    _COPIED = ("search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split", "flags", "groups",
               "groupindex")
    __slots__ = ("pattern", "_flags", "_problem", "_compiled", *_COPIED)

    def __init__(self, pattern: str, flags: int, problem: str):
        self.pattern = pattern
        self._flags = flags
        self._problem = problem
        self._compiled: re.Pattern | None = None

    def compiled(self) -> re.Pattern:
        if self._compiled is None:
            try:
                self._compiled = re.compile(self.pattern, self._flags)
            except re.error as exc:
                raise KnowledgeBaseError(f"{self._problem} is not a valid regex ({exc})") from None
            for name in self._COPIED:
                setattr(self, name, getattr(self._compiled, name))
        return self._compiled

    def __getattr__(self, name: str):
        # Only reached for what is not set yet: the copied attributes before the first use,
        # and the rest of re.Pattern (scanner). Not for protocol probes such as
        # copy's __deepcopy__, which would otherwise compile and hand back the bare re.Pattern.
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.compiled(), name)

    def __reduce__(self):
        return LazyPattern, (self.pattern, self._flags, self._problem)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LazyPattern):
            return NotImplemented
        return (self.pattern, self._flags) == (other.pattern, other._flags)

    def __hash__(self) -> int:
        return hash((self.pattern, self._flags))

    def __repr__(self) -> str:
        return f"LazyPattern({self.pattern!r})"


@dataclass(frozen=True)
class Example:
    file: str
    code: str
    expect: str | None = None


@dataclass(frozen=True)
class Detect:
    kind: str
    values: tuple[str, ...] = ()
    patterns: tuple[LazyPattern, ...] = ()
    grants: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()
    evidence: str | None = None
    requires: str | None = None
    relative_requires: str | None = None
    scope_context: bool = False
    shared: bool = False
    secret: bool = False
    flow: str | None = None
    where: str = "code"
    suggestions: dict = field(default_factory=dict)
    # scope values that name this rule's API on their own (Legacy-only public_content): a
    # value made only of the rule's values and holding one of these needs no `requires`
    distinctive: tuple[str, ...] = ()


@dataclass(frozen=True)
class FixSpec:
    """How `igmigrate fix` rewrites what a rule finds (rules.yaml `fix:`); see docs/fix.md."""

    applicability: str  # safe: completes the migration of that line; unsafe: needs companion steps
    kind: str  # scope | text | package
    to: str | None = None
    pattern: LazyPattern | None = None
    steps: tuple[str, ...] = ()  # companion steps, printed once per kind (templates: {lock}, {package}, {successor})


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    title: str
    severity: str
    category: str
    message: str
    detect: Detect
    replacement: str | None = None
    docs: str | None = None
    deprecated: str | None = None
    removed: str | None = None
    bad: tuple[Example, ...] = ()
    good: tuple[Example, ...] = ()
    fix: FixSpec | None = None

    def replacement_text(self) -> str | None:
        if not self.replacement:
            return None
        return f"{self.replacement} ({self.docs})" if self.docs else self.replacement


@dataclass(frozen=True)
class Package:
    name: str
    ecosystem: str
    rule: str
    affected: tuple[str, ...]
    detail: str
    successor: str
    imports: tuple[LazyPattern, ...] = ()
    only_if_code: LazyPattern | None = None
    evidence: str | None = None
    fix_to: tuple[str, ...] = ()  # first migrated release(s), lowest first


@dataclass(frozen=True)
class Language:
    family: str
    extensions: tuple[str, ...] = ()
    filenames: tuple[str, ...] = ()
    filename_prefixes: tuple[str, ...] = ()
    line_comment: tuple[str, ...] = ()
    block_comment: tuple[tuple[str, str], ...] = ()
    quotes: tuple[str, ...] = ()
    interpolation: LazyPattern | None = None
    concat: tuple[str, ...] = ()
    bare_values: bool = False
    documentation: bool = False


@dataclass(frozen=True)
class KnowledgeBase:
    version: str
    updated: str
    dates: dict
    docs: dict
    catalogue_threshold: int
    catalogue_families: int
    permission_family: dict[str, str]  # permission name -> family (basic_display, facebook_login, ...)
    rules: dict[str, Rule]
    packages: tuple[Package, ...]
    languages: tuple[Language, ...]
    digest: str
    root: Path
    lock_commands: dict[str, str] = field(default_factory=dict)  # ecosystem -> command ({packages})

    @property
    def known_permissions(self) -> frozenset[str]:
        return frozenset(self.permission_family)

    def is_catalogue(self, names: set[str]) -> bool:
        families = {self.permission_family[n] for n in names if n in self.permission_family}
        return len(names) >= self.catalogue_threshold and len(families) >= self.catalogue_families

    def rules_of_kind(self, kind: str) -> list[Rule]:
        return [r for r in self.rules.values() if r.detect.kind == kind]


def rules_dir() -> Path:
    """IGMIGRATE_RULES_DIR if set (a team's own copy of the knowledge base), else the
    installed copy (inside the package) or, in a source checkout, top-level rules/."""
    override = os.environ.get("IGMIGRATE_RULES_DIR")
    if override:
        return Path(override)
    packaged = _packaged_rules()
    if packaged.is_dir():
        return packaged
    source = Path(__file__).resolve().parents[2] / "rules"
    if source.is_dir():
        return source
    raise KnowledgeBaseError(f"{packaged}: knowledge base not found (reinstall igmigrate)")


class _Checker:
    """Small schema checker: every problem names the file and the rule or key."""

    def __init__(self, path: Path, validate: bool = True):
        self.path = path
        self.where = ""
        self.validate = validate  # compile every regex now rather than on first use

    def message(self, problem: str) -> str:
        where = f": {self.where}" if self.where else ""
        return f"{self.path.name}{where}: {problem}"

    def fail(self, problem: str) -> None:
        raise KnowledgeBaseError(self.message(problem))

    def mapping(self, value, what: str) -> dict:
        if not isinstance(value, dict):
            self.fail(f"{what} must be a mapping")
        return value

    def seq(self, value, what: str) -> list:
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(f"{what} must be a list")
        return value

    def text(self, data: dict, key: str, required: bool = True) -> str | None:
        value = data.get(key)
        if value is None:
            if required:
                self.fail(f"missing key '{key}'")
            return None
        if isinstance(value, (dt.date, int, float)):
            value = str(value)
        if not isinstance(value, str) or not value.strip() and required:
            self.fail(f"key '{key}' must be a non-empty string")
        return value

    def date(self, data: dict, key: str) -> str | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, dt.date):
            return value.isoformat()
        try:
            return dt.date.fromisoformat(str(value)).isoformat()
        except ValueError:
            self.fail(f"key '{key}' must be a date YYYY-MM-DD, got {value!r}")
        return None

    def regex(self, pattern, what: str) -> LazyPattern:
        if not isinstance(pattern, str):
            self.fail(f"{what} must be a string regex")
        lazy = LazyPattern(pattern, re.MULTILINE, self.message(f"{what} {pattern!r}"))
        if self.validate:
            lazy.compiled()
        return lazy

    def unknown_keys(self, data: dict, allowed: set[str]) -> None:
        extra = sorted(set(data) - allowed)
        if extra:
            self.fail(f"unknown key '{extra[0]}'")


def _load_yaml(path: Path) -> object:
    try:
        # libyaml's loader when present: same safe constructor, 5x faster; the pure-Python
        # parse of rules/ was a third of a one-file (pre-commit) scan.
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)
    except FileNotFoundError:
        raise KnowledgeBaseError(f"{path.name}: file missing from the knowledge base") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark else ""
        raise KnowledgeBaseError(f"{path.name}:{line} invalid YAML") from None


_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


_RULE_KEYS = {"id", "name", "title", "severity", "category", "message", "replacement", "deprecated",
              "removed", "detect", "examples", "fix"}
_FIX_KEYS = {"applicability", "kind", "to", "pattern", "steps"}


def _parse_fix(raw, check: _Checker, detect: Detect) -> FixSpec | None:
    if raw is None:
        return None
    raw = check.mapping(raw, "fix")
    check.unknown_keys({f"fix.{k}": v for k, v in raw.items()}, {f"fix.{k}" for k in _FIX_KEYS})
    applicability = raw.get("applicability")
    if applicability not in FIX_APPLICABILITY:
        check.fail(f"fix.applicability {applicability!r} must be one of {', '.join(FIX_APPLICABILITY)}")
    kind = raw.get("kind")
    if kind not in FIX_KINDS:
        check.fail(f"fix.kind {kind!r} must be one of {', '.join(sorted(FIX_KINDS))}")
    needs = FIX_KINDS[kind]
    if needs and detect.kind != needs:
        check.fail(f"fix.kind {kind!r} needs detect.kind {needs!r}")
    to = raw.get("to")
    if to is not None and (not isinstance(to, str) or not to.strip()):
        check.fail("fix.to must be a non-empty string")
    pattern = raw.get("pattern")
    if kind == "text" and (pattern is None or to is None):
        check.fail("a text fix needs fix.pattern and fix.to")
    if kind == "scope" and to is None:
        missing = [v for v in detect.values if v not in detect.suggestions]
        if missing:
            check.fail(f"a scope fix without fix.to needs a detect.suggestions entry for {missing[0]!r}")
    steps = check.seq(raw.get("steps"), "fix.steps")
    if not all(isinstance(step, str) and step.strip() for step in steps):
        check.fail("fix.steps entries must be non-empty strings")
    return FixSpec(applicability=applicability, kind=kind, to=to, steps=tuple(steps),
                   pattern=check.regex(pattern, "fix.pattern") if pattern is not None else None)
_DETECT_KEYS = {"kind", "values", "patterns", "grants", "paths", "evidence", "requires", "relative_requires",
                "scope_context", "shared", "secret", "flow", "where", "suggestions", "distinctive"}
_CONTEXTS = {None, "instagram_context", "instagram_oauth_context"}


def _parse_rule(raw, check: _Checker) -> Rule:
    raw = check.mapping(raw, "rule")
    check.where = f"rule {raw.get('id', '?')}"
    check.unknown_keys(raw, _RULE_KEYS)
    rule_id = check.text(raw, "id")
    if not RULE_ID.match(rule_id):
        check.fail(f"id {rule_id!r} must look like IGM123")
    severity = check.text(raw, "severity")
    if severity not in SEVERITIES:
        check.fail(f"severity {severity!r} must be one of {', '.join(SEVERITIES)}")
    category = check.text(raw, "category")
    if category not in CATEGORIES:
        check.fail(f"category {category!r} is unknown")
    det = check.mapping(raw.get("detect"), "detect")
    check.unknown_keys(det, _DETECT_KEYS)
    kind = det.get("kind")
    if kind not in DETECT_KINDS:
        check.fail(f"detect.kind {kind!r} must be one of {', '.join(sorted(DETECT_KINDS))}")
    evidence = det.get("evidence")
    if evidence is not None and evidence not in EVIDENCE:
        check.fail(f"detect.evidence {evidence!r} is unknown")
    for key in ("requires", "relative_requires"):
        if det.get(key) not in _CONTEXTS:
            check.fail(f"detect.{key} {det.get(key)!r} is unknown")
    patterns = tuple(check.regex(p, "detect.patterns entry") for p in check.seq(det.get("patterns"), "detect.patterns"))
    values = tuple(str(v) for v in check.seq(det.get("values"), "detect.values"))
    grants = tuple(str(v) for v in check.seq(det.get("grants"), "detect.grants"))
    if kind in ("scope",) and not values:
        check.fail("a scope rule needs detect.values")
    if kind in ("endpoint", "token", "marker") and not patterns:
        check.fail(f"a {kind} rule needs detect.patterns")
    detect = Detect(
        kind=kind, values=values, patterns=patterns, grants=grants,
        paths=tuple(str(v) for v in check.seq(det.get("paths"), "detect.paths")),
        evidence=evidence, requires=det.get("requires"), relative_requires=det.get("relative_requires"),
        scope_context=bool(det.get("scope_context")), shared=bool(det.get("shared")),
        secret=bool(det.get("secret")), flow=det.get("flow"), where=det.get("where", "code"),
        suggestions=dict(check.mapping(det.get("suggestions") or {}, "detect.suggestions")),
        distinctive=tuple(str(v) for v in check.seq(det.get("distinctive"), "detect.distinctive")),
    )
    if not set(detect.distinctive) <= set(values):
        check.fail("detect.distinctive names values that are not in detect.values")
    replacement = raw.get("replacement")
    rep_text = docs = None
    if replacement is not None:
        replacement = check.mapping(replacement, "replacement")
        rep_text = check.text(replacement, "text")
        docs = check.text(replacement, "docs", required=False)
    examples = check.mapping(raw.get("examples"), "examples")
    parsed_examples = {}
    for side in ("bad", "good"):
        items = check.seq(examples.get(side), f"examples.{side}")
        if not items:
            check.fail(f"examples.{side} needs at least one example")
        out = []
        for item in items:
            item = check.mapping(item, f"examples.{side} entry")
            expect = item.get("expect")
            if expect is not None and expect not in SEVERITIES:
                check.fail(f"examples.{side}.expect {expect!r} is not a severity")
            out.append(Example(file=check.text(item, "file"), code=check.text(item, "code"), expect=expect))
        parsed_examples[side] = tuple(out)
    rule = Rule(
        id=rule_id, name=check.text(raw, "name"), title=check.text(raw, "title"), severity=severity,
        category=category, message=check.text(raw, "message"), detect=detect, replacement=rep_text, docs=docs,
        deprecated=check.date(raw, "deprecated"), removed=check.date(raw, "removed"),
        bad=parsed_examples["bad"], good=parsed_examples["good"], fix=_parse_fix(raw.get("fix"), check, detect),
    )
    check.where = ""
    return rule


_PACKAGE_KEYS = {"name", "ecosystem", "rule", "affected", "detail", "successor", "imports", "only_if_code", "evidence",
                 "fix"}


def _parse_package(raw, check: _Checker, rules: dict[str, Rule]) -> Package:
    raw = check.mapping(raw, "package")
    check.where = f"package {raw.get('name', '?')}"
    check.unknown_keys(raw, _PACKAGE_KEYS)
    ecosystem = check.text(raw, "ecosystem")
    if ecosystem not in ECOSYSTEMS:
        check.fail(f"ecosystem {ecosystem!r} must be one of {', '.join(sorted(ECOSYSTEMS))}")
    rule = check.text(raw, "rule")
    if rule not in rules or rules[rule].detect.kind != "package":
        check.fail(f"rule {rule!r} is not a package rule")
    affected = tuple(str(a) for a in check.seq(raw.get("affected"), "affected"))
    if not affected:
        check.fail("affected needs at least one version range")
    from igmigrate.versions import parse_specifier, parse_version, VersionError  # local: avoids an import cycle

    for spec in affected:
        try:
            parse_specifier(spec)
        except VersionError as exc:
            check.fail(f"affected {spec!r}: {exc}")
    only = raw.get("only_if_code")
    fix_to: list[str] = []
    if raw.get("fix") is not None:
        fix = check.mapping(raw.get("fix"), "fix")
        check.unknown_keys({f"fix.{k}": v for k, v in fix.items()}, {"fix.to"})
        targets = fix.get("to")
        for target in targets if isinstance(targets, list) else [targets]:
            if not isinstance(target, (str, int, float)) or isinstance(target, bool):
                check.fail("fix.to must be a version or a list of versions")
            try:
                parse_version(str(target))
            except VersionError as exc:
                check.fail(f"fix.to {target!r}: {exc}")
            if any(parse_specifier(spec).contains(parse_version(str(target))) for spec in affected):
                check.fail(f"fix.to {target!r} is itself in the affected range")
            fix_to.append(str(target))
        if rules[rule].fix is None or rules[rule].fix.kind != "package":
            check.fail(f"fix.to needs a package fix on rule {rule}")
    pkg = Package(
        name=check.text(raw, "name"), ecosystem=ecosystem, rule=rule, affected=affected,
        detail=check.text(raw, "detail"), successor=check.text(raw, "successor", required=False) or "",
        imports=tuple(check.regex(p, "imports entry") for p in check.seq(raw.get("imports"), "imports")),
        only_if_code=check.regex(only, "only_if_code") if only else None,
        evidence=raw.get("evidence"), fix_to=tuple(sorted(fix_to, key=parse_version)),
    )
    check.where = ""
    return pkg


def _check_fix_targets(packages: tuple[Package, ...], rules: dict[str, Rule], check: _Checker) -> None:
    """A fix target must not be broken under another entry of the same package either (a
    warning such as "depends on configuration" is fine: the bump still ends the error)."""
    from igmigrate.versions import affected, parse_version

    for pkg in packages:
        for target in pkg.fix_to:
            for other in packages:
                if (other.name, other.ecosystem) == (pkg.name, pkg.ecosystem) and rules[other.rule].severity == "error" \
                        and affected(parse_version(target), other.affected):
                    check.where = f"package {pkg.name}"
                    check.fail(f"fix.to {target!r} is affected under rule {other.rule}")


def _lock_commands(raw, check: _Checker) -> dict[str, str]:
    commands = check.mapping(raw or {}, "lock_commands")
    for ecosystem, command in commands.items():
        check.where = f"lock_commands.{ecosystem}"
        if ecosystem not in ECOSYSTEMS:
            check.fail(f"unknown ecosystem {ecosystem!r}")
        if not isinstance(command, str) or not command.strip():
            check.fail("must be a non-empty string")
    check.where = ""
    return {str(k): str(v) for k, v in commands.items()}


_LANGUAGE_KEYS = {"family", "extensions", "filenames", "filename_prefixes", "line_comment", "block_comment",
                  "quotes", "interpolation", "concat", "bare_values", "documentation"}


def _parse_language(raw, check: _Checker) -> Language:
    raw = check.mapping(raw, "language")
    check.where = f"language {raw.get('family', '?')}"
    check.unknown_keys(raw, _LANGUAGE_KEYS)
    blocks = []
    for pair in check.seq(raw.get("block_comment"), "block_comment"):
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair)):
            check.fail("block_comment entries must be [open, close]")
        blocks.append((pair[0], pair[1]))
    interp = raw.get("interpolation")
    lang = Language(
        family=check.text(raw, "family"),
        extensions=tuple(str(e).lower() for e in check.seq(raw.get("extensions"), "extensions")),
        filenames=tuple(check.seq(raw.get("filenames"), "filenames")),
        filename_prefixes=tuple(check.seq(raw.get("filename_prefixes"), "filename_prefixes")),
        line_comment=tuple(check.seq(raw.get("line_comment"), "line_comment")),
        block_comment=tuple(blocks),
        quotes=tuple(check.seq(raw.get("quotes"), "quotes")),
        interpolation=check.regex(interp, "interpolation") if interp else None,
        concat=tuple(check.seq(raw.get("concat"), "concat")),
        bare_values=bool(raw.get("bare_values")),
        documentation=bool(raw.get("documentation")),
    )
    check.where = ""
    return lang


def load_knowledge_base(root: Path | None = None, *, validate: bool = True) -> KnowledgeBase:
    """validate=False leaves each regex to compile (and fail, with the same message) on first use."""
    root = Path(root) if root else rules_dir()
    digest = hashlib.sha256()
    docs = {}
    for name in ("knowledge.yaml", "rules.yaml", "packages.yaml", "languages.yaml"):
        path = root / name
        try:
            raw_bytes = path.read_bytes()
        except OSError:
            raise KnowledgeBaseError(f"{name}: file missing from the knowledge base ({root})") from None
        digest.update(name.encode() + b"\0" + raw_bytes)
        docs[name] = _load_yaml(path)

    check = _Checker(root / "knowledge.yaml", validate)
    meta = check.mapping(docs["knowledge.yaml"], "knowledge.yaml")
    version = check.text(meta, "version")
    updated = check.date(meta, "updated") or check.fail("missing key 'updated'")
    dates = {k: check.date(check.mapping(meta.get("dates"), "dates"), k) for k in (meta.get("dates") or {})}
    threshold = meta.get("catalogue_threshold", 6)
    families = meta.get("catalogue_families", 3)
    for key, value in (("catalogue_threshold", threshold), ("catalogue_families", families)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            check.fail(f"{key} must be a positive integer")
    permission_family: dict[str, str] = {}
    for family, names in check.mapping(meta.get("permissions") or {}, "permissions").items():
        for name in check.seq(names, f"permissions.{family}"):
            permission_family[str(name)] = str(family)

    check = _Checker(root / "rules.yaml", validate)
    rules_doc = check.mapping(docs["rules.yaml"], "rules.yaml")
    rules: dict[str, Rule] = {}
    for raw in check.seq(rules_doc.get("rules"), "rules"):
        rule = _parse_rule(raw, check)
        if rule.id in rules:
            check.where = f"rule {rule.id}"
            check.fail("duplicate rule id")
        rules[rule.id] = rule

    check = _Checker(root / "packages.yaml", validate)
    pkg_doc = check.mapping(docs["packages.yaml"], "packages.yaml")
    check.unknown_keys(pkg_doc, {"packages", "lock_commands"})
    packages = tuple(_parse_package(raw, check, rules) for raw in check.seq(pkg_doc.get("packages"), "packages"))
    _check_fix_targets(packages, rules, check)
    lock_commands = _lock_commands(pkg_doc.get("lock_commands"), check)

    check = _Checker(root / "languages.yaml", validate)
    lang_doc = check.mapping(docs["languages.yaml"], "languages.yaml")
    languages = tuple(_parse_language(raw, check) for raw in check.seq(lang_doc.get("languages"), "languages"))

    return KnowledgeBase(
        version=version, updated=updated, dates=dates, docs=dict(meta.get("docs") or {}),
        catalogue_threshold=threshold, catalogue_families=families, permission_family=permission_family,
        rules=rules, packages=packages, languages=languages, digest=digest.hexdigest()[:16], root=root,
        lock_commands=lock_commands,
    )


def default_knowledge_base() -> KnowledgeBase:
    root = rules_dir()
    shipped = root == _packaged_rules() and not os.environ.get("IGMIGRATE_RULES_DIR")
    return _cached(str(root), validate=not shipped)


def _packaged_rules() -> Path:
    return Path(__file__).resolve().parent / "rules"


@lru_cache(maxsize=4)
def _cached(root: str, validate: bool) -> KnowledgeBase:
    return load_knowledge_base(Path(root), validate=validate)
