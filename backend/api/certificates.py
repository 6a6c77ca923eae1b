from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import json, raw
from sanic_ext import openapi

from backend.api.deps import authenticated, client_ip, resources
from backend.api.exports import content_disposition
from backend.domain.roles import Role
from backend.errors import ValidationFailed
from backend.services import certificates

bp = Blueprint("certificates", url_prefix="/api/v1/certificates")


@bp.get("/<year:int>")
@openapi.summary("开具本人年度服务基层时长证明（PDF，可扫码核验）")
@authenticated(Role.EXPERT)
async def issue(request: Request, year: int):
    issued = await certificates.issue(resources(request), request.ctx.auth, year)
    return raw(issued.pdf, content_type="application/pdf",
               headers={"Content-Disposition": content_disposition(issued.filename, f"certificate-{year}.pdf"),
                        "X-Certificate-Id": issued.id, "Cache-Control": "no-store"})


@bp.get("/verify/<certificate_id:str>")
@openapi.summary("核验证明（公开）：证明编号与二维码中的校验码")
async def verify(request: Request, certificate_id: str):
    return json(await certificates.verify(resources(request), certificate_id, request.args.get("d"),
                                          client_ip(request)))


@bp.post("/verify")
@openapi.summary("核验证明（公开）：上传 PDF，检查是否与平台出具的文件完全一致")
async def verify_pdf(request: Request):
    upload = request.files.get("file") if request.files else None
    if upload is None:
        raise ValidationFailed(fields={"file": "请上传证明的 PDF 文件"})
    return json(await certificates.verify_pdf(resources(request), upload.body, client_ip(request)))
