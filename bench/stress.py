"""Stress cases for per-file cost: generated inputs, one file each, scanned cold.

    python bench/stress.py              # every case
    python bench/stress.py --only html  # cases whose name contains 'html'

Targets (issue 12): time is linear per file in its size and its findings, for every
analyzer: 8,000 findings in one file take at most 10x the time of 1,000; a 4 MB Python
module is scanned within 15 s and 1 GB; a 3.5 MB HTML manual within 10 s. Each case runs
`igmigrate scan FILE --no-cache --format json` in a subprocess; its wall time and peak RSS
(from wait4) are printed with the number of findings. Inputs are deterministic and
written under a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORK = Path(tempfile.gettempdir()) / "igm-stress"


# ------------------------------------------------------------------ generators
def findings_python(n: int) -> str:
    """n lines each requesting a Basic Display scope (the 'scope lines' case)."""
    lines = ["import requests", "", "class Client:"]
    lines += [f'    SCOPES_{i} = ["user_profile", "user_media"]' for i in range(n)]
    return "\n".join(lines) + "\n"


def findings_js(n: int) -> str:
    return "".join(f'const url{i} = "https://api.instagram.com/oauth/authorize?scope=user_profile&n={i}";\n'
                   for i in range(n))


def findings_markdown(n: int) -> str:
    return "".join(f"Step {i}: call https://graph.instagram.com/me/media?fields=id with the user_profile scope.\n"
                   for i in range(n))


def findings_yaml(n: int) -> str:
    return "".join(f"scope_{i}: user_profile,user_media\n" for i in range(n))


def icon_bundle(size: int) -> str:
    """A vendored icon font bundle: thousands of icons on a few long lines, some brand
    icons named instagram (what makes the file a candidate)."""
    rng = random.Random(7)
    icons = []
    i = 0
    total = 0
    while total < size:
        name = "instagram" if i % 500 == 0 else f"icon-{i}"
        path = "M" + " ".join(f"{rng.randint(0, 512)} {rng.randint(0, 512)}" for _ in range(40)) + "z"
        entry = f'"{name}":[512,512,[],"f{i:03x}","{path}"]'
        icons.append(entry)
        total += len(entry) + 1
        i += 1
    chunks = [",".join(icons[k:k + 200]) for k in range(0, len(icons), 200)]
    return "var icons = {" + ",\n".join(chunks) + "};\n"


def big_python(size: int) -> str:
    """A large hand-written-looking module: classes, methods, strings, comments, a few
    Instagram calls (so the file is a candidate and its strings are evaluated)."""
    parts = ['"""A big module."""\nimport requests\n\nBASE = "https://graph.instagram.com"\n\n']
    total = len(parts[0])
    i = 0
    while total < size:
        block = (f"class Handler{i}:\n"
                 f'    """Handler number {i}: it does things with data."""\n'
                 f"    NAME = 'handler-{i}'\n"
                 f"    LIMIT = {i * 3}\n\n"
                 f"    def run(self, value, other=None):\n"
                 f"        # keep the value around for later use in step {i}\n"
                 f"        result = {{'key': value, 'index': {i}, 'label': 'item %d' % {i}}}\n"
                 f"        if other is not None and other.get('kind') == 'special':\n"
                 f"            result['other'] = [x * 2 for x in range({i % 17})]\n"
                 f"        return self.NAME + '/' + str(result)\n\n")
        if i % 400 == 0:
            block += (f"def fetch_{i}(token):\n"
                      f"    return requests.get(BASE + '/me/media', params={{'access_token': token}})\n\n")
        parts.append(block)
        total += len(block)
        i += 1
    return "".join(parts)


def html_manual(size: int) -> str:
    """A big HTML manual (a CLI tool's README.html): sections, paragraphs with apostrophes,
    code blocks, links, option tables, and many `config_refresh_token`-like words; one
    mention of Instagram so the markup analyzer reads all of it."""
    rng = random.Random(11)
    words = ["the", "remote", "token", "config", "can't", "won't", "it's", "backend", "file", "sync", "copy",
             "bucket", "drive", "option", "flag", "default", "path", "user", "profile", "media"]
    parts = ["<!DOCTYPE html>\n<html><head><title>Manual</title></head><body>\n",
             "<p>Also works with photos exported from Instagram.</p>\n"]
    total = sum(map(len, parts))
    i = 0
    while total < size:
        prose = " ".join(rng.choice(words) for _ in range(60))
        block = (f'<h2 id="section-{i}">Section {i}</h2>\n'
                 f"<p>{prose} (see <a href=\"#section-{i + 1}\">next</a>, <code>--config_refresh_token</code>"
                 f" and <code>my_user_profile_id</code>).</p>\n"
                 f"<pre><code>rclone config create remote{i} drive config_refresh_token=true "
                 f"client_id='abc{i}' scope=drive\n"
                 f"rclone copy source:path dest:path --drive-token '{{\"access_token\":\"x\"}}'</code></pre>\n"
                 f"<table><tr><td>--option-{i}</td><td>{prose[:80]}</td></tr></table>\n")
        parts.append(block)
        total += len(block)
        i += 1
    parts.append("</body></html>\n")
    return "".join(parts)


CASES = {
    # name: (file name, text); finding-count pairs are compared as ratios
    "python-findings-1000": ("scopes.py", lambda: findings_python(1000)),
    "python-findings-8000": ("scopes.py", lambda: findings_python(8000)),
    "js-findings-1000": ("urls.js", lambda: findings_js(1000)),
    "js-findings-8000": ("urls.js", lambda: findings_js(8000)),
    "markdown-findings-1000": ("notes.md", lambda: findings_markdown(1000)),
    "markdown-findings-8000": ("notes.md", lambda: findings_markdown(8000)),
    "yaml-findings-1000": ("scopes.yaml", lambda: findings_yaml(1000)),
    "yaml-findings-8000": ("scopes.yaml", lambda: findings_yaml(8000)),
    "icon-bundle-3mb": ("icons.js", lambda: icon_bundle(3 * 1024 * 1024)),
    "python-module-4mb": ("big.py", lambda: big_python(4 * 1024 * 1024)),
    "html-manual-3.5mb": ("manual.html", lambda: html_manual(int(3.5 * 1024 * 1024))),
}
LIMITS = {"python-module-4mb": (15.0, 1024.0), "html-manual-3.5mb": (10.0, None)}


def run_case(name: str, igmigrate: list[str]) -> dict:
    filename, make = CASES[name]
    folder = WORK / name
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / filename
    text = make()
    target.write_text(text, encoding="utf-8")
    started = time.perf_counter()
    proc = subprocess.Popen([*igmigrate, "scan", str(target), "--no-cache", "--format", "json",
                             "--max-file-size", str(64 * 1024 * 1024)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=folder)
    out, err = proc.communicate()
    seconds = time.perf_counter() - started
    # wait4 already reaped by communicate; ru_maxrss of children is the largest child so far.
    import resource

    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{name}: exit {proc.returncode}: {err.decode(errors='replace')[-500:]}")
    doc = json.loads(out)
    return {"case": name, "bytes": len(text.encode()), "seconds": round(seconds, 2), "peak_mb_max_so_far": round(peak_mb),
            "findings": len(doc["findings"]), "errors": [e["message"] for e in doc["errors"]]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="", help="run cases whose name contains this")
    parser.add_argument("--igmigrate", default=f"{sys.executable} -m igmigrate", help="command to run")
    args = parser.parse_args()
    rows = {}
    for name in CASES:
        if args.only in name:
            rows[name] = row = run_case(name, args.igmigrate.split())
            print(json.dumps(row), flush=True)
    print("\ntargets:")
    for family in ("python", "js", "markdown", "yaml"):
        small, large = rows.get(f"{family}-findings-1000"), rows.get(f"{family}-findings-8000")
        if small and large:
            ratio = large["seconds"] / max(small["seconds"], 0.01)
            print(f"  {family}: 8,000 findings / 1,000 = {ratio:.1f}x (target <= 10x) {'ok' if ratio <= 10 else 'MISSED'}")
    for name, (seconds, mb) in LIMITS.items():
        row = rows.get(name)
        if row:
            ok = row["seconds"] <= seconds and (mb is None or row["peak_mb_max_so_far"] <= mb)
            print(f"  {name}: {row['seconds']} s (<= {seconds}), peak {row['peak_mb_max_so_far']} MB"
                  f"{f' (<= {mb:.0f})' if mb else ''} {'ok' if ok else 'MISSED'}")


if __name__ == "__main__":
    main()
