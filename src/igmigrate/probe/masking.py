"""The probe's masker: the one masking layer of igmigrate (igmigrate.masking), writing "***".

Everything the probe prints, records or raises passes through it: token shapes, the values of
secret-named parameters and JSON keys (so also tokens and codes a server hands out that the
tool never knew), and the known secrets (from the environment, and tokens issued during the
run, registered as they arrive), raw or JSON-escaped, URL-encoded or as HTML entities.
"""

from __future__ import annotations

from collections.abc import Iterable

from igmigrate.masking import Masker as _Masker

MASK = "***"


class Masker(_Masker):
    def __init__(self, secrets: Iterable[str | None] = ()):
        super().__init__(secrets, mask=MASK)
