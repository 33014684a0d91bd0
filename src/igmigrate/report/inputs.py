"""Read the optional report inputs: probe results (`igmigrate probe --format json`) and a baseline.

Both files come from elsewhere (another command, another branch, a CI artifact), so they are
read defensively: anything that is not the expected shape raises InputError naming the file.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path


class InputError(Exception):
    """A --probe-results or --baseline file that cannot be used (the CLI exits 2)."""


@dataclass(frozen=True)
class ProbeStep:
    step: str
    method: str | None
    url: str | None  # as the probe wrote it (masked)
    status: int | None
    verdict: str
    signature: str | None
    detail: str
    error_type: str | None
    error_code: int | None
    call: str | None = None  # `probe --from-scan`: the app's own call, e.g. "GET graph.instagram.com/v21.0/me"
    sites: tuple[tuple[str, int, str], ...] = ()  # `probe --from-scan`: the (path, line, rule_id) it stands for

    def reason(self) -> str:
        """What the verdict rests on, in a few words: "IGApiException 100", or the probe's detail."""
        if self.error_type or self.error_code is not None:
            return " ".join(p for p in (self.error_type, None if self.error_code is None else str(self.error_code)) if p)
        return self.detail if len(self.detail) <= 100 else self.detail[:99] + "…"

    def outcome(self) -> str:
        """"removed, IGApiException 100" (an API error) or "skipped: missing ..." (anything else)."""
        reason = self.reason()
        if not reason:
            return self.verdict
        joiner = ", " if self.error_type or self.error_code is not None else ": "
        return f"{self.verdict}{joiner}{reason}"


@dataclass(frozen=True)
class ProbeRun:
    path: str
    date: str  # YYYY-MM-DD
    date_source: str  # "--probe-date" or "file modification time"
    verdict: str | None  # the probe's overall verdict, when its summary has one
    steps: dict[str, ProbeStep]  # by step name, in file order
    by_site: dict[tuple[str, int, str], ProbeStep] = field(default_factory=dict)  # exact joins (--from-scan)


@dataclass(frozen=True)
class BaselineEntry:
    fingerprint: str
    rule_id: str | None = None
    path: str | None = None
    line: int | None = None


def load_json(path: Path, what: str) -> object:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{what} {path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{what} {path}: cannot read ({getattr(exc, 'strerror', None) or exc})") from None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise InputError(f"{what} {path}: not valid JSON ({exc})") from None
    except RecursionError:
        raise InputError(f"{what} {path}: JSON nested too deeply") from None


def _opt_str(value) -> str | None:
    return value if isinstance(value, str) and value else None


def _opt_int(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _step(raw, index: int, bad) -> ProbeStep:
    if not isinstance(raw, dict):
        raise bad(f"steps[{index}] must be an object")
    step, verdict = raw.get("step"), raw.get("verdict")
    if not isinstance(step, str) or not step:
        raise bad(f"steps[{index}].step must be a non-empty string")
    if not isinstance(verdict, str) or not verdict:
        raise bad(f"steps[{index}].verdict must be a non-empty string")
    evidence = raw.get("evidence")
    if evidence is None:
        evidence = {}
    if not isinstance(evidence, dict):
        raise bad(f"steps[{index}].evidence must be an object")
    error = evidence.get("error") if isinstance(evidence.get("error"), dict) else {}
    detail = evidence.get("detail")
    findings = raw.get("findings")
    if findings is not None and not isinstance(findings, list):
        raise bad(f"steps[{index}].findings must be a list")
    sites = tuple((f["path"], f["line"], f["rule_id"]) for f in findings or ()
                  if isinstance(f, dict) and isinstance(f.get("path"), str) and _opt_int(f.get("line")) is not None
                  and isinstance(f.get("rule_id"), str))
    return ProbeStep(
        step=step, method=_opt_str(raw.get("method")), url=_opt_str(raw.get("url")),
        status=_opt_int(raw.get("status")), verdict=verdict, signature=_opt_str(raw.get("signature")),
        detail=" ".join(detail.split()) if isinstance(detail, str) else "",
        error_type=_opt_str(error.get("type")), error_code=_opt_int(error.get("code")),
        call=_opt_str(raw.get("call")), sites=sites,
    )


def read_probe_results(path: Path, date: str | None = None) -> ProbeRun:
    """The probe's JSON has no timestamp, so the date is --probe-date when given, else the
    file's modification time (UTC): right for a file the probe just wrote, and overridable
    for a copied artifact."""
    doc = load_json(path, "--probe-results")

    def bad(problem: str) -> InputError:
        return InputError(f"--probe-results {path}: {problem} (expected the output of igmigrate probe --format json)")

    if not isinstance(doc, dict):
        raise bad("the document must be a JSON object")
    if doc.get("schema_version") != 1:
        raise bad(f"schema_version {doc.get('schema_version')!r} is not supported (1 is)")
    raw_steps = doc.get("steps")
    if not isinstance(raw_steps, list):
        raise bad("'steps' must be a list")
    steps: dict[str, ProbeStep] = {}
    by_site: dict[tuple[str, int, str], ProbeStep] = {}
    for index, raw in enumerate(raw_steps):
        parsed = _step(raw, index, bad)
        steps.setdefault(parsed.step, parsed)  # a step twice: the first answer counts
        for site in parsed.sites:  # --from-scan: each call site joins the step that sent its call
            by_site.setdefault(site, parsed)
    summary = doc.get("summary") if isinstance(doc.get("summary"), dict) else {}
    if date is not None:
        source = "--probe-date"
    else:
        mtime = path.stat().st_mtime
        date = dt.datetime.fromtimestamp(mtime, tz=dt.timezone.utc).date().isoformat()
        source = "file modification time"
    return ProbeRun(path=str(path), date=date, date_source=source, verdict=_opt_str(summary.get("verdict")),
                    steps=steps, by_site=by_site)


def _collect(doc, out: dict[str, BaselineEntry]) -> None:
    stack = [doc]  # iterative: a deeply nested file must not exhaust the Python stack
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(reversed(node))
            continue
        if not isinstance(node, dict):
            continue
        fingerprint = node.get("fingerprint")
        if isinstance(fingerprint, str) and fingerprint and fingerprint not in out:
            out[fingerprint] = BaselineEntry(fingerprint, _opt_str(node.get("rule_id")), _opt_str(node.get("path")),
                                             _opt_int(node.get("line")))
        listed = node.get("fingerprints")
        for item in listed if isinstance(listed, list) else ():
            if isinstance(item, str) and item and item not in out:
                out[item] = BaselineEntry(item)
        stack.extend(reversed([v for v in node.values() if isinstance(v, (dict, list))]))


def read_baseline(path: Path) -> dict[str, BaselineEntry]:
    """Any JSON document works: every "fingerprint": "..." value (and every string in a
    "fingerprints": [...] list), at any depth, is a baseline fingerprint. So the baseline
    feature's file and plain `igmigrate scan --format json` output both serve."""
    out: dict[str, BaselineEntry] = {}
    _collect(load_json(path, "--baseline"), out)
    return out
