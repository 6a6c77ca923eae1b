"""The offline check-in code: RFC 4226 truncation, the window it is accepted in, and what it is bound to."""

import hashlib
import hmac
from datetime import date, datetime, timedelta

import pytest

from backend.domain import offline_codes as codes

RFC4226_SECRET = b"12345678901234567890"
# RFC 4226 Appendix D: the HMAC-SHA1 of counts 0 and 1, and for counts 0..9 the 31-bit truncation and 6-digit HOTP.
RFC4226_HMAC = {0: "cc93cf18508d94934c64b65d8ba7667fb7cde4b0", 1: "75a48a19d4cbe100644e8ac1397eea747a2d33ab"}
RFC4226_TRUNCATED = [1284755224, 1094287082, 137359152, 1726969429, 1640338314,
                     868254676, 1918287922, 82162583, 673399871, 645520489]
RFC4226_HOTP = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"]
# RFC 6238 Appendix B, HMAC-SHA256 with its 32-byte seed, 8 digits, 30-second steps.
RFC6238_SHA256_SECRET = b"12345678901234567890123456789012"
RFC6238_SHA256 = {59: "46119246", 1111111109: "68084774", 1111111111: "67062674", 1234567890: "91819424",
                  2000000000: "90698825", 20000000000: "77737706"}

KEY = "test-offline-key-0123456789abcdefghijklmnop"
STEP = 60


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.mark.parametrize("count", range(10))
def test_dynamic_truncation_matches_rfc_4226_appendix_d(count):
    mac = hmac.new(RFC4226_SECRET, count.to_bytes(8, "big"), hashlib.sha1).digest()
    if count in RFC4226_HMAC:
        assert mac.hex() == RFC4226_HMAC[count]
    assert codes.dynamic_truncate(mac) == RFC4226_TRUNCATED[count]
    assert codes.hotp(RFC4226_SECRET, count, digits=6, digest=hashlib.sha1) == RFC4226_HOTP[count]


@pytest.mark.parametrize(("unix_time", "expected"), sorted(RFC6238_SHA256.items()))
def test_eight_digit_sha256_codes_match_rfc_6238(unix_time, expected):
    assert codes.hotp(RFC6238_SHA256_SECRET, unix_time // 30) == expected


def test_a_code_keeps_its_leading_zeros():
    counter = next(c for c in range(10_000) if codes.hotp(b"k" * 32, c).startswith("0"))
    assert len(codes.hotp(b"k" * 32, counter)) == 8


def test_the_qr_text_round_trips_and_anything_else_is_not_a_code():
    code = codes.code_for(KEY, 42, 29_412_345, STEP)
    assert code.text == f"OFF1.42.29412345.{code.code}"
    assert codes.parse(code.text) == code
    assert codes.parse(f" {code.text}\n") == code
    for other in ("OFF2.42.29412345.12345678", "OFF1.42.29412345.1234567", "OFF1.x.1.12345678",
                  "eyJhbGciOiJIUzI1NiJ9.e30.sig", ""):
        assert codes.parse(other) is None


def test_the_day_secret_is_the_hmac_of_the_order_and_date_under_the_server_key():
    expected = hmac.new(KEY.encode(), b"zjfw:offline:v1:42:2026-11-23", hashlib.sha256).digest()
    assert codes.day_secret(KEY, 42, date(2026, 11, 23)) == expected


def test_a_step_belongs_to_the_china_date_it_starts_on():
    before = codes.counter_at(at("2026-11-23T23:59:30+08:00"), STEP)
    after = codes.counter_at(at("2026-11-24T00:00:00+08:00"), STEP)
    assert codes.day_of(before, STEP) == date(2026, 11, 23)
    assert codes.day_of(after, STEP) == date(2026, 11, 24)
    assert codes.step_start(after, STEP) == at("2026-11-24T00:00:00+08:00")


def test_the_code_is_computed_from_that_days_secret():
    counter = codes.counter_at(at("2026-11-23T09:30:00+08:00"), STEP)
    secret = codes.day_secret(KEY, 42, date(2026, 11, 23))
    assert codes.code_for(KEY, 42, counter, STEP).code == codes.hotp(secret, counter)
    next_day = codes.day_secret(KEY, 42, date(2026, 11, 24))
    assert codes.hotp(next_day, counter) != codes.hotp(secret, counter)


def test_the_step_of_the_claimed_time_and_one_either_side_are_accepted():
    claimed = at("2026-11-23T09:30:20+08:00")
    counter = codes.counter_at(claimed, STEP)
    assert [codes.within_window(counter + d, claimed, STEP) for d in (-1, 0, 1)] == [True, True, True]


def test_two_steps_away_from_the_claimed_time_is_refused():
    claimed = at("2026-11-23T09:30:20+08:00")
    counter = codes.counter_at(claimed, STEP)
    assert codes.within_window(counter + 2, claimed, STEP) is False
    assert codes.within_window(counter - 2, claimed, STEP) is False


def test_window_edges_follow_step_boundaries_not_seconds():
    # 09:30:59 is still the step of 09:30; 09:29:00 is one step back, 09:28:59 two.
    counter = codes.counter_at(at("2026-11-23T09:30:00+08:00"), STEP)
    assert codes.within_window(counter, at("2026-11-23T09:31:59+08:00"), STEP)
    assert not codes.within_window(counter, at("2026-11-23T09:32:00+08:00"), STEP)
    assert codes.within_window(counter, at("2026-11-23T09:29:00+08:00"), STEP)
    assert not codes.within_window(counter, at("2026-11-23T09:28:59+08:00"), STEP)


def test_a_code_is_authentic_only_for_its_own_order_and_step():
    code = codes.code_for(KEY, 42, 29_412_345, STEP)
    assert codes.authentic([KEY], code, STEP)
    assert not codes.authentic([KEY], codes.OfflineCode(43, code.counter, code.code), STEP)
    assert not codes.authentic([KEY], codes.OfflineCode(42, code.counter + 1, code.code), STEP)


def test_every_configured_key_verifies_and_a_removed_key_voids_its_codes():
    old, new = KEY, "rotated-offline-key-zyxwvutsrqponmlkjihgfedcba"
    code = codes.code_for(old, 42, 29_412_345, STEP)
    assert codes.authentic([new, old], code, STEP)
    assert not codes.authentic([new], code, STEP)


def test_steps_apart_is_signed():
    claimed = at("2026-11-23T09:30:00+08:00")
    counter = codes.counter_at(claimed, STEP)
    assert codes.steps_apart(counter - 3, claimed, STEP) == -3
    assert codes.steps_apart(counter + 5, claimed + timedelta(seconds=30), STEP) == 5
