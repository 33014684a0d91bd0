"""Compile the scanner's prefilter words into a fast test with the same answers.

Two layers. `compile_prefilter` builds one regex equivalent to the plain alternation;
`compile_screen` puts a translate-and-search screen in front of it (see "the screen"
below), so that the exact regex only ever runs on the rare files the screen lets through.

A plain alternation (`instagr|user_profile|...`) makes Python's regex engine try every
word at every byte: about 15 MB/s on real trees, the largest cost of a cold scan. The
engine is fast when a pattern starts with literal bytes (it then skips to the next
occurrence of one of them), so each word is rewritten around an *anchor*: one of its
rarer bytes at a fixed distance from its start. The compiled pattern is

    g(?:r(?<=instagr)|_(?<=ig_)(?:exchange|refresh)_token|...)|_(?:...)|/(?:...)

It is a single pass over the bytes, and it matches a text exactly when the plain
alternation does: an occurrence of a word puts its anchor byte at a fixed place, the
lookbehind checks the bytes before it and the rest of the alternative the bytes after.
Only a small regex subset is understood (literals, escapes, `[...]` sets, `(?i:...)`
groups, `*` on one atom, `\b`); anything else falls back to the plain alternation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

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
# Vowels begin the commonest pairs (in, on, at, er): a stop at one seldom ends at the next
# byte. Frequencies alone cannot see that; measured on the library tree, anchoring on `i`
# cost a fifth more than the set chosen with vowels weighted up.
_POOR_ANCHORS = frozenset(b"aeioAEIO")
_POOR_ANCHOR_WEIGHT = 3


class Unsupported(ValueError):
    """A word uses regex syntax this compiler does not model."""


@dataclass(frozen=True)
class Atom:
    choices: frozenset[int]  # bytes this position accepts
    star: bool = False  # repeated zero or more times
    boundary: bool = False  # `\b`: zero-width, no byte (never an anchor; the screen leaves it out)

    def render(self) -> bytes:
        if self.boundary:
            return rb"\b"
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
        elif word.startswith(rb"\b", i):
            atoms.append(Atom(frozenset(), boundary=True))
            i += 2
            continue
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
        if not atom.boundary:
            out.append(index)
    return out


def _cost(anchor_bytes: frozenset[int], frequency: dict[int, int]) -> float:
    """What stopping at these bytes costs: their frequency, vowels weighted up (see above)."""
    return sum(frequency.get(b, 0) * (_POOR_ANCHOR_WEIGHT if b in _POOR_ANCHORS else 1) for b in anchor_bytes)


def choose_anchors(words: Sequence[list[Atom]], frequency: dict[int, int] = FREQUENCY) -> list[int]:
    """An anchor position per word so that the set of anchor bytes is rare: each byte the
    scan stops at costs a match attempt, and words can share a byte (`user_profile`,
    `user_media` and `business_basic` can all stop at `u`). Branch and bound over the
    words' distinct anchor sets, fewest options first; a word an already chosen set covers
    takes it for free. A node budget keeps odd inputs cheap (the best set found so far wins)."""
    options: list[list[tuple[int, frozenset[int]]]] = []
    for atoms in words:
        distinct: dict[frozenset[int], int] = {}
        for position in _anchor_positions(atoms):
            distinct.setdefault(atoms[position].choices, position)
        if not distinct:
            raise Unsupported(b"word without a fixed-position byte")
        options.append([(p, key) for key, p in distinct.items()])
    order = sorted(range(len(words)), key=lambda i: len(options[i]))
    best_cost = float("inf")
    best: list[int] = []
    picks = [0] * len(words)
    budget = [20_000]

    def search(depth: int, used: frozenset[int], spent: float) -> None:
        nonlocal best_cost, best
        budget[0] -= 1
        if spent >= best_cost or (budget[0] < 0 and best):
            return
        if depth == len(order):
            best_cost, best = spent, list(picks)
            return
        word = order[depth]
        free = [p for p, key in options[word] if key <= used]
        if free:
            picks[word] = free[0]
            search(depth + 1, used, spent)
            return
        for position, key in sorted(options[word], key=lambda o: (_cost(used | o[1], frequency), o[0])):
            picks[word] = position
            search(depth + 1, used | key, _cost(used | key, frequency))

    search(0, frozenset(), 0)
    return best


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


# ---------------------------------------------------------------------------- the screen
# The regex above still runs at ~110 MB/s on a library tree: its first bytes form a *set*,
# and the engine tests every byte against that set in a slow loop. When a pattern starts
# with one literal byte the engine instead runs a tight loop to its next occurrence, at
# ~2 GB/s. The screen gets that loop by translating the bytes first (also ~2 GB/s, in C):
# ASCII case is folded and every anchor byte becomes one sentinel, so one pattern
# `\0(?:...)` stands for all words. Translation merges bytes, so the screen can say yes
# where the words are absent ("gser_prokile" screens like "user_profile"); a yes is then
# confirmed with the exact regex, which runs only on those few files.
# (Measured and dropped: a second sentinel for the bytes that follow anchors, for a two-byte
# literal prefix. Those followers are r, e, s, t...: translating them made the rest of the
# pattern so loose that 324 files instead of 17 went on to the exact regex, for no gain.)
_SENTINEL = 0
_FOLD = bytes(b + 32 if 65 <= b <= 90 else b for b in range(256))  # ASCII upper -> lower


def _folded_frequency() -> dict[int, int]:
    out: dict[int, int] = {}
    for byte, count in FREQUENCY.items():
        out[_FOLD[byte]] = out.get(_FOLD[byte], 0) + count
    return out


@dataclass(frozen=True)
class Prefilter:
    """`search(data)` is true exactly when `exact` finds one of the words in data."""

    table: bytes  # byte translation for the screen (fold case, anchors -> sentinel)
    screen: re.Pattern[bytes]  # on translated bytes: true whenever `exact` is (and a little more)
    exact: re.Pattern[bytes]

    def search(self, data: bytes) -> bool:
        return self.screen.search(data.translate(self.table)) is not None and self.exact.search(data) is not None


def compile_screen(words: Sequence[bytes]) -> Prefilter:
    """The scanner's prefilter: a translate-and-screen pass, confirmed by the exact regex."""
    exact = compile_prefilter(words)
    try:
        # Word boundaries are left out: the screen may say yes more often, never less.
        folded = [[Atom(frozenset(_FOLD[c] for c in a.choices), a.star) for a in parse_word(part) if not a.boundary]
                  for w in words for part in expand(w)]
        anchors = choose_anchors(folded, _folded_frequency())
    except Unsupported:
        return Prefilter(bytes(range(256)), exact, exact)  # identity table: the exact regex twice
    anchor_bytes = {c for atoms, anchor in zip(folded, anchors) for c in atoms[anchor].choices}
    if _SENTINEL in anchor_bytes or 1 in anchor_bytes:
        return Prefilter(bytes(range(256)), exact, exact)
    table = bytes(_SENTINEL if _FOLD[b] in anchor_bytes else (1 if b == _SENTINEL else _FOLD[b]) for b in range(256))
    alternatives = []
    for atoms, anchor in zip(folded, anchors):
        mapped = [Atom(frozenset(table[c] for c in a.choices), a.star) for a in atoms]
        alternatives.append(_alternative(mapped, anchor, _SENTINEL))
    sentinel = re.escape(bytes([_SENTINEL]))
    if b"" in alternatives:
        return Prefilter(table, re.compile(sentinel), exact)
    return Prefilter(table, re.compile(sentinel + _dispatch(alternatives)), exact)


def _dispatch(alternatives: list[bytes]) -> bytes:
    """Alternatives grouped by their first byte behind one set test: most sentinel stops
    fail that test, and the rest try only the alternatives that begin with their byte."""
    groups: dict[bytes, list[bytes]] = {}
    for alt in dict.fromkeys(alternatives):
        lead = alt[:2] if alt.startswith(b"\\") else alt[:1]
        if lead in (b"(", b"[", b""):
            return b"(?:" + b"|".join(dict.fromkeys(alternatives)) + b")"  # no literal lead: plain branch
        groups.setdefault(lead, []).append(alt[len(lead):])
    branches = [lead + (b"(?:" + b"|".join(tails) + b")" if len(tails) > 1 or tails[0] else b"")
                for lead, tails in groups.items()]
    return b"(?=[" + b"".join(groups) + b"])(?:" + b"|".join(branches) + b")"
