"""Photo uploads: sanitise, store, hand out signed links, attach to orders, visits and ratings.

A photo from a phone carries EXIF, often with the GPS position of a
farmer's house. Every upload is therefore decoded and re-encoded without
metadata before it is stored, and what is stored is only ever JPEG or PNG,
whatever the client said it was sending.

Photos are served through short-lived signed links rather than behind a
login, because the mini-program's `<image>` tag cannot send an
Authorization header. Access control happens where links are issued:
`signed_url` belongs only in responses given to people allowed to see the
photo.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import io
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

from PIL import Image, ImageOps

from backend.config import Settings
from backend.errors import AppError, Forbidden, NotFound, ValidationFailed
from backend.infra.resources import Resources
from backend.infra.storage import StoredObjectMissing
from backend.models.upload import Upload, UploadPurpose

log = logging.getLogger("backend.uploads")

UPLOAD_LIMIT = 30
UPLOAD_WINDOW = 60
MAX_SIDE = 2560
JPEG_QUALITY = 85
LINK_TTL = 3600
MAX_PHOTOS = 9  # what wx.chooseMedia lets a person pick at once

# Pillow names the formats it found; these are the ones accepted, and what each is stored as.
_ACCEPTED = {"JPEG", "MPO", "PNG", "WEBP"}
_OPENERS = ["JPEG", "PNG", "WEBP"]  # MPO (multi-picture JPEG from some phones) opens through JPEG
_CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png"}
_EXTENSIONS = {"JPEG": "jpg", "PNG": "png"}
_LINK_CONTEXT = b"upload-content"


class UploadTooLarge(AppError):
    status = 413
    code = "upload_too_large"
    message = "图片太大"

    def __init__(self, max_bytes: int) -> None:
        super().__init__(f"图片不能超过 {_megabytes(max_bytes)} MB", fields={"file": "图片太大"})


class UnsupportedImage(AppError):
    status = 415
    code = "unsupported_media_type"
    message = "图片格式不支持，请上传 JPG、PNG 或 WebP"


class ImageTooManyPixels(ValidationFailed):
    code = "image_too_many_pixels"

    def __init__(self, max_pixels: int) -> None:
        limit = f"{max_pixels // 10_000} 万" if max_pixels >= 10_000 else str(max_pixels)
        super().__init__(f"图片尺寸太大（不能超过 {limit} 像素），请缩小后再上传",
                         fields={"file": "图片尺寸太大"})


class UploadNotFound(NotFound):
    code = "upload_not_found"
    message = "找不到该图片"


class PhotoLinkInvalid(Forbidden):
    code = "photo_link_invalid"
    message = "图片链接无效"


class PhotoLinkExpired(Forbidden):
    code = "photo_link_expired"
    message = "图片链接已过期，请刷新页面"


def _megabytes(size: int) -> str:
    value = size / (1024 * 1024)
    return f"{value:g}" if value >= 1 else f"{value:.1f}"


# --- sanitising: pure, no I/O -------------------------------------------------------------


@dataclass(frozen=True)
class ImageLimits:
    max_bytes: int
    max_pixels: int
    max_side: int = MAX_SIDE

    @classmethod
    def from_settings(cls, settings: Settings) -> ImageLimits:
        return cls(settings.upload_max_bytes, settings.upload_max_pixels)


@dataclass(frozen=True)
class SanitisedImage:
    data: bytes
    format: str  # "JPEG" or "PNG"
    width: int
    height: int

    @property
    def content_type(self) -> str:
        return _CONTENT_TYPES[self.format]

    @property
    def extension(self) -> str:
        return _EXTENSIONS[self.format]

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def _open(data: bytes, limits: ImageLimits) -> Image.Image:
    """Identify the image from its header only and refuse it before any pixel is decoded."""
    try:
        image = Image.open(io.BytesIO(data), formats=_OPENERS)
    except Image.DecompressionBombError:
        # Pillow's own guard, at twice Image.MAX_IMAGE_PIXELS: only reached by huge declared sizes.
        raise ImageTooManyPixels(limits.max_pixels) from None
    except Exception:
        # Pillow raises a zoo of exception types on malformed input; all mean "not a usable image".
        raise UnsupportedImage() from None
    if image.format not in _ACCEPTED:
        raise UnsupportedImage()
    width, height = image.size
    if width < 1 or height < 1:
        raise UnsupportedImage()
    if width * height > limits.max_pixels:
        raise ImageTooManyPixels(limits.max_pixels)
    return image


def sanitise_image(data: bytes, limits: ImageLimits) -> SanitisedImage:
    """Check the bytes are a JPEG, PNG or WebP within the limits and re-encode them without metadata.

    CPU-bound (tens of milliseconds for a phone photo): call it through `asyncio.to_thread`.
    """
    if not data:
        raise ValidationFailed("请选择图片", fields={"file": "请选择图片"})
    if len(data) > limits.max_bytes:
        raise UploadTooLarge(limits.max_bytes)
    # verify() checks the structure (PNG chunk CRCs, for instance) but leaves the image unusable,
    # so the checked bytes are opened a second time to decode.
    try:
        _open(data, limits).verify()
    except AppError:
        raise
    except Exception:
        raise UnsupportedImage() from None
    image = _open(data, limits)
    source_format = image.format
    icc_profile = image.info.get("icc_profile")
    transparency = image.info.get("transparency")
    try:
        if source_format in {"JPEG", "MPO"}:
            # Let libjpeg decode at 1/2, 1/4 or 1/8 scale when the photo is far larger than kept.
            image.draft(image.mode if image.mode in {"RGB", "L"} else None, (limits.max_side, limits.max_side))
        # Applies the Orientation tag to the pixels: the tag itself is dropped with the rest of EXIF.
        image = ImageOps.exif_transpose(image)
        if max(image.size) > limits.max_side:
            image.thumbnail((limits.max_side, limits.max_side), Image.Resampling.LANCZOS)
        keeps_alpha = image.mode in {"RGBA", "LA", "PA"} or (image.mode == "P" and transparency is not None)
        # PNG stays PNG. WebP becomes JPEG (or PNG when it has transparency) because the
        # mini-program's <image> shows WebP only when asked to, and not on every WeChat version.
        target = "PNG" if source_format == "PNG" or keeps_alpha else "JPEG"
        if target == "JPEG" and image.mode not in {"RGB", "L"}:
            image = image.convert("RGB")
        # Nothing from the source's info travels unless named below: no EXIF, XMP, comments or text chunks.
        image.info = {}
        options: dict[str, object] = {}
        if icc_profile:
            # The colour profile describes the pixels, not the person (Display P3 photos turn dull without it).
            options["icc_profile"] = icc_profile
        if target == "JPEG":
            options.update(quality=JPEG_QUALITY, optimize=True)
        elif transparency is not None and image.mode in {"P", "L", "RGB"}:
            options["transparency"] = transparency
        out = io.BytesIO()
        image.save(out, target, **options)
    except AppError:
        raise
    except Exception:
        # A truncated or corrupt file passes the header checks and fails here.
        raise UnsupportedImage("图片已损坏，请重新选择") from None
    return SanitisedImage(out.getvalue(), target, image.width, image.height)


# --- signed links ---------------------------------------------------------------------------


def _signature(secret: str, upload_id: str, exp: int) -> str:
    message = b"%s:%s:%d" % (_LINK_CONTEXT, upload_id.encode(), exp)
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def signed_url(settings: Settings, upload_id: uuid.UUID | str, ttl: int = LINK_TTL, *,
               now: float | None = None) -> str:
    """A relative link that serves the photo to whoever holds it, for at least `ttl` seconds."""
    now = time.time() if now is None else now
    # Expiry is rounded up to a window boundary so the same photo keeps the same link for
    # a while: the mini-program caches images by URL, and a new URL each time refetches.
    exp = (int(now) // ttl + 2) * ttl
    upload_id = str(upload_id)
    secret = settings.signing_keys[0][1]
    return f"/api/v1/uploads/{upload_id}/content?exp={exp}&sig={_signature(secret, upload_id, exp)}"


def check_link(settings: Settings, upload_id: uuid.UUID | str, exp: str | None, sig: str | None,
               now: float | None = None) -> int:
    """Seconds the link has left, or PhotoLinkInvalid / PhotoLinkExpired."""
    now = time.time() if now is None else now
    if not exp or not sig or len(exp) > 12 or len(sig) > 64 or not exp.isdigit():
        raise PhotoLinkInvalid()
    expires_at = int(exp)
    # Every configured key verifies, so links issued just before a key rotation keep working.
    if not sig.isascii():
        raise PhotoLinkInvalid()
    if not any(hmac.compare_digest(_signature(secret, str(upload_id), expires_at), sig)
               for _, secret in settings.signing_keys):
        raise PhotoLinkInvalid()
    if expires_at <= now:
        raise PhotoLinkExpired()
    return int(expires_at - now)


# --- use cases -----------------------------------------------------------------------------


def public_view(settings: Settings, upload: Upload) -> dict:
    return {
        "id": str(upload.id),
        "purpose": upload.purpose,
        "content_type": upload.content_type,
        "size": upload.size,
        "width": upload.width,
        "height": upload.height,
        "url": signed_url(settings, upload.id),
        "created_at": upload.created_at.isoformat(),
    }


async def upload_photo(res: Resources, owner_id: int, purpose: UploadPurpose, data: bytes | None) -> dict:
    """Sanitise and store one photo for `owner_id`; returns its public view."""
    # Counted before decoding, so refused files (bombs, junk) cost the sender their quota too.
    await res.rate_limiter.hit("upload", str(owner_id), UPLOAD_LIMIT, UPLOAD_WINDOW, "上传太频繁，请稍后再试")
    image = await asyncio.to_thread(sanitise_image, data or b"", ImageLimits.from_settings(res.settings))
    upload_id = uuid.uuid4()
    today = datetime.now(timezone.utc)
    key = f"{purpose.value}/{today:%Y}/{today:%m}/{upload_id.hex}.{image.extension}"
    # Bytes first, row second: a crash in between leaves an unreferenced file, never a row
    # pointing at nothing.
    await res.storage.save(key, image.data, image.content_type)
    try:
        upload = await Upload.create(
            id=upload_id, owner_id=owner_id, purpose=purpose.value, content_type=image.content_type,
            size=len(image.data), width=image.width, height=image.height, sha256=image.sha256,
            storage_key=key,
        )
    except BaseException:
        await res.storage.delete(key)
        raise
    log.info("photo uploaded", extra={"fields": {"upload_id": str(upload_id), "purpose": purpose.value,
                                                 "size": len(image.data)}})
    return public_view(res.settings, upload)


async def describe_upload(settings: Settings, owner_id: int, upload_id: uuid.UUID) -> dict:
    """The upload's metadata, for its owner only: anyone else is told it does not exist."""
    upload = await Upload.get_or_none(id=upload_id, owner_id=owner_id)
    if upload is None:
        raise UploadNotFound()
    return public_view(settings, upload)


@dataclass(frozen=True)
class PhotoContent:
    data: bytes
    content_type: str
    sha256: str
    max_age: int


async def open_photo(res: Resources, upload_id: uuid.UUID, exp: str | None, sig: str | None) -> PhotoContent:
    """The photo's bytes, for whoever holds a valid, unexpired signed link."""
    remaining = check_link(res.settings, upload_id, exp, sig)
    upload = await Upload.get_or_none(id=upload_id)
    if upload is None:
        raise UploadNotFound()
    try:
        data = await res.storage.open(upload.storage_key)
    except StoredObjectMissing:
        log.warning("stored photo missing", extra={"fields": {"upload_id": str(upload_id)}})
        raise UploadNotFound() from None
    return PhotoContent(data, upload.content_type, upload.sha256, remaining)


async def attach_uploads(owner_id: int, ids: list[uuid.UUID | str], purpose: UploadPurpose | str) -> list[Upload]:
    """The uploads named by `ids`, in that order, after checking `owner_id` made each one for `purpose`."""
    if len(ids) > MAX_PHOTOS:
        raise ValidationFailed(fields={"photos": f"最多 {MAX_PHOTOS} 张图片"})
    wanted: list[uuid.UUID] = []
    try:
        for raw in ids:
            parsed = raw if isinstance(raw, uuid.UUID) else uuid.UUID(str(raw))
            if parsed not in wanted:
                wanted.append(parsed)
    except ValueError:
        raise ValidationFailed(fields={"photos": "图片编号无效"}) from None
    if not wanted:
        return []
    found = {
        upload.id: upload
        for upload in await Upload.filter(id__in=wanted, owner_id=owner_id, purpose=str(UploadPurpose(purpose)))
    }
    if len(found) != len(wanted):
        # One message whether a photo is someone else's or does not exist: no probing other people's ids.
        raise ValidationFailed(fields={"photos": "图片不存在或不是您上传的，请重新上传"})
    return [found[upload_id] for upload_id in wanted]
