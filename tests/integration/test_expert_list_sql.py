"""The expert's and the requester's lists, each written as one PostgreSQL statement, answer exactly as the ORM's
scoped query does."""

import asyncpg
import pytest

from backend.domain.roles import Role
from backend.infra.tokens import AccessClaims
from backend.schemas.orders import OrderQuery
from backend.services import orders
from support.auth import bearer, login
from support.factories import (PROVINCE, WUCHANG, admin_tokens, expert_tokens, place_order, scheduled_order,
                               wuchang_team)

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
    team = await wuchang_team(client, province, leader_id, [member_id, bystander_id])

    team_order = await place_order(client, farmer)
    await _walk(client, team_order["id"], [("accept", county, {}), ("dispatch", province, {"team_id": team["id"]}),
                                           ("expert-accept", leader, {"member_ids": [leader_id, member_id]})])
    waiting = await place_order(client, farmer, description="稻瘟病防治，等待团队答复")
    await _walk(client, waiting["id"], [("accept", county, {}), ("dispatch", province, {"team_id": team["id"]})])
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


# --------------------------------------------------------------------------- experts with a long history

HISTORY = 400


async def _copies(conn, template_id: int, count: int, **columns) -> list[int]:
    """`count` copies of an order with the given columns replaced; their ids."""
    names = await conn.fetchval(
        "SELECT array_agg(column_name::text ORDER BY ordinal_position) FROM information_schema.columns "
        "WHERE table_name = 'service_order' AND column_name <> 'id'")
    replaced = list(columns)
    select = [f"${replaced.index(name) + 3}" if name in columns else name for name in names]
    rows = await conn.fetch(
        f"INSERT INTO service_order ({', '.join(names)}) SELECT {', '.join(select)} "
        f"FROM service_order CROSS JOIN generate_series(1, $2) WHERE id = $1 RETURNING id",
        template_id, count, *columns.values())
    return [row["id"] for row in rows]


async def _walk_pages(app, settings, tokens, query) -> int:
    """Every page of the caller's list for `query`, each compared with the ORM's; how many orders there were."""
    claims = _claims(app, tokens)
    walked = 0
    while True:
        fast = await orders.list_orders(settings, claims, query)
        assert fast == await orders._scoped_list(settings, claims, query)
        walked += len(fast["items"])
        if not fast["next_cursor"]:
            return walked
        query = query.model_copy(update={"cursor": fast["next_cursor"]})


async def test_a_long_history_gives_the_same_pages_from_both_queries(app, client, settings):
    booked = await scheduled_order(client, suffix="-history")
    province = await admin_tokens(client, "history-province", Role.PROVINCE_ADMIN, PROVINCE)
    leader, leader_id = await expert_tokens(client, "history-leader")
    member, member_id = await expert_tokens(client, "history-member")
    team = await wuchang_team(client, province, leader_id, [member_id])
    conn = await asyncpg.connect(settings.database_url)
    try:
        # Interleaved by id: orders dispatched to the booked expert (some closed), and orders of the team
        # dispatched to its leader (some engaged), the member named to go on a third of those.
        team_orders: list[int] = []
        for status, team_status in (("closed", "dispatched"), ("scheduled", "in_service"), ("closed", "serviced")):
            await _copies(conn, booked["order"]["id"], HISTORY // 3, status=status)
            team_orders += await _copies(conn, booked["order"]["id"], HISTORY // 3, status=team_status,
                                         expert_id=leader_id, team_id=team["id"])
        await conn.execute("INSERT INTO order_assignee (order_id, expert_id, created_at) "
                           "SELECT id, $2, now() FROM unnest($1::bigint[]) id", team_orders[::3], member_id)

        queries = [OrderQuery(), OrderQuery(status="closed"), OrderQuery(status="in_service,serviced", limit=7),
                   OrderQuery(field="planting", limit=50), OrderQuery(status="cancelled")]
        for tokens in (booked["expert"], leader, member):
            walked = [await _walk_pages(app, settings, tokens, query) for query in queries]
            assert walked[0] > HISTORY // 3  # every one of them has a long history
    finally:
        await conn.close()


async def test_a_requesters_pages_are_the_same_from_both_queries(app, client, settings):
    booked = await scheduled_order(client, suffix="-requester")
    farmer, neighbour = booked["farmer"], await login(client, "requester-neighbour")
    theirs = await place_order(client, neighbour, description="隔壁村的大豆根腐病")
    await place_order(client, farmer, description="玉米螟虫害，刚下单")
    conn = await asyncpg.connect(settings.database_url)
    try:
        # The farmer's history, interleaved by id with the neighbour's, which must never show in it.
        for status in ("closed", "cancelled", "returned"):
            await _copies(conn, booked["order"]["id"], HISTORY // 3, status=status)
            await _copies(conn, theirs["id"], 20)
    finally:
        await conn.close()
    queries = [OrderQuery(), OrderQuery(status="closed"), OrderQuery(status="submitted,scheduled", limit=7),
               OrderQuery(field="planting", limit=50), OrderQuery(field="no-such-field"),
               OrderQuery(region=WUCHANG[:6]), OrderQuery(**{"from": "2020-01-01", "to": "2099-12-31"})]
    walked = [await _walk_pages(app, settings, farmer, query) for query in queries]
    assert walked[0] == 3 * (HISTORY // 3) + 2 and walked[2] == 2
    assert [await _walk_pages(app, settings, neighbour, query) for query in queries[:2]] == [61, 0]
