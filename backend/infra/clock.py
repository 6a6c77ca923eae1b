"""The server's clock. The server, never the phone, decides what time it is.

Tests freeze it (`with frozen(at): …`) to walk deadlines across holidays.
"""

from __future__ import annotations

import contextlib
import contextvars
from datetime import datetime
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")
_frozen: contextvars.ContextVar[datetime | None] = contextvars.ContextVar("frozen_now", default=None)


def now() -> datetime:
    """The current time, aware, in China's time zone."""
    return _frozen.get() or datetime.now(CHINA)


@contextlib.contextmanager
def frozen(at: datetime):
    if at.tzinfo is None:
        raise ValueError("freeze the clock with an aware datetime")
    token = _frozen.set(at.astimezone(CHINA))
    try:
        yield
    finally:
        _frozen.reset(token)
