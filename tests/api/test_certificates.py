"""服务基层时长证明: a PDF naming the expert, checkable by its QR link and by the file itself."""

import io
import uuid
from datetime import datetime, timedelta
from urllib.parse import quote

import pypdf
import pytest

from backend.infra.clock import CHINA, frozen
from backend.models import Certificate, ExpertProfile
from support.auth import bearer, login
from support.factories import MINLE_POINT, scheduled_order

ON_SITE = {"latitude": MINLE_POINT[0] + 0.001, "longitude": MINLE_POINT[1], "accuracy": 15}
GOOD = {"overall": 5, "attitude": 5, "expertise": 5, "solved": "solved", "comment": "当场解决了"}
BOOKED_AT = datetime(2026, 6, 1, 9, 0, tzinfo=CHINA)
SERVED_AT = datetime(2026, 6, 10, 9, 0, tzinfo=CHINA)
ISSUED_AT = datetime(2026, 6, 20, 10, 0, tzinfo=CHINA)
EXPERT_NAME = "李秋实"


async def serve(client, booked, start: datetime, hours: float) -> dict:
    """One visit of `hours`, checked out on site and rated well by the requester, so its hours count."""
    order_id = booked["order"]["id"]
    with frozen(start):
        _, code = await client.get(f"/api/v1/orders/{order_id}/checkin-code", headers=bearer(booked["farmer"]))
        _, visit = await client.post(f"/api/v1/orders/{order_id}/check-in",
                                     json={"token": code.json["token"], "location": ON_SITE},
                                     headers=bearer(booked["expert"]))
        assert visit.status == 201, visit.json
    with frozen(start + timedelta(hours=hours)):
        _, out = await client.post(f"/api/v1/visits/{visit.json['id']}/check-out", json={"location": ON_SITE},
                                   headers=bearer(booked["expert"]))
        assert out.json["status"] == "completed", out.json
        _, rated = await client.post(f"/api/v1/visits/{visit.json['id']}/rating", json=GOOD,
                                     headers=bearer(booked["farmer"]))
        assert rated.status == 201, rated.json
    return out.json


@pytest.fixture
async def served(client):
    with frozen(BOOKED_AT):
        booked = await scheduled_order(client)
    await ExpertProfile.filter(id=booked["expert_id"]).update(name=EXPERT_NAME, title="研究员",
                                                             employer="黑龙江省农业科学院")
    await serve(client, booked, SERVED_AT, 5)
    return booked


async def certificate(client, tokens, year=2026, at=ISSUED_AT):
    with frozen(at):
        _, response = await client.get(f"/api/v1/certificates/{year}", headers=bearer(tokens))
    return response


async def my_ledger(client, tokens) -> dict:
    with frozen(ISSUED_AT):
        _, response = await client.get("/api/v1/ledger/me", params={"year": 2026}, headers=bearer(tokens))
    return response.json


def pdf_text(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(body)).pages)


def embedded_fonts(body: bytes) -> list[str]:
    """BaseFont names of the fonts whose programs are inside the file."""
    names = []
    for page in pypdf.PdfReader(io.BytesIO(body)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0].get_object() if descendants else font).get("/FontDescriptor")
            if descriptor is not None and "/FontFile2" in descriptor.get_object():
                names.append(str(font["/BaseFont"]))
    return names


async def test_an_expert_gets_a_pdf_certificate_naming_them_in_an_embedded_chinese_font(client, served):
    response = await certificate(client, served["expert"])
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="certificate-2026.pdf"')
    assert f"filename*=UTF-8''{quote('服务基层时长证明-2026-' + EXPERT_NAME + '.pdf', safe='')}" in disposition
    text = pdf_text(response.content)
    assert "专家服务基层时长证明" in text
    assert EXPERT_NAME in text
    assert "研究员" in text and "黑龙江省农业科学院" in text
    assert "黑龙江省人力资源和社会保障厅" in text
    assert "民乐村" in text
    assert response.headers["x-certificate-id"] in text
    assert any("WenQuanYi" in name for name in embedded_fonts(response.content))


async def test_the_certificate_states_the_same_figures_as_the_experts_own_ledger(client, served):
    response = await certificate(client, served["expert"])
    record = await Certificate.get(id=response.headers["x-certificate-id"])
    ledger = await my_ledger(client, served["expert"])
    assert ledger["hours"] == 5.0
    assert record.content["totals"]["hours"] == ledger["hours"]
    assert record.content["totals"]["service_days"] == ledger["service_days"] == 1
    assert record.content["totals"]["visits"] == ledger["visits"] == 1
    assert [(e["date"], e["hours"]) for e in record.content["entries"]] == [("2026-06-10", "5.00")]
    assert "5.00 小时" in pdf_text(response.content)


async def test_asking_again_for_an_unchanged_year_returns_the_same_certificate_byte_for_byte(client, served):
    first = await certificate(client, served["expert"])
    again = await certificate(client, served["expert"], at=ISSUED_AT + timedelta(days=3))
    assert again.headers["x-certificate-id"] == first.headers["x-certificate-id"]
    assert again.content == first.content
    assert await Certificate.all().count() == 1


async def test_more_verified_service_makes_a_new_certificate_and_the_old_one_says_it_is_not_the_latest(
        client, served):
    first = await certificate(client, served["expert"])
    await serve(client, served, SERVED_AT + timedelta(days=1), 4)
    second = await certificate(client, served["expert"], at=ISSUED_AT + timedelta(days=1))
    assert second.headers["x-certificate-id"] != first.headers["x-certificate-id"]
    old = await Certificate.get(id=first.headers["x-certificate-id"])
    _, check = await client.get(f"/api/v1/certificates/verify/{old.id}", params={"d": old.digest[:16]})
    assert check.json["authentic"] is True
    assert check.json["is_latest"] is False
    assert check.json["totals"]["hours"] == 5.0


async def test_the_qr_link_says_authentic_for_the_issued_digest_and_not_for_a_changed_one(client, served, settings):
    response = await certificate(client, served["expert"])
    record = await Certificate.get(id=response.headers["x-certificate-id"])
    ledger = await my_ledger(client, served["expert"])

    _, genuine = await client.get(f"/api/v1/certificates/verify/{record.id}", params={"d": record.digest[:16]})
    assert genuine.status == 200
    assert genuine.json["authentic"] is True
    assert genuine.json["issuer"] == settings.certificate_issuer
    assert genuine.json["expert"] == {"name": EXPERT_NAME, "title": "研究员", "employer": "黑龙江省农业科学院"}
    assert genuine.json["year"] == 2026
    assert genuine.json["totals"]["hours"] == ledger["hours"]
    assert genuine.json["totals"]["service_days"] == ledger["service_days"]
    assert genuine.json["issued_at"] == ISSUED_AT.isoformat()

    changed = ("0" if record.digest[0] != "0" else "1") + record.digest[1:16]
    _, forged = await client.get(f"/api/v1/certificates/verify/{record.id}", params={"d": changed})
    assert forged.status == 200
    assert forged.json["authentic"] is False
    assert "expert" not in forged.json

    _, bare = await client.get(f"/api/v1/certificates/verify/{record.id}")
    assert bare.json["authentic"] is False


async def test_the_printed_verification_link_carries_the_id_and_the_digest_prefix(client, served, settings):
    response = await certificate(client, served["expert"])
    record = await Certificate.get(id=response.headers["x-certificate-id"])
    text = pdf_text(response.content).replace("\n", "")
    assert f"/api/v1/certificates/verify/{record.id}?d={record.digest[:16]}" in text
    assert settings.public_base_url in text


async def test_an_uploaded_original_verifies_and_a_copy_changed_by_one_byte_does_not(client, served):
    response = await certificate(client, served["expert"])
    original = response.content
    _, same = await client.post("/api/v1/certificates/verify",
                                files={"file": ("证明.pdf", original, "application/pdf")})
    assert same.status == 200
    assert same.json["authentic"] is True
    assert same.json["certificate_id"] == response.headers["x-certificate-id"]
    assert same.json["expert"]["name"] == EXPERT_NAME

    middle = len(original) // 2
    altered = original[:middle] + bytes([original[middle] ^ 0x01]) + original[middle + 1:]
    _, changed = await client.post("/api/v1/certificates/verify",
                                   files={"file": ("证明.pdf", altered, "application/pdf")})
    assert changed.status == 200
    assert changed.json["authentic"] is False
    assert "expert" not in changed.json


async def test_an_upload_without_a_file_is_refused_saying_what_is_missing(client):
    _, response = await client.post("/api/v1/certificates/verify", data={"note": "x"})
    assert response.status == 422
    assert "file" in response.json["error"]["fields"]


async def test_an_unknown_certificate_id_is_not_found(client):
    _, unknown = await client.get(f"/api/v1/certificates/verify/{uuid.uuid4()}", params={"d": "0123456789abcdef"})
    assert unknown.status == 404
    assert unknown.json["error"]["code"] == "certificate_not_found"
    _, garbage = await client.get("/api/v1/certificates/verify/not-a-certificate")
    assert garbage.status == 404


async def test_verification_is_public_but_limited_per_address(client, settings):
    limit = settings.certificate_verify_per_minute
    path = f"/api/v1/certificates/verify/{uuid.uuid4()}"
    statuses = []
    for _ in range(limit + 1):
        _, response = await client.get(path, headers={"X-Real-IP": "203.0.113.7"})
        statuses.append(response.status)
    assert statuses[:limit] == [404] * limit
    assert statuses[limit] == 429
    _, elsewhere = await client.get(path, headers={"X-Real-IP": "203.0.113.8"})
    assert elsewhere.status == 404


async def test_only_an_expert_asks_for_a_certificate_and_only_for_a_year_that_has_begun(client, served):
    farmer = await login(client, "cert-farmer")
    _, requester = await client.get("/api/v1/certificates/2026", headers=bearer(farmer))
    assert requester.status == 403
    future = await certificate(client, served["expert"], year=2027)
    assert future.status == 422
    assert "year" in future.json["error"]["fields"]
