"""Human output: findings grouped by file, a code frame per finding, a summary line.
Colour only when writing to a terminal (and NO_COLOR is unset)."""

from __future__ import annotations

from collections import defaultdict

from igmigrate.findings import ScanResult
from igmigrate.knowledge import KnowledgeBase

_COLOURS = {"error": "\033[31m", "warning": "\033[33m", "note": "\033[36m", "dim": "\033[2m", "bold": "\033[1m"}
_RESET = "\033[0m"


def render(result: ScanResult, kb: KnowledgeBase, options: dict) -> str:
    colour = bool(options.get("colour"))
    show_suppressed = bool(options.get("show_suppressed"))

    def paint(text: str, style: str) -> str:
        return f"{_COLOURS[style]}{text}{_RESET}" if colour else text

    by_file = defaultdict(list)
    for f in result.findings:
        if f.suppressed and not show_suppressed:
            continue
        by_file[f.path].append(f)
    out = []
    for path in sorted(by_file):
        out.append(paint(path, "bold"))
        for f in sorted(by_file[path], key=lambda f: (f.line, f.column)):
            tag = f"{f.severity}[{f.rule_id}]" + (" (suppressed)" if f.suppressed else "")
            out.append(f"  {f.line}:{f.column} {paint(tag, f.severity)} {f.message}")
            if f.snippet:
                gutter = f"{f.line:>5} | "
                out.append(paint(gutter, "dim") + f.snippet)
            if f.replacement:
                out.append(paint("      = fix: ", "dim") + f.replacement)
        out.append("")
    if result.errors:
        binaries = [e for e in result.errors if e.message == "skipped: binary file"]
        for e in result.errors:
            if e in binaries and not options.get("verbose"):
                continue
            out.append(paint(f"{e.path}: {e.message}", "warning"))
        if binaries and not options.get("verbose"):
            out.append(paint(f"{len(binaries)} binary files skipped (--verbose lists them)", "dim"))
        out.append("")
    s = result.summary()
    out.append(
        f"{s['errors']} errors, {s['warnings']} warnings, {s['notes']} notes"
        f" ({s['suppressed']} suppressed) in {s['files_scanned']} files"
        f"; knowledge base {kb.version}"
    )
    return "\n".join(out) + "\n"
