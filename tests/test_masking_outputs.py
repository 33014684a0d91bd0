"""No secret from a scanned file reaches any output format, report, baseline or cache file."""

import os
from pathlib import Path

import pytest

from conftest import run_cli

SECRET = "5f1e2d3c4b5a69788796a5b4c3d2e1f0"
CODE = "AQDx9Zq7Lm2Np4Rs6Tu8Vw0"
TOKEN = "IGAA" + "Jx9kLmN0pQ2rS4tU6vW8xY1zA3bC5dE7fG9hI2jK4lM6nO8pQ0rS2tU4vW6xY8zA1bC3dE5"
BD_TOKEN = "IGQWR" + "Pa1ZAfb2dhVWt0ZAkRzamhBV2FxZAVJvZAUtrMmRyUUdoOHVKUmxRbXNPZAkFtZAHFiZAHd"
RAW = (SECRET, CODE, TOKEN, BD_TOKEN, TOKEN[4:24], SECRET[:16])

SOURCE = f'''SCOPE = "user_profile,user_media"  # client_secret: "{SECRET}"
EXCHANGE = "https://api.instagram.com/oauth/access_token?client_id=1&client_secret={SECRET}&code={CODE}"
ME = "https://graph.instagram.com/me?fields=id,username&access_token={TOKEN}"
OLD = "{BD_TOKEN}"
CONFIG = {{"IG_APP_SECRET": "{SECRET}", "authorize": "https://api.instagram.com/oauth/authorize"}}
'''


def _all_bytes(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in folder.rglob("*") if p.is_file())


def _assert_clean(data: bytes | str, where: str) -> None:
    if isinstance(data, str):
        data = data.encode()
    for raw in RAW:
        assert raw.encode() not in data, f"{raw[:8]}... leaked into {where}"


@pytest.fixture
def hostile(project):
    return project({"app/client.py": SOURCE, "app/settings.env": f"CLIENT_SECRET={SECRET}\n"
                    f"INSTAGRAM_TOKEN={BD_TOKEN}\n"})


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "junit", "markdown"])
def test_no_format_prints_or_writes_a_secret(hostile, tmp_path, fmt):
    out = tmp_path / f"out.{fmt}"
    result = run_cli("scan", "app", "--format", fmt, "--output", f"{fmt}={out}", "--cache-dir", str(tmp_path / "c"),
                     "--color", "always")
    assert result.exit_code == 1, result.output
    _assert_clean(result.stdout, f"{fmt} stdout")
    _assert_clean(result.stderr, f"{fmt} stderr")
    _assert_clean(out.read_bytes(), f"{fmt} file")
    assert "IGAA****" in result.stdout or fmt in ("junit", "markdown")  # the kind of token stays visible


def test_findings_keep_names_and_mask_values(hostile):
    out = run_cli("scan", "app", "--format", "json", "--no-cache").stdout
    assert "client_secret=****" in out and "code=****" in out and "IGQW****" in out


def test_reports_baselines_and_cache_hold_no_secret(hostile, tmp_path):
    cache = tmp_path / "cache"
    assert run_cli("scan", "app", "--cache-dir", str(cache)).exit_code == 1
    assert run_cli("scan", "app", "--cache-dir", str(cache)).exit_code == 1  # warm: from the cache
    assert any(cache.rglob("*.json"))
    _assert_clean(_all_bytes(cache), "the result cache")
    for name in ("r.md", "r.html"):
        result = run_cli("report", "app", "-o", str(tmp_path / name))
        assert result.exit_code == 0, result.output
        _assert_clean((tmp_path / name).read_bytes(), name)
    _assert_clean(run_cli("report", "app", "--format", "html").stdout, "html report on stdout")
    assert run_cli("baseline", "create", "app", "-o", str(tmp_path / "b.json")).exit_code == 0
    _assert_clean((tmp_path / "b.json").read_bytes(), "baseline.json")
    assert run_cli("baseline", "update", str(tmp_path / "b.json"), "app").exit_code == 0
    _assert_clean((tmp_path / "b.json").read_bytes(), "updated baseline.json")


def test_cached_and_fresh_scans_agree(hostile, tmp_path):
    args = ("scan", "app", "--format", "json", "--cache-dir", str(tmp_path / "c"))
    cold, warm = run_cli(*args).stdout, run_cli(*args).stdout
    assert cold == warm == run_cli("scan", "app", "--format", "json", "--no-cache").stdout
