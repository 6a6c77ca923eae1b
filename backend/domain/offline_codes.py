"""Time-based check-in codes for villages without signal. Pure, no I/O.

The requester's phone, while online, fetches one secret per order and day.
Offline it shows a QR whose text names the order, the current time step and
an 8-digit code only that day's secret can produce. The expert's phone stores
the text with its own clock and GPS and uploads it later; the server checks
the code and takes the visit's time from the step the code proves.

The exact algorithm, for the mini-program port (all integers are decimal ASCII
unless said otherwise):

1. Day secret (computed by the server, fetched by the requester's phone as hex):
       secret = HMAC-SHA256(key = UTF-8(server signing secret),
                            msg = UTF-8("zjfw:offline:v1:" + order_id + ":" + YYYY-MM-DD))
   where YYYY-MM-DD is a calendar date in China time (UTC+8, no daylight saving).
2. Time step:       counter = floor(unix_seconds / step)             (step = 60 unless the server says otherwise)
3. Day of a step:   date = UTC date of (counter * step + 8 * 3600)   (i.e. the China date the step starts on)
4. Code:            mac = HMAC-SHA256(key = bytes of that date's secret (hex-decoded, 32 bytes),
                                      msg = counter as an 8-byte big-endian unsigned integer)
                    offset = mac[31] & 0x0f                           (RFC 4226 §5.3 dynamic truncation,
                    bin = (mac[offset] & 0x7f) << 24 | mac[offset+1] << 16     on the last byte of the MAC)
                          | mac[offset+2] << 8 | mac[offset+3]
                    code = bin mod 10^8, left-padded with zeros to 8 digits
5. QR text:         "OFF1." + order_id + "." + counter + "." + code          e.g. OFF1.42.29412345.04718263

This is RFC 6238 TOTP with HMAC-SHA256, 8 digits and T0 = 0, keyed per order and day.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Callable, Iterable

PREFIX = "OFF1"
DIGITS = 8
# China has one fixed offset, so the phone can compute a step's date without a time-zone database.
CHINA_OFFSET = timezone(timedelta(hours=8))
# The server accepts a code from the step of the scan's claimed time or one step either side.
WINDOW_STEPS = 1

_TEXT = re.compile(r"^OFF1\.(\d{1,18})\.(\d{1,12})\.(\d{8})$")


@dataclass(frozen=True)
class OfflineCode:
    """What an offline QR says: which order, which time step, and the code for it."""

    order_id: int
    counter: int
    code: str

    @property
    def text(self) -> str:
        return f"{PREFIX}.{self.order_id}.{self.counter}.{self.code}"


def day_secret(server_key: str, order_id: int, day: date) -> bytes:
    """The per-order, per-day secret: HMAC-SHA256(server key, "zjfw:offline:v1:<order>:<date>")."""
    message = f"zjfw:offline:v1:{order_id}:{day.isoformat()}".encode()
    return hmac.new(server_key.encode(), message, hashlib.sha256).digest()


def dynamic_truncate(mac: bytes) -> int:
    """RFC 4226 §5.3: 31 bits taken at the offset named by the MAC's last nibble."""
    offset = mac[-1] & 0x0F
    return int.from_bytes(mac[offset:offset + 4], "big") & 0x7FFF_FFFF


def hotp(secret: bytes, counter: int, digits: int = DIGITS,
         digest: Callable = hashlib.sha256) -> str:
    """RFC 4226 HOTP of `counter` (HMAC-SHA256 by default, as the offline codes use)."""
    mac = hmac.new(secret, counter.to_bytes(8, "big"), digest).digest()
    return str(dynamic_truncate(mac) % 10 ** digits).zfill(digits)


def counter_at(moment: datetime, step: int) -> int:
    """The time step a moment falls in."""
    return int(moment.timestamp()) // step


def step_start(counter: int, step: int) -> datetime:
    """The moment a step begins: the time an offline code proves, to within one step."""
    return datetime.fromtimestamp(counter * step, CHINA_OFFSET)


def day_of(counter: int, step: int) -> date:
    """The China calendar date whose secret signs this step."""
    return step_start(counter, step).date()


def code_for(server_key: str, order_id: int, counter: int, step: int) -> OfflineCode:
    """What the requester's phone shows for a step (the server only needs it to verify)."""
    secret = day_secret(server_key, order_id, day_of(counter, step))
    return OfflineCode(order_id, counter, hotp(secret, counter))


def parse(text: str) -> OfflineCode | None:
    """The scanned QR text as an OfflineCode, or None when it is not one."""
    match = _TEXT.match(text.strip())
    if match is None:
        return None
    return OfflineCode(int(match.group(1)), int(match.group(2)), match.group(3))


def authentic(server_keys: Iterable[str], scanned: OfflineCode, step: int) -> bool:
    """Whether any configured server key yields this code for this order and step.

    Every key that still verifies is tried, so adding a new signing key does not
    void the records phones already hold; removing a key voids them.
    """
    matched = False
    for key in server_keys:
        expected = code_for(key, scanned.order_id, scanned.counter, step).code
        matched |= hmac.compare_digest(expected, scanned.code)
    return matched


def steps_apart(counter: int, claimed: datetime, step: int) -> int:
    """How many steps the code's step lies from the step of the claimed scan time."""
    return counter - counter_at(claimed, step)


def within_window(counter: int, claimed: datetime, step: int, window: int = WINDOW_STEPS) -> bool:
    """The code's step is the claimed time's step, or `window` steps either side."""
    return abs(steps_apart(counter, claimed, step)) <= window
