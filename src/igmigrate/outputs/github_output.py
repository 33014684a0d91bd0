"""GitHub Actions workflow commands: one `::error file=..,line=..::message` per finding, shown
as inline annotations on the pull request. Paths are relative to the repository root, which
is what GitHub matches annotations against."""

from __future__ import annotations

from igmigrate.display import safe
from igmigrate.findings import QUIET_SKIPS, ScanResult
from igmigrate.knowledge import KnowledgeBase
from igmigrate.outputs.sarif_output import root_relative, source_root

COMMANDS = {"error": "error", "warning": "warning", "note": "notice"}


def escape_data(text: str) -> str:
    """The message part of a workflow command (other control characters escaped, see display.py)."""
    return safe(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def escape_property(text: str) -> str:
    """A property value (file=, title=): ':' and ',' would end the value early."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(kind: str, message: str, **properties: object) -> str:
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items() if value is not None)
    return f"::{kind} {props}::{escape_data(message)}" if props else f"::{kind}::{escape_data(message)}"


def render(result: ScanResult, kb: KnowledgeBase, options: dict) -> str:
    cwd, root = source_root(options)
    lines = []
    findings = sorted(result.findings, key=lambda f: (f.path, f.line, f.column, f.rule_id))
    for f in findings:
        if f.suppressed:
            continue
        rule = kb.rules.get(f.rule_id)
        message = f.message + (f"\nFix: {f.replacement}" if f.replacement else "")
        end_line = f.end_line if f.end_line >= f.line else None
        lines.append(command(
            COMMANDS.get(f.severity, "warning"), message,
            file=root_relative(f.path, cwd, root) or f.path,
            line=max(1, f.line), col=max(1, f.column),
            endLine=end_line,
            # GitHub accepts endColumn only on one-line annotations.
            endColumn=f.end_column if end_line == f.line and f.end_column > f.column else None,
            title=f"{f.rule_id} {rule.name}" if rule else f.rule_id,
        ))
    for e in result.errors:
        if e.message in QUIET_SKIPS:
            continue  # expected, not worth an annotation
        lines.append(command("warning", e.message, file=root_relative(e.path, cwd, root) or e.path,
                             title="igmigrate could not scan this file"))
    return "".join(line + "\n" for line in lines)
