"""Recordings for --record and --replay: the masked exchanges of one run as JSON."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from igmigrate.atomic import write_atomically
from igmigrate.probe import safejson
from igmigrate.probe.model import FAILURES, Exchange
from igmigrate.probe.steps import FLOWS, STEP_NAMES

KIND = "igmigrate-probe-recording"


class ReplayError(Exception):
    """The replay file cannot be used; the message names the file."""


def save(path: Path, exchanges: list[Exchange]) -> None:
    """Write atomically (temp file + rename) so a crash never leaves half a recording."""
    doc = {
        "schema_version": 1,
        "kind": KIND,
        "recorded_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "exchanges": [ex.to_json() for ex in exchanges],
    }
    write_atomically(Path(path), json.dumps(doc, indent=2, ensure_ascii=False) + "\n")


def _optional(value, kind: type) -> bool:
    return value is None or (isinstance(value, kind) and not isinstance(value, bool))


def _exchange(raw, n: int, fail) -> Exchange:
    if not isinstance(raw, dict):
        fail(f"exchange {n} must be an object")
    unknown = sorted(set(raw) - set(Exchange.__dataclass_fields__))
    if unknown:
        fail(f"exchange {n}: unknown key '{unknown[0]}'")
    if raw.get("step") not in STEP_NAMES:
        fail(f"exchange {n}: step must be one of {', '.join(STEP_NAMES)}")
    if raw.get("method") not in ("GET", "POST"):
        fail(f"exchange {n}: method must be GET or POST")
    if raw.get("flow", "basic-display") not in FLOWS:
        fail(f"exchange {n}: flow must be one of {', '.join(FLOWS)}")
    for key, kind in (("url", str), ("status", int), ("failure", str), ("skipped", str), ("not_sent", str),
                      ("token_source", str), ("token_kind", str), ("call", str)):
        if not _optional(raw.get(key), kind):
            fail(f"exchange {n}: '{key}' must be {'an integer' if kind is int else 'a string'} or null")
    for key in ("attempts", "elapsed_ms"):
        if not (_optional(raw.get(key), int) and (raw.get(key) or 0) >= 0):
            fail(f"exchange {n}: '{key}' must be a non-negative integer")
    if raw.get("failure") not in (None, *FAILURES):
        fail(f"exchange {n}: failure must be one of {', '.join(FAILURES)} or null")
    for key in ("headers", "form"):
        value = raw.get(key)
        if value is not None and not (isinstance(value, dict) and all(
                isinstance(k, str) and isinstance(v, str) for k, v in value.items())):
            fail(f"exchange {n}: '{key}' must map strings to strings")
    if not isinstance(raw.get("body", ""), str):
        fail(f"exchange {n}: 'body' must be a string")
    if not isinstance(raw.get("truncated", False), bool):
        fail(f"exchange {n}: 'truncated' must be true or false")
    findings = raw.get("findings")
    if findings is not None and not (isinstance(findings, list) and all(
            isinstance(f, dict) and isinstance(f.get("path"), str) and isinstance(f.get("rule_id"), str)
            and isinstance(f.get("line"), int) and not isinstance(f.get("line"), bool) for f in findings)):
        fail(f"exchange {n}: 'findings' must list {{path, line, rule_id}} objects")
    if raw.get("status") is None and raw.get("failure") is None and raw.get("skipped") is None:
        fail(f"exchange {n}: needs a status, a failure or a skip reason")
    return Exchange(
        step=raw["step"], method=raw["method"], url=raw.get("url"), form=raw.get("form"),
        status=raw.get("status"), headers={k.lower(): v for k, v in (raw.get("headers") or {}).items()},
        body=raw.get("body", ""), failure=raw.get("failure"), skipped=raw.get("skipped"),
        attempts=raw.get("attempts") or 0, elapsed_ms=raw.get("elapsed_ms") or 0,
        flow=raw.get("flow", "basic-display"), not_sent=raw.get("not_sent"), truncated=raw.get("truncated", False),
        token_source=raw.get("token_source"), token_kind=raw.get("token_kind"), call=raw.get("call"),
        findings=[{"path": f["path"], "line": f["line"], "rule_id": f["rule_id"]} for f in findings]
        if findings is not None else None,
    )


def load(path: Path) -> list[Exchange]:
    def fail(problem: str):
        raise ReplayError(f"replay file {path}: {problem}")

    try:
        doc = safejson.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        fail("not found")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read ({type(exc).__name__})")
    except ValueError as exc:
        fail(f"not valid JSON ({exc})")
    if not isinstance(doc, dict) or doc.get("kind") != KIND or doc.get("schema_version") != 1:
        fail(f"not an igmigrate probe recording (expected kind '{KIND}', schema_version 1)")
    raw_list = doc.get("exchanges")
    if not isinstance(raw_list, list) or not raw_list:
        fail("'exchanges' must be a non-empty list")
    return [_exchange(raw, n, fail) for n, raw in enumerate(raw_list, 1)]
