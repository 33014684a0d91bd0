"""Response signatures (rules/probe.yaml) and the classification of one exchange against them.

The verdict logic is data: the first signature of the exchange's flow, in file order, whose
conditions all hold decides the verdict. An answer no signature knows is `inconclusive` with no
signature id. Bodies are parsed with a nesting limit (safejson), so a hostile answer is one
inconclusive step, never a crash.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote_plus

# The knowledge base's own checker and loader: same messages ("probe.yaml: signature x: ...").
from igmigrate.knowledge import _Checker, _load_yaml, rules_dir
from igmigrate.probe import safejson
from igmigrate.probe.model import FLOW_VERDICTS, Exchange, StepResult
from igmigrate.probe.steps import BASIC_DISPLAY, FLOWS, STEP_NAMES

FILE = "probe.yaml"
SIGNATURE_VERDICTS = {flow: tuple(v for v in verdicts if v not in ("unreachable", "skipped"))
                      for flow, verdicts in FLOW_VERDICTS.items()}
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_STATUS_CLASS = re.compile(r"^[1-5]xx$")
_SIG_KEYS = {"id", "verdict", "flows", "steps", "when", "note", "sources"}
_WHEN_KEYS = {"status", "error_type", "error_code", "error_subcode", "message_contains", "text_contains",
              "text_lacks", "location_contains", "json_keys", "token_kind"}


@dataclass(frozen=True)
class When:
    """All given conditions must hold; text conditions are case-insensitive substrings."""

    status: tuple[tuple[int, int], ...] = ()  # inclusive ranges: 400 -> (400, 400), "5xx" -> (500, 599)
    error_type: tuple[str, ...] = ()
    error_code: tuple[int, ...] = ()
    error_subcode: tuple[int, ...] = ()
    message_contains: tuple[str, ...] = ()
    text_contains: tuple[str, ...] = ()
    location_contains: tuple[str, ...] = ()
    json_keys: tuple[str, ...] = ()
    text_lacks: tuple[str, ...] = ()  # none of these fragments is in the body or Location
    token_kind: tuple[str, ...] = ()  # the kind of token the step sent (see token_kinds)


@dataclass(frozen=True)
class Signature:
    id: str
    verdict: str
    flows: frozenset[str]
    steps: frozenset[str]
    when: When
    note: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class ErrorFields:
    type: str | None
    code: int | None
    subcode: int | None
    message: str | None

    def to_json(self) -> dict:
        return {"type": self.type, "code": self.code, "subcode": self.subcode, "message": self.message}


# ---- loading ---------------------------------------------------------------------------------


def _strings(check: _Checker, raw, what: str) -> tuple[str, ...]:
    items = raw if isinstance(raw, list) else [raw]
    if not items or not all(isinstance(s, str) and s.strip() for s in items):
        check.fail(f"{what} must be a non-empty string or list of strings")
    return tuple(items)


def _ints(check: _Checker, raw, what: str) -> tuple[int, ...]:
    items = raw if isinstance(raw, list) else [raw]
    if not items or not all(isinstance(i, int) and not isinstance(i, bool) for i in items):
        check.fail(f"{what} must be an integer or list of integers")
    return tuple(items)


def _statuses(check: _Checker, raw) -> tuple[tuple[int, int], ...]:
    out = []
    for item in raw if isinstance(raw, list) else [raw]:
        if isinstance(item, int) and not isinstance(item, bool) and 100 <= item <= 599:
            out.append((item, item))
        elif isinstance(item, str) and _STATUS_CLASS.match(item):
            low = int(item[0]) * 100
            out.append((low, low + 99))
        else:
            check.fail(f"when.status {item!r} must be an HTTP status (100-599) or a class like '4xx'")
    if not out:
        check.fail("when.status must not be empty")
    return tuple(out)


def _parse(raw, check: _Checker) -> Signature:
    raw = check.mapping(raw, "each signature")
    check.where = f"signature {raw.get('id', '?')}"
    check.unknown_keys(raw, _SIG_KEYS)
    sig_id = raw.get("id")
    if not isinstance(sig_id, str) or not _ID.match(sig_id):
        check.fail("id must be lower-case words joined by '-'")
    flows = _strings(check, raw["flows"], "flows") if raw.get("flows") is not None else (BASIC_DISPLAY,)
    unknown_flows = [f for f in flows if f not in FLOWS]
    if unknown_flows:
        check.fail(f"flow {unknown_flows[0]!r} is not one of {', '.join(FLOWS)}")
    verdict = raw.get("verdict")
    for flow in flows:
        if verdict not in SIGNATURE_VERDICTS[flow]:
            check.fail(f"verdict {verdict!r} must be one of {', '.join(SIGNATURE_VERDICTS[flow])} (flow {flow})")
    steps = _strings(check, raw["steps"], "steps") if raw.get("steps") is not None else STEP_NAMES
    unknown = [s for s in steps if s not in STEP_NAMES]
    if unknown:
        check.fail(f"step {unknown[0]!r} is not one of {', '.join(STEP_NAMES)}")
    when_raw = raw.get("when")
    if not isinstance(when_raw, dict) or not when_raw:
        check.fail("when must be a non-empty mapping of conditions")
    extra = sorted(set(when_raw) - _WHEN_KEYS)
    if extra:
        check.fail(f"unknown condition 'when.{extra[0]}'")
    parts: dict = {}
    for key, value in when_raw.items():
        if key == "status":
            parts[key] = _statuses(check, value)
        elif key in ("error_code", "error_subcode"):
            parts[key] = _ints(check, value, f"when.{key}")
        else:
            parts[key] = _strings(check, value, f"when.{key}")
    note = raw.get("note")
    if not isinstance(note, str) or not note.strip():
        check.fail("note must say why this answer means the verdict")
    sources = raw.get("sources")
    if not isinstance(sources, list) or not sources:
        check.fail("sources must list where the answer was observed")
    sig = Signature(id=sig_id, verdict=verdict, flows=frozenset(flows), steps=frozenset(steps), when=When(**parts),
                    note=" ".join(note.split()), sources=_strings(check, sources, "sources"))
    check.where = ""
    return sig


def load_token_kinds(path: Path | None = None) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(kind, prefixes) in file order: which kind of token a step sent, from its prefix alone."""
    path = Path(path) if path else rules_dir() / FILE
    check = _Checker(path)
    doc = _load_yaml(path)
    raw = doc.get("token_kinds") if isinstance(doc, dict) else None
    if raw is None:
        return ()
    if not isinstance(raw, list):
        check.fail("token_kinds must be a list")
    kinds = []
    for item in raw:
        item = check.mapping(item, "each token kind")
        check.where = f"token kind {item.get('kind', '?')}"
        check.unknown_keys(item, {"kind", "prefixes", "note", "sources"})
        kind = item.get("kind")
        if not isinstance(kind, str) or not _ID.match(kind):
            check.fail("kind must be lower-case words joined by '-'")
        _strings(check, item.get("sources"), "sources")
        kinds.append((kind, _strings(check, item.get("prefixes"), "prefixes")))
        check.where = ""
    return tuple(kinds)


def token_kind(token: str | None, kinds: tuple[tuple[str, tuple[str, ...]], ...]) -> str | None:
    if not token:
        return None
    return next((kind for kind, prefixes in kinds if token.startswith(prefixes)), "unknown")


def load_signatures(path: Path | None = None) -> tuple[Signature, ...]:
    path = Path(path) if path else rules_dir() / FILE
    check = _Checker(path)
    doc = _load_yaml(path)
    if not isinstance(doc, dict) or doc.get("schema_version") != 1:
        check.fail("must be a mapping with schema_version: 1")
    raw_list = doc.get("signatures")
    if not isinstance(raw_list, list) or not raw_list:
        check.fail("signatures must be a non-empty list")
    sigs: list[Signature] = []
    for raw in raw_list:
        sig = _parse(raw, check)
        if any(s.id == sig.id for s in sigs):
            check.where = f"signature {sig.id}"
            check.fail("duplicate id")
        sigs.append(sig)
    return tuple(sigs)


# ---- classification --------------------------------------------------------------------------


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _str(value) -> str | None:
    return None if value is None else str(value)


def error_fields(doc) -> ErrorFields | None:
    """Normalise the error envelopes of section 3.1: Graph, flat OAuth, OAuth2 and legacy meta."""
    if not isinstance(doc, dict):
        return None
    err = doc.get("error")
    if isinstance(err, dict):
        return ErrorFields(_str(err.get("type")), _int(err.get("code")), _int(err.get("error_subcode")),
                           _str(err.get("message")))
    if isinstance(err, str):
        return ErrorFields(err, None, None, _str(doc.get("error_description")))
    if "error_type" in doc or "error_message" in doc:
        return ErrorFields(_str(doc.get("error_type")), _int(doc.get("code")), None, _str(doc.get("error_message")))
    meta = doc.get("meta")
    if isinstance(meta, dict) and "error_type" in meta:
        return ErrorFields(_str(meta.get("error_type")), _int(meta.get("code")), None, _str(meta.get("error_message")))
    return None


@dataclass(frozen=True)
class _Answer:
    status: int
    error: ErrorFields | None
    keys: frozenset[str]
    text: str  # body (HTML entities resolved) and decoded Location, case-folded
    location: str

    too_deep: bool = False
    token_kind: str | None = None

    @classmethod
    def of(cls, ex: Exchange) -> _Answer:
        too_deep = False
        try:
            doc = safejson.loads(ex.body)
        except safejson.TooDeep:
            doc, too_deep = None, True
        except ValueError:
            doc = None
        location = ex.headers.get("location", "")
        text = html.unescape(ex.body) + "\n" + unquote_plus(location)
        keys = frozenset(doc) if isinstance(doc, dict) else frozenset()
        return cls(ex.status or 0, error_fields(doc), keys, text.casefold(), location.casefold(), too_deep,
                   ex.token_kind)


def _holds(when: When, a: _Answer) -> bool:
    err = a.error or ErrorFields(None, None, None, None)
    message = (err.message or "").casefold()
    return all((
        not when.status or any(lo <= a.status <= hi for lo, hi in when.status),
        not when.error_type or err.type in when.error_type,
        not when.error_code or err.code in when.error_code,
        not when.error_subcode or err.subcode in when.error_subcode,
        all(f.casefold() in message for f in when.message_contains),
        all(f.casefold() in a.text for f in when.text_contains),
        not any(f.casefold() in a.text for f in when.text_lacks),
        not when.token_kind or a.token_kind in when.token_kind,
        all(f.casefold() in a.location for f in when.location_contains),
        all(k in a.keys for k in when.json_keys),
    ))


def _detail(ex: Exchange, a: _Answer, sig: Signature | None) -> str:
    if a.error:
        code = f" code {a.error.code}" if a.error.code is not None else ""
        sub = f"/{a.error.subcode}" if a.error.subcode is not None else ""
        message = " ".join((a.error.message or "").split())  # one line, whatever the server sent
        return f"{a.error.type or 'error'}{code}{sub}: {message[:200]}"
    fragments = sig.when.text_contains if sig else ()
    if fragments:
        return "answer contains " + ", ".join(f'"{f}"' for f in fragments)
    if sig and sig.when.text_lacks:
        kind = ex.headers.get("content-type", "no content type").split(";")[0]
        return f"{kind}, {len(ex.body)} characters, none of the known error texts"
    if ex.headers.get("location"):
        return f"redirect to {ex.headers['location']}"
    if a.keys:
        return "JSON with " + ", ".join(sorted(a.keys))
    kind = ex.headers.get("content-type", "no content type").split(";")[0]
    return f"{kind}, {len(ex.body)} characters"


def classify(ex: Exchange, signatures: tuple[Signature, ...]) -> StepResult:
    try:
        return _classify(ex, signatures)
    except Exception as exc:  # noqa: BLE001 - one odd answer is that step's verdict, never a lost run
        return StepResult(ex, "inconclusive", None, {"detail": f"could not classify the answer ({type(exc).__name__})",
                                                     "note": "no signature was checked"})


def _classify(ex: Exchange, signatures: tuple[Signature, ...]) -> StepResult:
    if ex.skipped is not None:
        evidence = {"detail": ex.skipped, **({"form": ex.form} if ex.form else {})}
        return StepResult(ex, "skipped", None, evidence)
    if ex.failure is not None:
        if ex.not_sent:
            detail = f"{ex.failure}: not sent, {ex.not_sent}"
        else:
            detail = f"{ex.failure} after {ex.attempts} attempt{'s' if ex.attempts != 1 else ''}"
        return StepResult(ex, "unreachable", None, {"detail": detail, "attempts": ex.attempts})
    answer = _Answer.of(ex)
    sig = next((s for s in signatures
                if ex.flow in s.flows and ex.step in s.steps and _holds(s.when, answer)), None)
    evidence: dict = {"detail": _detail(ex, answer, sig)}
    if answer.too_deep:
        evidence["detail"] = f"JSON nested deeper than {safejson.MAX_DEPTH} levels: not parsed"
    if answer.error:
        evidence["error"] = answer.error.to_json()
    if ex.headers.get("location"):
        evidence["location"] = ex.headers["location"]
    if sig:
        matched = sig.when.text_contains + sig.when.message_contains + sig.when.location_contains
        if matched:
            evidence["matched"] = list(matched)
        evidence["note"] = sig.note
    else:
        evidence["note"] = "no signature in probe.yaml matches this answer"
    if ex.attempts > 1:
        evidence["attempts"] = ex.attempts
    if ex.truncated:
        evidence["truncated"] = True
    if ex.token_source:
        evidence["token"] = ex.token_source
    return StepResult(ex, sig.verdict if sig else "inconclusive", sig.id if sig else None, evidence)
