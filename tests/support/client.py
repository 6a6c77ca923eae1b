"""sanic-testing's ASGI client, started once per app instead of once per request.

The stock client re-runs the app's whole start-up (router finalisation,
extension bootstrap, listeners) around every request, which costs ~40 ms a
request and grows with each one. The app here is started once for the
session; the requests themselves go through the same ASGI path.
"""

from __future__ import annotations

import httpx
from sanic import Sanic
from sanic_testing.testing import ASGI_HOST, ASGI_PORT, SanicASGITestClient, TestingResponse


class StartedOnceASGIClient(SanicASGITestClient):
    def __init__(self, app: Sanic) -> None:
        super().__init__(app)
        self._started = False

    async def start(self) -> None:
        if self._started:
            return
        await self.sanic_app._startup()  # type: ignore[attr-defined]
        await self.sanic_app._server_event("init", "before")
        await self.sanic_app._server_event("init", "after")
        self._started = True

    async def stop(self) -> None:
        if self._started:
            await self.sanic_app._server_event("shutdown", "before")
            await self.sanic_app._server_event("shutdown", "after")
            self._started = False

    async def request(self, method, url, *args, gather_request=True, **kwargs):  # type: ignore[override]
        await self.start()
        if not url.startswith(("http:", "https:")):
            url = f"http://{ASGI_HOST}:{ASGI_PORT}{url if url.startswith('/') else '/' + url}"
        response = await httpx.AsyncClient.request(self, method, url, *args, **kwargs)
        response.__class__ = TestingResponse
        return None, response
