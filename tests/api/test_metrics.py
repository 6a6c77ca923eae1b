"""Prometheus metrics: counted per route and outcome, and not open to the public."""

from dataclasses import replace

import pytest

from support.auth import bearer
from support.factories import MINLE_POINT, scheduled_order

TOKEN = "scrape-secret-0123456789"
SCRAPER = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def metrics_token(app):
    """The test client is not on loopback, so scrapes here carry the configured token."""
    original = app.ctx.settings
    app.ctx.settings = replace(original, metrics_token=TOKEN)
    yield
    app.ctx.settings = original


def sample(text: str, name: str, **labels) -> float:
    """The value of one sample line in the exposition text (0 when absent)."""
    wanted = ",".join(f'{key}="{value}"' for key, value in labels.items())
    for line in text.splitlines():
        if line.startswith(f"{name}{{") and all(part in line for part in wanted.split(",")):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


async def test_metrics_count_requests_by_route_pattern_and_check_ins_by_outcome(client, metrics_token):
    booked = await scheduled_order(client, suffix="-metrics")
    _, before = await client.get("/metrics", headers=SCRAPER)
    _, code = await client.get(f"/api/v1/orders/{booked['order']['id']}/checkin-code", headers=bearer(booked["farmer"]))
    location = {"latitude": MINLE_POINT[0], "longitude": MINLE_POINT[1] + 0.001, "accuracy": 10}
    await client.post(f"/api/v1/orders/{booked['order']['id']}/check-in",
                      json={"token": code.json["token"], "location": location}, headers=bearer(booked["expert"]))
    await client.post(f"/api/v1/orders/{booked['order']['id']}/check-in",
                      json={"token": "not-a-real-code-at-all", "location": location}, headers=bearer(booked["expert"]))
    _, after = await client.get("/metrics", headers=SCRAPER)
    assert after.status == 200
    route = "api/v1/orders/<order_id:int>/check-in"
    assert sample(after.text, "zjfw_http_requests_total", route=route, status="201") == \
        sample(before.text, "zjfw_http_requests_total", route=route, status="201") + 1
    assert sample(after.text, "zjfw_check_ins_total", outcome="accepted") >= 1
    assert sample(after.text, "zjfw_check_ins_total", outcome="code_invalid") >= 1
    assert 'zjfw_outbox_messages{status="pending"}' in after.text


async def test_metrics_are_not_served_to_callers_behind_the_proxy(client):
    _, response = await client.get("/metrics", headers={"X-Real-IP": "198.51.100.7"})
    assert response.status == 401


async def test_metrics_require_the_token_when_one_is_configured(client, metrics_token):
    _, refused = await client.get("/metrics", headers={"Authorization": "Bearer guessed"})
    _, allowed = await client.get("/metrics", headers=SCRAPER)
    assert refused.status == 403
    assert allowed.status == 200
