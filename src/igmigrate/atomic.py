"""Write a file so that readers never see half of it (reports, SARIF, baselines, cache entries).

A regular file is replaced atomically: a temporary file in the same folder, then os.replace.
What the target is decides the rest:
  - a symlink is written through: the file it points to is replaced, the link stays;
  - a FIFO, device, socket or directory is refused (NotARegularFile, nothing written): an
    output path must never turn /dev/stdout or a named pipe into a regular file;
  - an existing file keeps its permission bits; a new one gets what the umask allows (0666
    minus the umask, as `>` in a shell would), unless the caller passes mode.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


class NotARegularFile(OSError):
    """The target exists and is not a regular file (or a link to one)."""


def resolve_target(path: Path | str) -> tuple[Path, os.stat_result | None]:
    """The file a write to path lands in (symlinks followed) and its stat, None when new.
    Raises NotARegularFile for a directory, FIFO, device or socket."""
    path = Path(path)
    target = Path(os.path.realpath(path)) if os.path.islink(path) else path
    try:
        st = os.stat(target)
    except FileNotFoundError:
        return target, None
    if not stat.S_ISREG(st.st_mode):
        kind = next((name for test, name in _KINDS if test(st.st_mode)), "not a regular file")
        raise NotARegularFile(21 if stat.S_ISDIR(st.st_mode) else 22, f"is {kind}; nothing written", str(path))
    return target, st


def _umask_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def write_atomically(path: Path | str, data: str | bytes, make_parents: bool = False, mode: int | None = None) -> None:
    """Write to a temporary file beside the target, then rename over it (see the module doc).

    A missing folder is an error unless make_parents (an output path with a typo should not
    create directories; the cache creates its own). mode: permission bits for the file
    (default: the existing file's, else the umask's)."""
    target, st = resolve_target(path)
    directory = target.parent if str(target.parent) else Path(".")
    if make_parents:
        directory.mkdir(parents=True, exist_ok=True)
    if mode is None:
        mode = stat.S_IMODE(st.st_mode) if st is not None else _umask_mode()
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
