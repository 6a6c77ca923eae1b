from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class UploadPurpose(StrEnum):
    ORDER_PHOTO = "order_photo"
    VISIT_PHOTO = "visit_photo"
    RATING_PHOTO = "rating_photo"
    LOG_PHOTO = "log_photo"


class Upload(Model):
    """A photo someone uploaded, re-encoded without metadata, its bytes kept in file storage."""

    id = fields.UUIDField(primary_key=True)
    owner_id = fields.BigIntField(db_index=True)
    # One of UploadPurpose: an upload made for an order cannot be attached to a rating.
    purpose = fields.CharField(max_length=16)
    # What the bytes really are after sanitising, never what the client claimed.
    content_type = fields.CharField(max_length=32)
    size = fields.IntField()
    width = fields.IntField()
    height = fields.IntField()
    sha256 = fields.CharField(max_length=64)
    storage_key = fields.CharField(max_length=200, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "upload"
