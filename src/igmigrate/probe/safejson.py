"""json.loads with a nesting limit: servers, recordings and saved scans are untrusted input.

The stdlib parser recurses once per nesting level, so `[[[[...]]]]` a few thousand deep raises
RecursionError. The depth is measured first (limits.py, the scan's own bound for data files),
and only a document within the limit is handed to json.loads.
"""

from __future__ import annotations

import json

from igmigrate.limits import MAX_DATA_NESTING, TooDeep, check_data_nesting

MAX_DEPTH = MAX_DATA_NESTING
__all__ = ["MAX_DEPTH", "TooDeep", "loads"]


def loads(text: str | bytes, max_depth: int = MAX_DEPTH):
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    check_data_nesting(text, max_depth)
    try:
        return json.loads(text)
    except RecursionError:  # belt and braces: the pre-scan should make this unreachable
        raise TooDeep(f"nesting deeper than {max_depth} levels") from None
