"""What a worker holds open: the database, Redis, the WeChat gateway and token stores.

The app's listeners open these once per worker. Tests open them once per
session and hand them to the app already open, so the test client's
per-request start-up does not reconnect every time.
"""

from __future__ import annotations

import logging

from backend.config import Settings
from backend.infra.checkin_codes import CheckinCodec
from backend.infra.db import close_database, open_database
from backend.infra.ratelimit import RateLimiter
from backend.infra.redis import build_redis
from backend.infra.scans import ScanGate
from backend.infra.storage import Storage, build_storage
from backend.infra.tokens import AccessTokenCodec, RefreshTokenStore
from backend.infra.wechat.gateway import WeChatGateway, build_wechat_gateway

log = logging.getLogger("backend.resources")


class Resources:
    def __init__(self, settings: Settings, database_url: str | None = None) -> None:
        self.settings = settings
        self.database_url = database_url
        self.is_open = False
        self.redis = None
        self.wechat: WeChatGateway | None = None
        self.fake_wechat = None
        self.fake_redis_server = None
        self.access_tokens = AccessTokenCodec(settings.signing_keys, settings.access_token_ttl)
        self.checkin_codes = CheckinCodec(settings.signing_keys, settings.checkin_code_ttl_seconds)
        self.refresh_tokens: RefreshTokenStore | None = None
        self.rate_limiter: RateLimiter | None = None
        self.scans: ScanGate | None = None

    async def open(self, create_database: bool = False) -> None:
        if self.is_open:
            return
        await open_database(self.settings, self.database_url, create=create_database)
        if self.settings.uses_fake_redis:
            import fakeredis

            # Kept so the embedded Redis can be switched off in fault tests, like a real one.
            self.fake_redis_server = fakeredis.FakeServer()
        self.redis = build_redis(self.settings, self.fake_redis_server)
        fake_base_url = None
        if self.settings.wechat_api_base == "fake":
            from backend.infra.wechat.fake_server import FakeWeChatServer

            self.fake_wechat = FakeWeChatServer()
            fake_base_url = self.fake_wechat.start()
            log.info("fake WeChat server listening on %s", fake_base_url)
        self.wechat = build_wechat_gateway(self.settings, self.redis, fake_base_url=fake_base_url)
        self.refresh_tokens = RefreshTokenStore(self.redis, self.settings.refresh_token_ttl)
        self.rate_limiter = RateLimiter(self.redis)
        self.scans = ScanGate(self.redis)
        self.storage: Storage = build_storage(self.settings)
        self.is_open = True

    async def close(self) -> None:
        if not self.is_open:
            return
        self.is_open = False
        await self.redis.aclose()
        if self.fake_wechat is not None:
            self.fake_wechat.stop()
        await close_database()
