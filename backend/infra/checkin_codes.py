"""Signed, short-lived, single-use codes the requester's phone shows and the expert scans.

A code is a JWT (HS256 pinned, key id in the header) naming the order, a
random nonce and a lifetime of about a minute. The phone draws the QR from
the token itself, so the server never renders per-request images. Each
code's id is consumed in Redis on first use: a screenshot sent elsewhere
expires within a minute and works once.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import jwt

from backend.errors import AppError
from backend.infra import clock
from backend.infra.jwt_header import secret_for, unverified_header

ALGORITHM = "HS256"
AUDIENCE = "zjfw:checkin"
LEEWAY_SECONDS = 5


class CodeExpired(AppError):
    status = 400
    code = "code_expired"
    message = "二维码已过期，请让对方刷新后重新扫码"


class CodeInvalid(AppError):
    status = 400
    code = "code_invalid"
    message = "二维码无效，请扫描需求方手机上的签到码"


class CodeUsed(AppError):
    status = 409
    code = "code_used"
    message = "该二维码已被使用，请让对方刷新后重新扫码"


class CodeForOtherOrder(AppError):
    status = 400
    code = "code_other_order"
    message = "这不是本需求单的签到码，请核对后重新扫码"


@dataclass(frozen=True)
class CheckinCode:
    order_id: int
    jti: str
    issued_at: int
    expires_at: int


class CheckinCodec:
    def __init__(self, signing_keys: list[tuple[str, str]], ttl: int) -> None:
        self._keys = dict(signing_keys)
        self._kid, self._secret = signing_keys[0]
        self.ttl = ttl

    def issue(self, order_id: int, now: float | None = None) -> tuple[str, CheckinCode]:
        issued = int(clock.now().timestamp() if now is None else now)
        jti = secrets.token_urlsafe(12)
        payload = {"aud": AUDIENCE, "o": order_id, "jti": jti, "iat": issued, "exp": issued + self.ttl}
        token = jwt.encode(payload, self._secret, algorithm=ALGORITHM, headers={"kid": self._kid})
        return token, CheckinCode(order_id, jti, issued, issued + self.ttl)

    def verify(self, token: str, order_id: int, now: float | None = None) -> CheckinCode:
        """The code's claims, or which of expired / invalid / other order it is."""
        header = unverified_header(token)
        if header is None:
            raise CodeInvalid()
        secret = secret_for(header, self._keys)
        if header.get("alg") != ALGORITHM or secret is None:
            raise CodeInvalid()
        try:
            # Expiry is checked below against the server clock, with a little leeway for slow networks.
            payload = jwt.decode(token, secret, algorithms=[ALGORITHM], audience=AUDIENCE,
                                 options={"require": ["exp", "iat", "jti", "aud"], "verify_exp": False,
                                          "verify_iat": False})
        except jwt.PyJWTError:
            raise CodeInvalid() from None
        current = clock.now().timestamp() if now is None else now
        if payload["exp"] + LEEWAY_SECONDS < current:
            raise CodeExpired()
        if payload["iat"] - LEEWAY_SECONDS > current:
            raise CodeInvalid()
        if payload.get("o") != order_id:
            raise CodeForOtherOrder()
        return CheckinCode(order_id, str(payload["jti"]), int(payload["iat"]), int(payload["exp"]))
