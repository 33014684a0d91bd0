"""Human output, one block per finding:

    app/auth.py:12:9: error[IGM101] requests Basic Display scope user_profile ...
       12 | SCOPE = "user_profile,user_media"
          |         ^^^^^^^^^^^^^^^^^^^^^^^^^

`path:line:col:` first, so terminals and editors can jump to it; each rule's fix once, in a
footer; then files that could not be scanned and the summary line. Scanned content and file
names are escaped (igmigrate.display). Colour only when asked (see cli_support.use_colour)."""

from __future__ import annotations

from igmigrate.display import plural, safe
from igmigrate.findings import QUIET_SKIPS, Finding, ScanResult
from igmigrate.knowledge import KnowledgeBase

_COLOURS = {"error": "\033[31m", "warning": "\033[33m", "note": "\033[36m", "dim": "\033[2m", "bold": "\033[1m"}
_RESET = "\033[0m"


def render(result: ScanResult, kb: KnowledgeBase, options: dict) -> str:
    colour = bool(options.get("colour"))
    show_suppressed = bool(options.get("show_suppressed"))

    def paint(text: str, style: str) -> str:
        return f"{_COLOURS[style]}{text}{_RESET}" if colour else text

    shown = sorted((f for f in result.findings if show_suppressed or not f.suppressed),
                   key=lambda f: (f.path, f.line, f.column, f.rule_id))
    out: list[str] = []
    fixes: dict[tuple[str, str], None] = {}  # (rule id, fix text), in first-seen order
    for f in shown:
        tag = f"{f.severity}[{f.rule_id}]" + (" (suppressed)" if f.suppressed else "")
        out.append(f"{paint(f'{safe(f.path)}:{f.line}:{f.column}:', 'bold')} {paint(tag, f.severity)} {safe(f.message)}")
        out += _frame(f, paint)
        out.append("")
        if f.replacement and not f.suppressed:
            fixes.setdefault((f.rule_id, f.replacement), None)
    if fixes:
        out.append(paint("Fixes:", "bold"))
        for rule_id, text in fixes:
            rule = kb.rules.get(rule_id)
            out.append(f"  {paint(rule_id, 'bold')}{' ' + rule.name if rule else ''}: {safe(text)}")
        out.append("")
    binaries = [e for e in result.errors if e.message in QUIET_SKIPS]
    if result.errors:
        for e in result.errors:
            if e in binaries and not options.get("verbose"):
                continue
            out.append(paint(f"{safe(e.path)}: {safe(e.message)}", "warning"))
        if binaries and not options.get("verbose"):
            out.append(paint(f"{plural(len(binaries), 'file')} skipped as binary or igmigrate's own output"
                             " (--verbose lists them)", "dim"))
        out.append("")
    s = result.summary()
    line = (f"{plural(s['errors'], 'error')}, {plural(s['warnings'], 'warning')}, {plural(s['notes'], 'note')}"
            f" ({s['suppressed']} suppressed) in {plural(s['files_scanned'], 'file')}")
    problems = len(result.errors) - len(binaries)
    if problems:
        line += f"; {plural(problems, 'file')} not fully scanned (listed above)"
    out.append(f"{line}; knowledge base {kb.version}")
    return "\n".join(out) + "\n"


def _frame(f: Finding, paint) -> list[str]:
    """The snippet under a line-number gutter, and carets under the match when it is on it."""
    if not f.snippet:
        return []
    gutter = f"{f.line:>5} | "
    lines = [paint(gutter, "dim") + safe(f.snippet)]
    start = f.column - f.snippet_start
    if 0 <= start < len(f.snippet):
        end = f.end_column - f.snippet_start if f.end_line == f.line else len(f.snippet)
        end = min(max(end, start + 1), len(f.snippet))
        # Tabs stay tabs so that the carets line up however the terminal expands them.
        pad = "".join("\t" if c == "\t" else " " * len(safe(c)) for c in f.snippet[:start])
        carets = "^" * len(safe(f.snippet[start:end]))
        lines.append(paint(" " * (len(gutter) - 2) + "| ", "dim") + pad + paint(carets, f.severity))
    return lines
