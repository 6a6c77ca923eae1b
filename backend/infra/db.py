"""Tortoise ORM configuration and lifecycle."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from tortoise import Tortoise, connections
from tortoise.backends.base.config_generator import expand_db_url

from backend.config import Settings

MODELS_APP = "models"


def _is_postgres_url(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://", "asyncpg://"))


def _with_pool_size(url: str, size: int) -> str:
    """Add pool bounds to a PostgreSQL URL unless the URL sets them."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.setdefault("minsize", "1")
    query.setdefault("maxsize", str(size))
    return urlunsplit(parts._replace(query=urlencode(query)))


async def _keep_session(connection) -> None:
    """Return a connection to the pool without asyncpg's reset query.

    asyncpg rolls back any open transaction itself before calling this. Its
    default reset then sends `SELECT pg_advisory_unlock_all(); CLOSE ALL;
    UNLISTEN *; RESET ALL` on every release: one more round trip per query,
    for session state this application never creates.
    """


def tortoise_config(settings: Settings, database_url: str | None = None) -> dict:
    """The config dictionary Tortoise and its migration commands read."""
    url = database_url or settings.effective_database_url
    if url.startswith("sqlite://"):
        path = url.removeprefix("sqlite://")
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    connection: str | dict = url
    if _is_postgres_url(url):
        connection = expand_db_url(_with_pool_size(url, settings.db_pool_size))
        connection["credentials"]["reset"] = _keep_session
    return {
        "connections": {"default": connection},
        "apps": {
            MODELS_APP: {
                "models": ["backend.models"],
                "default_connection": "default",
                "migrations": "backend.migrations",
            }
        },
        "use_tz": True,
        "timezone": "Asia/Shanghai",
    }


# The hand-written hot statements (visit_store, order_store) run on their own pool, whose sessions always
# use the generic plan a statement was prepared with. Left to itself, PostgreSQL re-planned the order-placing
# statement (eleven CTEs, 26 parameters) on every call because its generic estimates looked dear: 1.9 ms of
# server CPU per order against 0.6 ms on the cached plan. Their parameters are keys and flags, never
# patterns or skewed values, so one plan serves every call. ORM queries keep PostgreSQL's own choice:
# a `LIKE $1` region prefix, for one, needs a plan made for its value to use an index.
_STATEMENT_POOL: dict[str, object] = {}
_TORTOISE_ONLY = ("minsize", "maxsize", "schema")


async def _open_statement_pool(settings: Settings, url: str) -> None:
    import asyncpg

    credentials = expand_db_url(url)["credentials"]
    options = {k: v for k, v in credentials.items() if k not in _TORTOISE_ONLY and v is not None}
    _STATEMENT_POOL["pool"] = await asyncpg.create_pool(
        min_size=1, max_size=settings.db_pool_size, reset=_keep_session,
        server_settings={"plan_cache_mode": "force_generic_plan"}, **options)


async def open_database(settings: Settings, database_url: str | None = None, create: bool = False) -> None:
    """Initialise Tortoise for the whole process (and, on PostgreSQL, the hot statements' pool).

    The global fallback matters: Sanic opens the database in a start-up
    listener, and request tasks do not inherit that listener's context.
    """
    await close_statement_pool()
    await Tortoise.init(
        config=tortoise_config(settings, database_url), _create_db=create, _enable_global_fallback=True
    )
    url = database_url or settings.effective_database_url
    if _is_postgres_url(url):
        await _open_statement_pool(settings, url)


async def close_statement_pool() -> None:
    pool = _STATEMENT_POOL.pop("pool", None)
    if pool is not None:
        await pool.close()


async def close_database() -> None:
    await close_statement_pool()
    await Tortoise.close_connections()


async def ping_database() -> None:
    """Raise if the database does not answer a trivial query."""
    await connections.get("default").execute_query("SELECT 1")


def dialect() -> str:
    return connections.get("default").capabilities.dialect


def is_postgres() -> bool:
    return dialect() == "postgres"


def statement_pool():
    """The hot statements' asyncpg pool, if open (for the pool gauge)."""
    return _STATEMENT_POOL.get("pool")


def raw_connection():
    """A pooled asyncpg connection (PostgreSQL only), for the few hot paths written as single SQL statements.

    It comes from the statement pool (see above), or from Tortoise's own pool
    when the database was opened some other way.
    """
    pool = _STATEMENT_POOL.get("pool")
    if pool is not None:
        return pool.acquire()
    return connections.get("default").acquire_connection()
