"""Test set-up shared by every test.

The suite runs on the embedded defaults (SQLite file, fakeredis, the fake
WeChat server) unless TEST_DATABASE_URL / TEST_REDIS_URL name real servers.
With real servers, connections go through a local TCP proxy the fault
tests can cut, and the database is a fresh one created for this run.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from support.migrations import migration_database  # noqa: E402,F401 - the migration tests' scratch database

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
ON_POSTGRES = TEST_DATABASE_URL.startswith(("postgres://", "postgresql://"))
ON_REAL_REDIS = bool(TEST_REDIS_URL)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgres: needs PostgreSQL row locks or concurrency (runs in CI on the real server)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if ON_POSTGRES:
        return
    # On SQLite these tests cannot express what they check; CI runs them on PostgreSQL
    # (.ci/run fails if TEST_DATABASE_URL is missing there).
    skip = pytest.mark.skip(reason="needs PostgreSQL: set TEST_DATABASE_URL (CI does)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


def _through_proxy(url: str, port: int, path: str | None = None) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)
    host = f"127.0.0.1:{port}"
    netloc = f"{netloc[0]}@{host}" if len(netloc) == 2 else host
    return urlunsplit(parts._replace(netloc=netloc, path=path if path is not None else parts.path))


@pytest.fixture(scope="session")
async def proxies():
    """Cuttable proxies in front of the real PostgreSQL and Redis, when the run uses them."""
    from support.proxy import CuttableProxy

    result = {}
    if ON_POSTGRES:
        parts = urlsplit(TEST_DATABASE_URL)
        result["database"] = CuttableProxy(parts.hostname or "127.0.0.1", parts.port or 5432)
    if ON_REAL_REDIS:
        parts = urlsplit(TEST_REDIS_URL)
        result["redis"] = CuttableProxy(parts.hostname or "127.0.0.1", parts.port or 6379)
    for proxy in result.values():
        await proxy.start()
    yield result
    for proxy in result.values():
        await proxy.cut()


@pytest.fixture(scope="session")
def settings(proxies, tmp_path_factory):
    from backend.config import Settings

    var = tmp_path_factory.mktemp("var")
    if ON_POSTGRES:
        name = f"zjfw_test_{os.getpid()}_{secrets.token_hex(3)}"
        database_url = _through_proxy(TEST_DATABASE_URL, proxies["database"].port, f"/{name}")
    else:
        database_url = f"sqlite://{var / 'test.sqlite3'}"
    redis_url = _through_proxy(TEST_REDIS_URL, proxies["redis"].port) if ON_REAL_REDIS else ""
    return Settings(
        app_env="test",
        database_url=database_url,
        redis_url=redis_url,
        db_pool_size=10,
        log_json=True,
        storage_dir=str(var / "uploads"),
        login_rate_per_minute=20,
        # Room for the permission matrix, which builds many visits with one expert in a minute.
        scan_rate_per_minute=120,
    )


@pytest.fixture(scope="session")
async def resources(settings):
    from backend.infra.resources import Resources
    from backend.services.maintenance import apply_migrations
    from backend.seed.loader import load_reference_data

    res = Resources(settings)
    await res.open(create_database=ON_POSTGRES)
    await apply_migrations(settings)
    await load_reference_data()
    yield res
    if ON_POSTGRES:
        from tortoise import Tortoise

        from backend.infra.db import close_statement_pool

        # Its sessions would keep the test database from being dropped.
        await close_statement_pool()
        await Tortoise._drop_databases()
        res.is_open = False
        await res.redis.aclose()
        if res.fake_wechat is not None:
            res.fake_wechat.stop()
    else:
        await res.close()


# figure_rule holds the day threshold the figure rollups (migration 0008) count with.
REFERENCE_TABLES = {"region", "service_category", "service_item", "tortoise_migrations", "figure_rule"}


@pytest.fixture(autouse=True)
async def clean_state(request):
    """Each test starts from reference data only: no users, orders or Redis keys."""
    if "resources" not in request.fixturenames:
        yield
        return
    res = request.getfixturevalue("resources")
    from tortoise import connections

    from backend.infra.db import dialect

    conn = connections.get("default")
    if dialect() == "postgres":
        rows = await conn.execute_query_dict(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        )
        tables = [row["tablename"] for row in rows if row["tablename"] not in REFERENCE_TABLES]
        if tables:
            await conn.execute_script(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    else:
        rows = await conn.execute_query_dict("SELECT name FROM sqlite_master WHERE type = 'table'")
        tables = [row["name"] for row in rows if row["name"] not in REFERENCE_TABLES and not row["name"].startswith("sqlite_")]
        await conn.execute_script("PRAGMA foreign_keys = OFF;" + "".join(f"DELETE FROM {t};" for t in tables) + "PRAGMA foreign_keys = ON;")
    await res.redis.flushdb()
    yield


@pytest.fixture(scope="session")
def app(resources, settings):
    from backend.app import create_app

    return create_app(settings, resources, name="zjfw_test")


@pytest.fixture(scope="session")
async def client(app):
    from support.client import StartedOnceASGIClient

    started = StartedOnceASGIClient(app)
    yield started
    await started.stop()


@pytest.fixture
async def mutable_menu(resources):
    """For tests that edit the service menu: the shipped menu is restored afterwards."""
    yield
    from backend.models import OrderItem, ServiceCategory, ServiceItem
    from backend.seed.loader import load_menu

    await OrderItem.all().delete()
    await ServiceItem.all().delete()
    await ServiceCategory.all().delete()
    await load_menu()


@pytest.fixture
async def redis_outage(resources, proxies):
    """Make Redis unreachable: cut the proxy to the real server, or switch the embedded one off."""

    class Outage:
        async def start(self):
            if ON_REAL_REDIS:
                await proxies["redis"].cut()
            else:
                resources.fake_redis_server.connected = False

        async def end(self):
            if ON_REAL_REDIS:
                await proxies["redis"].restore()
            else:
                resources.fake_redis_server.connected = True

    outage = Outage()
    yield outage
    await outage.end()
