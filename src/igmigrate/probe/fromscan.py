"""`probe --from-scan FILE`: probe the calls a saved `igmigrate scan --format json` found.

Each finding's call (the scan's resolved `endpoint`, else the Instagram URL in its snippet or
message) is matched against the call table in rules/probe.yaml to find the step it stands for.
Calls are deduplicated by flow, step, host, path and fields; each probe step keeps the call sites
({path, line, rule_id}) it stands for, so a report can join its verdict to them exactly. The app's
own path (version included) and `fields` are sent; the hosts are still the --api-base and
--graph-base ones, and the secrets and other parameters those of the flow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import parse_qsl, quote

from igmigrate.knowledge import _Checker, _load_yaml, rules_dir
from igmigrate.probe import safejson
from igmigrate.probe.runner import Job
from igmigrate.probe.safety import UsageError
from igmigrate.probe.steps import BASIC_DISPLAY, FLOW_STEPS, FLOWS, INSTAGRAM_LOGIN, STEP_NAMES, spec_of

FILE = "probe.yaml"
MAX_SCAN_BYTES = 256 * 1024 * 1024
_URL = re.compile(r"(?:https?://)?(api|www|graph)\.instagram\.com((?:/[^\s'\"`<>?#,]*)?)(\?[^\s'\"`<>#]*)?",
                  re.IGNORECASE)
_BARE_PATH = re.compile(r"^/?([A-Za-z0-9_./{}$-]+)(\?[^\s'\"`<>#]*)?$")
# A path segment that is not literal text: {id}, ${id}, :id, <id>, %s, " + id + "...
_PLACEHOLDER = re.compile(r"[{}$<>:%+'\"\[\]\\ ]")
_VERSION = re.compile(r"^v\d+(?:\.\d+)?$")
_LITERAL_VALUE = re.compile(r"^[A-Za-z0-9_.,()-]+$")
# Markers the scan's messages carry (classify.py): which flow a shared call serves.
_IGL_MARKER = "Instagram API with Instagram Login flow"
_BD_MARKERS = ("in a Basic Display flow", "documents itself as Basic Display")
_NOT_CODE = ("(in a comment)", "(in documentation)")


@dataclass(frozen=True)
class CallRule:
    step: str
    hosts: tuple[str, ...]
    path: re.Pattern


@dataclass
class _Call:
    flow: str
    step: str
    host: str
    path: str  # the app's path with {user_id} for a placeholder id
    fields: str | None
    text: str  # "GET graph.instagram.com/v21.0/me"
    needs_user_id: bool
    findings: list[dict] = field(default_factory=list)


def load_call_rules(path: Path | None = None) -> tuple[CallRule, ...]:
    path = Path(path) if path else rules_dir() / FILE
    check = _Checker(path)
    doc = _load_yaml(path)
    raw = doc.get("calls") if isinstance(doc, dict) else None
    if not isinstance(raw, list) or not raw:
        check.fail("calls must be a non-empty list")
    rules = []
    for item in raw:
        item = check.mapping(item, "each call")
        check.where = f"call {item.get('step', '?')}"
        check.unknown_keys(item, {"step", "hosts", "path"})
        if item.get("step") not in STEP_NAMES:
            check.fail(f"step must be one of {', '.join(STEP_NAMES)}")
        hosts = item.get("hosts")
        if not isinstance(hosts, list) or not hosts or any(h not in ("api", "www", "graph") for h in hosts):
            check.fail("hosts must list some of api, www, graph")
        try:
            pattern = re.compile(str(item.get("path")))
        except re.error as exc:
            check.fail(f"path is not a valid regex ({exc})")
        rules.append(CallRule(item["step"], tuple(hosts), pattern))
        check.where = ""
    return tuple(rules)


def _fail(path: Path, problem: str):
    raise UsageError(f"--from-scan {path}: {problem} (expected the output of igmigrate scan --format json)")


def read_findings(path: Path) -> list[dict]:
    try:
        if path.stat().st_size > MAX_SCAN_BYTES:
            _fail(path, f"larger than {MAX_SCAN_BYTES // (1024 * 1024)} MB")
        doc = safejson.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        _fail(path, "no such file")
    except (OSError, UnicodeDecodeError) as exc:
        _fail(path, f"cannot read ({type(exc).__name__})")
    except ValueError as exc:
        _fail(path, f"not valid JSON ({exc})")
    if not isinstance(doc, dict) or doc.get("schema_version") != 1 or not isinstance(doc.get("findings"), list):
        _fail(path, "not a scan document (schema_version 1 with a findings list)")
    findings = []
    for n, raw in enumerate(doc["findings"]):
        if not (isinstance(raw, dict) and isinstance(raw.get("rule_id"), str) and isinstance(raw.get("path"), str)
                and isinstance(raw.get("line"), int) and not isinstance(raw.get("line"), bool)):
            _fail(path, f"findings[{n}] needs rule_id, path and line")
        findings.append(raw)
    return findings


def _flow_of(finding: dict, default: str) -> str:
    message = finding.get("message") if isinstance(finding.get("message"), str) else ""
    if finding.get("category") == "instagram-login" or _IGL_MARKER in message:
        return INSTAGRAM_LOGIN
    if any(m in message for m in _BD_MARKERS):
        return BASIC_DISPLAY
    return default


def _call_text(finding: dict) -> tuple[str | None, str, str | None]:
    """(host kind or None, path, query) of the call a finding stands for."""
    candidates = [finding.get("endpoint"), finding.get("snippet"), finding.get("message")]
    for text in candidates:
        if not isinstance(text, str):
            continue
        m = _URL.search(text)
        if m:
            return m.group(1).lower(), m.group(2) or "/", (m.group(3) or "")[1:]
    endpoint = finding.get("endpoint")
    if isinstance(endpoint, str):  # a bare path the scan matched inside Instagram code
        m = _BARE_PATH.match(endpoint.split(", ")[0].strip())
        if m:
            return None, "/" + m.group(1).lstrip("/"), (m.group(2) or "")[1:]
    return None, "", None


def _normalize(path: str) -> tuple[str, str, bool]:
    """(path to send, path to match, whether it needs --user-id): a placeholder segment becomes
    the user id; literal segments are kept, quoted."""
    send, match, needs = [], [], False
    for segment in [s for s in path.split("/") if s]:
        if _PLACEHOLDER.search(segment):
            send.append("{user_id}")
            match.append("{id}")
            needs = True
        elif segment.isdigit():
            send.append(segment)
            match.append("{id}")
        else:
            send.append(quote(segment, safe="._-~").replace("{", "{{").replace("}", "}}"))
            match.append(segment)
    return "/" + "/".join(send), "/" + "/".join(match), needs


def _fields(query: str | None) -> str | None:
    for key, value in parse_qsl(query or "", keep_blank_values=True):
        if key == "fields" and _LITERAL_VALUE.match(value):
            return value
    return None


def jobs_from_scan(path: Path, default_flow: str, rules: tuple[CallRule, ...]) -> tuple[list[Job], list[dict]]:
    """The steps to probe, in the flows' step order, and the call sites left out (with why)."""
    calls: dict[tuple, _Call] = {}
    left_out: list[dict] = []
    for finding in read_findings(path):
        site = {"path": finding["path"], "line": finding["line"], "rule_id": finding["rule_id"]}
        host, raw_path, query = _call_text(finding)
        if query is None:
            continue  # not a call (a scope, a package, a token...)
        message = finding.get("message") if isinstance(finding.get("message"), str) else ""
        if finding.get("suppressed") is True:
            left_out.append({**site, "reason": "suppressed in the code"})
            continue
        if any(marker in message for marker in _NOT_CODE):
            left_out.append({**site, "reason": "in a comment or documentation, not a call"})
            continue
        send_path, match_path, needs_user_id = _normalize(raw_path)
        rule = next((r for r in rules if (host is None or host in r.hosts) and r.path.search(match_path)), None)
        if rule is None:
            left_out.append({**site, "reason": f"no probe step for {host or '?'}: {match_path}"})
            continue
        flow = _flow_of(finding, default_flow)
        host = host or rule.hosts[0]
        fields = _fields(query) if rule.step in ("user", "me", "media") else None
        method = spec_of(flow, rule.step).method
        key = (flow, rule.step, host, send_path, fields)
        text = f"{method} {host}.instagram.com{match_path if match_path != '/' else ''}"
        call = calls.setdefault(key, _Call(flow, rule.step, host, send_path, fields, text, needs_user_id))
        if site not in call.findings:
            call.findings.append(site)
    order = {(flow, s.name): n for flow in FLOWS for n, s in enumerate(FLOW_STEPS[flow])}
    jobs = []
    for call in sorted(calls.values(), key=lambda c: (order[(c.flow, c.step)], c.host, c.path, c.fields or "")):
        spec = spec_of(call.flow, call.step)
        needs = tuple(n for n in spec.needs if n != "user_id") + (("user_id",) if call.needs_user_id else ())
        spec = replace(spec, host=call.host, needs=needs)
        jobs.append(Job(spec, call.flow, path=call.path,
                        extra_query=(("fields", call.fields),) if call.fields else (),
                        call=call.text, findings=tuple(call.findings)))
    return jobs, left_out
