import re


async def test_healthz_answers_while_the_process_is_up(client):
    _, response = await client.get("/healthz")
    assert response.status == 200
    assert response.json == {"status": "ok"}


async def test_readyz_is_ready_when_database_and_redis_answer(client):
    _, response = await client.get("/readyz")
    assert response.status == 200
    assert response.json["checks"] == {"database": "ok", "redis": "ok"}


async def test_every_response_carries_a_request_id_of_its_own(client):
    ids = set()
    for _ in range(3):
        _, response = await client.get("/healthz")
        assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])
        ids.add(response.headers["x-request-id"])
    assert len(ids) == 3


async def test_a_sane_request_id_from_the_caller_is_kept(client):
    _, response = await client.get("/healthz", headers={"X-Request-ID": "trace-abc-12345"})
    assert response.headers["x-request-id"] == "trace-abc-12345"
