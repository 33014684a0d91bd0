"""Generate saved scans of an organisation and time `igmigrate report --from-json` on them.

    python bench/org_scans.py                       # 1,000 scans, HTML and Markdown, prints the figures
    python bench/org_scans.py --count 100 --keep /tmp/scans   # keep the generated files

Each generated file is what `igmigrate scan --format json` writes for one repository: a
`scan` block (repository, commit, branch, committer date), 0 to 400 findings (realistic rule
mix, paths, snippets), a few file errors. Deterministic (seeded). A few repositories are
saved twice (an older commit too), and a tenth come from an older tool/knowledge-base
version, as in a real organisation.

Measured: wall time of the whole command and peak resident memory of the process
(getrusage of the finished child), once per format; the report is written to a file.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RULES = [("IGM101", "error", 'SCOPES = ["user_profile", "user_media"]'),
         ("IGM110", "error", "const url = `${BASE}/oauth/authorize?client_id=${id}&scope=user_profile`;"),
         ("IGM111", "warning", 'requests.post(BASE + "/oauth/access_token", data=form)'),
         ("IGM112", "warning", "$url = 'https://graph.instagram.com/access_token?grant_type=ig_exchange_token';"),
         ("IGM113", "warning", "uri = URI('https://graph.instagram.com/refresh_access_token')"),
         ("IGM114", "warning", 'const mediaURL = "https://graph.instagram.com/me/media?fields=id,caption"'),
         ("IGM103", "error", '"espresso-dev/instagram-basic-display-php": "^1.1"'),
         ("IGM116", "note", 'SCOPE = "instagram_business_basic"'),
         ("IGM130", "note", "# Uses the Instagram Basic Display API"),
         ("IGM201", "error", "PROFILE = 'https://api.instagram.com/v1/users/self'")]
WEIGHTS = [12, 10, 6, 5, 5, 14, 2, 8, 6, 2]
EXTENSIONS = [".py", ".js", ".php", ".rb", ".go", ".ts"]


def scan_document(rng: random.Random, index: int, older: bool = False) -> dict:
    org = ("acme", "globex", "initech", "umbrella")[index % 4]
    name = f"github.com/{org}/service-{index:04d}"
    findings = []
    for n in range(rng.choice((0, 3, 20, 60, 150, 400))):
        rule, severity, snippet = rng.choices(RULES, WEIGHTS)[0]
        path = f"src/module_{rng.randrange(80):02d}/file_{rng.randrange(40):02d}{rng.choice(EXTENSIONS)}"
        line = rng.randrange(1, 900)
        findings.append({"rule_id": rule, "severity": severity, "category": "basic-display",
                         "message": f"{rule} finding {n} with an explanation of what breaks and why " * 2,
                         "path": path, "line": line, "column": 5, "end_line": line, "end_column": 40,
                         "snippet": snippet, "replacement": "request instagram_business_basic instead "
                         "(https://developers.facebook.com/docs/instagram-platform)",
                         "fingerprint": f"{index:04d}{n:06d}{rng.getrandbits(40):010x}", "suppressed": n % 17 == 0})
    day = 10 if older else 20
    version = "0.0.9" if index % 10 == 0 else "0.1.0"
    return {"schema_version": 1, "tool": {"name": "igmigrate", "version": version},
            "knowledge_base": {"version": "2026.10.01" if version == "0.0.9" else "2026.11.28", "updated": "2026-11-28"},
            "scan": {"roots": ["."], "repository": name, "commit": f"{rng.getrandbits(160):040x}", "branch": "main",
                     "commit_date": f"2026-11-{day:02d}T10:{index % 60:02d}:00+00:00"},
            "findings": findings,
            "errors": [{"path": "vendor/big.min.js", "message": "skipped: larger than --max-file-size"}] * (index % 3),
            "summary": {"files_scanned": rng.randrange(50, 5000), "errors": 0, "warnings": 0, "notes": 0,
                        "suppressed": 0}}


def generate(folder: Path, count: int, seed: int = 13) -> list[Path]:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(count):
        path = folder / f"scan-{index:04d}.json"
        path.write_text(json.dumps(scan_document(rng, index), indent=2), encoding="utf-8")
        paths.append(path)
    for index in range(0, count, 50):  # an older scan of every 50th repository: dropped by the merge
        path = folder / f"scan-{index:04d}-older.json"
        path.write_text(json.dumps(scan_document(rng, index, older=True), indent=2), encoding="utf-8")
        paths.append(path)
    return sorted(paths)


def measure(paths: list[Path], fmt: str, out: Path) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of one `igmigrate report --from-json` run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "igmigrate", "report", "--from-json", *map(str, paths),
                           "--format", fmt, "-o", str(out)], capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"report failed: {proc.stderr.strip()}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KB on Linux; the largest child so far
    print(f"  {proc.stderr.strip()}")
    return seconds, max(peak, before) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--keep", type=Path, help="write the scans here and keep them")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="igm-org-"))
    try:
        paths = generate(folder, args.count)
        size = sum(p.stat().st_size for p in paths) / 1e6
        print(f"{len(paths)} saved scans ({args.count} repositories, {size:.0f} MB of JSON) in {folder}")
        # Separate children so each peak is its own: getrusage keeps the largest child so far,
        # so HTML (the larger page) runs last.
        for fmt in ("markdown", "html"):
            seconds, peak = measure(paths, fmt, folder / f"organisation.{'md' if fmt == 'markdown' else fmt}")
            print(f"{fmt:>8}: {seconds:.2f} s wall, peak RSS {peak:.0f} MB (max over the runs so far)")
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
