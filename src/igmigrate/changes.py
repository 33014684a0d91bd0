"""Changed-files mode: which files (and lines) differ from the merge base with a git ref.

"Changed" means everything a reviewer would see in the pull request plus local work:
commits since the merge base, staged and unstaged edits, and untracked (not ignored) files.
Any git problem is a GitError with a message that says how to fix it; the CLI turns it into
exit 2, because a diff-aware check that silently scans nothing would pass every time.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

_HUNK = re.compile(rb"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
_SHA = re.compile(r"^[0-9a-fA-F]{7,64}$")
_PLAIN_NAME = re.compile(r"^[A-Za-z0-9._/-]+$")
_C_ESCAPES = {b"a": 7, b"b": 8, b"t": 9, b"n": 10, b"v": 11, b"f": 12, b"r": 13, b'"': 34, b"\\": 92}


class GitError(Exception):
    """git could not answer; the message names the fix."""


@dataclass(frozen=True)
class ChangeSet:
    base: str  # the merge-base commit
    root: Path  # the repository's top level
    files: frozenset[str]  # absolute resolved paths (deleted files included; they are simply not scanned)
    lines: dict[str, frozenset[int]] = field(default_factory=dict)  # path -> changed line numbers
    whole_files: frozenset[str] = frozenset()  # untracked files: every line counts as changed

    def touches(self, path: str, start: int, end: int) -> bool:
        """True when any line of start..end (1-based, inclusive) in path was changed or added."""
        if path in self.whole_files:
            return True
        changed = self.lines.get(path)
        if not changed:
            return False
        return any(n in changed for n in range(start, max(start, end) + 1))


def _git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    try:
        proc = subprocess.run(["git", "-C", str(root), *args], capture_output=True, timeout=300)
    except FileNotFoundError:
        raise GitError("git is not installed (needed by --changed-since)") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"git {args[0]} timed out") from None
    if check and proc.returncode != 0:
        detail = proc.stderr.decode(errors="replace").strip().splitlines()
        raise GitError(f"git {' '.join(args[:2])} failed: {detail[-1] if detail else 'exit ' + str(proc.returncode)}")
    return proc


def repository_root(cwd: str) -> Path | None:
    """The top level of the git work tree holding cwd, or None outside git."""
    try:
        proc = subprocess.run(["git", "-C", cwd, "rev-parse", "--show-toplevel"],
                              capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    if proc.returncode != 0 or not proc.stdout.strip():
        return None
    return Path(proc.stdout.strip()).resolve()


def _remote_branch(ref: str, remotes: list[str]) -> tuple[str, str] | None:
    ref = ref.removeprefix("refs/remotes/")
    remote, _, branch = ref.partition("/")
    if branch and remote in remotes:
        return remote, branch
    return None


def fetch_hint(ref: str, remotes: list[str], shallow: bool, ref_found: bool) -> str:
    """The git fetch command that makes `git merge-base REF HEAD` work."""
    unshallow = " --unshallow" if shallow else ""
    pair = _remote_branch(ref, remotes)
    remote = pair[0] if pair else ("origin" if "origin" in remotes or not remotes else remotes[0])
    if ref_found:
        # The ref is here but the history between it and HEAD is not.
        return f"git fetch{unshallow} {remote}"
    if pair:
        # An explicit refspec: single-branch clones would otherwise only update FETCH_HEAD.
        return f"git fetch{unshallow} {remote} +refs/heads/{pair[1]}:refs/remotes/{remote}/{pair[1]}"
    if _SHA.match(ref):
        return f"git fetch{unshallow} {remote} {ref}"
    if _PLAIN_NAME.match(ref) and not ref.startswith("HEAD"):
        return f"git fetch{unshallow} {remote} {ref}:{ref}"
    # HEAD~3, A^, @{u}: relative to history we do not have; fetch all of it.
    return f"git fetch{unshallow or ' --unshallow'} {remote}"


def merge_base(ref: str, cwd: Path) -> tuple[Path, str]:
    """(repository root, merge-base commit of ref and HEAD); GitError with a fix otherwise."""
    if not ref or ref.startswith("-"):
        raise GitError(f"--changed-since {ref!r}: not a git revision")  # never let it pass as a git option
    root = repository_root(str(Path(cwd).resolve()))
    if root is None:
        raise GitError(f"--changed-since {ref}: {cwd} is not inside a git work tree")
    if _git(root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}", check=False).returncode != 0:
        raise GitError(f"--changed-since {ref}: the repository has no commits yet (HEAD does not exist)")
    shallow = _git(root, "rev-parse", "--is-shallow-repository", check=False).stdout.strip() == b"true"
    remotes = _git(root, "remote", check=False).stdout.decode(errors="replace").split()
    found = _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
    if found.returncode != 0:
        where = "this shallow clone" if shallow else "this repository"
        relative = not _PLAIN_NAME.match(ref) or ref.startswith("HEAD")
        if not remotes or (relative and not shallow):
            hint = ""  # nothing to fetch: the ref itself is wrong
        else:
            hint = f"; run `{fetch_hint(ref, remotes, shallow, False)}` first"
        raise GitError(f"--changed-since {ref}: {ref!r} is not a commit in {where}{hint}")
    base = _git(root, "merge-base", ref, "HEAD", check=False)
    if base.returncode != 0 or not base.stdout.strip():
        if shallow:
            raise GitError(f"--changed-since {ref}: the shallow clone does not reach the merge base of {ref} and HEAD; "
                           f"run `{fetch_hint(ref, remotes, shallow, True)}` (or check out with full history, "
                           f"e.g. actions/checkout fetch-depth: 0)")
        raise GitError(f"--changed-since {ref}: {ref} and HEAD have no common ancestor")
    return root, base.stdout.decode().strip()


def _unquote(raw: bytes) -> bytes:
    """Undo git's C-style quoting of unusual path names ("a\\303\\251.py")."""
    if not (raw.startswith(b'"') and raw.endswith(b'"') and len(raw) >= 2):
        return raw
    body, out, i = raw[1:-1], bytearray(), 0
    while i < len(body):
        char = body[i:i + 1]
        if char == b"\\" and i + 1 < len(body):
            octal = body[i + 1:i + 4]
            if len(octal) == 3 and all(48 <= c <= 55 for c in octal):  # \ooo: one raw byte
                out.append(int(octal, 8))
                i += 4
                continue
            nxt = body[i + 1:i + 2]
            out.append(_C_ESCAPES.get(nxt, nxt[0]))
            i += 2
            continue
        out += char
        i += 1
    return bytes(out)


def parse_added_lines(patch: bytes) -> dict[str, set[int]]:
    """Root-relative path -> new-side line numbers added or changed, from `git diff -U0` output."""
    result: dict[str, set[int]] = {}
    current: str | None = None
    in_header = False
    for line in patch.split(b"\n"):
        if line.startswith(b"diff --git "):
            in_header, current = True, None
        elif in_header and line.startswith(b"+++ "):
            target = _unquote(line[4:].rstrip(b"\r"))
            current = None if target == b"/dev/null" else os.fsdecode(target.removeprefix(b"b/"))
            if current is not None:
                result.setdefault(current, set())
        elif line.startswith(b"@@ "):
            in_header = False  # only headers name files; '+++ ' inside a hunk is content
            match = _HUNK.match(line)
            if match and current is not None:
                start = int(match.group(1))
                count = 1 if match.group(2) is None else int(match.group(2))
                result[current].update(range(start, start + count))
    return result


def _diff(base: str, *extra: str) -> list[str]:
    # Working tree against the merge base: covers commits, staged and unstaged edits at once.
    # Options pin the output format whatever the user's git config says.
    return ["-c", "core.quotePath=false", "diff", "--no-ext-diff", "--no-textconv", "--no-color",
            "--no-renames", "--no-relative", "--ignore-submodules", *extra, base, "--"]


def changed_since(ref: str, cwd: Path, with_lines: bool = False) -> ChangeSet:
    root, base = merge_base(ref, cwd)

    def absolute(rel: str) -> str:
        return str((root / rel).resolve())

    names = _git(root, *_diff(base, "--name-only", "-z"))
    tracked = {os.fsdecode(p) for p in names.stdout.split(b"\0") if p}
    others = _git(root, "ls-files", "-z", "--others", "--exclude-standard")
    untracked = {os.fsdecode(p) for p in others.stdout.split(b"\0") if p}
    lines: dict[str, frozenset[int]] = {}
    if with_lines:
        patch = _git(root, *_diff(base, "-U0", "--src-prefix=a/", "--dst-prefix=b/"))
        lines = {absolute(p): frozenset(n) for p, n in parse_added_lines(patch.stdout).items()}
    return ChangeSet(
        base=base, root=root,
        files=frozenset(absolute(p) for p in tracked | untracked),
        lines=lines,
        whole_files=frozenset(absolute(p) for p in untracked),
    )
