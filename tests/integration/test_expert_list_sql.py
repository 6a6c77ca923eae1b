"""The expert's list written as one PostgreSQL statement answers exactly as the ORM's scoped query does."""

import pytest

from backend.domain.roles import Role
from backend.infra.tokens import AccessClaims
from backend.schemas.orders import OrderQuery
from backend.services import orders
from support.auth import bearer, login
from support.factories import PROVINCE, WUCHANG, admin_tokens, expert_tokens, place_order, scheduled_order

pytestmark = pytest.mark.postgres


async def _walk(client, order_id: int, steps) -> None:
    for path, tokens, body in steps:
        _, response = await client.post(f"/api/v1/orders/{order_id}/{path}", json=body, headers=bearer(tokens))
        assert response.status == 200, response.json


def _claims(app, tokens) -> AccessClaims:
    return app.ctx.resources.access_tokens.verify(tokens["access_token"])


async def test_every_kind_of_expert_sees_the_same_page_from_both_queries(app, client, settings):
    booked = await scheduled_order(client, suffix="-sql")
    county = await admin_tokens(client, "sql-county", Role.LOCAL_ADMIN, WUCHANG)
    province = await admin_tokens(client, "sql-province", Role.PROVINCE_ADMIN, PROVINCE)
    farmer = await login(client, "sql-farmer")
    leader, leader_id = await expert_tokens(client, "sql-leader")
    member, member_id = await expert_tokens(client, "sql-member")
    bystander, bystander_id = await expert_tokens(client, "sql-bystander")
    _, team = await client.post("/api/v1/teams", json={
        "name": "五常水稻专家服务团", "field": "planting", "region_code": WUCHANG, "leader_id": leader_id,
        "core_ids": [member_id, bystander_id], "term_start": "2026-01-01"}, headers=bearer(province))
    assert team.status == 201, team.json

    team_order = await place_order(client, farmer)
    await _walk(client, team_order["id"], [("accept", county, {}), ("dispatch", province, {"team_id": team.json["id"]}),
                                           ("expert-accept", leader, {"member_ids": [leader_id, member_id]})])
    waiting = await place_order(client, farmer, description="稻瘟病防治，等待团队答复")
    await _walk(client, waiting["id"], [("accept", county, {}), ("dispatch", province, {"team_id": team.json["id"]})])
    direct = await place_order(client, farmer, description="玉米螟虫害，直接派给专家")
    await _walk(client, direct["id"], [("accept", county, {}),
                                       ("dispatch", province, {"expert_id": booked["expert_id"]})])

    queries = [OrderQuery(), OrderQuery(limit=1), OrderQuery(status="scheduled"), OrderQuery(status="dispatched"),
               OrderQuery(field="planting"), OrderQuery(field="no-such-field"), OrderQuery(region=WUCHANG[:6]),
               OrderQuery(**{"from": "2020-01-01", "to": "2099-12-31"})]
    seen = 0
    for tokens in (booked["expert"], leader, member, bystander):
        claims = _claims(app, tokens)
        for query in queries:
            fast = await orders.list_orders(settings, claims, query)
            scoped = await orders._scoped_list(settings, claims, query)
            assert fast == scoped
            seen += len(fast["items"])
            if fast["next_cursor"]:
                following = query.model_copy(update={"cursor": fast["next_cursor"]})
                assert await orders.list_orders(settings, claims, following) == \
                    await orders._scoped_list(settings, claims, following)
    # The comparison covered real pages, not empty ones.
    assert seen > 10
