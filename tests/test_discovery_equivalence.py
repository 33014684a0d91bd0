"""discover() against a reference written from its documented rules, on generated trees.

The reference lists files with os.walk (or, inside a git work tree, with git's own listing),
drops what the excludes match by calling fnmatch on every path part and leading path, and
looks at symlinks with lstat and realpath. The trees mix excluded folders (node_modules/,
__pycache__/), binary names, odd unicode and undecodable names, spaces, symlinks into and
out of the tree, a dangling one, a loop, a fifo and an unreadable folder; the excludes mix
anchored and unanchored user patterns with the defaults, read from several base folders.

Not modelled: a name pattern that matches the one-character name "\\0" ('?', '[!x]') prunes
every folder of a walk (discover() decides about a folder by asking about a file "\\0" in it);
the patterns below avoid that quirk, and one test pins it as it is.
"""

from __future__ import annotations

import fnmatch
import os
import pickle
import shutil
import stat
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pathspec

import pytest
from hypothesis import given, settings, strategies as st

from igmigrate.discovery import BINARY_EXCLUDES, DEFAULT_EXCLUDES, SourceFile, discover, matches_exclude

USER_EXCLUDES = ("legacy/", "/generated/", "/proj/gen*/", "*.log", "docs/*.md", "fixtures", "a b/",
                 "/src/vendor/**", "./tmp/", "/proj/*.txt", "src/*.js", " *.bak ")
OUTSIDE_MESSAGE = "symlink points outside the scanned tree; skipped"


# The reference -----------------------------------------------------------------------------

class Rules(list):
    """(glob, folders only, anchored) per fnmatch pattern, and a pathspec GitIgnoreSpec for
    the user patterns when one of them needs gitignore rules (spec, else None)."""

    spec = None


def gitignore_pattern(text: str) -> bool:
    """A negation, '**', or a glob in a pattern with a '/' inside: gitignore reads these
    differently from fnmatch on path parts (its '*' never crosses '/')."""
    return text.startswith("!") or "**" in text or ("/" in text.strip("/") and any(c in text for c in "*?["))


def pattern_rules(patterns: tuple[str, ...], user: tuple[str, ...] = ()) -> Rules:
    """(glob, folders only, anchored) per pattern: 'name' and 'dir/' match at any depth,
    a leading '/' or an inner '/' anchors, a trailing '/' or '/**' means folders only.
    User patterns (also in `patterns`) go all to a GitIgnoreSpec when one needs it."""
    rules = Rules()
    cleaned = [t[2:] if t.startswith("./") else t for t in (raw.strip() for raw in user)]
    if any(gitignore_pattern(t) for t in cleaned):
        rules.spec = pathspec.GitIgnoreSpec.from_lines(cleaned)
        patterns = patterns[len(user):]
    for raw in patterns:
        text = raw.strip()
        text = text[2:] if text.startswith("./") else text
        if text:
            body = text.strip("/").removesuffix("/**")
            rules.append((body, text.endswith("/") or text.endswith("/**"), text.startswith("/") or "/" in body))
    return rules


def excluded(rules, rel: str, anchored: str, by_folders: bool = False) -> bool:
    """Whether the file at rel is excluded; anchored is the same path as anchored patterns
    see it. by_folders: only by its folders (a walk's question about a whole folder)."""
    parts = rel.split("/")
    pieces = anchored.split("/")
    leading = ["/".join(pieces[:i]) for i in range(1, len(pieces))]
    if rules.spec is not None:
        if by_folders and any(rules.spec.match_file(folder + "/") for folder in leading):
            return True
        if not by_folders and rules.spec.match_file(anchored):
            return True
    for glob, folders_only, is_anchored in rules:
        if is_anchored:
            candidates = leading if folders_only or by_folders else leading + [anchored]
        else:
            candidates = parts[:-1] if folders_only or by_folders else parts
        if any(fnmatch.fnmatch(candidate, glob) for candidate in candidates):
            return True
    return False


def below(path: str, folder: Path) -> str | None:
    """path relative to folder (POSIX) when it is inside it."""
    return Path(os.path.relpath(path, folder)).as_posix() if path.startswith(str(folder) + os.sep) else None


def anchored_path(path: str, rel: str, base: Path) -> str:
    return below(path, base) or rel  # from the exclude base, else from the scan root


def walk_listing(root: Path, rules, base: Path, cwd: Path) -> tuple[list[str], list[tuple[str, str]]]:
    """Every non-folder below root (symlinked folders included, not followed), never entering
    .git or an excluded folder; unreadable folders reported."""
    listing: list[str] = []
    problems: list[tuple[str, str]] = []

    def unreadable(error: OSError) -> None:
        problems.append((shown(error.filename, cwd), f"cannot read directory: {error.strerror}"))

    for folder, dirs, files in os.walk(root, onerror=unreadable):
        entered = []
        for name in dirs:
            path = os.path.join(folder, name)
            rel = Path(os.path.relpath(path, root)).as_posix()
            inside = (rel + "/x", anchored_path(os.path.join(path, "x"), rel + "/x", base))  # any file in it
            if os.path.islink(path):
                listing.append(rel)
            elif name != ".git" and not excluded(rules, *inside, by_folders=True):
                entered.append(name)
        dirs[:] = entered
        listing += [Path(os.path.relpath(os.path.join(folder, name), root)).as_posix() for name in files]
    return listing, problems


def git_listing(root: Path) -> list[str]:
    out = subprocess.run(["git", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                         capture_output=True, check=True).stdout
    return sorted({os.fsdecode(raw) for raw in out.split(b"\0") if raw})


def shown(path: str, cwd: Path) -> str:
    # Undecodable bytes of a name are shown as \xNN escapes (the output stays valid UTF-8).
    text = below(path, cwd) or Path(path).as_posix()
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def all_patterns(user: tuple[str, ...], defaults: bool) -> tuple[str, ...]:
    return user + (DEFAULT_EXCLUDES + BINARY_EXCLUDES if defaults else ())


def reference(roots: list[Path], user: tuple[str, ...], cwd: Path, base: Path, in_git: bool, defaults: bool = True):
    rules = pattern_rules(all_patterns(user, defaults), user)
    files: list[tuple[str, str, str, Path]] = []
    problems: list[tuple[str, str]] = []
    seen: set[str] = set()
    for root in roots:
        if in_git:
            listing = git_listing(root)
        else:
            listing, unreadable = walk_listing(root, rules, base, cwd)
            problems += unreadable
        for rel in sorted(listing):
            path = os.path.join(root, rel)
            if excluded(rules, rel, anchored_path(path, rel, base)):
                continue
            try:
                mode = os.lstat(path).st_mode
            except OSError:
                continue
            if stat.S_ISLNK(mode):
                target = os.path.realpath(path)
                if target != str(root) and not target.startswith(str(root) + os.sep):
                    problems.append((shown(path, cwd), OUTSIDE_MESSAGE))
            elif stat.S_ISREG(mode) and path not in seen:
                seen.add(path)
                files.append((path, shown(path, cwd), rel, root))
    return files, problems


def actual(roots: list[Path], user: tuple[str, ...], cwd: Path, base: Path, defaults: bool = True):
    found = discover(roots, user, cwd=cwd, exclude_base=base, use_default_excludes=defaults)
    return [(f.path, f.display, f.rel, f.root) for f in found.files], found.problems


# Trees -------------------------------------------------------------------------------------

FOLDER_NAMES = ["node_modules", "__pycache__", "build", "legacy", "generated", "gen2", "src", "vendor",
                "docs", "fixtures", "a b", "tmp", "sub", "dist"]
ODD = "abxz _-.éü中🙂\u0301\u05d0"
PART = st.one_of(st.sampled_from(FOLDER_NAMES),
                 st.text(alphabet=ODD, min_size=1, max_size=8).filter(lambda s: s not in (".", "..")))
ENDING = st.sampled_from([".py", ".js", ".so", ".so.1", ".png", ".min.js", ".map", ".pyc", ".md", ".log",
                          ".txt", ".bak", "", ".PY", " .py", ".tar.gz"])
FILES = st.lists(st.tuples(st.lists(PART, max_size=3), PART, ENDING), min_size=1, max_size=30)


def write_files(root: Path, files) -> None:
    for folders, stem, ending in files:
        path = root.joinpath(*folders, stem + ending)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("x = 1\n", encoding="utf-8")
        except OSError:
            continue  # a name already taken by a folder, or a folder by a file


def fixed_tree(root: Path, outside: Path) -> None:
    """What every generated tree has: symlinks of each kind, an undecodable name, a fifo,
    an unreadable folder, a file to delete once tracked by git."""
    for rel in ("top.py", "gone.py", "notes.txt", "x.bak", "src/main.py", "src/app.js", "src/vendor/v.py",
                "docs/readme.md", "docs/sub/deeper.md", "legacy/old.py", "generated/g.py", "gen2/g.py", "a b/c.py",
                "fixtures/f.py", "tmp/t.py", "locked/inner.py", "deep/er/most.py", "deep/notes.txt"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("x = 1\n", encoding="utf-8")
    (root / os.fsdecode(b"raw\xff.py")).write_text("x = 1\n", encoding="utf-8")
    (outside / "secret.py").write_text("x = 1\n", encoding="utf-8")
    links = root / "links"
    links.mkdir()
    for name, target in (("in_file.py", "../top.py"), ("in_dir", "../src"), ("out_file.py", outside / "secret.py"),
                         ("out_dir", outside), ("dangling.py", "nowhere.py"), ("dangling_out", "/nonexistent/x"),
                         ("loop", "..")):
        os.symlink(target, links / name)
    os.symlink(outside / "secret.py", root / "deep" / "out.py")
    (root / "node_modules").mkdir(exist_ok=True)
    os.symlink(outside / "secret.py", root / "node_modules" / "hidden_out.py")  # excluded: not reported
    os.mkfifo(links / "pipe")


@contextmanager
def unreadable_folders(name: str):
    """os.scandir fails on folders called name (tests run as root, so chmod would not do)."""
    real = os.scandir

    def scandir(path="."):
        if os.path.basename(os.fspath(path).rstrip(os.sep)) == name:
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real(path)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "scandir", scandir)
        yield


def places(top: Path, root: Path, base_choice: str, cwd_choice: str) -> tuple[Path, Path]:
    base = {"parent": top, "root": root, "inside": root / "src", "elsewhere": top / "elsewhere"}[base_choice]
    cwd = {"parent": top, "root": root, "inside": root / "deep", "elsewhere": top / "elsewhere"}[cwd_choice]
    return base, cwd


def check_walked_then_in_git(top: Path, root: Path, user: tuple[str, ...], base_choice: str, cwd_choice: str,
                             overlap: bool, defaults: bool = True) -> None:
    base, cwd = places(top, root, base_choice, cwd_choice)
    # Overlapping paths: subfolders first (one of them excluded as a whole when the excludes
    # anchor it), then the whole tree, whose files are not repeated.
    roots = [root / "src", root / "generated", root] if overlap else [root]

    stray = root / "deep" / ".git"  # never entered, even without the default excludes
    stray.mkdir()
    (stray / "HEAD").write_text("x = 1\n", encoding="utf-8")
    with unreadable_folders("locked"):
        walked = actual(roots, user, cwd, base, defaults)
        assert walked == reference(roots, user, cwd, base, in_git=False, defaults=defaults)
    shutil.rmtree(stray)  # git would refuse the work tree's nested ".git"

    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / ".gitignore").write_text("*.bak\nignored/\n", encoding="utf-8")
    (root / "ignored").mkdir(exist_ok=True)
    (root / "ignored" / "x.py").write_text("x = 1\n", encoding="utf-8")
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True, capture_output=True)
    (root / "gone.py").unlink()  # tracked, then deleted
    (root / "untracked.py").write_text("x = 1\n", encoding="utf-8")
    with unreadable_folders("locked"):  # git lists the folder itself; discover() must cope
        listed = actual(roots, user, cwd, base, defaults)
        assert listed == reference(roots, user, cwd, base, in_git=True, defaults=defaults)
    assert not any(rel in ("gone.py", "ignored/x.py") for _, _, rel, _ in listed[0])


def new_tree(top: Path, files=()) -> Path:
    root, outside = top / "proj", top / "outside"
    root.mkdir()
    outside.mkdir()
    fixed_tree(root, outside)
    write_files(root, files)
    return root


BASES = st.sampled_from(["parent", "root", "inside", "elsewhere"])


@settings(max_examples=25, deadline=None)
@given(files=FILES, base_choice=BASES, cwd_choice=BASES, overlap=st.booleans())
def test_discover_equals_the_reference_walked_and_in_git(tmp_path_factory, files, base_choice, cwd_choice, overlap):
    top = tmp_path_factory.mktemp("tree").resolve()
    check_walked_then_in_git(top, new_tree(top, files), USER_EXCLUDES, base_choice, cwd_choice, overlap)
    shutil.rmtree(top)


@pytest.mark.parametrize("user", [(), ("/*/",), ("*/",), ("/",), ("/proj/",), ("/src/", "deep/er/"), ("/**",)])
@pytest.mark.parametrize("base_choice", ["parent", "root", "inside"])
@pytest.mark.parametrize("overlap", [False, True])
def test_discover_equals_the_reference_for_sweeping_patterns(tmp_path, user, base_choice, overlap):
    """Patterns that match a whole scan root, every folder, or an empty leading path."""
    top = tmp_path.resolve()
    check_walked_then_in_git(top, new_tree(top), user, base_choice, "root", overlap)


@pytest.mark.parametrize("user", [(), USER_EXCLUDES])
def test_discover_equals_the_reference_without_default_excludes(tmp_path, user):
    top = tmp_path.resolve()
    check_walked_then_in_git(top, new_tree(top), user, "root", "parent", overlap=False, defaults=False)


def test_the_fixed_tree_reports_what_it_should(tmp_path):
    """The reference agreeing is only worth something if the trees exercise the rules."""
    root = new_tree(tmp_path.resolve())
    with unreadable_folders("locked"):
        files, problems = actual([root], USER_EXCLUDES, root, root)
    assert problems == [("locked", "cannot read directory: Permission denied"),
                        ("deep/out.py", OUTSIDE_MESSAGE), ("links/dangling_out", OUTSIDE_MESSAGE),
                        ("links/out_dir", OUTSIDE_MESSAGE), ("links/out_file.py", OUTSIDE_MESSAGE)]
    rels = {rel for _, _, rel, _ in files}
    # Kept: '/proj/...' patterns point above this base.
    assert {"top.py", "notes.txt", "gen2/g.py", "src/main.py", os.fsdecode(b"raw\xff.py")} <= rels
    # 'docs/*.md' is anchored, and (gitignore rules) its '*' stops at '/'.
    assert "docs/sub/deeper.md" in rels
    assert not rels & {"x.bak", "src/app.js", "docs/readme.md", "legacy/old.py",
                       "generated/g.py", "a b/c.py", "fixtures/f.py", "tmp/t.py", "src/vendor/v.py",
                       "links/in_file.py", "node_modules/hidden_out.py"}


def test_a_name_pattern_matching_nul_still_prunes_every_walked_folder(tmp_path):
    """The quirk the reference leaves out (module docstring), pinned so that changing it is a
    decision: '?' matches the "\\0" a walk asks about, so every folder is skipped."""
    root = new_tree(tmp_path.resolve())
    rels = {rel for _, _, rel, _ in actual([root], ("?",), root, root)[0]}
    assert "top.py" in rels and not any("/" in rel for rel in rels)


@pytest.mark.parametrize("rel", ["top.py", "legacy/old.py", "docs/a.md", "src/app.js", "gen2/x.py", "a b/c.py"])
@pytest.mark.parametrize("base_choice", ["parent", "root"])
def test_named_files_follow_the_excludes(tmp_path, rel, base_choice):
    """A file named on the command line is matched by its path as shown (pre-commit passes names)."""
    root = (tmp_path / "proj").resolve()
    path = root / rel
    path.parent.mkdir(parents=True)
    path.write_text("x = 1\n", encoding="utf-8")
    base, cwd = places(tmp_path.resolve(), root, base_choice, "root")
    rules = pattern_rules(all_patterns(USER_EXCLUDES, defaults=True), USER_EXCLUDES)
    expected = [] if excluded(rules, rel, anchored_path(str(path), rel, base)) else [
        (str(path), rel, path.name, path.parent)]
    assert actual([path], USER_EXCLUDES, cwd, base) == (expected, [])


GLOBBY = "ab.*?[]!-"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=GLOBBY, max_size=6), st.lists(st.text(alphabet=GLOBBY, min_size=1, max_size=5), max_size=4))
def test_name_patterns_answer_as_fnmatch(name, patterns):
    """Plain names, '*'-endings and real globs are matched three different ways."""
    assert matches_exclude(name, patterns) == any(fnmatch.fnmatch(name, p) for p in patterns)


def test_source_files_survive_pickling():
    """Worker processes that are not forked get their SourceFiles pickled."""
    source = SourceFile(path="/p/a.py", display="a.py", rel="a.py", root=Path("/p"))
    assert pickle.loads(pickle.dumps(source)) == source
    with pytest.raises(AttributeError):
        source.path = "/q"  # type: ignore[misc]
