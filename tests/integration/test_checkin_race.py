"""Scans racing each other leave one visit: the same code twice, or two codes at once."""

import asyncio

from backend.models import Visit
from support.auth import bearer
from support.factories import MINLE_POINT, scheduled_order

ON_SITE = {"latitude": MINLE_POINT[0] + 0.001, "longitude": MINLE_POINT[1], "accuracy": 15}


async def fresh_code(client, booked):
    _, response = await client.get(f"/api/v1/orders/{booked['order']['id']}/checkin-code",
                                   headers=bearer(booked["farmer"]))
    return response.json["token"]


async def scan(client, booked, token):
    _, response = await client.post(f"/api/v1/orders/{booked['order']['id']}/check-in",
                                    json={"token": token, "location": ON_SITE}, headers=bearer(booked["expert"]))
    return response


async def test_the_same_scan_sent_five_times_at_once_makes_one_visit(client):
    booked = await scheduled_order(client)
    token = await fresh_code(client, booked)
    responses = await asyncio.gather(*(scan(client, booked, token) for _ in range(5)))
    assert sorted(r.status for r in responses) == [200, 200, 200, 200, 201]
    assert len({r.json["id"] for r in responses}) == 1
    assert await Visit.filter(order_id=booked["order"]["id"]).count() == 1


async def test_two_different_codes_scanned_at_once_make_one_visit(client):
    booked = await scheduled_order(client)
    first, second = await fresh_code(client, booked), await fresh_code(client, booked)
    responses = await asyncio.gather(scan(client, booked, first), scan(client, booked, second))
    assert sorted(r.status for r in responses) == [201, 409]
    assert await Visit.filter(order_id=booked["order"]["id"]).count() == 1
