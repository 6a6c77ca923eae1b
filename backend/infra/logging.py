"""Structured JSON logs that carry the request id and never carry secrets.

Redaction happens in the formatter, so a careless log call elsewhere still
cannot write a token, a WeChat code or a full phone number to disk.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
from datetime import datetime, timezone

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

_PHONE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")
_JWT = re.compile(r"eyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]{5,}")
_SECRET_FIELDS = re.compile(
    r"(?i)((?:access_token|refresh_token|token|code|js_code|secret|session_key|authorization)"
    r"[\"']?\s*[:=]\s*[\"']?)(?:Bearer\s+)?[^\s\"'&,}]+"
)


def redact(text: str) -> str:
    """Mask phone numbers, JWTs and values of secret-looking fields."""
    text = _JWT.sub("[jwt]", text)
    text = _SECRET_FIELDS.sub(r"\1[redacted]", text)
    return _PHONE.sub(r"\1****\3", text)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": request_id_var.get(),
            "message": redact(record.getMessage()),
        }
        extra = getattr(record, "fields", None)
        if isinstance(extra, dict):
            entry.update({k: redact(str(v)) if isinstance(v, str) else v for k, v in extra.items()})
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


class PlainFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(f"{record.levelname:7} [{request_id_var.get()}] {record.name}: {super().format(record)}")


def configure_logging(json_logs: bool, level: int = logging.INFO) -> None:
    """Route the app's and Sanic's loggers through one redacting handler."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if json_logs else PlainFormatter("%(message)s"))
    for name in ("backend", "sanic.root", "sanic.error", "sanic.access", "sanic.server", "tortoise"):
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.propagate = False
        logger.setLevel(level if name != "tortoise" else logging.WARNING)
