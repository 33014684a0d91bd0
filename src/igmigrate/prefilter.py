"""Compile the scanner's prefilter words into one fast, equivalent byte regex.

A plain alternation (`instagr|user_profile|...`) makes Python's regex engine try every
word at every byte: about 15 MB/s on real trees, the largest cost of a cold scan. The
engine is fast when a pattern starts with literal bytes (it then skips to the next
occurrence of one of them), so each word is rewritten around an *anchor*: one of its
rarer bytes at a fixed distance from its start. The compiled pattern is

    g(?:r(?<=instagr)|_(?<=ig_)(?:exchange|refresh)_token|...)|_(?:...)|/(?:...)

It is still a single pass over the bytes, and it matches a text exactly when the plain
alternation does: an occurrence of a word puts its anchor byte at a fixed place, the
lookbehind checks the bytes before it and the rest of the alternative the bytes after.
Only a small regex subset is understood (literals, escapes, `[...]` sets, `(?i:...)`
groups, `*` on one atom); anything else falls back to the plain alternation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Sequence

# Per-10,000 frequency of printable bytes in source trees (measured on the Python library
# tree); bytes not listed are rarer than 1 in 10,000.
_FREQUENCY_TABLE = (
    "e628 t442 a397 s376 r367 n340 i328 o314 l232 c192 d192 ,190 p183 _168 f155 u144 .141 m137 \"129 0126 "
    "h103 (102 )102 g93 y88 :88 =75 b73 168 '66 -63 x59 251 v48 w43 k38 [36 ]36 335 432 A30 629 T28 N27 527 "
    "S25 E25 /25 822 #21 `21 R20 720 I20 919 C19 >19 P19 D18 *17 L16 F15 G14 q13 O13 j13 M13 z12 {12 }12 "
    "\\10 U9 B9 V9 +8 |6 W6 H6 K5 Y5 X4 <4 @4 Q3 J3 Z3 ?2 %2 ;2 ~2 ^2 !1 $1"
)
FREQUENCY = {ord(item[0]): int(item[1:]) for item in _FREQUENCY_TABLE.split(" ")}
FREQUENCY[ord(" ")] = 1500
FREQUENCY[ord("\n")] = 300
_WHITESPACE = frozenset(b" \t\n\r\f\v")  # what \s matches in a bytes pattern


class Unsupported(ValueError):
    """A word uses regex syntax this compiler does not model."""


@dataclass(frozen=True)
class Atom:
    choices: frozenset[int]  # bytes this position accepts
    star: bool = False  # repeated zero or more times

    def render(self) -> bytes:
        if len(self.choices) == 1:
            body = re.escape(bytes(self.choices))
        elif self.choices == _WHITESPACE:
            body = rb"\s"
        else:
            body = b"[" + b"".join(re.escape(bytes([c])) for c in sorted(self.choices)) + b"]"
        return b"(?:" + body + b")*" if self.star else body


def parse_word(word: bytes) -> list[Atom]:
    atoms: list[Atom] = []
    _parse_into(word, 0, len(word), False, atoms)
    return atoms


def _parse_into(word: bytes, i: int, end: int, fold: bool, atoms: list[Atom]) -> None:
    while i < end:
        c = word[i]
        if word.startswith(b"(?i:", i):
            close = word.find(b")", i)
            if close < 0 or close >= end:
                raise Unsupported(word)
            _parse_into(word, i + 4, close, True, atoms)
            i = close + 1
            continue
        if c == ord("["):
            close = word.find(b"]", i)
            if close < 0 or word[i + 1:i + 2] in (b"^", b"]") or b"-" in word[i + 1:close] or b"\\" in word[i + 1:close]:
                raise Unsupported(word)
            choices = set(word[i + 1:close])
            i = close + 1
        elif c == ord("\\"):
            nxt = word[i + 1:i + 2]
            if nxt == b"s":
                choices = set(_WHITESPACE)
            elif nxt and not nxt.isalnum():
                choices = {nxt[0]}
            else:
                raise Unsupported(word)
            i += 2
        elif chr(c) in "()|?+{}.^$*":
            raise Unsupported(word)
        else:
            choices = {c}
            i += 1
        if fold:
            choices |= {ord(chr(b).swapcase()) for b in choices if chr(b).isalpha() and b < 128}
        star = word[i:i + 1] == b"*"
        if star:
            i += 1
        if word[i:i + 1] in (b"+", b"?", b"{"):
            raise Unsupported(word)
        atoms.append(Atom(frozenset(choices), star))


def _anchor_positions(atoms: Sequence[Atom]) -> list[int]:
    """Positions with a fixed distance from the word's start (nothing variable before)."""
    out = []
    for index, atom in enumerate(atoms):
        if atom.star:
            break
        out.append(index)
    return out


def _cost(anchor_bytes: Iterable[int]) -> int:
    return sum(FREQUENCY.get(b, 0) for b in set(anchor_bytes))


def choose_anchors(words: Sequence[list[Atom]]) -> list[int]:
    """An anchor position per word so that the set of anchor bytes is rare: each byte the
    scan stops at costs a match attempt, and words can share a byte (`user_profile`,
    `user_media` and `business_basic` all stop at `_`). Greedy weighted set cover, then
    a few rounds of local search."""
    options = [_anchor_positions(w) for w in words]
    if any(not o for o in options):
        raise Unsupported(b"word without a fixed-position byte")
    chosen: list[int | None] = [None] * len(words)
    used: set[int] = set()
    keys = {w[p].choices for w, opts in zip(words, options) for p in opts}
    while None in chosen:
        def ratio(key: frozenset[int]) -> float:
            covered = sum(1 for i, (w, opts) in enumerate(zip(words, options))
                          if chosen[i] is None and any(w[p].choices <= key for p in opts))
            return (_cost(used | key) - _cost(used)) / covered if covered else float("inf")

        key = min(sorted(keys, key=sorted), key=ratio)
        used |= key
        for i, (w, opts) in enumerate(zip(words, options)):
            if chosen[i] is None:
                fits = [p for p in opts if w[p].choices <= key]
                if fits:
                    chosen[i] = fits[0]
    picks = [p for p in chosen if p is not None]

    def total(candidate: list[int]) -> int:
        return _cost(b for w, p in zip(words, candidate) for b in w[p].choices)

    for _ in range(4):
        improved = False
        for i, opts in enumerate(options):
            best = min(opts, key=lambda p: total([*picks[:i], p, *picks[i + 1:]]))
            if total([*picks[:i], best, *picks[i + 1:]]) < total(picks):
                picks[i] = best
                improved = True
        if not improved:
            break
    return picks


def _alternative(atoms: Sequence[Atom], anchor: int, anchor_byte: int) -> bytes:
    """The part after the anchor byte: the next literal first (the engine skips branches
    whose first literal differs), then the lookbehind, then the rest of the word."""
    before = b"".join(a.render() for a in atoms[:anchor]) + re.escape(bytes([anchor_byte]))
    rest = list(atoms[anchor + 1:])
    lead = b""
    if rest and len(rest[0].choices) == 1 and not rest[0].star:
        lead = rest.pop(0).render()
    behind = b"(?<=" + before + lead + b")" if anchor > 0 or lead else b""
    return lead + behind + b"".join(a.render() for a in rest)


def expand(word: bytes) -> list[bytes]:
    """Split alternations: `a|b` and a whole-word `(?i:a|b)` become separate words."""
    group = re.fullmatch(rb"\(\?i:([^()]*)\)", word)
    if group:
        return [b"(?i:" + part + b")" for part in group.group(1).split(b"|")]
    if b"(" not in word and b"[" not in word:
        return word.split(b"|")
    return [word]


def compile_prefilter(words: Sequence[bytes]) -> re.Pattern[bytes]:
    """One regex equivalent (for search) to `b"|".join(words)`, but anchored on rare bytes."""
    try:
        parsed = [parse_word(part) for w in words for part in expand(w)]
        anchors = choose_anchors(parsed)
    except Unsupported:
        return re.compile(b"|".join(words))
    groups: dict[int, list[bytes]] = {}
    for atoms, anchor in zip(parsed, anchors):
        for byte in sorted(atoms[anchor].choices):
            groups.setdefault(byte, []).append(_alternative(atoms, anchor, byte))
    branches = []
    for byte in sorted(groups, key=lambda b: FREQUENCY.get(b, 0)):
        alternatives = groups[byte]
        tail = b"" if b"" in alternatives else b"(?:" + b"|".join(alternatives) + b")"
        branches.append(re.escape(bytes([byte])) + tail)
    return re.compile(b"|".join(branches))
