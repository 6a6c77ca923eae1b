"""Input the database cannot hold is answered with a 4xx, never a 500: ids and integers beyond 64 bits.

(Text with control characters is refused per field too: test_errors.py.) The routes come from the
app's route table, so a new route with an id in its path is covered as soon as it exists.
"""

from __future__ import annotations

import re

from backend.api.pagination import encode_cursor
from backend.domain.roles import Role
from support.auth import bearer, login
from support.factories import PROVINCE, admin_tokens, expert_tokens

BEYOND_64_BITS = 2 ** 63


async def test_an_id_beyond_64_bits_in_any_path_is_a_404_for_every_caller(app, client):
    callers = {"requester": await login(client, "huge-id-farmer"),
               "expert": (await expert_tokens(client, "huge-id-expert"))[0],
               "province_admin": await admin_tokens(client, "huge-id-province", Role.PROVINCE_ADMIN, PROVINCE)}
    answers = {}
    for route in app.router.routes:
        if ":int>" not in route.path:
            continue
        path = "/" + re.sub(r"<[^>]+:int>", str(BEYOND_64_BITS), route.path)
        path = re.sub(r"<[^>]+>", "x", path)
        for method in route.methods - {"HEAD", "OPTIONS"}:
            for caller, tokens in callers.items():
                _, response = await client.request(method, path, headers=bearer(tokens), json={})
                answers[(method, path, caller)] = response.status
    assert len(answers) > 60
    assert {key: status for key, status in answers.items() if status != 404} == {}


async def test_an_integer_beyond_64_bits_in_a_body_is_refused_per_field(client):
    admin = await admin_tokens(client, "huge-int-province", Role.PROVINCE_ADMIN, PROVINCE)
    _, response = await client.post("/api/v1/orders/1/dispatch", json={"expert_id": BEYOND_64_BITS},
                                    headers=bearer(admin))
    assert response.status == 422
    assert response.json["error"]["fields"] == {"expert_id": "数值超出范围"}


async def test_a_cursor_naming_an_id_beyond_64_bits_is_refused(client):
    tokens = await login(client, "huge-cursor-farmer")
    _, response = await client.get("/api/v1/notifications", params={"cursor": encode_cursor("n", BEYOND_64_BITS)},
                                   headers=bearer(tokens))
    assert response.status == 422
    assert set(response.json["error"]["fields"]) == {"cursor"}


async def test_the_swagger_oauth2_redirect_page_is_not_fetched_from_the_internet_but_refused(client):
    _, response = await client.get("/docs/oauth2-redirect.html")
    assert response.status == 404
    assert response.json["error"]["code"] == "not_found"
