"""Abuse limits: rate limits answer 429 with Retry-After, bodies and pages are bounded.

Already covered elsewhere, not repeated here: login per openid
(tests/api/test_auth.py::test_login_is_rate_limited_per_openid) and uploads
per user (tests/api/test_uploads.py::test_uploads_are_rate_limited_per_user_with_retry_after).
"""

from __future__ import annotations

import pytest

from backend.domain.roles import Role
from support.auth import bearer, login
from support.factories import PROVINCE, WUCHANG, admin_tokens, expert_tokens, scheduled_order

from security.world import ON_SITE, POOR_RATING

MISSING_LIMIT = "missing feature: no rate limit on this endpoint yet (reported to the lead)"


def assert_too_many(response) -> None:
    assert response.status == 429, response.text
    assert int(response.headers["retry-after"]) >= 1
    error = response.json["error"]
    assert error["code"] == "too_many_requests"
    assert isinstance(error["message"], str) and isinstance(error["fields"], dict)


async def hammer(send, attempts: int):
    """Call `send(i)` until it answers 429 or `attempts` run out; returns the last response."""
    response = None
    for attempt in range(attempts):
        response = await send(attempt)
        if response.status == 429:
            break
    return response


async def test_login_is_rate_limited_per_address_across_many_wechat_accounts(app, client):
    per_address = app.ctx.settings.login_rate_per_minute * 6

    async def send(attempt):
        _, response = await client.post("/api/v1/auth/wechat-login", json={"code": f"crowd-{attempt}#1"},
                                        headers={"X-Real-IP": "203.0.113.9"})
        return response

    assert_too_many(await hammer(send, 2 * per_address + 1))
    # Another address is not affected.
    _, other = await client.post("/api/v1/auth/wechat-login", json={"code": "crowd-other#1"},
                                 headers={"X-Real-IP": "203.0.113.10"})
    assert other.status == 200


async def test_phone_binding_is_rate_limited_per_user(client):
    tokens = await login(client, "phone-guesser")

    async def send(attempt):
        _, response = await client.post("/api/v1/auth/phone", json={"code": f"phone-1390000{attempt:04d}"},
                                        headers=bearer(tokens))
        return response

    assert_too_many(await hammer(send, 30))


async def test_check_in_scans_are_rate_limited_per_expert(app, client):
    booked = await scheduled_order(client)

    async def send(attempt):
        _, response = await client.post(f"/api/v1/orders/{booked['order']['id']}/check-in",
                                        json={"token": f"guessed-token-{attempt:06d}", "location": ON_SITE},
                                        headers=bearer(booked["expert"]))
        return response

    assert_too_many(await hammer(send, 2 * app.ctx.settings.scan_rate_per_minute + 1))


async def test_base_scans_are_rate_limited_per_person(app, client):
    tokens, _ = await expert_tokens(client, "base-scanner")

    async def send(attempt):
        _, response = await client.post("/api/v1/bases/check-in",
                                        json={"token": f"guessed-base-token-{attempt:06d}", "location": ON_SITE},
                                        headers=bearer(tokens))
        return response

    assert_too_many(await hammer(send, 2 * app.ctx.settings.scan_rate_per_minute + 1))


async def test_ratings_are_rate_limited_per_requester(app, client):
    tokens = await login(client, "rating-spammer")

    async def send(attempt):
        _, response = await client.put(f"/api/v1/visits/{attempt + 1}/rating", json=POOR_RATING,
                                       headers=bearer(tokens))
        return response

    assert_too_many(await hammer(send, 2 * app.ctx.settings.rating_rate_per_minute + 1))


@pytest.fixture(scope="module")
def small_body_server(tmp_path_factory):
    """`python -m backend serve` (Sanic's own server, as in production) with a 64 KiB body limit.

    In-process ASGI requests bypass REQUEST_MAX_SIZE (the ASGI server is meant to enforce it),
    so the limit is checked on the real server.
    """
    from support.served import served_app

    with served_app(tmp_path_factory.mktemp("bodylimit"), {"MAX_BODY_BYTES": "65536"}) as base:
        yield base


def test_a_body_over_the_size_limit_is_a_413_in_the_error_shape(small_body_server):
    import httpx

    oversized = b'{"code": "' + b"x" * 70_000 + b'"}'
    response = httpx.post(f"{small_body_server}/api/v1/auth/wechat-login", content=oversized,
                          headers={"content-type": "application/json"}, timeout=10)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    assert response.json()["error"]["fields"] == {}
    within = httpx.post(f"{small_body_server}/api/v1/auth/wechat-login", json={"code": "x" * 1000}, timeout=10)
    assert within.status_code != 413


PAGED = [
    ("/api/v1/orders", Role.REQUESTER),
    ("/api/v1/board", Role.EXPERT),
    ("/api/v1/notifications", Role.REQUESTER),
    ("/api/v1/experts", Role.PROVINCE_ADMIN),
    ("/api/v1/achievements", Role.REQUESTER),
    ("/api/v1/orders/search?q=苹果", Role.REQUESTER),
]


async def _tokens_for(client, role: Role) -> dict:
    if role == Role.REQUESTER:
        return await login(client, "pager")
    if role == Role.EXPERT:
        return (await expert_tokens(client, "pager-expert"))[0]
    return await admin_tokens(client, "pager-admin", role, PROVINCE if role == Role.PROVINCE_ADMIN else WUCHANG)


@pytest.mark.parametrize("path,role", PAGED)
async def test_a_page_larger_than_50_is_refused_with_422(app, client, path, role):
    assert any(route.path.lstrip("/") == path.split("?")[0].lstrip("/") for route in app.router.routes), path
    tokens = await _tokens_for(client, role)
    joiner = "&" if "?" in path else "?"
    _, fine = await client.get(f"{path}{joiner}limit=50", headers=bearer(tokens))
    assert fine.status == 200, fine.text
    _, response = await client.get(f"{path}{joiner}limit=51", headers=bearer(tokens))
    assert response.status == 422, response.text
    assert "limit" in response.json["error"]["fields"]
