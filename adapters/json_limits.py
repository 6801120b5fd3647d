"""Whether a JSON document nests deeper than a cap, judged before anyone parses it.

Both JSON decoders in use (the standard library's, for the webhook, and msgspec, for request
bodies) recurse once per level and raise RecursionError somewhere near a thousand levels -
wherever the stack already is - so a deep enough document is a 500 unless it is refused
first. Elope's own bodies nest two levels and a Stripe event about ten: the cap leaves wide
room above both.

Every step runs in C (replace, split, translate, accumulate) and none can backtrack: a
hostile mebibyte costs well under 100 ms, a real body microseconds.
"""

from __future__ import annotations

import re
from array import array
from itertools import accumulate

MAX_JSON_DEPTH = 64

# Each opening one level down, each closing one up (as signed bytes); objects and arrays
# alike, and everything else dropped.
_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
# Once escapes are gone a string is quote, non-quotes, quote: nothing to backtrack over.
_STRING = re.compile(rb'"[^"]*"')


def nested_too_deep(raw: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when `raw` nests arrays and objects more than `limit` levels deep. Malformed input
    that is not too deep gets False: the parser that follows refuses it for what it is."""
    # Escapes first, so `\"` cannot end a string; then the strings, whose brackets are text.
    unescaped = raw.replace(b"\\\\", b"").replace(b'\\"', b"")
    brackets = _STRING.sub(b"", unescaped).translate(None, _NOT_BRACKETS)
    if brackets.count(b"[") + brackets.count(b"{") <= limit:
        return False  # the common case: nothing nests deeper than it has openings
    depth = accumulate(array("b", brackets.translate(_STEPS)))
    return max(depth) > limit
