"""Shared pieces of the report tests (no tests here): a small project written into tmp_path, a
probe result file in the shape of `igmigrate probe --format json`, and a scan of the project."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import write_tree
from igmigrate.findings import ScanResult
from igmigrate.knowledge import default_knowledge_base
from igmigrate.scanner import ScanOptions, scan

XSS = "</script><script>alert(1)</script>"
TOKEN = "IGQWRPa1ZAfb2dhVWt0ZAkRzamhBV2FxZAVJvZAUtrMmRyUUdoOHVKUmxRbXNPZAkFtZAHFiZA"  # shaped like a dead BD token

PROJECT = {
    "web/login.js": (
        "const BASE = 'https://api.instagram.com';\n"
        "const url = `${BASE}/oauth/authorize?client_id=${id}&scope=user_profile,user_media&response_type=code`;\n"
    ),
    "api/token.py": (
        'import requests\n'
        'BASE = "https://api.instagram.com"\n'
        'SCOPE = "user_profile,user_media"\n'
        'def exchange(code):\n'
        '    return requests.post(BASE + "/oauth/access_token", data={"code": code})\n'
        'def long_lived(t):\n'
        '    return requests.get("https://graph.instagram.com/access_token?grant_type=ig_exchange_token&access_token=" + t)\n'
        'def refresh(t):\n'
        '    return requests.get("https://graph.instagram.com/refresh_access_token?grant_type=ig_refresh_token")\n'
        'def media(t):\n'
        '    return requests.get("https://graph.instagram.com/me/media?fields=id,caption")\n'
        'def me(t):\n'
        '    me = requests.get("https://graph.instagram.com/me?fields=account_type").json()\n'
        '    if me["account_type"] == "PERSONAL":\n'
        '        return None\n'
    ),
    "lib/strategy.rb": (
        "AUTHORIZE = 'https://api.instagram.com/oauth/authorize'\n"
        "PROFILE = 'https://api.instagram.com/v1/users/self'\n"
    ),
    # Scanned text that tries to break out of the HTML and the Markdown table.
    "web/evil.js": f'const x = "{XSS} | `tick` https://graph.instagram.com/me/media";\n',
    "package.json": '{"name": "demo", "dependencies": {"instafeed.js": "^2.0.0"}}\n',
    "api/settings.env": "INSTAGRAM_TOKEN=" + TOKEN + "\n",
}

ERROR_100 = {"type": "IGApiException", "code": 100, "subcode": None, "message": "Unsupported request - method type: get"}


def _step(step: str, method: str, url: str | None, status: int | None, verdict: str, signature: str | None,
          detail: str, error: dict | None = None) -> dict:
    evidence = {"detail": detail, "note": "-"}
    if error:
        evidence["error"] = error
    return {"step": step, "method": method, "url": url, "status": status, "verdict": verdict,
            "signature": signature, "evidence": evidence, "elapsed_ms": 12}


PROBE = {
    "schema_version": 1,
    "steps": [
        _step("authorize", "GET", "https://api.instagram.com/oauth/authorize?client_id=1&scope=user_profile", 200,
              "removed", "authorize-invalid-scope-user-profile", 'answer contains "Invalid scope: user_profile"'),
        _step("token", "POST", "https://api.instagram.com/oauth/access_token", None, "skipped", None,
              "missing IGMIGRATE_AUTH_CODE"),
        _step("me", "GET", "https://graph.instagram.com/me?fields=id&access_token=****", 400, "removed",
              "graph-unsupported-get", "IGApiException code 100: Unsupported request - method type: get", ERROR_100),
        _step("media", "GET", "https://graph.instagram.com/me/media?access_token=****", 400, "removed",
              "graph-unsupported-get", "IGApiException code 100: Unsupported request - method type: get", ERROR_100),
        _step("refresh", "GET", "https://graph.instagram.com/refresh_access_token?access_token=****", 200, "alive",
              "refresh-ok", "JSON with access_token, expires_in, token_type"),
    ],
    "summary": {"verdict": "inconclusive", "removed": 3, "alive": 1, "inconclusive": 0, "unreachable": 0, "skipped": 1},
}


def make_project(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "proj", PROJECT)


def write_probe(path: Path, doc: dict | None = None) -> Path:
    path.write_text(json.dumps(PROBE if doc is None else doc), encoding="utf-8")
    return path


def scan_project(root: Path) -> ScanResult:
    """Scan with paths shown relative to the project, as `igmigrate report .` run inside it would."""
    return scan(ScanOptions(paths=[root], jobs=1), default_knowledge_base(), cwd=root)


def by_rule(result: ScanResult, rule_id: str) -> list:
    return [f for f in result.findings if f.rule_id == rule_id]
