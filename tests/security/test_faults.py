"""Redis and PostgreSQL going away mid-use: a clear 503, nothing half-written, recovery without a restart.

Redis faults run everywhere (the embedded fakeredis is switched off, or the
proxy to the real server is cut); database faults need the real PostgreSQL
behind its cuttable proxy (`@pytest.mark.postgres`), as does the restore drill.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from urllib.parse import urlsplit, urlunsplit

import pytest

from backend.models import AuditRecord, Order, Visit
from conftest import ON_POSTGRES, TEST_DATABASE_URL
from support.auth import bearer
from support.factories import order_body, scheduled_order

from security.world import ON_SITE


@pytest.fixture
async def database_outage(proxies):
    assert ON_POSTGRES

    class Outage:
        async def start(self):
            await proxies["database"].cut()

        async def end(self):
            await proxies["database"].restore()

    outage = Outage()
    yield outage
    await outage.end()


def assert_unavailable(response) -> None:
    assert response.status == 503, response.text
    assert response.json["error"]["code"] == "service_unavailable"
    assert set(response.json["error"]) >= {"code", "message", "fields"}


async def counts() -> tuple[int, int, int]:
    return await Order.all().count(), await Visit.all().count(), await AuditRecord.all().count()


async def _code(client, booked) -> str:
    _, response = await client.get(f"/api/v1/orders/{booked['order']['id']}/checkin-code",
                                   headers=bearer(booked["farmer"]))
    assert response.status == 200, response.text
    return response.json["token"]


async def _check_in(client, booked, token):
    _, response = await client.post(f"/api/v1/orders/{booked['order']['id']}/check-in",
                                    json={"token": token, "location": ON_SITE}, headers=bearer(booked["expert"]))
    return response


async def test_a_check_in_during_a_redis_outage_is_a_503_writes_nothing_and_its_retry_lands_once(
        client, redis_outage):
    booked = await scheduled_order(client)
    token = await _code(client, booked)
    before = await counts()
    await redis_outage.start()
    assert_unavailable(await _check_in(client, booked, token))
    await redis_outage.end()
    assert await counts() == before
    assert (await Order.get(id=booked["order"]["id"])).status == "scheduled"

    first = await _check_in(client, booked, token)
    again = await _check_in(client, booked, token)
    assert first.status == 201, first.text
    assert again.status == 200 and again.json["id"] == first.json["id"]
    assert await Visit.filter(order_id=booked["order"]["id"]).count() == 1


async def test_order_placement_with_an_idempotency_key_during_a_redis_outage_is_a_503_and_writes_nothing(
        client, redis_outage):
    booked = await scheduled_order(client)
    before = await counts()
    await redis_outage.start()
    _, response = await client.post("/api/v1/orders", json=order_body(),
                                    headers=bearer(booked["farmer"]) | {"Idempotency-Key": "outage-order-0001"})
    assert_unavailable(response)
    await redis_outage.end()
    assert await counts() == before
    _, retried = await client.post("/api/v1/orders", json=order_body(),
                                   headers=bearer(booked["farmer"]) | {"Idempotency-Key": "outage-order-0001"})
    assert retried.status == 201
    assert await Order.all().count() == before[0] + 1


@pytest.mark.postgres
async def test_order_placement_during_a_database_outage_is_a_503_and_works_again_without_a_restart(
        client, database_outage):
    booked = await scheduled_order(client)
    before = await counts()
    await database_outage.start()
    _, response = await client.post("/api/v1/orders", json=order_body(), headers=bearer(booked["farmer"]))
    assert_unavailable(response)
    await database_outage.end()
    assert await counts() == before
    _, placed = await client.post("/api/v1/orders", json=order_body(), headers=bearer(booked["farmer"]))
    assert placed.status == 201, placed.text
    assert await Order.all().count() == before[0] + 1


@pytest.mark.postgres
async def test_a_check_in_during_a_database_outage_is_a_503_and_its_retry_lands_once(client, database_outage):
    booked = await scheduled_order(client)
    token = await _code(client, booked)
    before = await counts()
    await database_outage.start()
    assert_unavailable(await _check_in(client, booked, token))
    await database_outage.end()
    assert await counts() == before
    # The code was not spent by the failed attempt, or a fresh one is shown: either way one visit results.
    first = await _check_in(client, booked, token)
    if first.status != 201:
        first = await _check_in(client, booked, await _code(client, booked))
    assert first.status == 201, first.text
    again = await _check_in(client, booked, token)
    assert again.status in (200, 400, 403, 409)
    assert await Visit.filter(order_id=booked["order"]["id"]).count() == 1


def _direct_url(database: str) -> str:
    """The real server (not the cuttable proxy), with another database name."""
    parts = urlsplit(TEST_DATABASE_URL)
    return urlunsplit(parts._replace(scheme="postgresql", path=f"/{database}"))


@pytest.mark.postgres
async def test_a_pg_dump_restores_into_a_fresh_database_with_the_same_row_counts(client, settings, tmp_path):
    assert shutil.which("pg_dump"), "pg_dump is part of the PostgreSQL client the project's CI machine has"
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    booked = await scheduled_order(client)
    token = await _code(client, booked)
    assert (await _check_in(client, booked, token)).status == 201
    expected = await counts()

    source = urlsplit(settings.database_url).path.lstrip("/")
    restored = f"{source}_restore"
    dump = tmp_path / "backup.dump"
    env = {**os.environ, "DATABASE_URL": _direct_url(source)}
    subprocess.run(["bash", f"{root}/scripts/backup.sh", str(dump)], env=env, check=True, capture_output=True,
                   timeout=120)
    assert dump.stat().st_size > 0
    target = {**os.environ, "DATABASE_URL": _direct_url(restored)}
    try:
        subprocess.run(["bash", f"{root}/scripts/restore.sh", str(dump)], env=target | {"RESTORE_CREATE": "1"},
                       check=True, capture_output=True, timeout=120)
        out = subprocess.run(
            ["psql", _direct_url(restored), "-At", "-c",
             "SELECT (SELECT count(*) FROM service_order), (SELECT count(*) FROM visit), "
             "(SELECT count(*) FROM audit_record)"],
            check=True, capture_output=True, text=True, timeout=60)
        assert tuple(int(n) for n in out.stdout.strip().split("|")) == expected
    finally:
        subprocess.run(["psql", _direct_url("postgres"), "-c", f'DROP DATABASE IF EXISTS "{restored}"'],
                       capture_output=True, timeout=60)
