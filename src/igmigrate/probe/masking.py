"""Hide secrets in everything the probe prints, records or raises.

Two layers, both always applied: the known secret values (from the environment) wherever they
appear, raw or encoded; and the values of secret-bearing parameters and JSON keys, which also
covers secrets the tool never knew (a token or code the server hands back).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

MASK = "***"
SECRET_PARAMS = ("access_token", "client_secret", "code", "refresh_token")

_NAMES = "|".join(SECRET_PARAMS)
# name=value in query strings, form bodies and Location headers (also percent-encoded '=').
_PARAM = re.compile(rf"(?<![A-Za-z0-9_])({_NAMES})(=|%3D)([^&\s\"'<>#;]+)", re.IGNORECASE)
# "name": "value" in JSON bodies (numbers are left alone: "code": 400 is not a secret).
_JSON = re.compile(rf"(\"({_NAMES})\"\s*:\s*\")((?:[^\"\\]|\\.)*)(\")", re.IGNORECASE)


class Masker:
    def __init__(self, secrets: Iterable[str] = ()):
        self._variants: list[str] = []
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str | None) -> None:
        if not secret:
            return
        variants = {secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1]}
        # Longest first, so a secret is never half-replaced by a shorter one inside it.
        self._variants = sorted(set(self._variants) | variants, key=len, reverse=True)

    def text(self, value: str | None) -> str | None:
        if value is None:
            return None
        for variant in self._variants:
            value = value.replace(variant, MASK)
        value = _PARAM.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", value)
        return _JSON.sub(lambda m: f"{m.group(1)}{MASK}{m.group(4)}", value)

    def mapping(self, values: dict[str, str] | None) -> dict[str, str] | None:
        """Mask a form or header mapping: secret keys wholesale, other values as text."""
        if values is None:
            return None
        return {k: MASK if k.lower() in SECRET_PARAMS else self.text(v) for k, v in values.items()}
