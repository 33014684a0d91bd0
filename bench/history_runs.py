"""Time `igmigrate history` twice on a generated repository: the second run should cost far
less, because unchanged files come from the result cache.

    python bench/history_runs.py                     # 5,000 files, 30 commits
    python bench/history_runs.py --files 2000 --commits 10

The repository is bench/gen_tree.py's tree committed once, then one commit per step that
migrates a planted file (its Basic Display scope becomes instagram_business_basic) and
touches a few filler files, so the error count goes down commit by commit.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gen_tree  # noqa: E402  (bench/ is not a package)

ENV = {**os.environ, "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@example.com", "GIT_COMMITTER_NAME": "b",
       "GIT_COMMITTER_EMAIL": "b@example.com", "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}


def git(repo: Path, *args: str, date: str | None = None) -> None:
    env = {**ENV, **({"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date} if date else {})}
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)


def build(repo: Path, files: int, commits: int) -> None:
    gen_tree.generate(repo, files, seed=7)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "import", date="2025-01-01T00:00:00+00:00")
    rng = random.Random(3)
    planted = sorted(p for p in repo.rglob("*") if p.is_file() and ".git" not in p.parts
                     and b"user_profile" in p.read_bytes())
    fillers = sorted(p for p in repo.rglob("*.py") if ".git" not in p.parts and p not in planted)
    for step in range(1, commits):
        if planted:
            target = planted.pop(rng.randrange(len(planted)))
            target.write_bytes(target.read_bytes().replace(b"user_profile,user_media", b"instagram_business_basic")
                               .replace(b"user_profile", b"instagram_business_basic"))
        for filler in rng.sample(fillers, 3):
            with filler.open("a") as handle:
                handle.write(f"\n# touched in step {step}\n")
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", f"step {step}", date=f"2025-01-{1 + step % 28:02d}T{step % 24:02d}:00:00+00:00")


def timed(repo: Path, cache: Path) -> tuple[float, str]:
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "igmigrate", "history", "--format", "json", "--cache-dir", str(cache)],
                          cwd=repo, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(proc.stderr)
    return time.perf_counter() - started, proc.stderr.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--commits", type=int, default=30)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="igm-history-"))
    try:
        repo = work / "repo"
        build(repo, args.files, args.commits)
        cache = work / "cache"
        for label in ("first run (cold cache)", "second run (warm cache)"):
            seconds, summary = timed(repo, cache)
            print(f"{label}: {seconds:.2f} s wall; {summary}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
