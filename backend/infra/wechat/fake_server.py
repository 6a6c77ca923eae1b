"""A fake of the WeChat server API, for tests and development.

It listens on 127.0.0.1 only and answers with WeChat's real request and
response shapes, so the real gateway (wechatpy underneath) is exercised
end to end without reaching the internet.

Run it in a background thread of the current process::

    with FakeWeChatServer() as server:      # or server.start() / server.stop()
        base_url = server.url               # http://127.0.0.1:PORT

or on its own::

    python -m backend.infra.wechat.fake_server --port 8970

Login codes (``/sns/jscode2session``)
    A code is ``<identity>`` or ``<identity>#<nonce>`` (``.`` works as the
    separator too). The identity picks the user: its openid is
    ``fake-openid-<identity>`` and its unionid ``fake-unionid-<identity>``,
    so the demo mini-program and tests log in as a known person, e.g.
    ``demo-requester`` and ``demo-requester#2`` both give
    ``fake-openid-demo-requester``. Each full code works once; using it
    again answers 40163 ``code been used``. Codes starting with
    ``invalid`` answer 40029, ``busy`` answers -1 (system error) and
    ``frequent`` answers 45011 (minute quota reached).

Phone codes (``/wxa/business/getuserphonenumber``)
    ``phone-13800001234`` gives that number; any other code gives a stable
    fake ``1380000xxxx`` derived from it; codes starting with ``invalid``
    answer 40029.

Apps and access tokens
    Every ``wx…`` appid is a registered app whose secret is the one the
    server was built with (tests use a fresh appid each to stay isolated).
    Fetching a token from ``/cgi-bin/token`` invalidates the app's earlier
    tokens, as WeChat does, so a gateway that fetches more than once shows
    up as 40001 errors and in ``tokens_issued``. ``expire_tokens()`` makes
    the current tokens answer 42001.

Subscribe messages
    Recorded in ``messages``; a ``touser`` starting with ``fail-`` answers
    43101 (the user refused the message).

Fault switches
    ``fail_next(path, errcode_or_http_status, times=1)`` makes the next
    calls of one endpoint answer a WeChat error (-1, 45011, 42001 …) or,
    for a value from 100 to 599, that HTTP status. ``set_delay(seconds)``
    slows every answer down. ``calls(path)`` counts the calls an endpoint
    received. ``reset()`` clears all of this between tests.

The server never logs query strings: they carry secrets, codes and tokens.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import logging
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from backend.config import PLACEHOLDER_WECHAT_SECRET

logger = logging.getLogger(__name__)

TOKEN_PATH = "/cgi-bin/token"
STABLE_TOKEN_PATH = "/cgi-bin/stable_token"
SESSION_PATH = "/sns/jscode2session"
PHONE_PATH = "/wxa/business/getuserphonenumber"
SUBSCRIBE_PATH = "/cgi-bin/message/subscribe/send"
WXACODE_PATH = "/wxa/getwxacodeunlimit"

TOKEN_LIFETIME = 7200
MAX_SCENE_LENGTH = 32

_ERRMSG = {
    -1: "system error",
    40001: "invalid credential, access_token is invalid or not latest",
    40002: "invalid grant_type",
    40013: "invalid appid",
    40029: "invalid code",
    40125: "invalid appsecret",
    40163: "code been used",
    40169: "invalid length for scene",
    41001: "access_token missing",
    42001: "access_token expired",
    43101: "user refuse to accept the msg",
    45009: "reach max api daily quota limit",
    45011: "api minute-quota reach limit",
    47001: "data format error",
}

_png_cache: bytes | None = None


def _errmsg(errcode: int) -> str:
    return _ERRMSG.get(errcode, "fake error")


def _png() -> bytes:
    """A small real PNG, drawn once: a bordered square, enough for a client to decode."""
    global _png_cache
    if _png_cache is None:
        from PIL import Image, ImageDraw

        image = Image.new("RGB", (64, 64), "white")
        draw = ImageDraw.Draw(image)
        draw.rectangle((4, 4, 59, 59), outline="black", width=4)
        draw.rectangle((24, 24, 39, 39), fill="green")
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        _png_cache = buffer.getvalue()
    return _png_cache


def identity_of(code: str) -> str:
    """The part of a login code before an optional `#` or `.` nonce."""
    for separator in ("#", "."):
        code = code.split(separator, 1)[0]
    return code


def fake_openid(identity: str) -> str:
    """The openid the fake gives to a login code whose identity is `identity`."""
    return f"fake-openid-{identity}"


def fake_phone(code: str) -> str:
    """The phone number the fake gives to a phone code."""
    if code.startswith("phone-") and code[6:].isdigit() and len(code[6:]) == 11:
        return code[6:]
    digest = int(hashlib.sha256(code.encode()).hexdigest(), 16)
    return f"1380000{digest % 10000:04d}"


@dataclass
class _State:
    """Everything the handler threads share; guarded by `lock`."""

    secret: str
    lock: threading.Lock = field(default_factory=threading.Lock)
    delay: float = 0.0
    faults: dict[str, list[int]] = field(default_factory=dict)  # path -> [value, times left]
    calls: Counter[str] = field(default_factory=Counter)
    tokens_issued: Counter[str] = field(default_factory=Counter)
    tokens: dict[str, tuple[str, bool]] = field(default_factory=dict)  # token -> (appid, expired)
    used_codes: set[str] = field(default_factory=set)
    messages: list[dict[str, Any]] = field(default_factory=list)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "FakeWeChat/1.0"

    # --- plumbing -------------------------------------------------------
    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._dispatch("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch("POST")

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        # The default logs the request line, whose query holds secrets and codes.
        if self.server.verbose:
            logger.info("%s %s", self.command, urlsplit(self.path).path)

    def _dispatch(self, method: str) -> None:
        parts = urlsplit(self.path)
        path = parts.path
        self.query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        state = self.server.state
        with state.lock:
            state.calls[path] += 1
            delay = state.delay
            fault = None
            pending = state.faults.get(path)
            if pending:
                fault = pending[0]
                pending[1] -= 1
                if pending[1] <= 0:
                    del state.faults[path]
        if delay:
            time.sleep(delay)
        try:
            if fault is not None:
                if 100 <= fault <= 599:
                    self._send(fault, b"<html>Bad Gateway</html>", "text/html")
                else:
                    self._error(fault)
                return
            route = _ROUTES.get((method, path))
            if route is None:
                self._send(404, b"not found", "text/plain")
                return
            route(self)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test); nothing to answer

    def _body(self) -> dict[str, Any] | None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw.decode("utf-8") or "{}")
        except (UnicodeDecodeError, ValueError):
            return None
        return body if isinstance(body, dict) else None

    def _send(self, status: int, payload: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _json(self, body: dict[str, Any]) -> None:
        self._send(200, json.dumps(body, ensure_ascii=False).encode(), "application/json; charset=utf-8")

    def _error(self, errcode: int) -> None:
        self._json({"errcode": errcode, "errmsg": _errmsg(errcode)})

    def _app_error(self, appid: str | None, secret: str | None) -> int | None:
        if not appid or not appid.startswith("wx"):
            return 40013
        if secret != self.server.state.secret:
            return 40125
        return None

    def _token_error(self) -> tuple[int | None, str | None]:
        """(errcode, None) when the access_token query parameter is unusable, else (None, appid)."""
        token = self.query.get("access_token")
        if not token:
            return 41001, None
        state = self.server.state
        with state.lock:
            entry = state.tokens.get(token)
        if entry is None:
            return 40001, None
        appid, expired = entry
        if expired:
            return 42001, None
        return None, appid

    # --- endpoints ------------------------------------------------------
    def token(self) -> None:
        if self.query.get("grant_type") != "client_credential":
            self._error(40002)
            return
        self._issue_token(self.query.get("appid"), self.query.get("secret"), force=True)

    def stable_token(self) -> None:
        body = self._body()
        if body is None:
            self._error(47001)
            return
        if body.get("grant_type") != "client_credential":
            self._error(40002)
            return
        self._issue_token(body.get("appid"), body.get("secret"), force=bool(body.get("force_refresh")))

    def _issue_token(self, appid: str | None, secret: str | None, *, force: bool) -> None:
        errcode = self._app_error(appid, secret)
        if errcode:
            self._error(errcode)
            return
        assert appid is not None
        state = self.server.state
        with state.lock:
            current = [t for t, (a, expired) in state.tokens.items() if a == appid and not expired]
            if current and not force:
                token = current[0]  # stable_token hands back the live token
            else:
                # /cgi-bin/token invalidates the app's earlier tokens, as WeChat does.
                for old in [t for t, (a, _) in state.tokens.items() if a == appid]:
                    del state.tokens[old]
                token = f"fake-at-{secrets.token_urlsafe(24)}"
                state.tokens[token] = (appid, False)
                state.tokens_issued[appid] += 1
        self._json({"access_token": token, "expires_in": TOKEN_LIFETIME})

    def jscode2session(self) -> None:
        q = self.query
        errcode = self._app_error(q.get("appid"), q.get("secret"))
        if errcode:
            self._error(errcode)
            return
        code = q.get("js_code") or ""
        if q.get("grant_type") != "authorization_code":
            self._error(40002)
            return
        for prefix, errcode in (("invalid", 40029), ("busy", -1), ("frequent", 45011)):
            if code.startswith(prefix):
                self._error(errcode)
                return
        identity = identity_of(code)
        if not identity:
            self._error(40029)
            return
        state = self.server.state
        with state.lock:
            used = code in state.used_codes
            state.used_codes.add(code)
        if used:
            self._error(40163)
            return
        self._json(
            {
                "openid": fake_openid(identity),
                "session_key": secrets.token_urlsafe(16),
                "unionid": f"fake-unionid-{identity}",
            }
        )

    def phone_number(self) -> None:
        errcode, appid = self._token_error()
        if errcode:
            self._error(errcode)
            return
        body = self._body()
        if body is None:
            self._error(47001)
            return
        code = str(body.get("code") or "")
        if not code or code.startswith("invalid"):
            self._error(40029)
            return
        phone = fake_phone(code)
        self._json(
            {
                "errcode": 0,
                "errmsg": "ok",
                "phone_info": {
                    "phoneNumber": phone,
                    "purePhoneNumber": phone,
                    "countryCode": "86",
                    "watermark": {"timestamp": int(time.time()), "appid": appid},
                },
            }
        )

    def subscribe_send(self) -> None:
        errcode, appid = self._token_error()
        if errcode:
            self._error(errcode)
            return
        body = self._body()
        if body is None or not body.get("touser") or not body.get("template_id"):
            self._error(47001)
            return
        if str(body["touser"]).startswith("fail-"):
            self._error(43101)
            return
        with self.server.state.lock:
            self.server.state.messages.append({"appid": appid, **body})
        self._json({"errcode": 0, "errmsg": "ok"})

    def wxacode_unlimit(self) -> None:
        errcode, _ = self._token_error()
        if errcode:
            self._error(errcode)
            return
        body = self._body()
        if body is None:
            self._error(47001)
            return
        scene = str(body.get("scene") or "")
        if not scene or len(scene) > MAX_SCENE_LENGTH:
            self._error(40169)
            return
        self._send(200, _png(), "image/png")


_ROUTES = {
    ("GET", TOKEN_PATH): _Handler.token,
    ("POST", STABLE_TOKEN_PATH): _Handler.stable_token,
    ("GET", SESSION_PATH): _Handler.jscode2session,
    ("POST", PHONE_PATH): _Handler.phone_number,
    ("POST", SUBSCRIBE_PATH): _Handler.subscribe_send,
    ("POST", WXACODE_PATH): _Handler.wxacode_unlimit,
}


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a slow (delayed) answer must not hold up stop()

    def __init__(self, address: tuple[str, int], state: _State, verbose: bool) -> None:
        self.state = state
        self.verbose = verbose
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # The default prints a traceback to stderr; clients hanging up early is expected here.
        logger.debug("fake WeChat server: a request failed", exc_info=True)


class FakeWeChatServer:
    """The fake WeChat API on 127.0.0.1, served from a background thread."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        secret: str = PLACEHOLDER_WECHAT_SECRET,
        verbose: bool = False,
    ) -> None:
        self._address = (host, port)
        self._state = _State(secret=secret)
        self._verbose = verbose
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # --- life cycle -----------------------------------------------------
    def start(self) -> str:
        """Bind (port 0 picks a free one), serve in a daemon thread, return the base URL."""
        if self._httpd is None:
            self._httpd = _Server(self._address, self._state, self._verbose)
            self._thread = threading.Thread(
                target=self._httpd.serve_forever, name="fake-wechat-server", daemon=True
            )
            self._thread.start()
        return self.url

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            if self._thread is not None:
                self._thread.join(timeout=5)
            self._httpd = None
            self._thread = None

    def serve_forever(self) -> None:
        """Serve on the calling thread until interrupted (standalone use)."""
        self._httpd = _Server(self._address, self._state, self._verbose)
        logger.info("fake WeChat server on %s", self.url)
        try:
            self._httpd.serve_forever()
        finally:
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> FakeWeChatServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """Base URL such as http://127.0.0.1:8970 (no trailing slash)."""
        if self._httpd is None:
            raise RuntimeError("the fake WeChat server is not running")
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    # --- fault switches -------------------------------------------------
    def fail_next(self, path: str, errcode_or_http_status: int, times: int = 1) -> None:
        """Make the next `times` calls of `path` answer that WeChat errcode, or HTTP status (100–599)."""
        with self._state.lock:
            self._state.faults[path] = [errcode_or_http_status, times]

    def set_delay(self, seconds: float) -> None:
        """Wait this long before answering any request."""
        with self._state.lock:
            self._state.delay = seconds

    def expire_tokens(self) -> None:
        """Make every live access token answer 42001 (expired)."""
        with self._state.lock:
            for token, (appid, _) in list(self._state.tokens.items()):
                self._state.tokens[token] = (appid, True)

    def reset(self) -> None:
        """Forget faults, delay, counters, messages, used codes and tokens."""
        with self._state.lock:
            self._state.delay = 0.0
            self._state.faults.clear()
            self._state.calls.clear()
            self._state.tokens_issued.clear()
            self._state.tokens.clear()
            self._state.used_codes.clear()
            self._state.messages.clear()

    # --- inspection -----------------------------------------------------
    def calls(self, path: str) -> int:
        """How many requests `path` received (faulted ones included)."""
        with self._state.lock:
            return self._state.calls[path]

    def tokens_issued(self, appid: str) -> int:
        """How many access tokens were handed out to `appid`."""
        with self._state.lock:
            return self._state.tokens_issued[appid]

    @property
    def messages(self) -> list[dict[str, Any]]:
        """A copy of every subscribe message received, oldest first."""
        with self._state.lock:
            return [dict(m) for m in self._state.messages]


def main(argv: list[str] | None = None) -> None:
    """Run the fake WeChat server in the foreground."""
    parser = argparse.ArgumentParser(description="Fake WeChat API server for development (127.0.0.1 only).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8970)
    parser.add_argument(
        "--secret", default=PLACEHOLDER_WECHAT_SECRET, help="the app secret every wx… appid uses"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    server = FakeWeChatServer(args.host, args.port, secret=args.secret, verbose=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
