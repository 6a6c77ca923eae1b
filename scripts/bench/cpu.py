"""Where the CPU of a load run went: the app's workers, PostgreSQL, Redis and the load generator.

Throughput on a shared two-core machine moves by a third between runs; CPU time per request
barely does, because it does not count the time a process waits for the CPU. So every wrk run
is also charged, from /proc, with the CPU each side spent on it, divided by its requests.

    meter = CpuMeter(app_pids)      # before the run
    ...                             # the run (wrk as a child of this process)
    meter.per_request(requests)     # {"app_us": …, "postgres_us": …, "redis_us": …, "wrk_us": …, "total_us": …}

A PostgreSQL backend started during the run (a new pooled connection) is charged with all its
CPU; one that ended during the run is not charged at all (its last counters are gone).
"""

from __future__ import annotations

import os
import resource
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")
SIDES = ("app", "postgres", "redis", "wrk")


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU of one process so far (None once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / _TICKS


def pids_named(name: str) -> list[int]:
    """Processes whose command name is `name` (PostgreSQL's backends are all `postgres`)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == name:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def _snapshot(pids: list[int]) -> dict[int, float]:
    return {pid: seconds for pid in pids if (seconds := cpu_seconds(pid)) is not None}


def _children_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class CpuMeter:
    def __init__(self, app_pids: list[int]):
        self.app_pids = list(app_pids)
        self.start = self._processes()
        self.children = _children_seconds()

    def _processes(self) -> dict[str, dict[int, float]]:
        return {"app": _snapshot(self.app_pids), "postgres": _snapshot(pids_named("postgres")),
                "redis": _snapshot(pids_named("redis-server"))}

    def seconds(self) -> dict[str, float]:
        """CPU seconds each side spent since the meter started; wrk counts once it has been waited for."""
        now = self._processes()
        spent = {side: sum(seconds - self.start[side].get(pid, 0.0) for pid, seconds in now[side].items())
                 for side in now}
        spent["wrk"] = _children_seconds() - self.children
        return spent

    def per_request(self, requests: int) -> dict[str, float]:
        spent = self.seconds()
        per = {f"{side}_us": round(spent[side] / max(1, requests) * 1e6) for side in SIDES}
        per["total_us"] = sum(per[f"{side}_us"] for side in SIDES)
        return per
