"""Obtain tokens the way the mini-program does: through the real login endpoint."""

from __future__ import annotations

import itertools

_nonce = itertools.count(1)


async def login(client, identity: str) -> dict:
    """Log in through the fake WeChat as `identity`; returns the token response body."""
    _, response = await client.post("/api/v1/auth/wechat-login", json={"code": f"{identity}#{next(_nonce)}"})
    assert response.status == 200, response.json
    return response.json


def bearer(tokens: dict | str) -> dict:
    token = tokens if isinstance(tokens, str) else tokens["access_token"]
    return {"Authorization": f"Bearer {token}"}
