"""The one masking layer: no secret reaches an output, report, baseline, cache entry or error line.

What is a secret here:
  - token shapes, wherever they appear: Basic Display (IGQV.../IGQW...), Instagram Login
    (IGAA... and other long IG... tokens), Facebook (EAA...) and Legacy (123.abc1234.<32 hex>);
  - the value given to a name that holds client_secret, app_secret, access_token,
    refresh_token (any case, any prefix or suffix: CLIENT_SECRET, IG_APP_SECRET, igAppSecret)
    or an OAuth code (code, auth_code, authorizationCode), in any syntax: key = value,
    key: value, key => value, dict and JSON keys, URL query and form parameters, env files,
    XML attributes and elements, ("NAME", "value") argument pairs, and `Bearer <value>`;
  - values registered as known (`Masker.add`, e.g. the probe's secrets from the environment),
    raw or encoded.

What is kept, so that findings stay useful: the name (`client_secret=****`), a token's first
four characters (`IGAA****`: says which kind of token leaked), and values that are references
or placeholders rather than secrets: `${IG_SECRET}`, `$IG_SECRET`, `os.environ[...]`,
`process.env.X`, `getenv(...)`, `settings.IG_SECRET`, a bare variable name, `{{ ... }}`,
`<your-secret>`, `""`, and numbers given to `code` (`"code": 400` is an error code).

Hostile echoes: a secret written with JSON `\\uXXXX`/`\\xXX` escapes, URL percent-encoding or
HTML entities is found by decoding a copy of the text while keeping, for every decoded
character, the span of original characters it came from; secrets found in the copy are masked
over their original span (encoded characters and all). Decoding repeats up to three levels
(`%2541` is `%41` is `A`).

Masking is idempotent (masking masked text changes nothing) and linear in the text's length:
candidate names are found by one keyword search, then parsed by hand, never by a regex that
can backtrack over a long line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MASK = "****"
_KEEP = 4  # leading characters of a token shape that stay visible

# Token shapes. Long IG.../EAA... runs must mix digits and both cases (see _is_token), so a
# long constant name such as IG_MEDIA_FIELDS_... is not a token.
_TOKENS = re.compile(
    r"(?<![A-Za-z0-9_-])(?:IGQ[VW][A-Za-z0-9_-]{40,}|IG[A-Za-z0-9_-]{60,}|EAA[A-Za-z0-9]{40,}"
    r"|\d{6,12}\.[0-9a-f]{7}\.[0-9a-f]{32})(?![A-Za-z0-9_-])")
# Secret names, found anywhere, then widened to the whole identifier around them.
_KEYWORDS = re.compile(r"client[_.-]?secret|app[_.-]?secret|(?:access|refresh)[_.-]?token|code|bearer", re.IGNORECASE)
_SECRET_NAMES = ("clientsecret", "appsecret", "accesstoken", "refreshtoken")
_CODE_NAMES = {"code", "authcode", "authorizationcode", "oauthcode", "igcode", "instagramcode", "oauthauthcode"}
_NAME_CHARS = re.compile(r"[A-Za-z0-9_.$-]*")
_NAME_SET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.$-")
# Between a name and its value: an optional type annotation (`client_secret: str = ...`),
# then =, ==, :=, =>, : or (after a quoted name) a comma.
_SEPARATOR = re.compile(r"[ \t]*(?::[ \t]*[A-Za-z_][\w.\[\]|, ]{0,60}?[ \t]*(?==[^=]))?(=>|:=|={1,3}|:|,|>)[ \t]*")
_STRING_PREFIX = re.compile(r"[rbfuRBFU]{0,2}(\\?[\"'`]|&quot;|&#39;|&#x27;|&apos;)")  # quotes as HTML writes them too
_BARE_VALUE = re.compile(r"[^\s&\"'`<>,;#)}\]\\|]+")
_BEARER_VALUE = re.compile(r"[ \t]+([A-Za-z0-9._~+/=-]{8,})")
# Values that point at a secret instead of holding one. Quoted or not: placeholders,
# template expressions, environment lookups and environment variable names.
_PLACEHOLDER = re.compile(
    r"""^(?:
        \$[\w{(].*|%[A-Za-z_]\w*%?|\{\{.*|\{%.*|<%.*|\#\{.*|<[^<>]*>|\{[\w.]*\}|%\(?\w*\)?[sd]
        |\.\.\.|…|x+|X+|\*+|-+|(?i:your[\w\s-]*|changeme|redacted|secret|none|null|nil|undefined|true|false)
        |[A-Z][A-Z0-9]*(?:_[A-Z][A-Z0-9]*)+              # an environment variable's name
        |.*(?:process\.env|os\.environ|getenv|ENV\[|secrets\.|import\.meta\.env).*
    )$""", re.VERBOSE | re.DOTALL)
# Unquoted values that are code, not data: a variable or attribute path, a call or subscript.
_CODE_REFERENCE = re.compile(r"^(?:[A-Za-z_$][A-Za-z_$]*(?:\.[A-Za-z_$][\w$]*)*|[A-Za-z_$][\w.$]*\s*[(\[].*)$", re.DOTALL)
# \" is not decoded: the plain pass reads \"name\": \"value\" as it is, and decoding it would
# turn a JSON string's own delimiters into quotes around unrelated text.
_ESCAPED = re.compile(r"\\u[0-9a-fA-F]{4}|\\x[0-9a-fA-F]{2}|\\/|%[0-9a-fA-F]{2}"
                      r"|&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z]{2,8});")
_ENV_LINE = re.compile(r"[ \t]*(?:export[ \t]+)?$")
_SUSPICIOUS = re.compile(r"\\u00[3-7][0-9a-fA-F]|\\x[3-7][0-9a-fA-F]|%[3-7][0-9a-fA-F]|%25|&#0*(?:4[89]|[5-9][0-9]|1[0-2][0-9]);"
                        r"|&#[xX]0*[3-7][0-9a-fA-F];|&(?:equals|lowbar|colon|period|hyphen|dollar|num|percnt);")
_MAX_NAME = 100  # longest identifier around a keyword that is looked at

Span = tuple[int, int, str]  # (start, end, replacement) in the text searched


def _is_token(run: str) -> bool:
    if run.startswith("IGQ") or run[0].isdigit():
        return True
    body = run[3:]
    return any(c.isdigit() for c in body) and any(c.islower() for c in body) and any(c.isupper() for c in body)


def _is_reference(value: str, name: str, quoted: bool) -> bool:
    if not value or "***" in value:
        return True  # empty, or masked already
    if value.isdigit() and name in _CODE_NAMES:
        return True  # "code": 400 is an error code
    return bool(_PLACEHOLDER.match(value)) or (not quoted and bool(_CODE_REFERENCE.match(value)))


def _normalized(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _value_span(text: str, pos: int) -> tuple[int, int, bool] | None:
    """(start, end, quoted) of the value that starts at pos (quoted on this line, or bare)."""
    quoted = _STRING_PREFIX.match(text, pos)
    if quoted:
        quote_text = quoted.group(1)
        start = quoted.end()
        end = start
        closing = quote_text
        while True:
            end = text.find(closing, end)
            newline = text.find("\n", start)
            if end < 0 or (0 <= newline < end):
                return None  # no closing quote on this line: not a quoted value
            if len(closing) == 1 and text[end - 1:end] == "\\" and not text[end - 2:end] == "\\\\":
                end += 1  # an escaped quote inside the value
                continue
            return start, end, True
    bare = _BARE_VALUE.match(text, pos)
    return (pos, bare.end(), False) if bare else None


def _named_spans(text: str) -> list[Span]:
    spans: list[Span] = []
    last_end = 0
    for keyword in _KEYWORDS.finditer(text):
        if keyword.start() < last_end:
            continue
        if keyword.group().lower() == "bearer":
            bearer = _BEARER_VALUE.match(text, keyword.end())
            if bearer and not _is_reference(bearer.group(1), "bearer", False):
                spans.append((bearer.start(1), bearer.end(1), MASK))
                last_end = bearer.end(1)
            continue
        start = keyword.start()
        while start > 0 and keyword.start() - start < _MAX_NAME and text[start - 1] in _NAME_SET:
            start -= 1
        end = _NAME_CHARS.match(text, keyword.end(), keyword.end() + _MAX_NAME).end()
        name = _normalized(text[start:end].lstrip("$"))
        if not (any(n in name for n in _SECRET_NAMES) or name in _CODE_NAMES):
            continue
        before = text[start - 1:start] if start else ""
        pos = end
        name_quoted = False
        if before in ("'", '"', "`") and text[pos:pos + 1] == before:
            pos, name_quoted = pos + 1, True
        elif before == ";" and text[start - 6:start] == "&quot;" and text[pos:pos + 6] == "&quot;":
            pos, name_quoted = pos + 6, True
        elif before in ("'", '"') and text[start - 2:start - 1] == "\\" and text[pos:pos + 2] == "\\" + before:
            pos, name_quoted = pos + 2, True
        if text[pos:pos + 1] == "]":
            pos += 1  # params["client_secret"] = ...
        separator = _SEPARATOR.match(text, pos)
        if separator is None:
            continue
        kind = separator.group(1)
        if (kind == "," and not name_quoted) or (kind == ">" and (before != "<" or name in _CODE_NAMES)):
            continue
        if kind == ">":  # <client_secret>value</client_secret>
            close = text.find("<", separator.end())
            value = (separator.end(), close, True) if close >= 0 else None
        else:
            value = _value_span(text, separator.end())
            opener = text[separator.end():separator.end() + 1]
            if value is not None and value[2] and (before in ("?", "&", ";") or (before == opener and not name_quoted)):
                continue  # "...&client_secret=" + secret: the quote ends the URL's string, no value follows
        if value is None:
            continue
        v_start, v_end, quoted = value
        # A URL parameter or an env-file line holds data even when it looks like a name.
        data = quoted or before in ("?", "&", ";") or (separator.group() == "=" and _ENV_LINE.match(text, text.rfind("\n", 0, start) + 1, start) is not None)
        if _is_reference(text[v_start:v_end].strip(), name, data):
            continue
        spans.append((v_start, v_end, MASK))
        last_end = v_end
    return spans


def _token_spans(text: str) -> list[Span]:
    return [(m.start(), m.end(), m.group()[:_KEEP] + MASK) for m in _TOKENS.finditer(text) if _is_token(m.group())]


def _apply(text: str, spans: list[Span]) -> str:
    if not spans:
        return text
    out, last = [], 0
    # At one start, the longest span first; of equal spans, the most telling replacement (IGAA****).
    for start, end, replacement in sorted(spans, key=lambda s: (s[0], s[0] - s[1], -len(s[2]))):
        if start < last:
            start = last  # overlapping spans: the earlier one covers the overlap
            if start >= end:
                continue
        out.append(text[last:start])
        out.append(replacement)
        last = end
    out.append(text[last:])
    return "".join(out)


def _decode_char(escape: str) -> str:
    if escape.startswith("\\u") or escape.startswith("\\x"):
        return chr(int(escape[2:], 16))
    if escape.startswith("\\"):
        return escape[1]
    if escape.startswith("%"):
        return chr(int(escape[1:], 16))
    import html

    decoded = html.unescape(escape)
    return decoded if len(decoded) == 1 and decoded != escape else escape


def _decoded(text: str, origin: list[tuple[int, int]]) -> tuple[str, list[tuple[int, int]]] | None:
    """One level of decoding, with each decoded character's span in the ORIGINAL text."""
    if not _ESCAPED.search(text):
        return None
    chars: list[str] = []
    spans: list[tuple[int, int]] = []
    last = 0
    for m in _ESCAPED.finditer(text):
        for i in range(last, m.start()):
            chars.append(text[i])
            spans.append(origin[i])
        decoded = _decode_char(m.group())
        if decoded == m.group():  # an entity html does not know: keep it as written
            for i in range(m.start(), m.end()):
                chars.append(text[i])
                spans.append(origin[i])
        else:
            chars.append(decoded)
            spans.append((origin[m.start()][0], origin[m.end() - 1][1]))
        last = m.end()
    for i in range(last, len(text)):
        chars.append(text[i])
        spans.append(origin[i])
    return "".join(chars), spans


class Masker:
    """Masks token shapes, secret-named values and registered known secrets in text.

    mask: what replaces a secret value (the probe keeps its own "***")."""

    def __init__(self, secrets: Iterable[str | None] = (), patterns: Iterable[re.Pattern] = (), mask: str = MASK):
        self.mask = mask
        self._known: list[str] = []
        self._patterns = list(patterns)  # more token shapes (the knowledge base's secret patterns)
        # Messages, matches and snippet lines repeat across findings: mask each text once.
        self._memo: dict[str, str] = {}
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str | None) -> None:
        """Register a known secret value: masked wherever it occurs, raw or encoded."""
        if not secret or len(secret) < 4:
            return  # a 1-3 character "secret" would mask half of every text
        import html
        import json
        from urllib.parse import quote, quote_plus

        variants = {secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1],
                    html.escape(secret)}
        # Longest first, so a secret is never half-replaced by a shorter one inside it.
        self._known = sorted(set(self._known) | variants, key=len, reverse=True)
        self._memo.clear()

    def _spans(self, text: str) -> list[Span]:
        spans = _token_spans(text)
        for pattern in self._patterns:
            spans += [(m.start(), m.end(), m.group()[:_KEEP] + MASK) for m in pattern.finditer(text)]
        for known in self._known:
            at = text.find(known)
            while at >= 0:
                spans.append((at, at + len(known), self.mask))
                at = text.find(known, at + len(known))
        spans += [(s, e, self.mask) for s, e, _ in _named_spans(text)]
        return spans

    def text(self, value: str) -> str:
        """The text with every secret masked, raw or encoded (see the module doc)."""
        if not value:
            return value
        if len(value) > 4096:
            return self._mask(value)  # whole documents: masked once, not kept
        done = self._memo.get(value)
        if done is None:
            if len(self._memo) > 20_000:
                self._memo.clear()
            done = self._memo[value] = self._mask(value)
        return done

    def _mask(self, value: str) -> str:
        masked = _apply(value, self._spans(value))
        # Whole documents pass here: decode only when something could encode a secret's characters
        # (letters, digits, = and :), not for the \u001b, &amp; or %20 every document has.
        if not _SUSPICIOUS.search(masked):
            return masked
        decoded = masked
        for _ in range(3):
            decoded = _ESCAPED.sub(lambda m: _decode_char(m.group()), decoded)
            if self._spans(decoded):
                return self._mask_decoded(masked)
            if not _ESCAPED.search(decoded):
                break
        return masked

    def _mask_decoded(self, masked: str) -> str:
        origin = [(i, i + 1) for i in range(len(masked))]
        current = masked
        spans: list[Span] = []
        for _ in range(3):  # nested encodings: %2541 -> %41 -> A
            step = _decoded(current, origin)
            if step is None:
                break
            current, origin = step
            for start, end, replacement in self._spans(current):
                spans.append((origin[start][0], origin[end - 1][1], replacement))
        return _apply(masked, spans)

    def secret_spans(self, text: str) -> list[tuple[int, int]]:
        """(start, end) of each secret in text as written (not decoded): `igmigrate fix`
        keeps its edits off them."""
        return [(start, end) for start, end, _ in self._spans(text)]

    def optional(self, value: str | None) -> str | None:
        return None if value is None else self.text(value)

    def mapping(self, values: dict[str, str] | None) -> dict[str, str] | None:
        """Mask a form or header mapping: secret-named keys wholesale, other values as text."""
        if values is None:
            return None
        out = {}
        for key, value in values.items():
            name = _normalized(key)
            secret_key = any(n in name for n in _SECRET_NAMES) or name in _CODE_NAMES
            out[key] = self.mask if secret_key and value and not _is_reference(value, name, True) else self.text(value)
        return out


def masker_for(kb) -> Masker:
    """A masker that also knows the knowledge base's secret token patterns (detect.secret)."""
    return Masker(patterns=[p for r in kb.rules_of_kind("token") if r.detect.secret for p in r.detect.patterns])


_DEFAULT = Masker()


def mask(text: str) -> str:
    """Mask with the process-wide masker (token shapes, secret names, registered secrets)."""
    return _DEFAULT.text(text)


def register_secret(value: str | None) -> None:
    """Mask this value in everything this process writes from now on (raw or encoded)."""
    _DEFAULT.add(value)


def register_environment(names: Iterable[str], environ: dict | None = None) -> None:
    """Register the values of these environment variables (e.g. the probe's IGMIGRATE_APP_SECRET)."""
    import os

    env = os.environ if environ is None else environ
    for name in names:
        register_secret(env.get(name))
