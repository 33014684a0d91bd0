"""igmigrate's own outputs, recognised by their first bytes: SARIF, scan JSON, baselines,
JUnit, the Markdown summary and both reports quote the code they flag, so a scan of a tree
holding them (the README's CI commands write them into the checkout) would flag them again
and grow with every run. Recognised by content, whatever their names; the report writers put
a generator marker first for this."""

from __future__ import annotations

import re

SKIPPED = "skipped: igmigrate's own output"
MARKDOWN_REPORT_MARKER = "<!-- generator: igmigrate -->"
HTML_GENERATOR = '<meta name="generator" content="igmigrate">'

_OWN = re.compile(
    rb"(?:\xef\xbb\xbf)?\s*(?:"
    rb'\{\s*"\$schema"[^\[]{0,300}"runs"\s*:\s*\[\s*\{\s*"tool"\s*:\s*\{\s*"driver"\s*:\s*\{\s*"name"\s*:\s*"igmigrate"'
    rb'|\{\s*"schema_version"\s*:\s*\d+\s*,\s*"tool"\s*:\s*\{\s*"name"\s*:\s*"igmigrate"'  # scan JSON
    rb'|\{\s*"igmigrate_baseline"\s*:'  # baseline file
    rb'|<\?xml[^>]{0,100}\?>\s*<testsuites name="igmigrate"'  # JUnit
    rb"|### igmigrate: "  # the Markdown summary (scan --format markdown)
    rb"|" + re.escape(MARKDOWN_REPORT_MARKER.encode()) +  # report (Markdown)
    rb"|<!DOCTYPE html>\s*<html[^>]{0,40}>\s*<head>\s*" + re.escape(HTML_GENERATOR.encode()) +  # report (HTML)
    rb")")


def is_own_output(data: bytes) -> bool:
    return _OWN.match(data) is not None
