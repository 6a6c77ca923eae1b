"""揭榜 is first-come: of many experts claiming at once, exactly one claim stands."""

import asyncio

from backend.domain.roles import Role
from backend.models import AuditRecord, Order
from support.auth import bearer, login
from support.factories import PROVINCE, WUCHANG, admin_tokens, expert_tokens, place_order

CLAIMANTS = 50


async def test_fifty_experts_claiming_the_same_order_at_once_leave_exactly_one_claim(client):
    farmer = await login(client, "race-farmer")
    county = await admin_tokens(client, "race-county", Role.LOCAL_ADMIN, WUCHANG)
    province = await admin_tokens(client, "race-province", Role.PROVINCE_ADMIN, PROVINCE)
    experts = [await expert_tokens(client, f"racer-{n:02d}") for n in range(CLAIMANTS)]
    order = await place_order(client, farmer)
    await client.post(f"/api/v1/orders/{order['id']}/accept", json={}, headers=bearer(county))
    _, published = await client.post(f"/api/v1/orders/{order['id']}/publish", json={}, headers=bearer(province))
    assert published.json["status"] == "published"

    async def claim(tokens):
        _, response = await client.post(f"/api/v1/orders/{order['id']}/claim", headers=bearer(tokens))
        return response

    responses = await asyncio.gather(*(claim(tokens) for tokens, _ in experts))
    statuses = sorted(response.status for response in responses)
    assert statuses == [200] + [409] * (CLAIMANTS - 1)
    assert all(r.json["error"]["current_status"] == "claimed" for r in responses if r.status == 409)

    winner = next(r for r in responses if r.status == 200)
    stored = await Order.get(id=order["id"])
    assert stored.status == "claimed"
    assert stored.expert_id == winner.json["expert_id"]
    assert await AuditRecord.filter(subject_id=str(order["id"]), action="claim").count() == 1
