import time

import jwt
import pytest

from backend.seed.loader import demo_openid
from support.auth import bearer, login


async def test_a_first_wechat_login_registers_a_requester_and_returns_tokens(client):
    tokens = await login(client, "new-farmer")
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 900
    assert tokens["user"]["roles"] == ["requester"]
    assert tokens["user"]["active_role"] == "requester"
    _, response = await client.get("/api/v1/me", headers=bearer(tokens))
    assert response.status == 200
    assert response.json["id"] == tokens["user"]["id"]


async def test_logging_in_twice_as_the_same_wechat_user_finds_the_same_account(client):
    first = await login(client, "same-person")
    second = await login(client, "same-person")
    assert first["user"]["id"] == second["user"]["id"]


async def test_an_invalid_code_is_refused_with_a_clear_400(client):
    _, response = await client.post("/api/v1/auth/wechat-login", json={"code": "invalid-code-1"})
    assert response.status == 400
    assert response.json["error"]["code"] == "wechat_code_invalid"
    assert "微信" in response.json["error"]["message"]


async def test_a_reused_code_is_refused(client):
    _, first = await client.post("/api/v1/auth/wechat-login", json={"code": "once-only#1"})
    assert first.status == 200
    _, second = await client.post("/api/v1/auth/wechat-login", json={"code": "once-only#1"})
    assert second.status == 400
    assert second.json["error"]["code"] == "wechat_code_used"


async def test_wechat_busy_answers_503_not_500(client):
    _, response = await client.post("/api/v1/auth/wechat-login", json={"code": "busy"})
    assert response.status == 503
    assert response.json["error"]["code"] == "wechat_unavailable"


async def test_wechat_rate_limit_answers_429(client):
    _, response = await client.post("/api/v1/auth/wechat-login", json={"code": "frequent"})
    assert response.status == 429
    assert response.json["error"]["code"] == "wechat_rate_limited"


async def test_login_is_rate_limited_per_openid(app, client):
    limit = app.ctx.settings.login_rate_per_minute
    statuses = []
    # Up to twice the limit: the fixed window may roll over mid-loop, and the limit must still bite.
    for attempt in range(2 * limit + 1):
        _, response = await client.post("/api/v1/auth/wechat-login", json={"code": f"eager#{attempt}"})
        statuses.append(response.status)
        if response.status == 429:
            assert int(response.headers["retry-after"]) >= 1
            assert response.json["error"]["code"] == "too_many_requests"
            break
    assert statuses[-1] == 429
    assert statuses.count(200) >= limit
    assert set(statuses[:-1]) == {200}


async def test_an_expired_access_token_is_refused(app, client):
    tokens = await login(client, "clock-watcher")
    codec = app.ctx.resources.access_tokens
    expired = codec.issue(tokens["user"]["id"], "requester", None, "fam", now=time.time() - 3600)
    _, response = await client.get("/api/v1/me", headers=bearer(expired))
    assert response.status == 401
    assert response.json["error"]["code"] == "token_expired"


async def test_a_tampered_access_token_is_refused(client):
    tokens = await login(client, "tamperer")
    header, payload, signature = tokens["access_token"].split(".")
    forged_payload = jwt.utils.base64url_encode(b'{"sub":"1","role":"province_admin","typ":"access","iat":1,"exp":9999999999}').decode()
    _, response = await client.get("/api/v1/me", headers=bearer(f"{header}.{forged_payload}.{signature}"))
    assert response.status == 401
    assert response.json["error"]["code"] == "token_invalid"


@pytest.mark.parametrize("algorithm", ["none", "HS512"])
async def test_a_token_signed_with_another_algorithm_is_refused(app, client, algorithm):
    tokens = await login(client, f"alg-{algorithm}")
    secret = app.ctx.settings.signing_keys[0][1]
    claims = {"sub": str(tokens["user"]["id"]), "role": "province_admin", "typ": "access",
              "iat": int(time.time()), "exp": int(time.time()) + 600}
    forged = jwt.encode(claims, None if algorithm == "none" else secret, algorithm=algorithm, headers={"kid": "dev"})
    _, response = await client.get("/api/v1/me", headers=bearer(forged))
    assert response.status == 401
    assert response.json["error"]["code"] == "token_invalid"


async def test_a_missing_token_asks_to_log_in(client):
    _, response = await client.get("/api/v1/me")
    assert response.status == 401
    assert response.json["error"] == {"code": "not_authenticated", "message": "请先登录", "fields": {}}


async def test_refresh_rotates_and_the_old_refresh_token_stops_working(client):
    tokens = await login(client, "rotator")
    _, refreshed = await client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status == 200
    assert refreshed.json["refresh_token"] != tokens["refresh_token"]
    _, me = await client.get("/api/v1/me", headers=bearer(refreshed.json))
    assert me.status == 200


async def test_reusing_an_old_refresh_token_revokes_the_whole_login(client):
    tokens = await login(client, "victim")
    _, rotated = await client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert rotated.status == 200
    _, replay = await client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert replay.status == 401
    assert replay.json["error"]["code"] == "refresh_token_reused"
    # The legitimate holder's newer token died with the family.
    _, after = await client.post("/api/v1/auth/refresh", json={"refresh_token": rotated.json["refresh_token"]})
    assert after.status == 401


async def test_a_reuse_revokes_only_that_login_not_the_users_other_devices(client):
    phone = await login(client, "two-devices")
    tablet = await login(client, "two-devices")
    await client.post("/api/v1/auth/refresh", json={"refresh_token": phone["refresh_token"]})
    await client.post("/api/v1/auth/refresh", json={"refresh_token": phone["refresh_token"]})
    _, response = await client.post("/api/v1/auth/refresh", json={"refresh_token": tablet["refresh_token"]})
    assert response.status == 200


async def test_logout_revokes_the_refresh_token(client):
    tokens = await login(client, "leaver")
    _, response = await client.post("/api/v1/auth/logout", json={"refresh_token": tokens["refresh_token"]})
    assert response.status == 204
    _, refresh = await client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refresh.status == 401
    assert refresh.json["error"]["code"] == "token_invalid"


async def test_a_garbage_refresh_token_is_refused_without_a_500(client):
    _, response = await client.post("/api/v1/auth/refresh", json={"refresh_token": "not-a-token"})
    assert response.status == 401


async def test_binding_a_phone_shows_it_masked(client):
    tokens = await login(client, "binder")
    _, response = await client.post("/api/v1/auth/phone", json={"code": "phone-13912345678"},
                                    headers=bearer(tokens))
    assert response.status == 200
    assert response.json["user"]["phone_masked"] == "139****5678"
    assert "13912345678" not in response.text


async def test_binding_a_phone_claims_the_roles_an_admin_was_provisioned_with(client):
    from backend.domain.roles import Role
    from backend.services.users import grant_role

    await grant_role(Role.LOCAL_ADMIN, phone="13955550001", name="县人社局 孙科长", region_code="230184000000")
    tokens = await login(client, "new-county-officer")
    _, response = await client.post("/api/v1/auth/phone", json={"code": "phone-13955550001"}, headers=bearer(tokens))
    assert response.status == 200
    assert response.json["user"]["roles"] == ["requester", "local_admin"]
    assert response.json["user"]["name"] == "县人社局 孙科长"


async def test_a_phone_bound_to_another_wechat_account_cannot_be_taken(client):
    owner = await login(client, "owner")
    await client.post("/api/v1/auth/phone", json={"code": "phone-13966660001"}, headers=bearer(owner))
    thief = await login(client, "thief")
    _, response = await client.post("/api/v1/auth/phone", json={"code": "phone-13966660001"}, headers=bearer(thief))
    assert response.status == 409
    assert response.json["error"]["code"] == "phone_taken"


async def test_a_user_with_several_roles_switches_the_active_one(client):
    from backend.domain.roles import Role
    from backend.services.users import grant_role

    await grant_role(Role.REQUESTER, openid=demo_openid("dual"), name="双重身份")
    await grant_role(Role.EXPERT, openid=demo_openid("dual"))
    tokens = await login(client, "dual")
    assert set(tokens["user"]["roles"]) == {"requester", "expert"}
    assert tokens["user"]["active_role"] == "expert"
    _, switched = await client.post("/api/v1/auth/switch-role", json={"role": "requester"}, headers=bearer(tokens))
    assert switched.status == 200
    assert switched.json["user"]["active_role"] == "requester"
    # A refresh later keeps the chosen role.
    _, refreshed = await client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.json["user"]["active_role"] == "requester"


async def test_switching_to_a_role_not_held_is_forbidden(client):
    tokens = await login(client, "plain-farmer")
    _, response = await client.post("/api/v1/auth/switch-role", json={"role": "province_admin"}, headers=bearer(tokens))
    assert response.status == 403
    assert response.json["error"]["code"] == "role_not_held"
