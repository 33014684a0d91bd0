"""Text shown to people: scanned content and file names are data, never terminal commands.

Snippets, messages and file names can hold ESC/OSC sequences (title changes, screen clears,
hyperlinks), other control characters, bidi overrides or undecodable bytes. Every human
format (text, GitHub annotations, Markdown) writes them escaped (`\\x1b`, `\\u202e`), whether
or not stdout is a terminal: a log viewed later is a terminal too.
"""

from __future__ import annotations

import os
import re

# Not printable per Unicode (C0/C1 controls, DEL, bidi and other format characters, lone
# surrogates from undecodable file names), except the tab.
_UNSAFE = re.compile(r"[^\t\x20-\x7e\xa0-\uffff]|[\u2028\u2029\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ud800-\udfff]")


def safe(text: str) -> str:
    """The text with every unsafe character written as a Python-style escape."""
    if text.isascii() and text.isprintable():
        return text  # the common case, without a regex pass
    return _UNSAFE.sub(lambda m: _escape(m.group()), text)


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def plural(count: int, word: str, many: str | None = None) -> str:
    """'1 file', '2 files', '0 errors'."""
    return f"{count} {word if count == 1 else many or word + 's'}"


def shown_path(path: str | os.PathLike) -> str:
    """A path given on the command line, as one safe line (undecodable bytes escaped)."""
    return safe(os.fsdecode(path))
