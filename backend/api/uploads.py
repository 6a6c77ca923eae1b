from __future__ import annotations

import uuid

from sanic import Blueprint, Request
from sanic.response import json, raw
from sanic_ext import openapi

from backend.api.deps import authenticated, resources
from backend.api.validation import parse
from backend.schemas.uploads import UPLOAD_FORM_SCHEMA, UploadForm, UploadPublic
from backend.services import uploads

bp = Blueprint("uploads", url_prefix="/api/v1/uploads")


@bp.post("")
@openapi.summary("上传图片（multipart：file、purpose），去除位置等元数据后保存")
@openapi.body({"multipart/form-data": UPLOAD_FORM_SCHEMA}, required=True)
@openapi.response(201, {"application/json": UploadPublic})
@authenticated()
async def upload_photo(request: Request):
    form = parse(UploadForm, {key: values[-1] for key, values in (request.form or {}).items()})
    file = (request.files or {}).get("file")
    result = await uploads.upload_photo(resources(request), request.ctx.auth.user_id, form.purpose,
                                        file.body if file else None)
    return json(result, status=201)


@bp.get("/<upload_id:uuid>")
@openapi.summary("图片信息（仅上传者本人）")
@openapi.response(200, {"application/json": UploadPublic})
@authenticated()
async def describe_upload(request: Request, upload_id: uuid.UUID):
    return json(await uploads.describe_upload(resources(request).settings, request.ctx.auth.user_id, upload_id))


@bp.get("/<upload_id:uuid>/content")
@openapi.summary("图片内容（凭签名链接访问，无需登录，供 <image> 使用）")
@openapi.parameter("exp", int, "query", required=True)
@openapi.parameter("sig", str, "query", required=True)
async def photo_content(request: Request, upload_id: uuid.UUID):
    photo = await uploads.open_photo(resources(request), upload_id, request.args.get("exp"), request.args.get("sig"))
    headers = {
        # Private: the link is a credential, shared caches must not hand the photo to others.
        "Cache-Control": f"private, max-age={photo.max_age}",
        "ETag": f'"{photo.sha256}"',
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": "inline",
    }
    return raw(photo.data, content_type=photo.content_type, headers=headers)
