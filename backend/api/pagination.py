"""Opaque cursors for newest-first lists keyed by a growing id.

A cursor names the last id seen, so rows inserted meanwhile never shift a
page. The prefix keeps one list's cursor from being replayed on another.
"""

from __future__ import annotations

import base64
import binascii

from backend.domain.storable import INT64_MAX
from backend.errors import ValidationFailed


def encode_cursor(prefix: str, last_id: int) -> str:
    return base64.urlsafe_b64encode(f"{prefix}:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(prefix: str, cursor: str | None) -> int | None:
    """The last id seen, None for the first page, or a 422 for a cursor that is not ours."""
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        given, _, value = raw.partition(":")
        last = int(value)
        if given != prefix or not 0 <= last <= INT64_MAX:
            raise ValueError
        return last
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ValidationFailed(fields={"cursor": "翻页参数无效，请刷新后重试"}) from None
