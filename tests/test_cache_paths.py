"""Discovery speed-ups made for the benchmark keep discovery's answers: compiled excludes
equal the per-pattern fnmatch loop they replaced, and a folder git ignores as a whole (an
interpreter's library tree inside a tool's checkout) is walked instead of coming out empty."""

from __future__ import annotations

import fnmatch
import subprocess
from pathlib import Path

from hypothesis import given, settings, strategies as st

from igmigrate.discovery import DEFAULT_EXCLUDES, discover, matches_exclude

from conftest import write_tree


def reference_matches(rel: str, patterns, anchored_rel: str | None = None) -> bool:
    """The loop matches_exclude used before it was compiled (the oracle)."""
    parts = rel.split("/")
    for raw in patterns:
        pattern = raw.strip()
        if pattern.startswith("./"):
            pattern = pattern[2:]
        if not pattern:
            continue
        is_dir = pattern.endswith("/") or pattern.endswith("/**")
        anchored = pattern.startswith("/") or "/" in pattern.strip("/").removesuffix("/**")
        pattern = pattern.strip("/").removesuffix("/**")
        if anchored:
            target = (anchored_rel if anchored_rel is not None else rel).split("/")
            prefixes = ["/".join(target[:i]) for i in range(1, len(target))]
            if any(fnmatch.fnmatch(p, pattern) for p in prefixes):
                return True
            if not is_dir and fnmatch.fnmatch("/".join(target), pattern):
                return True
        elif any(fnmatch.fnmatch(p, pattern) for p in (parts[:-1] if is_dir else parts)):
            return True
    return False


NAMES = st.sampled_from(["src", "app", "node_modules", "build", "a.min.js", "x.py", "tests", "docs", "b.map",
                         "fixtures", "lib", ".venv", "vendor", "main.go", "x"])
PATTERNS = st.sampled_from(["tests/", "/docs/", "*.py", "src/app/", "vendor/**", "/fixtures/", "x", "a*/", "lib/*.go",
                            "./build/", "", "  ", "*.min.js", "/src/*.py", "[ab]pp/", "?.py"])


@settings(max_examples=500, deadline=None)
@given(st.lists(NAMES, min_size=1, max_size=5), st.lists(PATTERNS, max_size=5), st.booleans())
def test_compiled_excludes_equal_the_fnmatch_loop(parts, patterns, with_base):
    rel = "/".join(parts)
    anchored_rel = ("proj/" + rel) if with_base else None
    for pats in (tuple(patterns), tuple(patterns) + DEFAULT_EXCLUDES):
        assert matches_exclude(rel, pats, anchored_rel) == reference_matches(rel, pats, anchored_rel)


def test_a_folder_git_ignores_is_walked(tmp_path):
    repo = tmp_path / "tool"
    write_tree(repo, {".gitignore": "/versions\n", "README": "x\n",
                      "versions/3.11/lib/site.py": "X = 1\n", "versions/3.11/lib/pkg/mod.py": "Y = 2\n"})
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    found = discover([repo / "versions" / "3.11"], (), cwd=tmp_path)
    assert sorted(f.rel for f in found.files) == ["lib/pkg/mod.py", "lib/site.py"]
    # An ordinary folder of the same repository still follows git's view.
    write_tree(repo, {"src/a.py": "A = 1\n", "src/ignored.log": "x\n"})
    (repo / ".gitignore").write_text("/versions\n*.log\n")
    assert sorted(f.rel for f in discover([repo / "src"], (), cwd=tmp_path).files) == ["a.py"]


def test_display_paths_are_unchanged(tmp_path, monkeypatch):
    write_tree(tmp_path / "proj", {"a/b.py": "X = 1\n"})
    monkeypatch.chdir(tmp_path)
    [inside] = discover([Path("proj")], ()).files
    assert inside.display == "proj/a/b.py" and inside.path == str((tmp_path / "proj/a/b.py").resolve())
    [outside] = discover([tmp_path / "proj"], (), cwd=tmp_path / "elsewhere").files
    assert outside.display == (tmp_path / "proj/a/b.py").resolve().as_posix()
