"""The compiled prefilter, and the screen in front of it, answer exactly as the plain
alternation of the words does."""

from __future__ import annotations

import re

from hypothesis import given, settings, strategies as st

from igmigrate.prefilter import compile_prefilter, compile_screen, expand, parse_word
from igmigrate.scanner import _PREFILTER_WORDS

PLAIN = re.compile(b"|".join(_PREFILTER_WORDS))
FAST = compile_prefilter(_PREFILTER_WORDS)
SCREEN = compile_screen(_PREFILTER_WORDS)
PIECES = [b"instagr", b"INSTAGR", b"InStAfEeD", b"insta", b"gram", b"user_", b"profile", b"media", b"me/", b"/media",
          b"oauth/", b"authorize", b"access_token", b"ig_", b"exchange_token", b"refresh_", b"IGQ", b"IGQV", b"IGQW",
          b"igq", b"business_", b"basic", b"manage", b"content", b"igmigrate:", b"  \t", b"\n", b"ignore", b"IGNORE",
          b"g", b"G", b"_", b"/", b"k", b"x", b"\x00", b"\xff", b"e"]


def test_the_scanner_words_get_the_fast_form():
    assert FAST.pattern != PLAIN.pattern  # not the fallback
    assert all(parse_word(part) for word in _PREFILTER_WORDS for part in expand(word))


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=14))
def test_same_decision_as_the_plain_alternation(parts):
    data = b"".join(parts)
    assert (FAST.search(data) is None) == (PLAIN.search(data) is None)
    assert SCREEN.search(data) == (PLAIN.search(data) is not None)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200), st.sampled_from(PIECES), st.binary(max_size=50))
def test_same_decision_on_random_bytes(before, piece, after):
    data = before + piece + after
    assert (FAST.search(data) is None) == (PLAIN.search(data) is None)
    assert SCREEN.search(data) == (PLAIN.search(data) is not None)


def test_every_word_is_found_at_the_start_middle_and_end():
    samples = [b"instagr", b"INSTAGR", b"instaFEED", b"user_profile", b"user_media", b"ig_exchange_token",
               b"ig_refresh_token", b"refresh_access_token", b"oauth/authorize", b"oauth/access_token", b"me/media",
               b"IGQV", b"IGQW", b"business_basic", b"business_manage", b"business_content", b"IgMigrate:\t ignore",
               b"igmigrate:ignore"]
    for sample in samples:
        for data in (sample, b"x = '" + sample + b"'", b"abc\n" + sample):
            assert FAST.search(data), sample
            assert SCREEN.search(data), sample
            assert PLAIN.search(data), sample
    for near_miss in (b"instag", b"user_prof", b"IGQX", b"igq" + b"v", b"oauth/auth", b"me/medi", b"igmigrate ignore"):
        assert (FAST.search(near_miss) is None) == (PLAIN.search(near_miss) is None)


def test_unsupported_syntax_falls_back_to_the_plain_alternation():
    words = (rb"a.b", rb"user_profile")
    assert compile_prefilter(words).pattern == b"|".join(words)


def test_shared_anchor_and_case_insensitive_words():
    pattern = compile_prefilter((rb"(?i:abc)", rb"xbz", rb"q\s*r"))
    for text, found in ((b"ABC", True), (b"aBc", True), (b"xbz", True), (b"q \t r", True), (b"qr", True),
                        (b"ab", False), (b"xb", False), (b"q-r", False)):
        assert (pattern.search(text) is not None) == found, text


def test_the_screen_starts_with_one_literal_byte():
    # What makes it fast: the regex engine then runs its tight skip loop, not a set test.
    assert SCREEN.exact.pattern == FAST.pattern
    assert SCREEN.screen.pattern[:1] == bytes([0]) and SCREEN.screen.pattern[1:2] not in (b"|", b"*", b"?")
    assert SCREEN.table[0] != 0  # a NUL in the data is not taken for the sentinel


def test_the_screen_may_say_yes_where_only_the_exact_regex_decides():
    # Case folding and merged anchor bytes make the screen looser than the words; every
    # such yes is checked again, so the answer stays exact.
    for loose in (b"INSTAGR", b"USER_PROFILE", b"igqv", b"Me/Media"):
        translated = loose.translate(SCREEN.table)
        assert SCREEN.screen.search(translated), loose
        assert SCREEN.search(loose) == (PLAIN.search(loose) is not None), loose


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES + [b"\x01", b"U", b"F", b"/", b"K", b"B"]), max_size=14).map(b"".join).map(
    lambda data: data.swapcase() if len(data) % 2 else data))
def test_the_screen_agrees_with_the_plain_alternation_under_case_changes(data):
    assert SCREEN.search(data) == (PLAIN.search(data) is not None)


def test_words_the_compiler_cannot_model_still_screen_exactly():
    screen = compile_screen((rb"a.b", rb"user_profile"))
    for text, found in ((b"axb", True), (b"user_profile", True), (b"ab", False)):
        assert screen.search(text) == found, text


def test_a_candidate_word_inside_a_longer_identifier_is_not_a_candidate():
    # `_` and alphanumerics are word bytes: `config_refresh_token` is not `ig_refresh_token`.
    for data in (b"config_refresh_token = 1\n", b"my_user_profile_id = 2\n", b"SCOPE_user_media\n",
                 b"xbusiness_basic\n", b"do_refresh_access_token()\n"):
        assert not SCREEN.search(data), data
        assert not PLAIN.search(data), data
    for data in (b"grant_type=ig_refresh_token&", b"'user_profile,user_media'", b"scope: business_basic\n",
                 b"/refresh_access_token?", b"x = 'user_profile'"):
        assert SCREEN.search(data), data
