"""Prometheus metrics, correct with several workers.

With more than one worker, `python -m backend serve` points
PROMETHEUS_MULTIPROC_DIR at a fresh directory before the workers start, so
each worker writes its samples there and a scrape of any worker aggregates
them all. Gauges that describe the present (outbox backlog, pool use) are
read at scrape time instead of being kept up to date.
"""

from __future__ import annotations

import os

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client import multiprocess

REQUESTS = Counter("zjfw_http_requests_total", "HTTP requests by route and status", ["route", "method", "status"])
LATENCY = Histogram(
    "zjfw_http_request_seconds", "HTTP request latency by route", ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
CHECK_INS = Counter("zjfw_check_ins_total", "Check-in attempts by outcome (accepted or the refusal code)", ["outcome"])
SWEEPS = Counter("zjfw_periodic_job_runs_total", "Periodic job runs by job and outcome", ["job", "outcome"])
OUTBOX_BACKLOG = Gauge("zjfw_outbox_messages", "Outbox messages waiting to be sent (pending) or given up on (dead)",
                       ["status"], multiprocess_mode="liveall")
OUTBOX_DELIVERIES = Counter("zjfw_outbox_deliveries_total", "Outbox send attempts by outcome (sent, retried, dead)",
                            ["outcome"])
POOL_IN_USE = Gauge("zjfw_pool_connections_in_use", "Connections in use by pool", ["pool"],
                    multiprocess_mode="liveall")

CONTENT_TYPE = CONTENT_TYPE_LATEST


def render() -> bytes:
    """The exposition text of every worker's metrics."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest()
