"""Reading a JWT's header to choose its key, once.

Every token here (access tokens, check-in codes, base codes) names its key in the header
(`kid`), so the key is chosen before the token is verified. PyJWT's `get_unverified_header`
parses and checks the whole token just as `jwt.decode` does again afterwards: choosing the key
cost as much as verifying (about 40 µs each, mostly PyJWT checking the token character by
character). Here the header alone is decoded; `jwt.decode` still checks all of the token,
header included, with the chosen key.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from typing import Any

import orjson

# Every module that signs or verifies a token picks its key here: HS256 gets its secrets prepared once.
from backend.infra import jwt_hmac  # noqa: F401

_SEGMENT = re.compile(r"[A-Za-z0-9_-]+")


def unverified_header(token: str) -> dict[str, Any] | None:
    """The token's header as a dict, or None when the token does not even look like a JWT."""
    head, dot, _ = token.partition(".")
    if not dot or len(head) % 4 == 1 or not _SEGMENT.fullmatch(head):
        return None
    try:
        header = orjson.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    except (ValueError, binascii.Error):
        return None
    return header if isinstance(header, dict) else None


def secret_for(header: Mapping[str, Any], secrets: Mapping[str, str]) -> str | None:
    """The secret of the key the header names; None for an unknown or malformed key id."""
    kid = header.get("kid")
    return secrets.get(kid) if isinstance(kid, str) else None
