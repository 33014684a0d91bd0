"""Benchmark igmigrate against ripgrep and semgrep, in one run.

    python bench/run.py                 # everything (about 15-25 minutes on 2 cores)
    python bench/run.py --quick         # one repetition, small trees only

Each tool gets the same patterns (the scanner's prefilter words): rg as `-e` patterns,
semgrep as `pattern-regex` rules for the generic language. Trees:
  (a) the running interpreter's library tree (sysconfig stdlib, with site-packages);
  (b) generated trees of N files (bench/gen_tree.py, deterministic), whose findings must
      equal what the generator planted;
plus a one-file scan (the pre-commit case). igmigrate runs cold (empty cache folder) and
warm (second run). Prints medians, ratios, peak memory (the tool's whole process tree,
PSS sampled from /proc in one extra run that is not timed) and which targets were met;
writes the numbers as JSON too.

Needs: ripgrep (`apt-get install -y ripgrep`); semgrep is installed by this script into a
throw-away venv (default /tmp/igm-semgrep-venv), never into igmigrate's environment.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import gen_tree  # noqa: E402  (bench/ is not a package)

WORK = Path(tempfile.gettempdir()) / "igm-bench"
SEMGREP_VENV = Path(tempfile.gettempdir()) / "igm-semgrep-venv"
SETTLE_SECONDS = 3.5  # fresh files are older than the cache's racy window afterwards (warm runs trust stats)


def prefilter_words() -> list[str]:
    from igmigrate.scanner import _PREFILTER_WORDS

    return [w.decode() for w in _PREFILTER_WORDS]


# ----------------------------------------------------------------------------- measuring
@dataclass
class Run:
    seconds: float
    peak_mb: float  # sum of PSS over the process tree, sampled every 50 ms
    returncode: int
    stdout: bytes = b""


def _tree_memory_kb(pid: int) -> int:
    """Proportional set size of a process and its descendants: forked workers share pages
    with their parent, and summing RSS would count those pages once per process."""
    total = 0
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/smaps_rollup") as handle:
                for line in handle:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        break
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    stack.extend(int(c) for c in handle.read().split())
        except (OSError, ValueError):
            continue
    return total


def measure(cmd: list[str], env: dict | None = None, keep_stdout: bool = False, cwd: Path | None = None,
            sample_memory: bool = False) -> Run:
    """Wall time of one run; with sample_memory, the peak PSS of its process tree instead
    (sampling /proc costs CPU that the tool would feel on 2 cores, so timed runs never
    sample: bench_tool spends one extra, untimed run on memory)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE if keep_stdout else subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=env, cwd=cwd)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_memory_kb(proc.pid))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    if sample_memory:
        sampler.start()
    out, _ = proc.communicate()
    seconds = time.perf_counter() - start
    done.set()
    if sample_memory:
        sampler.join()
    return Run(seconds, peak / 1024, proc.returncode, out or b"")


@dataclass
class Result:
    tree: str
    tool: str
    runs: list[float] = field(default_factory=list)
    peak_mb: float = 0.0
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.runs) if self.runs else float("nan")


# ----------------------------------------------------------------------------- tools
def igmigrate_cmd(target: Path, cache: Path | None, fmt: str = "json") -> list[str]:
    cmd = [sys.executable, "-m", "igmigrate", "scan", str(target), "--format", fmt, "--fail-on", "never"]
    return cmd + (["--cache-dir", str(cache)] if cache else ["--no-cache"])


def rg_cmd(target: Path) -> list[str]:
    # rg gets the words without the prefilter's `\b` guards (the plain search a grep user
    # types): ripgrep's `\b` is Unicode-aware and drops it off its fast literal path (15 s
    # instead of 0.6 s on the library tree), which would flatter igmigrate's ratios.
    cmd = ["rg", "--hidden", "--no-heading", "-n"]
    for word in prefilter_words():
        cmd += ["-e", word.replace("\\b", "")]
    return cmd + ["--", str(target)]


def semgrep_rules(path: Path) -> Path:
    rules = [{"id": f"igm-{i}", "pattern-regex": word, "languages": ["generic"], "message": f"matches {word}",
              "severity": "WARNING"} for i, word in enumerate(prefilter_words())]
    path.write_text(json.dumps({"rules": rules}, indent=1))  # JSON is YAML
    return path


def ensure_semgrep() -> Path | None:
    exe = SEMGREP_VENV / "bin" / "semgrep"
    if exe.exists():
        return exe
    print(f"installing semgrep into {SEMGREP_VENV} (throw-away venv) ...", flush=True)
    try:
        subprocess.run([sys.executable, "-m", "venv", str(SEMGREP_VENV)], check=True)
        subprocess.run([str(SEMGREP_VENV / "bin" / "pip"), "install", "-q", "semgrep"], check=True)
    except subprocess.CalledProcessError as exc:
        print(f"semgrep could not be installed ({exc}); its columns are left out", flush=True)
        return None
    return exe if exe.exists() else None


def semgrep_cmd(exe: Path, rules: Path, target: Path) -> list[str]:
    return [str(exe), "scan", "--config", str(rules), "--metrics=off", "--disable-version-check", "--json",
            "--jobs", str(os.cpu_count() or 1), "--timeout", "0", "--max-target-bytes", str(5 * 1024 * 1024),
            "--quiet", "--no-git-ignore", str(target)]  # the library tree sits in an ignored folder here


def semgrep_env() -> dict:
    env = dict(os.environ, SEMGREP_ENABLE_VERSION_CHECK="0", SEMGREP_SEND_METRICS="off")
    env["PATH"] = f"{SEMGREP_VENV / 'bin'}:{env.get('PATH', '')}"
    return env


# ----------------------------------------------------------------------------- scenarios
def bench_tool(tree: str, tool: str, cmd: list[str], repeat: int, env: dict | None = None,
               before=None, cwd: Path | None = None) -> Result:
    result = Result(tree, tool)
    for _ in range(repeat):
        if before:
            before()
        run = measure(cmd, env=env, cwd=cwd)
        result.runs.append(run.seconds)
        if run.returncode not in (0, 1):
            result.note = f"exit {run.returncode}"
    if before:
        before()
    result.peak_mb = measure(cmd, env=env, cwd=cwd, sample_memory=True).peak_mb  # the same run once more
    print(f"  {tree:<14} {tool:<18} median {result.median:8.2f} s  peak {result.peak_mb:7.0f} MB  "
          f"runs {', '.join(f'{r:.2f}' for r in result.runs)} {result.note}", flush=True)
    return result


def bench_igmigrate(tree: str, target: Path, repeat: int, cache: Path) -> tuple[Result, Result, dict]:
    def wipe() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    # From a folder without a config file: started in this checkout, igmigrate would apply
    # the repository's own [tool.igmigrate] excludes to the benchmark trees.
    cold = bench_tool(tree, "igmigrate cold", igmigrate_cmd(target, cache), repeat, before=wipe, cwd=WORK)
    warm = bench_tool(tree, "igmigrate warm", igmigrate_cmd(target, cache), repeat, cwd=WORK)
    doc = json.loads(measure(igmigrate_cmd(target, cache), keep_stdout=True, cwd=WORK).stdout)
    return cold, warm, doc


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sizes", default="5000,20000,80000")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="1 repetition, 5k and 20k trees, no semgrep")
    parser.add_argument("--no-semgrep", action="store_true")
    parser.add_argument("--skip-stdlib", action="store_true")
    parser.add_argument("--json", type=Path, default=WORK / "results.json")
    args = parser.parse_args()
    if args.quick:
        args.repeat, args.sizes, args.no_semgrep = 1, "5000,20000", True
    if not shutil.which("rg"):
        print("ripgrep (rg) is needed: apt-get install -y ripgrep", file=sys.stderr)
        return 2
    WORK.mkdir(parents=True, exist_ok=True)
    results: list[Result] = []
    checks: list[tuple[str, bool, str]] = []
    facts: dict = {"machine": f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}",
                   "rg": subprocess.run(["rg", "--version"], capture_output=True, text=True).stdout.split("\n")[0]}
    semgrep = None if args.no_semgrep else ensure_semgrep()
    if semgrep:
        facts["semgrep"] = subprocess.run([str(semgrep), "--version"], capture_output=True, text=True,
                                          env=semgrep_env()).stdout.strip()
    print(json.dumps(facts), flush=True)

    # (a) the interpreter's library tree
    if not args.skip_stdlib:
        stdlib = Path(sysconfig.get_paths()["stdlib"])
        print(f"(a) {stdlib}", flush=True)
        rg = bench_tool("stdlib", "rg", rg_cmd(stdlib), args.repeat)
        cold, warm, doc = bench_igmigrate("stdlib", stdlib, args.repeat, WORK / "cache-stdlib")
        results += [rg, cold, warm]
        facts["stdlib_files_scanned"] = doc["summary"]["files_scanned"]
        if semgrep:
            sg = bench_tool("stdlib", "semgrep", semgrep_cmd(semgrep, semgrep_rules(WORK / "rules.json"), stdlib),
                            max(1, args.repeat), env=semgrep_env())
            results.append(sg)
            checks.append(("(a) semgrep >= 10x igmigrate cold", sg.median >= 10 * cold.median,
                           f"{sg.median / cold.median:.1f}x"))
        # Issue 12's targets: cold within 2.2x rg, warm within 1.0x rg (was 3x rg and 40% of cold).
        checks.append(("(a) cold <= 2.2x rg", cold.median <= 2.2 * rg.median, f"{cold.median / rg.median:.2f}x rg"))
        checks.append(("(a) warm <= 1.0x rg", warm.median <= 1.0 * rg.median, f"{warm.median / rg.median:.2f}x rg"))

    # (b) generated trees
    sizes = [int(s) for s in args.sizes.split(",") if s]
    colds: dict[int, Result] = {}
    for size in sizes:
        target = WORK / f"tree-{size}"
        summary = gen_tree.generate(target, size, args.seed)
        time.sleep(SETTLE_SECONDS)
        print(f"(b) {size} files -> {target}: {summary['files']} files, {summary['planted_files']} planted, "
              f"{summary['expected_findings']} findings expected", flush=True)
        rg = bench_tool(f"gen-{size}", "rg", rg_cmd(target), args.repeat)
        cold, warm, doc = bench_igmigrate(f"gen-{size}", target, args.repeat, WORK / f"cache-{size}")
        results += [rg, cold, warm]
        colds[size] = cold
        found = len(doc["findings"])
        checks.append((f"(b) {size}: findings == planted", found == summary["expected_findings"],
                       f"{found} found, {summary['expected_findings']} planted"))
        if size == max(sizes):
            checks.append((f"(b) {size}: peak memory < 300 MB", cold.peak_mb < 300, f"{cold.peak_mb:.0f} MB"))
    if 5000 in colds and 80000 in colds:
        ratio = colds[80000].median / colds[5000].median
        checks.append(("(b) 80k time <= 17x 5k time", ratio <= 17, f"{ratio:.1f}x"))

    # one small file: the pre-commit case
    one = WORK / "one" / "app.py"
    one.parent.mkdir(parents=True, exist_ok=True)
    one.write_text('import requests\n\ndef get(t):\n    return requests.get("https://example.com/api", params={"t": t})\n')
    small = bench_tool("one file", "igmigrate", igmigrate_cmd(one, WORK / "cache-one", fmt="text"), max(5, args.repeat),
                       cwd=one.parent)
    results.append(small)
    checks.append(("one small file < 0.5 s", small.median < 0.5, f"{small.median:.2f} s"))

    print_table(results, checks, facts)
    args.json.write_text(json.dumps({"facts": facts, "results": [asdict(r) | {"median": r.median} for r in results],
                                     "checks": checks}, indent=1))
    print(f"\nnumbers: {args.json}")
    return 0


def print_table(results: list[Result], checks: list[tuple[str, bool, str]], facts: dict) -> None:
    rg = {r.tree: r.median for r in results if r.tool == "rg"}
    print(f"\nMachine: {facts['machine']}; {facts['rg']}; {facts.get('semgrep', 'semgrep not run')}\n")
    print("| tree | tool | median s | x rg | peak MB |")
    print("| --- | --- | ---: | ---: | ---: |")
    for r in results:
        ratio = f"{r.median / rg[r.tree]:.2f}" if r.tree in rg else ""
        print(f"| {r.tree} | {r.tool} | {r.median:.2f} | {ratio} | {r.peak_mb:.0f} |")
    print("\n| target | met | measured |")
    print("| --- | --- | --- |")
    for name, ok, measured in checks:
        print(f"| {name} | {'yes' if ok else 'NO'} | {measured} |")


if __name__ == "__main__":
    sys.exit(main())
