"""Scans racing each other leave one visit: the same code twice, or two codes at once."""

import asyncio

import pytest

from backend.domain.roles import Role
from backend.models import AuditRecord, Order, Visit
from support.auth import bearer, login
from support.factories import (MINLE_POINT, PROVINCE, WUCHANG, admin_tokens, expert_tokens, place_order,
                               scheduled_order, wuchang_team)

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


@pytest.mark.postgres
async def test_two_team_members_checking_out_at_the_same_moment_end_the_service(client):
    """Each check-out sees the other's visit still open; the later one must still end the service."""
    from tortoise import connections

    farmer = await login(client, "race-farmer")
    county = await admin_tokens(client, "race-county", Role.LOCAL_ADMIN, WUCHANG)
    province = await admin_tokens(client, "race-province", Role.PROVINCE_ADMIN, PROVINCE)
    leader, leader_id = await expert_tokens(client, "race-leader")
    member, member_id = await expert_tokens(client, "race-member")
    team = await wuchang_team(client, province, leader_id, [member_id])
    order = await place_order(client, farmer)
    for path, tokens, body in (("accept", county, {}), ("dispatch", province, {"team_id": team["id"]}),
                               ("expert-accept", leader, {"member_ids": [leader_id, member_id]})):
        _, response = await client.post(f"/api/v1/orders/{order['id']}/{path}", json=body, headers=bearer(tokens))
        assert response.status == 200, response.json
    booked = {"order": order, "farmer": farmer}
    visits = []
    for tokens in (leader, member):
        booked["expert"] = tokens
        response = await scan(client, booked, await fresh_code(client, booked))
        assert response.status == 201, response.json
        visits.append((response.json["id"], tokens))

    # Hold the order's row so both check-outs start (and take their snapshots) before either can finish.
    pool = connections.get("default")._pool
    async with pool.acquire() as blocker:
        lock = blocker.transaction()
        await lock.start()
        await blocker.execute("SELECT 1 FROM service_order WHERE id = $1 FOR UPDATE", order["id"])
        outs = [asyncio.ensure_future(client.post(f"/api/v1/visits/{visit_id}/check-out", json={"location": ON_SITE},
                                                  headers=bearer(tokens))) for visit_id, tokens in visits]
        for _ in range(200):
            # Inside a transaction pg_stat_activity keeps showing what it showed first: clear that snapshot.
            await blocker.execute("SELECT pg_stat_clear_snapshot()")
            waiting = await blocker.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%check_out%'")
            if waiting == 2:
                break
            await asyncio.sleep(0.02)
        assert waiting == 2
        await lock.rollback()
        responses = [response for _, response in await asyncio.gather(*outs)]
    assert [r.status for r in responses] == [200, 200], [r.json for r in responses]
    assert await Visit.filter(order_id=order["id"], status="open").count() == 0
    assert (await Order.get(id=order["id"])).status == "serviced"
    moves = await AuditRecord.filter(subject_type="order", subject_id=str(order["id"]), action="finish_service")
    assert len(moves) == 1
