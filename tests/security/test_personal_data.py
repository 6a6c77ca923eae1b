"""Personal data: phone numbers and exact places only for those who need them, never in logs, no GPS in photos.

PIPL: a requester can export their own data and delete their account, which is anonymised
while the records the experts' ledgers rest on are kept.
"""

from __future__ import annotations

import io
import json
import logging

import pytest
from PIL import ExifTags, Image

from backend.infra.logging import JsonFormatter
from support.auth import bearer, login
from support.factories import MINLE_POINT, order_body

from security.world import (
    EXPERT, LOCAL_ADMIN, LOCAL_ADMIN_OUT, OTHER_EXPERT, OTHER_REQUESTER, PROVINCE_ADMIN, REQUESTER, World,
)

PHONE = order_body()["contact_phone"]
EXACT = (str(MINLE_POINT[0]), str(MINLE_POINT[1]))
MISSING_PIPL = "missing feature (PIPL): the requester's own data export / account deletion endpoint does not exist"


@pytest.fixture
async def world(client, settings):
    return await World(client, settings).build()


def shows_phone(payload) -> bool:
    return PHONE in json.dumps(payload, ensure_ascii=False)


def shows_exact_place(payload) -> bool:
    text = json.dumps(payload, ensure_ascii=False)
    return EXACT[0] in text and EXACT[1] in text


async def test_the_contact_phone_and_exact_place_reach_only_the_owner_the_assigned_expert_and_the_areas_admins(
        world):
    order_id = await world.scheduled_order()
    for caller in (REQUESTER, EXPERT, LOCAL_ADMIN, PROVINCE_ADMIN):
        response = await world.request("GET", f"/api/v1/orders/{order_id}", caller)
        assert shows_phone(response.json), f"{caller} needs the contact phone"
    for caller in (OTHER_REQUESTER, OTHER_EXPERT, LOCAL_ADMIN_OUT):
        response = await world.request("GET", f"/api/v1/orders/{order_id}", caller, ok=None)
        assert response.status in (403, 404), caller
        assert not shows_phone(response.json) and not shows_exact_place(response.json), caller


async def test_lists_show_an_order_only_to_those_it_concerns(world):
    order_id = await world.scheduled_order()
    for caller in (OTHER_REQUESTER, OTHER_EXPERT, LOCAL_ADMIN_OUT):
        response = await world.request("GET", "/api/v1/orders", caller)
        assert order_id not in [item["id"] for item in response.json["items"]], caller
        assert not shows_phone(response.json), caller


async def test_the_claim_board_shows_neither_the_phone_nor_the_exact_place_to_experts_who_may_claim(world):
    order_id = await world.published_order()
    response = await world.request("GET", "/api/v1/board", OTHER_EXPERT)
    item = next(item for item in response.json["items"] if item["id"] == order_id)
    assert not shows_phone(item)
    assert not shows_exact_place(item)


async def test_search_results_do_not_carry_phone_numbers(world):
    await world.scheduled_order()
    for caller in (REQUESTER, OTHER_REQUESTER, OTHER_EXPERT, LOCAL_ADMIN_OUT):
        response = await world.request("GET", "/api/v1/orders/search", caller, ok=None, params={"q": "苹果"})
        assert response.status == 200, caller
        if caller != REQUESTER:
            assert not shows_phone(response.json), caller


class Captured(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def captured_logs():
    handler = Captured()
    names = ("backend", "sanic.root", "sanic.error", "sanic.access", "sanic.server", "tortoise")
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    yield handler
    for logger, level in zip(loggers, levels):
        logger.removeHandler(handler)
        logger.setLevel(level)


async def test_logs_never_carry_a_phone_number_a_token_or_a_wechat_code(client, captured_logs):
    code = "log-watcher#secret-wx-code-42"
    _, logged_in = await client.post("/api/v1/auth/wechat-login", json={"code": code})
    tokens = logged_in.json
    _, bound = await client.post("/api/v1/auth/phone", json={"code": "phone-13912340042"}, headers=bearer(tokens))
    assert bound.status == 200
    access = bound.json.get("access_token") or tokens["access_token"]
    _, placed = await client.post("/api/v1/orders", json=order_body(contact_phone="13812340042"),
                                  headers=bearer(access))
    assert placed.status == 201
    _, refreshed = await client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert captured_logs.lines, "nothing was logged: the capture does not work"
    text = "\n".join(captured_logs.lines)
    for secret in ("13912340042", "13812340042", tokens["access_token"], access, tokens["refresh_token"],
                   tokens["refresh_token"].split(".", 1)[1], "secret-wx-code-42", "phone-13912340042"):
        assert secret not in text


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (32, 24), (30, 140, 60))
    exif = Image.Exif()
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (45.0, 2.0, 2.4)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (127.0, 5.0, 24.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    assert Image.open(io.BytesIO(out.getvalue())).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    return out.getvalue()


async def test_a_photo_fetched_through_its_signed_link_has_no_gps_position(client):
    tokens = await login(client, "gps-farmer")
    _, uploaded = await client.post("/api/v1/uploads", files={"file": ("p.jpg", jpeg_with_gps(), "image/jpeg")},
                                    data={"purpose": "order_photo"}, headers=bearer(tokens))
    assert uploaded.status == 201
    _, served = await client.get(uploaded.json["url"])
    assert served.status == 200
    photo = Image.open(io.BytesIO(served.content))
    assert photo.getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}
    assert b"Exif" not in served.content


async def test_a_requester_exports_their_own_orders_ratings_and_upload_metadata(world):
    order_id, visit_id = await world.rated_visit()
    upload = await world.upload(REQUESTER)
    response = await world.request("GET", "/api/v1/me/data-export", REQUESTER)
    body = response.json
    assert order_id in [order["id"] for order in body["orders"]]
    assert visit_id in [rating["visit_id"] for rating in body["ratings"]]
    assert upload["id"] in [item["id"] for item in body["uploads"]]
    assert "user" in body
    other = await world.request("GET", "/api/v1/me/data-export", OTHER_REQUESTER)
    assert order_id not in [order["id"] for order in other.json["orders"]]
    _, anonymous = await world.client.get("/api/v1/me/data-export")
    assert anonymous.status == 401


async def test_a_requester_deletes_their_account_which_is_anonymised_but_the_ledger_keeps_its_records(world):
    from backend.models import AuditRecord, LedgerEntry, Order, Rating, User

    order_id, visit_id = await world.rated_visit()
    user_id = (await world.request("GET", "/api/v1/me", REQUESTER)).json["id"]
    ledger_before = await LedgerEntry.filter(visit_id=visit_id).count()
    response = await world.request("DELETE", "/api/v1/me", REQUESTER, ok=(200, 202, 204))
    assert response.status in (200, 202, 204)
    user = await User.get(id=user_id)
    assert not user.phone and user.openid != "sec-farmer"  # identifiers are gone
    order = await Order.get(id=order_id)
    assert order.contact_phone != PHONE and not shows_phone({"name": order.contact_name})
    assert await Rating.filter(visit_id=visit_id).count() == 1  # the rating still gates the expert's hours
    assert await LedgerEntry.filter(visit_id=visit_id).count() == ledger_before
    assert await AuditRecord.filter(action__icontains="delete", actor_id=user_id).exists()
    _, after = await world.client.get("/api/v1/me", headers=world.headers(REQUESTER))
    assert after.status == 401
