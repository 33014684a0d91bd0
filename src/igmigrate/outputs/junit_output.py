"""JUnit XML for Jenkins and GitLab test reports: one testsuite per file, one testcase per
finding. Findings at or above --fail-on are <failure>s, so the report agrees with the exit
code; findings below it pass with their text in system-out; suppressed ones are <skipped>.
A clean scan still emits one passing testcase, because Jenkins treats an empty report as
a broken build step."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict

from igmigrate.findings import SEVERITY_RANK, Finding, ScanResult
from igmigrate.knowledge import KnowledgeBase


# What XML 1.0 cannot hold (C0 controls but tab/LF/CR, surrogates, U+FFFE/U+FFFF): dropped,
# so the report stays well-formed whatever a snippet or file name holds.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def _is_failure(f: Finding, fail_on: str) -> bool:
    return not f.suppressed and fail_on != "never" and SEVERITY_RANK[f.severity] >= SEVERITY_RANK[fail_on]


def _details(f: Finding) -> str:
    parts = [f"{f.path}:{f.line}:{f.column} {f.severity}[{f.rule_id}] {f.message}"]
    if f.snippet:
        parts.append(f"    {f.snippet}")
    if f.replacement:
        parts.append(f"fix: {f.replacement}")
    return "\n".join(parts)


def _suite(name: str, cases: list[ET.Element]) -> ET.Element:
    suite = ET.Element("testsuite", name=name)
    suite.extend(cases)
    suite.set("tests", str(len(cases)))
    suite.set("failures", str(sum(c.find("failure") is not None for c in cases)))
    suite.set("errors", "0")
    suite.set("skipped", str(sum(c.find("skipped") is not None for c in cases)))
    return suite


def render(result: ScanResult, kb: KnowledgeBase, options: dict) -> str:
    fail_on = options.get("fail_on") or "error"
    by_file: dict[str, list[ET.Element]] = defaultdict(list)
    for f in sorted(result.findings, key=lambda f: (f.path, f.line, f.column, f.rule_id)):
        rule = kb.rules.get(f.rule_id)
        label = f"{f.rule_id} {rule.name}" if rule else f.rule_id
        case = ET.Element("testcase", classname=clean(f.path), name=clean(f"{label} at {f.line}:{f.column}"),
                          file=clean(f.path), line=str(f.line))
        if f.suppressed:
            ET.SubElement(case, "skipped", message="suppressed in source (igmigrate: ignore)")
        elif _is_failure(f, fail_on):
            failure = ET.SubElement(case, "failure", type=f.severity, message=clean(f.message))
            failure.text = clean(_details(f))
        else:
            ET.SubElement(case, "system-out").text = clean(_details(f))
        by_file[f.path].append(case)
    root = ET.Element("testsuites", name="igmigrate")
    if not by_file:
        ok = ET.Element("testcase", classname="igmigrate", name="no Basic Display or Legacy API use found")
        by_file["igmigrate"].append(ok)
    for path in sorted(by_file):
        root.append(_suite(clean(path), by_file[path]))
    if result.errors:
        ET.SubElement(root[-1], "system-err").text = clean("\n".join(f"{e.path}: {e.message}" for e in result.errors))
    for key in ("tests", "failures", "errors", "skipped"):
        root.set(key, str(sum(int(s.get(key, "0")) for s in root.findall("testsuite"))))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
