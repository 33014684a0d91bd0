"""Write a plan's files: each atomically, with its mode kept, and only if it still holds the
bytes the plan was made from (a file edited since the scan is reported, not overwritten)."""

from __future__ import annotations

from dataclasses import replace

from igmigrate.fix.engine import ManualItem, Plan
from igmigrate.fix.source import write_keeping_mode
from igmigrate.knowledge import KnowledgeBase


def write(plan: Plan) -> Plan:
    """The plan as applied: files that could not be written move to errors and manual work."""
    written, errors, manual = [], list(plan.errors), list(plan.manual)
    for file_edit in plan.files:
        path = file_edit.source.path
        try:
            if path.read_bytes() != file_edit.source.encode(file_edit.source.text):
                raise OSError(0, "changed since the scan; run igmigrate fix again")
            write_keeping_mode(path, file_edit.new_bytes())
        except OSError as exc:
            errors.append(f"{file_edit.path}: cannot write: {exc.strerror or exc}")
            manual.extend(ManualItem(fix.finding, "the file could not be written") for fix in file_edit.fixes)
            continue
        written.append(file_edit)
    return replace(plan, files=written, errors=errors, manual=manual)


def masker(kb: KnowledgeBase):
    """The masking layer every output uses (tokens, secret-named values), as a function."""
    from igmigrate.masking import masker_for

    return masker_for(kb).text
