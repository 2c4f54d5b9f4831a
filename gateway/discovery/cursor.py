"""Cursors for paging through merged works.

A cursor is the position after the last work of a page, bound to the
search it came from: a cursor from another search (other text or filters)
is refused rather than silently paging through something else.
"""

from __future__ import annotations

import base64
import hashlib

import orjson

__all__ = ["InvalidCursor", "decode_cursor", "encode_cursor", "search_fingerprint"]


class InvalidCursor(ValueError):
    pass


def search_fingerprint(text: str, filters: object) -> str:
    canonical = orjson.dumps([text, filters], option=orjson.OPT_SORT_KEYS)
    return hashlib.blake2b(canonical, digest_size=8).hexdigest()


def encode_cursor(position: int, fingerprint: str) -> str:
    raw = orjson.dumps({"p": position, "s": fingerprint})
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, fingerprint: str) -> int:
    """The position a cursor stands for, if it belongs to this search."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        content = orjson.loads(base64.urlsafe_b64decode(padded))
        position, bound_to = content["p"], content["s"]
    except (ValueError, KeyError, TypeError) as error:
        raise InvalidCursor("the cursor is not one this gateway gave out") from error
    if bound_to != fingerprint or not isinstance(position, int) or position < 0:
        raise InvalidCursor("the cursor belongs to another search")
    return position
