"""服务基层时长证明: a PDF an expert's employer can check.

The certificate states the expert's verified year (the same figures as
`/api/v1/ledger/me`) and the counted ledger rows behind it. Its content is
canonical JSON whose SHA-256 (the digest) is stored with the record, and
the PDF's own SHA-256 is stored at issue. Checking works two ways, both
public: the QR code's URL carries the id and a prefix of the digest (a
changed number on a printout no longer matches the record), and an
uploaded PDF must be byte-identical to the one issued.

Asking again for an unchanged year returns the same certificate (same id,
same bytes); a year that changed since gets a new one, and the older one
stays verifiable as what was true on its issue date.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass

from tortoise.exceptions import IntegrityError

from backend.config import Settings
from backend.errors import NotFound, ValidationFailed
from backend.infra import pdf
from backend.infra.clock import CHINA, now
from backend.infra.resources import Resources
from backend.infra.tokens import AccessClaims
from backend.models import AuditRecord, Certificate, ExpertProfile, LedgerEntry
from backend.services.exports import place_names
from backend.services.ledger import year_summary
from backend.services.order_views import expert_profile_of

DIGEST_PREFIX_LENGTH = 16
MIN_DIGEST_PREFIX = 8
FIRST_YEAR = 2020
CONTENT_SCHEMA = 1
ENTRY_KINDS = {"scan": "上门服务", "offline": "上门服务", "base_scan": "基地活动", "adjustment": "核定调整"}
VERIFY_WINDOW = 60


class CertificateNotFound(NotFound):
    code = "certificate_not_found"
    message = "找不到该证明，请核对证明编号"


@dataclass(frozen=True)
class IssuedCertificate:
    id: str
    pdf: bytes
    filename: str
    reused: bool


def canonical_json(content: dict) -> bytes:
    """One byte string per content: sorted keys, no spaces, UTF-8."""
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def digest_of(content: dict) -> str:
    return hashlib.sha256(canonical_json(content)).hexdigest()


def verify_url(settings: Settings, certificate_id: str, digest: str) -> str:
    base = settings.public_base_url.rstrip("/")
    return f"{base}/api/v1/certificates/verify/{certificate_id}?d={digest[:DIGEST_PREFIX_LENGTH]}"


async def certified_content(settings: Settings, profile: ExpertProfile, year: int) -> dict:
    """What a certificate for this expert's year states: totals and the counted rows behind them."""
    summary = await year_summary(settings, profile.id, year)
    rows = await LedgerEntry.filter(expert_id=profile.id, year=year, status="counted") \
        .order_by("service_date", "id").values("service_date", "region_code", "source", "hours")
    places = await place_names({row["region_code"] for row in rows})
    return {
        "schema": CONTENT_SCHEMA,
        "issuer": settings.certificate_issuer,
        "expert": {"id": profile.id, "name": profile.name, "title": profile.title, "employer": profile.employer},
        "year": year,
        "totals": {
            "hours": summary["hours"],
            "service_days": summary["service_days"],
            "visits": summary["visits"],
            "target_days": summary["target_days"],
            "continuing_education_met": summary["continuing_education_met"],
        },
        "day_rule": summary["day_rule"],
        "entries": [
            {"date": row["service_date"].isoformat(), "place": places.get(row["region_code"], row["region_code"]),
             "kind": ENTRY_KINDS.get(row["source"], row["source"]), "hours": f"{float(row['hours']):.2f}"}
            for row in rows
        ],
    }


def _page(settings: Settings, certificate_id: str, content: dict, digest: str, issued_at) -> pdf.CertificatePage:
    totals = content["totals"]
    return pdf.CertificatePage(
        certificate_id=certificate_id, issuer=content["issuer"], issued_at=issued_at,
        expert_name=content["expert"]["name"], expert_title=content["expert"]["title"],
        employer=content["expert"]["employer"], year=content["year"], hours=totals["hours"],
        service_days=totals["service_days"], visits=totals["visits"], target_days=totals["target_days"],
        met=totals["continuing_education_met"], day_rule=content["day_rule"],
        entries=[pdf.CertificateEntry(e["date"], e["place"], e["kind"], e["hours"]) for e in content["entries"]],
        verify_url=verify_url(settings, certificate_id, digest), digest_prefix=digest[:DIGEST_PREFIX_LENGTH],
    )


def _filename(certificate: Certificate, expert_name: str) -> str:
    return f"服务基层时长证明-{certificate.year}-{expert_name}.pdf"


async def issue(res: Resources, claims: AccessClaims, year: int) -> IssuedCertificate:
    """The calling expert's certificate for `year`: the existing one if nothing changed, else a new one."""
    profile = await expert_profile_of(claims.user_id)
    if profile is None:
        raise NotFound("请先完善专家资料", code="expert_profile_missing")
    if not FIRST_YEAR <= year <= now().year:
        raise ValidationFailed(fields={"year": f"年度应在 {FIRST_YEAR} 至 {now().year} 之间"})
    settings = res.settings
    content = await certified_content(settings, profile, year)
    digest = digest_of(content)
    existing = await Certificate.get_or_none(expert_id=profile.id, year=year, digest=digest)
    if existing is not None:
        return IssuedCertificate(str(existing.id), bytes(existing.pdf), _filename(existing, profile.name), True)

    certificate_id = str(uuid.uuid4())
    issued_at = now()
    body = await asyncio.to_thread(pdf.render_certificate, _page(settings, certificate_id, content, digest, issued_at),
                                   settings.certificate_font_path)
    try:
        certificate = await Certificate.create(
            id=certificate_id, expert_id=profile.id, year=year, content=content, digest=digest,
            issuer=content["issuer"], issued_at=issued_at, pdf=body, pdf_sha256=hashlib.sha256(body).hexdigest())
    except IntegrityError:
        # The same request raced itself (a double tap): both get the one that was stored.
        certificate = await Certificate.get(expert_id=profile.id, year=year, digest=digest)
        return IssuedCertificate(str(certificate.id), bytes(certificate.pdf), _filename(certificate, profile.name),
                                 True)
    await AuditRecord.create(actor_id=claims.user_id, actor_role=claims.role, action="certificate_issued",
                             subject_type="certificate", subject_id=certificate_id, region_code=profile.region_code,
                             detail={"year": year, "digest": digest, "hours": content["totals"]["hours"],
                                     "service_days": content["totals"]["service_days"]})
    return IssuedCertificate(certificate_id, body, _filename(certificate, profile.name), False)


# --------------------------------------------------------------------------- public verification


async def _limit(res: Resources, ip: str) -> None:
    await res.rate_limiter.hit("certificate-verify", ip, res.settings.certificate_verify_per_minute, VERIFY_WINDOW,
                               "核验太频繁，请一分钟后再试")


async def _public_view(certificate: Certificate) -> dict:
    content = certificate.content
    latest = await Certificate.filter(expert_id=certificate.expert_id, year=certificate.year) \
        .order_by("-issued_at").limit(1).values_list("id", flat=True)
    return {
        "authentic": True,
        "certificate_id": str(certificate.id),
        "issuer": certificate.issuer,
        "issued_at": certificate.issued_at.astimezone(CHINA).isoformat(),
        "expert": {"name": content["expert"]["name"], "title": content["expert"]["title"],
                   "employer": content["expert"]["employer"]},
        "year": certificate.year,
        "totals": content["totals"],
        "visits": content["entries"],
        # A later certificate exists when the year's verified service grew after this one was issued.
        "is_latest": [str(i) for i in latest] == [str(certificate.id)],
    }


def _parse_id(certificate_id: str) -> uuid.UUID:
    try:
        return uuid.UUID(certificate_id)
    except ValueError:
        raise CertificateNotFound() from None


async def verify(res: Resources, certificate_id: str, digest_prefix: str | None, ip: str) -> dict:
    """Whether the id and the digest prefix printed with it (the QR code's URL) name an issued certificate."""
    await _limit(res, ip)
    certificate = await Certificate.get_or_none(id=_parse_id(certificate_id))
    if certificate is None:
        raise CertificateNotFound()
    prefix = (digest_prefix or "").strip().lower()
    if len(prefix) < MIN_DIGEST_PREFIX or not hmac.compare_digest(certificate.digest[:len(prefix)], prefix):
        return {"authentic": False, "certificate_id": str(certificate.id),
                "reason": "校验码与平台出具的证明不符，该证明可能被篡改" if prefix else "缺少校验码，请扫描证明上的二维码核验"}
    return await _public_view(certificate)


async def verify_pdf(res: Resources, body: bytes, ip: str) -> dict:
    """Whether an uploaded PDF is byte for byte one the platform issued."""
    await _limit(res, ip)
    if not body:
        raise ValidationFailed(fields={"file": "请上传证明的 PDF 文件"})
    certificate = await Certificate.get_or_none(pdf_sha256=hashlib.sha256(body).hexdigest())
    if certificate is None:
        return {"authentic": False,
                "reason": "该文件与平台出具的任何证明都不一致（可能被修改、重新保存或并非本平台出具）"}
    return await _public_view(certificate)
