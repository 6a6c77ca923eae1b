"""What the database and the exports can hold of what people send: refused at the door, field by field.

Text without control characters: C0 control characters other than tab, line feed and carriage
return, and DEL. No one types them, and Excel cannot hold them: an export or the import template
carrying one would fail for the whole area. (An expert import cannot bring one: XML 1.0, and so an
.xlsx file, has no way to write them.)

Integers within 64 bits: every id and count is a PostgreSQL bigint or smaller, and a larger
number in a path or a body would fail in the database instead of being answered.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CONTROL_MESSAGE = "不能包含控制字符"
INT64_MIN, INT64_MAX = -(2 ** 63), 2 ** 63 - 1
RANGE_MESSAGE = "数值超出范围"


def has_control_characters(text: str) -> bool:
    return _CONTROL.search(text) is not None


def fits_int64(number: int) -> bool:
    return INT64_MIN <= number <= INT64_MAX
