"""Text no one types: C0 control characters other than tab, line feed and carriage return, and DEL.

Refused wherever people's text comes in as JSON or a query string (`api.validation.parse`), because
Excel cannot hold them: an export or the import template carrying one would fail for the whole
area. (An expert import cannot bring one: XML 1.0, and so an .xlsx file, has no way to write them.)
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MESSAGE = "不能包含控制字符"


def has_control_characters(text: str) -> bool:
    return _CONTROL.search(text) is not None
