"""Give freed heap memory back to the operating system after a burst of large allocations.

A province report unpacks a few MB of durations per turnaround. glibc keeps what Python frees in its
arenas (and raises its mmap threshold after the first large free, so later large blocks come from
the heap too), so a worker's resident size would stay at the report's peak for good. malloc_trim(0)
returns the free pages of every arena. Elsewhere (musl, macOS) this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache


@cache
def _malloc_trim():
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim
    except (OSError, AttributeError):
        return None


def release_free_memory() -> bool:
    """Return the heap's free pages to the system; True if the C library could."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
