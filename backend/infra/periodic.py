"""Background jobs every worker runs, one worker at a time per job.

Each worker process starts a `PeriodicJobs` after the server starts and
stops it before the server stops. For each registered job a loop sleeps
the job's interval (with jitter, so workers started together drift
apart), then tries to take the job's Redis lock (``SET NX EX`` with a
random token). The worker that gets it runs the job; the others skip
this round. The holder releases the lock with a compare-and-delete
script, so a worker whose lock expired never deletes the next holder's.

The lock gives mutual exclusion, not a schedule: with N workers a job
runs up to N times per interval, never two at once. Jobs must therefore
be idempotent (the outbox and the sweepers are). A run is cut off when
it outlives its lock, so it cannot overlap the next holder's run.

A job that raises, a lost Redis connection or a database outage is
logged (exception type only) and the loop carries on next round.
"""

from __future__ import annotations

import asyncio
import logging
import random
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis

from backend.infra import keys, metrics

log = logging.getLogger(__name__)

# Deletes the lock only while it still holds this worker's token.
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('del', KEYS[1])
end
return 0
"""
MIN_LOCK_TTL = 30


@dataclass(frozen=True)
class Job:
    name: str
    interval: float
    fn: Callable[[], Awaitable[Any]]
    lock_ttl: int


class PeriodicJobs:
    """The periodic jobs of one worker; `register` them, then `start` and later `stop`."""

    def __init__(self, redis: aioredis.Redis, *, jitter: float = 0.2) -> None:
        self._redis = redis
        self._jitter = jitter
        self._jobs: dict[str, Job] = {}
        self._tasks: list[asyncio.Task] = []
        self._stopping = asyncio.Event()

    @property
    def jobs(self) -> list[Job]:
        return list(self._jobs.values())

    def register(self, name: str, interval: float, fn: Callable[[], Awaitable[Any]], *,
                 lock_ttl: int | None = None) -> None:
        """Run `fn()` about every `interval` seconds; the lock (and so a run) lasts at most `lock_ttl` seconds."""
        if name in self._jobs:
            raise ValueError(f"a periodic job named {name!r} is already registered")
        if interval <= 0:
            raise ValueError("interval must be positive")
        ttl = lock_ttl or max(MIN_LOCK_TTL, int(interval * 2))
        self._jobs[name] = Job(name, interval, fn, ttl)

    def start(self, app: Any = None) -> None:
        """Start one loop per job: as named Sanic tasks of a running `app`, or plain asyncio tasks."""
        self._stopping.clear()
        for job in self._jobs.values():
            name = f"periodic:{job.name}"
            if app is not None:
                # Unregistered: Sanic cancels registered tasks on stop before the listener could let them finish.
                self._tasks.append(app.add_task(self._loop(job), name=name, register=False))
            else:
                self._tasks.append(asyncio.create_task(self._loop(job), name=name))

    async def stop(self, grace: float = 5.0) -> None:
        """Let running jobs finish for up to `grace` seconds, then cancel what is left."""
        self._stopping.set()
        tasks, self._tasks = self._tasks, []
        if not tasks:
            return
        _, pending = await asyncio.wait(tasks, timeout=grace)
        for task in pending:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def run_once(self, name: str) -> bool:
        """Run job `name` now if this worker can take its lock; True when it ran (even if it failed)."""
        job = self._jobs[name]
        key = keys.sweeper_lock(job.name, job.lock_ttl)
        token = secrets.token_hex(16)
        try:
            if not await self._redis.set(key.name, token, nx=True, ex=key.ttl):
                return False
        except Exception as exc:
            log.warning("periodic job %s: could not take the lock: %s", job.name, type(exc).__name__)
            return False
        outcome = "ok"
        try:
            await asyncio.wait_for(job.fn(), timeout=job.lock_ttl)
        except asyncio.TimeoutError:
            outcome = "timeout"
            log.warning("periodic job %s: cut off after %ss, its lock expired", job.name, job.lock_ttl)
        except Exception as exc:
            outcome = "error"
            # The traceback shows our own frames: jobs keep tokens and secrets out of their exceptions.
            log.error("periodic job %s failed: %s", job.name, type(exc).__name__, exc_info=exc)
        finally:
            metrics.SWEEPS.labels(job.name, outcome).inc()
            await self._release(key.name, token, job.name)
        return True

    async def _release(self, key: str, token: str, name: str) -> None:
        try:
            await self._redis.eval(_RELEASE, 1, key, token)
        except Exception as exc:
            # The lock expires by itself; the next round simply waits for that.
            log.warning("periodic job %s: could not release the lock: %s", name, type(exc).__name__)

    async def _loop(self, job: Job) -> None:
        while not self._stopping.is_set():
            delay = job.interval * random.uniform(1 - self._jitter, 1 + self._jitter)
            try:
                await asyncio.wait_for(self._stopping.wait(), timeout=delay)
                return
            except asyncio.TimeoutError:
                pass
            await self.run_once(job.name)


__all__ = ["Job", "PeriodicJobs"]
