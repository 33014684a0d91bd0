"""Imports point down: the command modules share helpers through cli_support, never cli.py."""

import ast
from pathlib import Path

import igmigrate

PACKAGE = Path(igmigrate.__file__).parent
COMMAND_MODULES = ("baseline_command.py", "probe/command.py", "report/command.py", "probe/record.py", "cli_support.py")


def _imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_command_modules_never_import_cli():
    for name in COMMAND_MODULES:
        assert "igmigrate.cli" not in _imported_modules(PACKAGE / name), name


def test_nothing_but_the_entry_point_imports_cli():
    importers = [p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py")
                 if "igmigrate.cli" in _imported_modules(p)]
    assert importers == ["__main__.py"]


def test_cli_support_holds_the_shared_helpers():
    from igmigrate import cli_support

    for helper in ("fail", "UsageFailure", "parse_outputs", "build_options", "result_cache", "write_output", "use_colour"):
        assert callable(getattr(cli_support, helper)), helper
