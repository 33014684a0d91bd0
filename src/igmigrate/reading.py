"""Read one scanned file safely: regular files only, without blocking and without following
a symlink put in its place since discovery (a file swapped for a FIFO mid-scan would
otherwise block the read forever), up to a size limit."""

from __future__ import annotations

import os
import stat

# O_NONBLOCK: opening a FIFO returns at once instead of waiting for a writer (reads of a
# regular file ignore the flag). O_NOFOLLOW: a symlink swapped in fails with ELOOP.
_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)


class TooLarge(Exception):
    def __init__(self, size: int):
        self.size = size


class NotRegular(OSError):
    """The path is no longer a regular file (a FIFO, device, socket or folder)."""

    def __init__(self) -> None:
        super().__init__("not a regular file")
        self.strerror = "not a regular file"


def read_regular(path: str, limit: int) -> tuple[bytes, os.stat_result]:
    """The file's bytes and stat with one open, fstat and read (open() builds a buffered file
    object per file: a sixth of the reading cost on a 32,000-file tree). Raises TooLarge
    over limit, NotRegular (an OSError) for anything but a regular file."""
    fd = os.open(path, _FLAGS)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegular()
        size = st.st_size
        if size > limit:
            raise TooLarge(size)
        data = os.read(fd, size + 1)
        if len(data) != size:  # a short read, or a file that changed since the fstat: read to the end
            while len(data) <= limit:
                more = os.read(fd, limit + 1 - len(data))
                if not more:
                    break
                data += more
        if len(data) > limit:
            raise TooLarge(len(data))
        return data, st
    finally:
        os.close(fd)


def read_bytes(path: str, limit: int) -> bytes:
    """read_regular's bytes, for readers that need no stat."""
    return read_regular(path, limit)[0]
