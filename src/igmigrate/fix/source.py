"""A file as the fix engine reads and writes it: bytes in, the same bytes out except the edits.

Decoding remembers the byte-order mark and the codec, so encoding back gives the original
bytes wherever nothing was edited (line endings, trailing newline and every other byte are
never normalised: edits are spans of the decoded text). Files that are not UTF-8 are read as
Latin-1, which maps each byte to one character and back.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from igmigrate.atomic import write_atomically

_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


@dataclass(frozen=True)
class Source:
    path: Path
    text: str
    bom: bytes
    codec: str

    def encode(self, text: str) -> bytes:
        return self.bom + text.encode(self.codec)


def decode(path: Path, data: bytes) -> Source:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return Source(path, data[len(bom):].decode(codec), bom, codec)
            except UnicodeDecodeError:
                break
    try:
        return Source(path, data.decode("utf-8"), b"", "utf-8")
    except UnicodeDecodeError:
        return Source(path, data.decode("latin-1"), b"", "latin-1")


def read_source(path: Path) -> Source:
    return decode(path, path.read_bytes())


def write_keeping_mode(path: Path, data: bytes) -> None:
    """Atomic replace that keeps the file's permission bits; a symlink is followed, so the
    link stays a link."""
    target = Path(os.path.realpath(path))
    write_atomically(target, data, mode=stat.S_IMODE(os.stat(target).st_mode))
