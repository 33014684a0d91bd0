"""Dependency manifests and lock files of every ecosystem, checked against rules/packages.yaml.

Each reader yields the dependencies a file declares (name, constraint or pinned version,
line). A lock file's exact version decides; a manifest constraint is reduced to the lowest
version it admits; with no usable version we judge the newest release.
"""

from __future__ import annotations

import configparser
import fnmatch
import json
import re
from dataclasses import dataclass

from igmigrate.analyzers.base import FileAnalysis, Hit
from igmigrate.knowledge import KnowledgeBase, Package
from igmigrate.limits import TooDeep, check_data_nesting
from igmigrate.versions import VersionError, affected, lowest_admitted, parse_version

try:  # Python 3.11+
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - 3.10
    import tomli as tomllib  # type: ignore[no-redef]

NEWEST = (10**6,)


@dataclass(frozen=True)
class Dependency:
    name: str
    spec: str
    exact: bool
    line: int


class ManifestError(ValueError):
    pass


def _line_of(text: str, name: str, start_hint: int = 0) -> int:
    for pattern in (f'"{name}"', f"'{name}'", name):
        idx = text.find(pattern, start_hint)
        if idx < 0 and start_hint:
            idx = text.find(pattern)
        if idx >= 0:
            return text.count("\n", 0, idx) + 1
    return 1


def _json(text: str) -> dict:
    try:
        check_data_nesting(text)
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ManifestError(f"invalid JSON at line {exc.lineno}") from None
    except (TooDeep, RecursionError) as exc:
        raise ManifestError(str(exc) if isinstance(exc, TooDeep) else "nesting too deep") from None
    if not isinstance(data, dict):
        raise ManifestError("expected a JSON object")
    return data


def _toml(text: str) -> dict:
    try:
        check_data_nesting(text)
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ManifestError(f"invalid TOML ({exc})") from None
    except (TooDeep, RecursionError) as exc:
        raise ManifestError(str(exc) if isinstance(exc, TooDeep) else "nesting too deep") from None


def read_package_json(text):
    data = _json(text)
    for section in ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies"):
        deps = data.get(section) or {}
        if isinstance(deps, dict):
            for name, spec in deps.items():
                yield Dependency(name, str(spec), False, _line_of(text, name))


def read_package_lock(text):
    data = _json(text)
    for key, info in (data.get("packages") or {}).items():
        if key.startswith("node_modules/") and isinstance(info, dict) and "version" in info:
            name = key.split("node_modules/")[-1]
            yield Dependency(name, str(info["version"]), True, _line_of(text, key))
    for name, info in (data.get("dependencies") or {}).items():
        if isinstance(info, dict) and "version" in info and not data.get("packages"):
            yield Dependency(name, str(info["version"]), True, _line_of(text, name))


def read_yarn_lock(text):
    current = None
    for number, line in enumerate(text.split("\n"), 1):
        if line and not line.startswith((" ", "#")):
            first = line.split(",")[0].strip().strip('"').rstrip(":")
            current = (first.rsplit("@", 1)[0] if first.count("@") > (1 if first.startswith("@") else 0) else first, number)
        elif current and line.strip().startswith("version"):
            version = line.split(None, 1)[1].strip().strip('"') if len(line.split()) > 1 else ""
            yield Dependency(current[0], version, True, current[1])
            current = None


def read_pnpm_lock(text):
    for number, line in enumerate(text.split("\n"), 1):
        m = re.match(r"^\s{2}'?/?((?:@[\w.-]+/)?[\w.-]+)[@/](\d[\w.+-]*)", line)
        if m:
            yield Dependency(m.group(1), m.group(2), True, number)


def read_composer_json(text):
    data = _json(text)
    for section in ("require", "require-dev"):
        deps = data.get(section) or {}
        if isinstance(deps, dict):
            for name, spec in deps.items():
                yield Dependency(name.lower(), str(spec), False, _line_of(text, name))


def read_composer_lock(text):
    data = _json(text)
    for section in ("packages", "packages-dev"):
        for pkg in data.get(section) or []:
            if isinstance(pkg, dict) and "name" in pkg:
                yield Dependency(str(pkg["name"]).lower(), str(pkg.get("version", "")), True, _line_of(text, pkg["name"]))


_REQ = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*([<>=!~^][^;#]*)?")


def _requirement(line_text: str, number: int):
    m = _REQ.match(line_text)
    if m and not line_text.lstrip().startswith(("-", "#")):
        spec = (m.group(2) or "").strip()
        return Dependency(m.group(1), spec, spec.startswith("==") and "," not in spec, number)
    return None


def read_requirements(text):
    for number, line in enumerate(text.split("\n"), 1):
        dep = _requirement(line.split("#")[0], number)
        if dep:
            yield dep


def _requirement_strings(text, values, hint=0):
    for value in values:
        if isinstance(value, str):
            dep = _requirement(value, _line_of(text, value, hint))
            if dep:
                yield dep


def read_pyproject(text):
    data = _toml(text)
    project = data.get("project") or {}
    yield from _requirement_strings(text, project.get("dependencies") or [])
    for group in (project.get("optional-dependencies") or {}).values():
        yield from _requirement_strings(text, group or [])
    poetry = (data.get("tool") or {}).get("poetry") or {}
    for section in ("dependencies", "dev-dependencies"):
        for name, spec in (poetry.get(section) or {}).items():
            version = spec.get("version", "") if isinstance(spec, dict) else str(spec)
            yield Dependency(name, version, False, _line_of(text, name))


def read_setup_cfg(text):
    """install_requires and extras_require as configparser reads them: a value may start on
    the key's line or on the indented lines that follow (the usual layout)."""
    parser = configparser.ConfigParser(interpolation=None, strict=False, delimiters=("=", ":"),
                                       comment_prefixes=("#", ";"), inline_comment_prefixes=None)
    try:
        parser.read_string(text)
    except configparser.Error as exc:
        raise ManifestError(f"invalid setup.cfg ({str(exc).splitlines()[0]})") from None
    values = []
    if parser.has_option("options", "install_requires"):
        values.append(("install_requires", parser.get("options", "install_requires")))
    if parser.has_section("options.extras_require"):
        values.extend(parser.items("options.extras_require"))
    for key, value in values:
        hint = _key_offset(text, key)
        lines = [line.split("#")[0].strip() for line in value.splitlines()]
        yield from _requirement_strings(text, [line for line in lines if line], hint)


def _key_offset(text: str, key: str) -> int:
    m = re.search(rf"(?m)^[ \t]*{re.escape(key)}[ \t]*[=:]", text)
    return m.start() if m else 0


def read_setup_py(text):
    block = re.search(r"(?:install_requires|requires)\s*=\s*\[(.*?)\]", text, re.DOTALL)
    if block:
        yield from _requirement_strings(text, re.findall(r"['\"]([^'\"]+)['\"]", block.group(1)), block.start())


def read_pipfile(text):
    data = _toml(text)
    for section in ("packages", "dev-packages"):
        for name, spec in (data.get(section) or {}).items():
            version = spec.get("version", "") if isinstance(spec, dict) else str(spec)
            yield Dependency(name, version, False, _line_of(text, name))


def read_pipfile_lock(text):
    data = _json(text)
    for section in ("default", "develop"):
        for name, info in (data.get(section) or {}).items():
            if isinstance(info, dict):
                yield Dependency(name, str(info.get("version", "")).lstrip("="), True, _line_of(text, name))


def read_poetry_lock(text):
    data = _toml(text)
    for pkg in data.get("package") or []:
        if isinstance(pkg, dict) and "name" in pkg:
            yield Dependency(pkg["name"], str(pkg.get("version", "")), True, _line_of(text, f'name = "{pkg["name"]}"'))


def read_gemfile(text):
    for number, line in enumerate(text.split("\n"), 1):
        m = re.match(r"""^\s*(?:gem|spec\.add_(?:runtime_|development_)?dependency|s\.add_(?:runtime_)?dependency)\s*\(?\s*['"]([\w.-]+)['"]\s*(?:,\s*['"]([^'"]+)['"])?""", line)
        if m:
            yield Dependency(m.group(1), m.group(2) or "", False, number)


def read_gemfile_lock(text):
    for number, line in enumerate(text.split("\n"), 1):
        m = re.match(r"^\s{4}([\w.-]+) \(([^)]+)\)\s*$", line)
        if m:
            yield Dependency(m.group(1), m.group(2), True, number)


def read_go_mod(text):
    for number, line in enumerate(text.split("\n"), 1):
        m = re.match(r"^\s*(?:require\s+)?([\w.-]+\.[\w./-]+)\s+(v[\w.+-]+)", line)
        if m:
            yield Dependency(m.group(1), m.group(2), True, number)


def read_pom(text):
    for m in re.finditer(r"<dependency>(.*?)</dependency>", text, re.DOTALL):
        body = m.group(1)
        g = re.search(r"<groupId>\s*([^<\s]+)\s*</groupId>", body)
        a = re.search(r"<artifactId>\s*([^<\s]+)\s*</artifactId>", body)
        v = re.search(r"<version>\s*([^<\s]+)\s*</version>", body)
        if g and a:
            yield Dependency(f"{g.group(1)}:{a.group(1)}", v.group(1) if v else "", bool(v), text.count("\n", 0, m.start()) + 1)


def read_gradle(text):
    for number, line in enumerate(text.split("\n"), 1):
        for m in re.finditer(r"""['"]([\w.-]+):([\w.-]+):([\w.+-]+)['"]""", line):
            yield Dependency(f"{m.group(1)}:{m.group(2)}", m.group(3), True, number)


def read_csproj(text):
    for m in re.finditer(r"""<(?:PackageReference|package)\s+(?:Include|id)\s*=\s*"([^"]+)"(?:[^>]*?(?:Version|version)\s*=\s*"([^"]+)")?""", text):
        yield Dependency(m.group(1), m.group(2) or "", bool(m.group(2)), text.count("\n", 0, m.start()) + 1)


# (file name glob, ecosystem, reader)
READERS = (
    ("package.json", "npm", read_package_json),
    ("package-lock.json", "npm", read_package_lock),
    ("npm-shrinkwrap.json", "npm", read_package_lock),
    ("yarn.lock", "npm", read_yarn_lock),
    ("pnpm-lock.yaml", "npm", read_pnpm_lock),
    ("composer.json", "composer", read_composer_json),
    ("composer.lock", "composer", read_composer_lock),
    ("requirements*.txt", "pypi", read_requirements),
    ("requirements*.in", "pypi", read_requirements),
    ("pyproject.toml", "pypi", read_pyproject),
    ("setup.cfg", "pypi", read_setup_cfg),
    ("setup.py", "pypi", read_setup_py),
    ("Pipfile", "pypi", read_pipfile),
    ("Pipfile.lock", "pypi", read_pipfile_lock),
    ("poetry.lock", "pypi", read_poetry_lock),
    ("Gemfile", "rubygems", read_gemfile),
    ("*.gemspec", "rubygems", read_gemfile),
    ("Gemfile.lock", "rubygems", read_gemfile_lock),
    ("go.mod", "go", read_go_mod),
    ("pom.xml", "maven", read_pom),
    ("build.gradle", "maven", read_gradle),
    ("build.gradle.kts", "maven", read_gradle),
    ("*.csproj", "nuget", read_csproj),
    ("*.fsproj", "nuget", read_csproj),
    ("packages.config", "nuget", read_csproj),
    ("Directory.Packages.props", "nuget", read_csproj),
)


_EXACT_READERS = {pattern: (ecosystem, reader) for pattern, ecosystem, reader in READERS if "*" not in pattern}
_GLOB_READERS = [(pattern, ecosystem, reader) for pattern, ecosystem, reader in READERS if "*" in pattern]
_GLOB_HINT = re.compile(r"^requirements|\.(?:gemspec|csproj|fsproj)$")


def reader_for(filename: str):
    """The reader for a manifest file name, or None (called for every file: a dict first)."""
    found = _EXACT_READERS.get(filename)
    if found is not None:
        return found
    if _GLOB_HINT.search(filename):
        for pattern, ecosystem, reader in _GLOB_READERS:
            if fnmatch.fnmatchcase(filename, pattern):
                return ecosystem, reader
    return None


def _normalize(name: str, ecosystem: str) -> str:
    name = name.lower()
    return re.sub(r"[-_.]+", "-", name) if ecosystem == "pypi" else name


def declared_names(filename: str, text: str) -> tuple[str, ...]:
    """Names this manifest gives its own project (a package is never its own dependency)."""
    names = []
    try:
        if filename in ("package.json", "composer.json"):
            check_data_nesting(text)
            data = json.loads(text)
            if isinstance(data, dict) and isinstance(data.get("name"), str):
                names.append(data["name"].lower())
        elif filename == "pyproject.toml":
            check_data_nesting(text)
            data = tomllib.loads(text)
            for name in ((data.get("project") or {}).get("name"), ((data.get("tool") or {}).get("poetry") or {}).get("name")):
                if isinstance(name, str):
                    names.append(name.lower())
        elif filename in ("setup.py", "setup.cfg") or filename.endswith(".gemspec"):
            m = re.search(r"""\bname\s*[=:]\s*['"]?([\w.-]+)""", text)
            if m:
                names.append(m.group(1).lower())
    except (ValueError, RecursionError, tomllib.TOMLDecodeError):
        pass  # TooDeep is a ValueError; the analysis of the same file lists the problem
    return tuple(names)


def analyze_manifest(kb: KnowledgeBase, filename: str, text: str, result: FileAnalysis,
                     own_names: frozenset[str] = frozenset()) -> bool:
    """Adds package hits; False when the file is not a manifest. Raises ManifestError on bad syntax."""
    found = reader_for(filename)
    if found is None:
        return False
    ecosystem, reader = found
    by_name: dict[str, list[Package]] = {}
    for pkg in kb.packages:
        if pkg.ecosystem == ecosystem:
            by_name.setdefault(_normalize(pkg.name, ecosystem), []).append(pkg)
    own = {_normalize(n, ecosystem) for n in own_names}
    for dep in reader(text):
        key = _normalize(dep.name, ecosystem)
        candidates = by_name.get(key)
        if not candidates:
            continue
        version = _version_of(dep)
        for pkg in candidates:
            if not affected(version or NEWEST, pkg.affected):
                continue
            rule = kb.rules[pkg.rule]
            if key in own and not (reader is read_requirements and rule.severity == "error"):
                # A package is not its own dependency, except where a requirements file (a
                # sample app, a deployment) installs a release that is dead whatever its
                # configuration; the project's own code says how it configures the rest.
                break
            shown = f"{dep.name} {dep.spec}".strip()
            line_text = result.lines[dep.line - 1] if 0 < dep.line <= len(result.lines) else ""
            col = max(line_text.find(dep.name), 0) + 1
            detail = pkg.detail if version is not None else pkg.detail + "; no version pinned here, judged by the newest release"
            extra = [("detail", detail), ("successor", pkg.successor), ("package", pkg.name)]
            if pkg.only_if_code is not None:
                extra.append(("only_if_code", "yes"))
            result.add_hit(Hit(rule.id, dep.line, col, dep.line, col + len(dep.name), shown, extra=tuple(extra)),
                           pkg.evidence)
            break
    return True


def _version_of(dep: Dependency):
    try:
        if dep.exact:
            return parse_version(dep.spec.lstrip("=v "))
        return lowest_admitted(dep.spec)
    except VersionError:
        return None
