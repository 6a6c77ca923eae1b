from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from backend.models.upload import UploadPurpose


class UploadForm(BaseModel):
    """The multipart form's text fields; the file itself is read from `request.files`."""

    purpose: UploadPurpose = Field(description="用途：order_photo 需求单、visit_photo 服务记录、rating_photo 评价、log_photo 服务日志")


class UploadPublic(BaseModel):
    id: str
    purpose: UploadPurpose
    content_type: str = Field(description="实际保存的格式：image/jpeg 或 image/png")
    size: int
    width: int
    height: int
    url: str = Field(description="带签名的相对地址（约 1–2 小时有效），拼接接口域名后可直接用于 <image src>")
    created_at: datetime


UPLOAD_FORM_SCHEMA = {
    "type": "object",
    "properties": {
        "file": {"type": "string", "format": "binary", "description": "JPG、PNG 或 WebP 图片"},
        "purpose": {"type": "string", "enum": [purpose.value for purpose in UploadPurpose]},
    },
    "required": ["file", "purpose"],
}
