"""Periodic jobs: one worker at a time per job, and a failure never ends the loop."""

import asyncio

import pytest

from backend.infra import keys
from backend.infra.periodic import PeriodicJobs


class Recorder:
    """A job that notes how often it ran and how many copies of it ran at once."""

    def __init__(self, duration: float = 0.0, failures: int = 0) -> None:
        self.duration = duration
        self.failures = failures
        self.runs = 0
        self.running = 0
        self.peak = 0

    async def __call__(self) -> None:
        self.runs += 1
        self.running += 1
        self.peak = max(self.peak, self.running)
        try:
            await asyncio.sleep(self.duration)
            if self.runs <= self.failures:
                raise RuntimeError("the job failed")
        finally:
            self.running -= 1


async def wait_until(condition, timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.01)


async def test_two_workers_asking_at_the_same_moment_run_the_job_once(resources):
    job = Recorder(duration=0.05)
    first, second = PeriodicJobs(resources.redis), PeriodicJobs(resources.redis)
    for jobs in (first, second):
        jobs.register("test-once", 60, job)

    ran = await asyncio.gather(first.run_once("test-once"), second.run_once("test-once"))

    assert sorted(ran) == [False, True]
    assert job.runs == 1


async def test_the_lock_is_released_after_a_run_so_the_next_round_can_take_it(resources):
    job = Recorder()
    first, second = PeriodicJobs(resources.redis), PeriodicJobs(resources.redis)
    for jobs in (first, second):
        jobs.register("test-handover", 60, job)

    assert await first.run_once("test-handover") is True
    assert await second.run_once("test-handover") is True
    assert await resources.redis.get(keys.sweeper_lock("test-handover", 60).name) is None
    assert job.runs == 2


async def test_two_workers_looping_on_one_redis_never_run_the_job_at_the_same_time(resources):
    job = Recorder(duration=0.03)
    workers = [PeriodicJobs(resources.redis, jitter=0.5) for _ in range(2)]
    for jobs in workers:
        jobs.register("test-exclusive", 0.01, job)
        jobs.start()

    await wait_until(lambda: job.runs >= 6)
    for jobs in workers:
        await jobs.stop()

    assert job.peak == 1


async def test_a_job_that_raises_does_not_stop_the_loop_and_releases_its_lock(resources):
    job = Recorder(failures=2)
    jobs = PeriodicJobs(resources.redis)
    jobs.register("test-flaky", 0.01, job)
    jobs.start()

    await wait_until(lambda: job.runs >= 4)
    await jobs.stop()

    assert await resources.redis.get(keys.sweeper_lock("test-flaky", 60).name) is None


async def test_a_worker_whose_lock_expired_does_not_delete_the_next_holders_lock(resources):
    key = keys.sweeper_lock("test-holder", 60).name

    async def slow_job() -> None:
        # As if this run outlived its lock and another worker then took it.
        await resources.redis.set(key, "another-workers-token", ex=60)

    jobs = PeriodicJobs(resources.redis)
    jobs.register("test-holder", 60, slow_job)

    assert await jobs.run_once("test-holder") is True
    assert await resources.redis.get(key) == "another-workers-token"


async def test_a_run_that_outlives_its_lock_is_cut_off(resources):
    job = Recorder(duration=30)
    jobs = PeriodicJobs(resources.redis)
    jobs.register("test-too-slow", 60, job, lock_ttl=1)

    assert await asyncio.wait_for(jobs.run_once("test-too-slow"), timeout=5) is True
    assert job.running == 0


async def test_a_lost_redis_connection_skips_rounds_and_the_loop_resumes_when_it_is_back(resources, redis_outage):
    job = Recorder()
    jobs = PeriodicJobs(resources.redis)
    jobs.register("test-outage", 0.01, job)
    await redis_outage.start()
    jobs.start()
    try:
        await asyncio.sleep(0.3)
        assert job.runs == 0
        await redis_outage.end()
        await wait_until(lambda: job.runs >= 2, timeout=15)
    finally:
        await jobs.stop()


async def test_registering_the_same_job_twice_is_refused(resources):
    jobs = PeriodicJobs(resources.redis)
    jobs.register("test-twice", 5, Recorder())
    with pytest.raises(ValueError):
        jobs.register("test-twice", 5, Recorder())
