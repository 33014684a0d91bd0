"""Result cache: hits are counted by the cache's own statistics (never by timing), and a
cached scan must always equal a scan without the cache, whatever changed in between."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
from pathlib import Path

import pytest

import igmigrate.cache as cache_module
from igmigrate.cache import Entry, ResultCache, default_cache_dir
from igmigrate.knowledge import default_knowledge_base, load_knowledge_base
from igmigrate.scanner import ScanOptions, scan

from conftest import run_cli, write_tree

BD = 'SCOPE = "user_profile,user_media"\nAUTH = "https://api.instagram.com/oauth/authorize"\n'
JS = 'fetch("https://graph.instagram.com/me/media?fields=id&access_token=" + token);\n'
PLAIN = "def add(a, b):\n    return a + b\n"
TREE = {"app/bd.py": BD, "web/feed.js": JS, "app/util.py": PLAIN, "README.md": "Uses user_profile.\n"}
CANDIDATES = 3  # files the prefilter lets through in TREE (util.py is rejected)


def run(root: Path, directory: Path, kb=None, **options):
    kb = kb or default_knowledge_base()
    racy = options.pop("racy_seconds", cache_module.RACY_SECONDS)
    cache = ResultCache.create(directory, kb.digest, options.get("max_file_size", 5 << 20), racy_seconds=racy)
    result = scan(ScanOptions(paths=[root], **options), kb, cwd=root, cache=cache)
    fresh = scan(ScanOptions(paths=[root], **options), kb, cwd=root)
    assert _doc(result) == _doc(fresh), "a cached scan differs from a fresh one"
    return result, cache.stats


def _doc(result) -> dict:
    return {"findings": [f.to_json() for f in result.findings], "errors": [e.to_json() for e in result.errors],
            "files": result.files_scanned}


@pytest.fixture
def tree(tmp_path) -> Path:
    return write_tree(tmp_path / "project", TREE)


def test_second_run_is_served_from_the_cache(tree, tmp_path):
    first, stats = run(tree, tmp_path / "cache", jobs=1)
    assert first.findings and (stats.hits, stats.misses) == (0, CANDIDATES)
    second, stats = run(tree, tmp_path / "cache", jobs=1)
    assert (stats.hits, stats.misses) == (CANDIDATES, 0)  # no analyzer ran
    assert _doc(first) == _doc(second)


def test_settled_files_are_not_even_read(tree, tmp_path):
    run(tree, tmp_path / "cache", jobs=1, racy_seconds=0)
    _, stats = run(tree, tmp_path / "cache", jobs=1, racy_seconds=0)
    assert stats.unchanged == len(TREE) and stats.misses == 0


def test_just_written_files_are_read_again(tree, tmp_path):
    # A file written within the last seconds could change in the same clock tick: its stat
    # is not trusted, its content hash still finds the entry.
    run(tree, tmp_path / "cache", jobs=1, racy_seconds=3600)  # every file counts as just written
    _, stats = run(tree, tmp_path / "cache", jobs=1, racy_seconds=3600)
    assert stats.unchanged == 0 and stats.hits == CANDIDATES


def test_content_change_is_a_miss(tree, tmp_path):
    before, _ = run(tree, tmp_path / "cache", jobs=1, racy_seconds=0)
    (tree / "app/bd.py").write_text(BD.replace("user_media", "user_media,user_profile") + "# more\n")
    after, stats = run(tree, tmp_path / "cache", jobs=1, racy_seconds=0)
    assert stats.misses == 1 and stats.hits == CANDIDATES - 1
    assert _doc(before) != _doc(after)


def test_same_size_rewrite_is_a_miss(tree, tmp_path):
    run(tree, tmp_path / "cache", jobs=1)
    path = tree / "app/bd.py"
    path.write_text(BD.replace("user_media", "user_MEDIA"))
    _, stats = run(tree, tmp_path / "cache", jobs=1)
    assert stats.misses == 1


def test_knowledge_base_change_is_a_miss(tree, tmp_path):
    kb = default_knowledge_base()
    run(tree, tmp_path / "cache", kb=kb, jobs=1)
    rules = tmp_path / "rules"
    shutil.copytree(kb.root, rules)
    with open(rules / "rules.yaml", "a", encoding="utf-8") as handle:
        handle.write("\n# a local edit\n")
    changed = load_knowledge_base(rules)
    assert changed.digest != kb.digest
    _, stats = run(tree, tmp_path / "cache", kb=changed, jobs=1)
    assert (stats.hits, stats.misses) == (0, CANDIDATES)


def test_rule_change_changes_results_not_stale(tree, tmp_path):
    kb = default_knowledge_base()
    before, _ = run(tree, tmp_path / "cache", kb=kb, jobs=1)
    rules = tmp_path / "rules"
    shutil.copytree(kb.root, rules)
    text = (rules / "rules.yaml").read_text(encoding="utf-8")
    assert "user_media" in text
    (rules / "rules.yaml").write_text(text.replace("user_media", "user_mediaX"), encoding="utf-8")
    after, stats = run(tree, tmp_path / "cache", kb=load_knowledge_base(rules), jobs=1)  # run() compares to fresh
    assert stats.hits == 0


def test_config_change_is_a_miss(tree, tmp_path):
    run(tree, tmp_path / "cache", jobs=1)
    small, stats = run(tree, tmp_path / "cache", jobs=1, max_file_size=40)
    assert stats.hits == 0
    assert any("over the 40-byte limit" in e.message for e in small.errors)


def test_own_package_names_are_part_of_the_key(tree, tmp_path):
    run(tree, tmp_path / "cache", jobs=1)
    (tree / "package.json").write_text('{"name": "instagram-feed-tools"}\n')
    _, stats = run(tree, tmp_path / "cache", jobs=1)
    assert stats.misses >= CANDIDATES - 1  # the project's own names changed: its files are analyzed again


def test_version_change_is_a_miss(tree, tmp_path, monkeypatch):
    run(tree, tmp_path / "cache", jobs=1)
    monkeypatch.setattr(cache_module, "__version__", "99.0.0")
    _, stats = run(tree, tmp_path / "cache", jobs=1)
    assert (stats.hits, stats.misses) == (0, CANDIDATES)


def test_analysis_code_change_is_a_miss(tree, tmp_path, monkeypatch):
    run(tree, tmp_path / "cache", jobs=1)
    monkeypatch.setattr(cache_module, "code_fingerprint", lambda: "edited")
    _, stats = run(tree, tmp_path / "cache", jobs=1)
    assert stats.hits == 0


def test_imported_constant_change_invalidates_the_importer(tmp_path):
    root = write_tree(tmp_path / "project", {
        "pkg/__init__.py": "",
        "pkg/consts.py": 'BASE = "https://graph.instagram.com"\nSCOPES = "user_profile"\n',
        "pkg/client.py": "from .consts import BASE\n\ndef media(t):\n    return get(BASE + \"/me/media?access_token=\" + t)\n",
    })
    first, stats = run(root, tmp_path / "cache", jobs=1, racy_seconds=0)
    assert any(f.path.endswith("client.py") for f in first.findings)
    (root / "pkg/consts.py").write_text('BASE = "https://graph.facebook.com"\nSCOPES = "user_profile"\n')
    second, stats = run(root, tmp_path / "cache", jobs=1, racy_seconds=0)  # equals a fresh scan
    assert _doc(first) != _doc(second)
    third, stats = run(root, tmp_path / "cache", jobs=1, racy_seconds=0)
    assert stats.misses == 0


def test_new_module_shadowing_an_import_invalidates(tmp_path):
    root = write_tree(tmp_path / "project", {
        "client.py": "from consts import BASE\nURL = BASE + \"/me/media\"\nSCOPE = \"user_profile\"\n",
    })
    run(root, tmp_path / "cache", jobs=1, racy_seconds=0)
    (root / "consts.py").write_text('BASE = "https://graph.instagram.com"\n')
    run(root, tmp_path / "cache", jobs=1, racy_seconds=0)  # run() asserts equality with a fresh scan


def test_corrupt_entries_are_ignored_and_rewritten(tree, tmp_path):
    directory = tmp_path / "cache"
    run(tree, directory, jobs=1)
    entries = sorted((directory / "v1" / "entries").rglob("*.json"))
    assert len(entries) == CANDIDATES
    entries[0].write_bytes(entries[0].read_bytes()[:25])  # truncated
    entries[1].write_bytes(b"\x00\xff not json")
    entries[2].write_text(json.dumps({"format": 1, "key": "someone else", "analysis": None, "error": None, "deps": []}))
    _, stats = run(tree, directory, jobs=1)
    assert stats.corrupt == 3 and stats.misses == 3
    _, stats = run(tree, directory, jobs=1)
    assert stats.hits == CANDIDATES and stats.corrupt == 0


def test_corrupt_stat_index_is_ignored(tree, tmp_path):
    directory = tmp_path / "cache"
    run(tree, directory, jobs=1, racy_seconds=0)
    for index in (directory / "v1").glob("index-*.json"):
        index.write_text('{"format": 1, "salt": ')
    _, stats = run(tree, directory, jobs=1, racy_seconds=0)
    assert stats.unchanged == 0 and stats.hits == CANDIDATES


def test_entry_with_wrong_shape_is_ignored(tmp_path):
    cache = ResultCache(tmp_path, "salt")
    key = "ab" * 32
    cache.entry_path(key).parent.mkdir(parents=True)
    cache.entry_path(key).write_text(json.dumps({"format": 1, "key": key, "analysis": {"path": 3}, "error": None,
                                                 "deps": []}))
    assert cache.load(key) is None and cache.stats.corrupt == 1


def _hammer(directory: str, worker: int, rounds: int) -> int:
    """Write and read the same keys as fast as possible; return how many reads were torn."""
    from igmigrate.analyzers.base import FileAnalysis, Hit

    cache = ResultCache(Path(directory), "salt")
    torn = 0
    for i in range(rounds):
        key = f"{i % 5:02d}" * 32
        analysis = FileAnalysis(path="x", hits=[Hit("IGM001", worker, 1, worker, 9, "user_profile" * (i % 50))],
                                lines=["line"] * (i % 200))
        cache.store(key, Entry(analysis, None, ()))
        if (cache.entry_path(key).exists() and cache.load(key) is None):
            torn += 1
    return torn + cache.stats.corrupt


def test_concurrent_writers_never_leave_a_torn_entry(tmp_path):
    context = multiprocessing.get_context("spawn")
    with context.Pool(4) as pool:
        torn = pool.starmap(_hammer, [(str(tmp_path), w, 300) for w in range(4)])
    assert torn == [0, 0, 0, 0]
    leftovers = [p for p in tmp_path.rglob("*") if p.is_file() and p.name.startswith(".tmp-")]
    assert leftovers == []


def _scan_in_process(root: str, directory: str) -> list:
    cache = ResultCache.create(Path(directory), default_knowledge_base().digest, 5 << 20)
    result = scan(ScanOptions(paths=[Path(root)], jobs=1), cwd=Path(root), cache=cache)
    return [f.to_json() for f in result.findings]


def test_two_scans_at_once_share_a_cache_safely(tmp_path):
    files = {f"m{i}/bd{i}.py": BD + f"N = {i}\n" for i in range(40)}
    root = write_tree(tmp_path / "project", files)
    context = multiprocessing.get_context("spawn")
    with context.Pool(2) as pool:
        results = pool.starmap(_scan_in_process, [(str(root), str(tmp_path / "cache"))] * 4)
    assert all(r == results[0] for r in results) and results[0]
    for entry in (tmp_path / "cache").rglob("*.json"):
        json.loads(entry.read_bytes())  # every entry is whole
    _, stats = run(root, tmp_path / "cache", jobs=1)
    assert stats.misses == 0 and stats.corrupt == 0


def test_worker_processes_use_the_cache(tmp_path):
    files = {f"d{i // 50}/f{i}.py": (BD if i % 10 == 0 else PLAIN) + f"N = {i}\n" for i in range(300)}
    root = write_tree(tmp_path / "project", files)
    _, stats = run(root, tmp_path / "cache", jobs=2)
    assert stats.misses == 30
    _, stats = run(root, tmp_path / "cache", jobs=2)
    assert (stats.hits, stats.misses) == (30, 0)


def test_stats_taken_by_workers_let_the_next_run_skip_every_file(tmp_path):
    # A cold run stats nothing in the main process: workers record what they read.
    files = {f"d{i // 50}/f{i}.py": (BD if i % 10 == 0 else PLAIN) + f"N = {i}\n" for i in range(300)}
    root = write_tree(tmp_path / "project", files)
    run(root, tmp_path / "cache", jobs=2, racy_seconds=0)
    _, stats = run(root, tmp_path / "cache", jobs=2, racy_seconds=0)
    assert (stats.unchanged, stats.hits, stats.misses) == (300, 30, 0)


# ------------------------------------------------------------------------------- CLI
def test_cli_default_folder_is_the_git_top_level(tmp_path, monkeypatch):
    root = write_tree(tmp_path / "repo", {"src/bd.py": BD})
    (root / ".git").mkdir()
    monkeypatch.chdir(root / "src")
    monkeypatch.delenv("IGMIGRATE_CACHE_DIR", raising=False)
    assert default_cache_dir([Path(".")]) == root.resolve() / ".igmigrate_cache"
    assert default_cache_dir([root / "src" / "bd.py"]) == root.resolve() / ".igmigrate_cache"


def test_cli_default_folder_outside_git_is_the_first_scanned_folder(tmp_path, monkeypatch):
    root = write_tree(tmp_path / "plain", {"bd.py": BD})
    monkeypatch.delenv("IGMIGRATE_CACHE_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    assert run_cli("scan", "plain", "--fail-on", "never").exit_code == 0
    assert (root / ".igmigrate_cache" / "CACHEDIR.TAG").is_file()
    assert (root / ".igmigrate_cache" / ".gitignore").read_text() == "*\n"


def test_cli_no_cache_and_cache_dir(tmp_path, monkeypatch):
    root = write_tree(tmp_path / "plain", {"bd.py": BD})
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("IGMIGRATE_CACHE_DIR", raising=False)
    assert run_cli("scan", "plain", "--no-cache", "--fail-on", "never").exit_code == 0
    assert not (root / ".igmigrate_cache").exists()
    assert run_cli("scan", "plain", "--cache-dir", str(tmp_path / "elsewhere"), "--fail-on", "never").exit_code == 0
    assert (tmp_path / "elsewhere" / "v1").is_dir() and not (root / ".igmigrate_cache").exists()
    env = {"IGMIGRATE_CACHE_DIR": str(tmp_path / "from-env")}
    assert run_cli("scan", "plain", "--fail-on", "never", env=env).exit_code == 0
    assert (tmp_path / "from-env" / "v1").is_dir()


def test_cli_cached_output_is_identical(tmp_path, monkeypatch):
    write_tree(tmp_path / "plain", TREE)
    monkeypatch.chdir(tmp_path)
    first = run_cli("scan", "plain", "--format", "json")
    second = run_cli("scan", "plain", "--format", "json")
    fresh = run_cli("scan", "plain", "--format", "json", "--no-cache")
    assert first.stdout == second.stdout == fresh.stdout
    assert first.exit_code == second.exit_code == fresh.exit_code == 1


def test_unwritable_cache_folder_only_costs_speed(tmp_path, monkeypatch):
    root = write_tree(tmp_path / "plain", {"bd.py": BD})
    blocker = tmp_path / "blocked"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.chdir(tmp_path)
    result = run_cli("scan", "plain", "--cache-dir", str(blocker / "sub"), "--format", "json")
    assert result.exit_code == 1 and json.loads(result.stdout)["findings"]
    assert os.path.isfile(blocker)


def test_module_find_matches_the_python_analyzer(tmp_path):
    from igmigrate.analyzers.python_index import ModuleIndex
    from igmigrate.cache import module_find

    files = {name: tmp_path / f"{i}.py" for i, name in enumerate(
        ["pkg", "pkg.consts", "src.app.consts", "src.app.client", "tools.consts", "a.b.c", "settings"])}
    index = ModuleIndex(files)
    for query in ["pkg", "consts", "app.consts", "client", "b.c", "c", "settings", "missing", "app", "", "pkg.consts"]:
        assert module_find(files, query) == index.find(query), query


def test_stat_index_records_answer_only_for_their_own_signature():
    from igmigrate.cache import recorded_digest

    assert recorded_digest("10:1:2:3:", "10:1:2:3") == ""  # rejected by the prefilter
    assert recorded_digest("10:1:2:3:abc", "10:1:2:3") == "abc"
    assert recorded_digest("10:1:2:34:abc", "10:1:2:3") is None  # another inode that starts alike
    assert recorded_digest("10:1:2:3", "10:1:2:3") is None  # no verdict part
    assert recorded_digest(["10:1:2:3:abc"], "10:1:2:3") is None  # a damaged index
