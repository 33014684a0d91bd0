"""Write a file so that readers never see half of it (reports, SARIF, baselines, cache entries)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomically(path: Path | str, data: str | bytes, make_parents: bool = False, mode: int | None = None) -> None:
    """Write to a temporary file beside the target, then rename over it.

    A missing folder is an error unless make_parents (an output path with a typo should not
    create directories; the cache creates its own). mode: permission bits for the new file
    (`igmigrate fix` keeps the edited file's; the default is mkstemp's 0600)."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    if make_parents:
        directory.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
