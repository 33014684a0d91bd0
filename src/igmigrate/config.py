"""Project configuration: `[tool.igmigrate]` in pyproject.toml or a `.igmigrate.toml`.

The nearest file found from the scanned paths' common folder upwards wins (config_start; a
`.igmigrate.toml` beats a pyproject.toml in the same folder). Unknown keys and bad values are errors that name the
file and the key (the CLI exits 2), so a typo never silently changes what is checked.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from igmigrate.findings import SEVERITIES
from igmigrate.limits import TooDeep, check_data_nesting

try:  # Python 3.11+
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - 3.10
    import tomli as tomllib  # type: ignore[no-redef]

FAIL_ON = ("error", "warning", "note", "never")


class ConfigError(Exception):
    pass


@dataclass
class Config:
    path: Path | None = None
    exclude: tuple[str, ...] = ()
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: dict[str, str] = field(default_factory=dict)
    fail_on: str | None = None
    max_file_size: int | None = None
    jobs: int | None = None


def config_start(paths: list[Path], cwd: Path) -> Path:
    """Where the config search starts: the deepest folder holding every scanned path (a
    scanned folder itself, a scanned file's folder), so `cd parent; igmigrate scan proj`
    reads proj's config. Several roots with different configs of their own share the config
    of their common folder (or above); scan them one by one, or pass --config, to apply each
    one's own."""
    folders = []
    for given in paths or [Path(".")]:
        absolute = Path(os.path.abspath(cwd / given))
        folders.append(absolute if absolute.is_dir() else absolute.parent)
    try:
        return Path(os.path.commonpath(folders))
    except ValueError:  # different drives
        return cwd


def find_config(start: Path) -> Path | None:
    for directory in [start, *start.parents]:
        dotfile = directory / ".igmigrate.toml"
        if dotfile.is_file():
            return dotfile
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file():
            try:
                text = pyproject.read_text(encoding="utf-8")
                check_data_nesting(text)
                data = tomllib.loads(text)
            except (OSError, UnicodeDecodeError, TooDeep, tomllib.TOMLDecodeError):
                return pyproject  # unreadable config is an error (load_config names it), not a silent default
            if "igmigrate" in (data.get("tool") or {}):
                return pyproject
    return None


def _strings(path: Path, key: str, value) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{path}: key '{key}' must be a list of strings")
    return tuple(value)


def load_config(path: Path | None, known_rules: set[str]) -> Config:
    if path is None:
        return Config()
    try:
        text = path.read_text(encoding="utf-8")
        check_data_nesting(text)
        data = tomllib.loads(text)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None
    except TooDeep as exc:
        raise ConfigError(f"{path}: invalid TOML ({exc})") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: invalid TOML ({exc})") from None
    if path.name == "pyproject.toml" or "tool" in data:
        section = (data.get("tool") or {}).get("igmigrate") or {}
        prefix = "tool.igmigrate."
    else:
        section = data
        prefix = ""
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [tool.igmigrate] must be a table")
    config = Config(path=path)
    for key, value in section.items():
        name = prefix + key
        if key == "exclude":
            config.exclude = _strings(path, name, value)
        elif key in ("select", "ignore"):
            ids = _strings(path, name, value)
            for rule_id in ids:
                if not any(r.startswith(rule_id) for r in known_rules):
                    raise ConfigError(f"{path}: key '{name}' names unknown rule {rule_id!r}")
            setattr(config, key, ids)
        elif key == "severity":
            if not isinstance(value, dict):
                raise ConfigError(f"{path}: key '{name}' must be a table of RULE = \"error|warning|note\"")
            for rule_id, severity in value.items():
                if rule_id not in known_rules:
                    raise ConfigError(f"{path}: key '{name}.{rule_id}' names an unknown rule")
                if severity not in SEVERITIES:
                    raise ConfigError(f"{path}: key '{name}.{rule_id}' must be one of {', '.join(SEVERITIES)}")
            config.severity = dict(value)
        elif key == "fail-on":
            if value not in FAIL_ON:
                raise ConfigError(f"{path}: key '{name}' must be one of {', '.join(FAIL_ON)}")
            config.fail_on = value
        elif key == "max-file-size":
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ConfigError(f"{path}: key '{name}' must be a positive integer (bytes)")
            config.max_file_size = value
        elif key == "jobs":
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ConfigError(f"{path}: key '{name}' must be a non-negative integer")
            config.jobs = value
        else:
            raise ConfigError(f"{path}: unknown key '{name}'")
    return config
