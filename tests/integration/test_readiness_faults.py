"""/readyz follows the real state of PostgreSQL and Redis, and recovers without a restart."""

import pytest

from conftest import ON_POSTGRES


async def test_readyz_answers_503_while_redis_is_down_and_200_once_it_is_back(client, redis_outage):
    await redis_outage.start()
    _, down = await client.get("/readyz")
    assert down.status == 503
    assert down.json["checks"]["database"] == "ok"
    assert down.json["checks"]["redis"].startswith("Redis 不可用")
    await redis_outage.end()
    _, up = await client.get("/readyz")
    assert up.status == 200


async def test_a_request_that_needs_redis_while_it_is_down_gets_a_503_not_a_500(client, redis_outage):
    await redis_outage.start()
    _, response = await client.post("/api/v1/auth/wechat-login", json={"code": "during-outage#1"})
    assert response.status == 503
    assert response.json["error"]["code"] == "service_unavailable"
    await redis_outage.end()
    _, response = await client.post("/api/v1/auth/wechat-login", json={"code": "after-outage#1"})
    assert response.status == 200


@pytest.mark.postgres
async def test_readyz_answers_503_while_the_database_is_down_and_200_once_it_is_back(client, proxies):
    assert ON_POSTGRES
    await proxies["database"].cut()
    try:
        _, down = await client.get("/readyz")
        assert down.status == 503
        assert down.json["checks"]["database"].startswith("数据库不可用")
    finally:
        await proxies["database"].restore()
    _, up = await client.get("/readyz")
    assert up.status == 200
    _, again = await client.get("/readyz")
    assert again.status == 200
