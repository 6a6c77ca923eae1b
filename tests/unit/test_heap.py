"""Freed heap memory goes back to the system when the report asks for it."""

from __future__ import annotations

import sys

import pytest

from backend.infra import heap


def resident_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc and glibc's malloc_trim")
def test_pages_freed_between_live_blocks_are_returned():
    # 64 KB blocks (below glibc's mmap threshold, so from the heap), each followed by a small block that stays:
    # freeing the large ones leaves holes glibc keeps until it is asked to trim.
    before = resident_mb()
    large, kept = [], []
    for index in range(1600):
        large.append(bytes(64 * 1024) + bytes([index % 256]))
        kept.append(bytes(1024) + bytes([index % 256]))
    grown = resident_mb() - before
    large.clear()
    assert heap.release_free_memory() is True
    returned = before + grown - resident_mb()
    assert grown > 50 and returned > grown / 2, (grown, returned)
    assert len(kept) == 1600
