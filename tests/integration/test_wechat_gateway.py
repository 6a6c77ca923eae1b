"""The WeChat gateway against the fake WeChat server on 127.0.0.1.

Redis is fakeredis unless TEST_REDIS_URL names a real server; each test uses
its own appid, so its token and lock keys are its own and are deleted after.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import threading

import fakeredis
import pytest
import pytest_asyncio
import redis.asyncio as aioredis
from wechatpy.client.base import BaseWeChatClient

from backend.config import Settings
from backend.errors import (
    WeChatCodeInvalid,
    WeChatCodeUsed,
    WeChatRateLimited,
    WeChatUnavailable,
)
from backend.infra import keys
from backend.infra.wechat.fake_server import (
    PHONE_PATH,
    SESSION_PATH,
    SUBSCRIBE_PATH,
    TOKEN_PATH,
    FakeWeChatServer,
)
from backend.infra.wechat.gateway import (
    PNG_SIGNATURE,
    WeChatGateway,
    WeChatMessageRefused,
    build_wechat_gateway,
)

pytestmark = pytest.mark.asyncio

SECRET = "test-wechat-secret"


@pytest.fixture(scope="module")
def wechat_server():
    with FakeWeChatServer(secret=SECRET) as server:
        yield server


@pytest.fixture(autouse=True)
def _clean_server(wechat_server):
    wechat_server.reset()
    yield
    wechat_server.reset()


@pytest.fixture
def appid() -> str:
    return f"wxtest{secrets.token_hex(6)}"


@pytest_asyncio.fixture
async def redis(appid):
    url = os.environ.get("TEST_REDIS_URL")
    client = aioredis.from_url(url) if url else fakeredis.aioredis.FakeRedis()
    yield client
    await client.delete(keys.wechat_access_token(appid).name, keys.wechat_access_token_lock(appid).name)
    await client.aclose()


@pytest_asyncio.fixture
async def make_gateway(wechat_server, redis, appid):
    made: list[WeChatGateway] = []

    def make(timeout: float = 3.0, secret: str = SECRET) -> WeChatGateway:
        gateway = WeChatGateway(
            appid=appid, secret=secret, base_url=wechat_server.url, redis=redis, timeout=timeout
        )
        made.append(gateway)
        return gateway

    yield make
    for gateway in made:
        await gateway.close()


@pytest.fixture
def gateway(make_gateway) -> WeChatGateway:
    return make_gateway()


def unique(identity: str) -> str:
    return f"{identity}#{secrets.token_hex(4)}"


# --- login ------------------------------------------------------------------


async def test_a_login_code_returns_the_openid_of_its_identity(gateway):
    session = await gateway.code_to_session(unique("demo-requester"))

    assert session.openid == "fake-openid-demo-requester"
    assert session.unionid == "fake-unionid-demo-requester"
    assert session.session_key


async def test_the_session_key_is_kept_out_of_the_repr(gateway):
    session = await gateway.code_to_session(unique("demo-expert"))

    assert session.session_key not in repr(session)


async def test_a_reused_login_code_raises_code_used(gateway):
    code = unique("demo-requester")
    await gateway.code_to_session(code)

    with pytest.raises(WeChatCodeUsed):
        await gateway.code_to_session(code)


async def test_an_invalid_login_code_raises_code_invalid(gateway):
    with pytest.raises(WeChatCodeInvalid):
        await gateway.code_to_session(unique("invalid"))


async def test_wechat_being_busy_raises_unavailable(gateway):
    with pytest.raises(WeChatUnavailable):
        await gateway.code_to_session(unique("busy"))


async def test_the_minute_quota_raises_rate_limited(gateway):
    with pytest.raises(WeChatRateLimited):
        await gateway.code_to_session(unique("frequent"))


async def test_an_injected_busy_answer_raises_unavailable_and_leaves_the_code_usable(gateway, wechat_server):
    code = unique("demo-requester")
    wechat_server.fail_next(SESSION_PATH, -1)

    with pytest.raises(WeChatUnavailable):
        await gateway.code_to_session(code)
    assert (await gateway.code_to_session(code)).openid == "fake-openid-demo-requester"


async def test_an_injected_45011_raises_rate_limited(gateway, wechat_server):
    wechat_server.fail_next(SESSION_PATH, 45011)

    with pytest.raises(WeChatRateLimited):
        await gateway.code_to_session(unique("demo-requester"))


async def test_an_http_502_raises_unavailable(gateway, wechat_server):
    wechat_server.fail_next(SESSION_PATH, 502)

    with pytest.raises(WeChatUnavailable):
        await gateway.code_to_session(unique("demo-requester"))


async def test_a_server_slower_than_the_timeout_raises_unavailable(make_gateway, wechat_server):
    gateway = make_gateway(timeout=0.3)
    wechat_server.set_delay(1.0)

    with pytest.raises(WeChatUnavailable):
        await gateway.code_to_session(unique("demo-requester"))


async def test_a_server_that_is_not_there_raises_unavailable(redis, appid):
    gateway = WeChatGateway(appid=appid, secret=SECRET, base_url="http://127.0.0.1:9", redis=redis, timeout=1)
    try:
        with pytest.raises(WeChatUnavailable):
            await gateway.code_to_session(unique("demo-requester"))
    finally:
        await gateway.close()


# --- phone number and the access token --------------------------------------


async def test_the_phone_number_comes_back(gateway):
    assert await gateway.phone_number("phone-13800001234") == "13800001234"


async def test_another_phone_code_gives_a_stable_fake_number(gateway):
    first = await gateway.phone_number("some-phone-code")

    assert first.startswith("1380000") and len(first) == 11
    assert await gateway.phone_number("some-phone-code") == first


async def test_an_invalid_phone_code_raises_code_invalid(gateway):
    with pytest.raises(WeChatCodeInvalid):
        await gateway.phone_number("invalid-phone-code")


async def test_the_access_token_is_fetched_once_and_reused_across_calls(gateway, wechat_server, appid):
    await gateway.phone_number("phone-13800001234")
    await gateway.phone_number("phone-13800005678")
    await gateway.send_subscribe_message("openid-1", "tpl-1", {"thing1": "果树病虫害诊断"})

    assert wechat_server.tokens_issued(appid) == 1


async def test_two_gateways_sharing_redis_share_one_access_token(make_gateway, wechat_server, appid):
    worker_a, worker_b = make_gateway(), make_gateway()

    await worker_a.phone_number("phone-13800001234")
    await worker_b.phone_number("phone-13800005678")
    await worker_a.phone_number("phone-13800009999")

    assert wechat_server.tokens_issued(appid) == 1


async def test_an_expired_token_answer_refreshes_the_token_and_succeeds(gateway, wechat_server, appid):
    await gateway.phone_number("phone-13800001234")
    wechat_server.fail_next(PHONE_PATH, 42001)

    assert await gateway.phone_number("phone-13800005678") == "13800005678"
    assert wechat_server.tokens_issued(appid) == 2


async def test_tokens_expired_on_the_server_are_replaced_in_redis(gateway, wechat_server, redis, appid):
    await gateway.phone_number("phone-13800001234")
    old = await redis.get(keys.wechat_access_token(appid).name)
    wechat_server.expire_tokens()

    assert await gateway.phone_number("phone-13800005678") == "13800005678"
    assert await redis.get(keys.wechat_access_token(appid).name) != old


async def test_a_token_rejected_twice_raises_unavailable(gateway, wechat_server):
    wechat_server.fail_next(PHONE_PATH, 40001, times=2)

    with pytest.raises(WeChatUnavailable):
        await gateway.phone_number("phone-13800001234")


async def test_concurrent_first_calls_fetch_the_token_once(make_gateway, wechat_server, appid):
    workers = [make_gateway() for _ in range(3)]
    calls = [workers[i % 3].phone_number(f"phone-1380000{i:04d}") for i in range(20)]

    phones = await asyncio.gather(*calls)

    assert phones == [f"1380000{i:04d}" for i in range(20)]
    assert wechat_server.tokens_issued(appid) == 1


async def test_a_wrong_app_secret_raises_unavailable(make_gateway):
    gateway = make_gateway(secret="not-the-secret")

    with pytest.raises(WeChatUnavailable):
        await gateway.phone_number("phone-13800001234")


async def test_a_busy_token_endpoint_raises_unavailable_and_releases_the_lock(
    gateway, wechat_server, redis, appid
):
    wechat_server.fail_next(TOKEN_PATH, -1)

    with pytest.raises(WeChatUnavailable):
        await gateway.phone_number("phone-13800001234")
    assert await redis.get(keys.wechat_access_token_lock(appid).name) is None
    assert await gateway.phone_number("phone-13800001234") == "13800001234"


# --- subscribe messages and mini-program codes -------------------------------


async def test_a_subscribe_message_is_recorded_by_the_fake(gateway, wechat_server, appid):
    openid = f"openid-{secrets.token_hex(4)}"

    await gateway.send_subscribe_message(
        openid, "tpl-order-dispatched", {"thing1": "果树病虫害诊断", "time2": {"value": "2025-05-01 09:00"}},
        page="pages/orders/detail?id=7",
    )

    sent = [m for m in wechat_server.messages if m["touser"] == openid]
    assert sent == [
        {
            "appid": appid,
            "touser": openid,
            "template_id": "tpl-order-dispatched",
            "page": "pages/orders/detail?id=7",
            "data": {"thing1": {"value": "果树病虫害诊断"}, "time2": {"value": "2025-05-01 09:00"}},
        }
    ]


async def test_a_refused_subscribe_message_raises_message_refused(gateway):
    with pytest.raises(WeChatMessageRefused) as refused:
        await gateway.send_subscribe_message("fail-openid", "tpl-1", {"thing1": "x"})

    assert refused.value.status == 409


async def test_a_busy_subscribe_send_raises_unavailable_so_the_outbox_retries(gateway, wechat_server):
    wechat_server.fail_next(SUBSCRIBE_PATH, -1)

    with pytest.raises(WeChatUnavailable):
        await gateway.send_subscribe_message("openid-1", "tpl-1", {"thing1": "x"})


async def test_mini_program_code_returns_png_bytes(gateway):
    png = await gateway.mini_program_code("order=42", "pages/visits/check-in")

    assert png.startswith(PNG_SIGNATURE)


async def test_a_scene_too_long_raises_unavailable_not_a_crash(gateway):
    with pytest.raises(WeChatUnavailable):
        await gateway.mini_program_code("x" * 33, "pages/visits/check-in")


# --- threading and wiring ---------------------------------------------------


async def test_no_wechatpy_call_runs_on_the_event_loop_thread(gateway, monkeypatch):
    loop_thread = threading.current_thread()
    seen: list[threading.Thread] = []
    original = BaseWeChatClient._request

    def spy(self, *args, **kwargs):
        seen.append(threading.current_thread())
        return original(self, *args, **kwargs)

    monkeypatch.setattr(BaseWeChatClient, "_request", spy)

    await gateway.code_to_session(unique("demo-requester"))
    await gateway.phone_number("phone-13800001234")  # also fetches the token
    await gateway.send_subscribe_message("openid-1", "tpl-1", {"thing1": "x"})
    await gateway.mini_program_code("order=1", "pages/index/index")

    assert len(seen) == 5
    assert loop_thread not in seen


async def test_the_factory_uses_the_fake_server_url_when_configured_fake(wechat_server, redis, appid):
    settings = Settings(wechat_api_base="fake", wechat_appid=appid, wechat_secret=SECRET, wechat_timeout=2.0)
    gateway = build_wechat_gateway(settings, redis, fake_base_url=wechat_server.url)
    try:
        assert (await gateway.code_to_session(unique("demo-admin"))).openid == "fake-openid-demo-admin"
    finally:
        await gateway.close()


async def test_the_factory_refuses_fake_mode_without_a_server_url(redis):
    with pytest.raises(ValueError):
        build_wechat_gateway(Settings(wechat_api_base="fake"), redis)


async def test_log_lines_carry_no_codes_tokens_or_secrets(make_gateway, wechat_server, redis, appid, caplog):
    caplog.set_level("DEBUG", logger="backend.infra.wechat")
    gateway = make_gateway()
    code = unique("demo-requester")
    wechat_server.fail_next(PHONE_PATH, 42001)

    await gateway.code_to_session(code)
    with pytest.raises(WeChatCodeUsed):
        await gateway.code_to_session(code)
    await gateway.phone_number("phone-13800001234")
    with pytest.raises(WeChatUnavailable):
        await make_gateway(secret="wrong-secret-value").code_to_session(unique("busy"))
    token = (await redis.get(keys.wechat_access_token(appid).name)).decode()

    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert caplog.records
    for secret in (code, token, SECRET, "wrong-secret-value", "13800001234"):
        assert secret not in logged
