"""Sanitising photos: what is accepted, what is refused, and what survives re-encoding."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import ExifTags, Image, ImageFile, PngImagePlugin

from backend.config import Settings
from backend.errors import ValidationFailed
from backend.services.uploads import (
    ImageLimits,
    ImageTooManyPixels,
    PhotoLinkExpired,
    PhotoLinkInvalid,
    UnsupportedImage,
    UploadTooLarge,
    check_link,
    sanitise_image,
    signed_url,
)

LIMITS = ImageLimits.from_settings(Settings())
GPS_TAG = 34853


def jpeg_with_gps(size=(40, 20), orientation: int | None = None) -> bytes:
    """A JPEG as a phone writes it: EXIF with a GPS position, a camera model and a comment."""
    image = Image.new("RGB", size, "white")
    image.paste((220, 0, 0), (0, 0, size[0] // 2, size[1]))  # left half red, to follow rotation
    exif = Image.Exif()
    exif[ExifTags.Base.Model] = "FarmPhone 9"
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (45.0, 30.0, 12.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (127.0, 5.0, 3.25)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=b"taken at Zhang's farm")
    data = out.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_TAG), "the fixture must carry GPS"
    return data


def png_bytes(size=(30, 20), mode="RGBA", text: dict[str, str] | None = None) -> bytes:
    image = Image.new(mode, size, (0, 128, 0, 128) if mode == "RGBA" else (0, 128, 0))
    info = PngImagePlugin.PngInfo()
    for key, value in (text or {}).items():
        info.add_text(key, value)
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info)
    return out.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A few hundred bytes of PNG whose header claims `width` × `height` pixels."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
            + chunk(b"IEND", b""))


def test_a_jpeg_comes_back_without_any_exif_gps_or_comment():
    result = sanitise_image(jpeg_with_gps(), LIMITS)
    assert result.content_type == "image/jpeg"
    cleaned = Image.open(io.BytesIO(result.data))
    assert cleaned.format == "JPEG"
    assert dict(cleaned.getexif()) == {}
    assert cleaned.getexif().get_ifd(GPS_TAG) == {}
    assert "exif" not in cleaned.info and "comment" not in cleaned.info
    assert b"Exif" not in result.data and b"FarmPhone" not in result.data and b"Zhang" not in result.data


def test_the_exif_orientation_is_applied_to_the_pixels_before_it_is_dropped():
    # Orientation 6: the camera was turned, the pixels must be rotated 90° clockwise to stand upright.
    result = sanitise_image(jpeg_with_gps(size=(40, 20), orientation=6), LIMITS)
    assert (result.width, result.height) == (20, 40)
    upright = Image.open(io.BytesIO(result.data)).convert("RGB")
    red, green, blue = upright.getpixel((10, 5))  # the former left half is now on top
    assert red > 180 and green < 80 and blue < 80
    assert upright.getpixel((10, 35))[1] > 180  # and the white half at the bottom


def test_a_png_stays_a_png_with_its_transparency_but_not_its_text_chunks():
    result = sanitise_image(png_bytes(text={"Location": "45.5N 127.1E", "Author": "Zhang"}), LIMITS)
    assert result.content_type == "image/png"
    cleaned = Image.open(io.BytesIO(result.data))
    assert cleaned.format == "PNG"
    assert cleaned.mode == "RGBA"
    assert cleaned.getpixel((0, 0))[3] == 128
    assert not getattr(cleaned, "text", {})
    assert b"Location" not in result.data and b"Zhang" not in result.data


def test_a_webp_is_stored_as_jpeg_because_older_wechat_does_not_show_webp():
    out = io.BytesIO()
    Image.new("RGB", (16, 16), "blue").save(out, "WEBP")
    result = sanitise_image(out.getvalue(), LIMITS)
    assert result.content_type == "image/jpeg"
    assert Image.open(io.BytesIO(result.data)).format == "JPEG"


def test_a_transparent_webp_is_stored_as_png_so_its_transparency_survives():
    out = io.BytesIO()
    Image.new("RGBA", (16, 16), (0, 0, 255, 0)).save(out, "WEBP", lossless=True)
    result = sanitise_image(out.getvalue(), LIMITS)
    assert result.content_type == "image/png"
    assert Image.open(io.BytesIO(result.data)).getpixel((0, 0))[3] == 0


def test_a_very_large_photo_is_scaled_down_to_2560_pixels_on_its_long_side():
    out = io.BytesIO()
    Image.new("RGB", (5200, 1300), "green").save(out, "JPEG")
    result = sanitise_image(out.getvalue(), LIMITS)
    assert (result.width, result.height) == (2560, 640)
    assert Image.open(io.BytesIO(result.data)).size == (2560, 640)


def test_the_type_is_sniffed_from_the_content_so_text_named_like_a_jpeg_is_refused():
    with pytest.raises(UnsupportedImage) as refused:
        sanitise_image("这不是图片，只是一段文字。".encode() * 20, LIMITS)
    assert refused.value.status == 415
    assert refused.value.code == "unsupported_media_type"
    assert refused.value.message == "图片格式不支持，请上传 JPG、PNG 或 WebP"


@pytest.mark.parametrize("kind", ["GIF", "BMP", "TIFF"])
def test_real_images_of_other_formats_are_refused(kind):
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, kind)
    with pytest.raises(UnsupportedImage):
        sanitise_image(out.getvalue(), LIMITS)


def test_a_truncated_jpeg_is_refused_as_unreadable_rather_than_crashing():
    out = io.BytesIO()
    Image.effect_noise((300, 300), 60).convert("RGB").save(out, "JPEG")
    with pytest.raises(UnsupportedImage) as refused:
        sanitise_image(out.getvalue()[: len(out.getvalue()) // 2], LIMITS)
    assert refused.value.status == 415


def test_a_png_with_a_corrupted_chunk_is_refused():
    data = bytearray(png_bytes(size=(50, 50), mode="RGB"))
    data[45] ^= 0xFF  # inside the IDAT data: its CRC no longer matches
    with pytest.raises(UnsupportedImage):
        sanitise_image(bytes(data), LIMITS)


def test_a_file_over_the_byte_limit_is_refused_before_it_is_decoded():
    limits = ImageLimits.from_settings(Settings().with_overrides(upload_max_bytes=1024 * 1024))
    with pytest.raises(UploadTooLarge) as refused:
        sanitise_image(b"\xff\xd8" + b"\x00" * (1024 * 1024), limits)
    assert refused.value.status == 413
    assert refused.value.message == "图片不能超过 1 MB"


def test_an_image_over_the_configured_pixel_limit_is_refused():
    limits = ImageLimits.from_settings(Settings().with_overrides(upload_max_pixels=10_000))
    with pytest.raises(ImageTooManyPixels) as refused:
        sanitise_image(png_bytes(size=(200, 100), mode="RGB"), limits)
    assert refused.value.status == 422
    assert refused.value.fields == {"file": "图片尺寸太大"}


def test_a_tiny_png_declaring_fifty_million_pixels_is_refused_from_its_header(monkeypatch):
    bomb = png_declaring(7100, 7100)
    assert len(bomb) < 200

    def no_decoding(*_args, **_kwargs):
        raise AssertionError("pixels were decoded (or verified) before the declared size was refused")

    # Refused without decoding 150 MB of pixels: neither Pillow's decoder nor its verifier runs.
    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    monkeypatch.setattr(PngImagePlugin.PngImageFile, "verify", no_decoding)
    with pytest.raises(ImageTooManyPixels):
        sanitise_image(bomb, LIMITS)


def test_a_png_declaring_billions_of_pixels_trips_the_decompression_bomb_guard():
    with pytest.raises(ImageTooManyPixels):
        sanitise_image(png_declaring(100_000, 100_000), LIMITS)


def test_an_empty_file_asks_for_a_photo():
    with pytest.raises(ValidationFailed) as refused:
        sanitise_image(b"", LIMITS)
    assert refused.value.fields == {"file": "请选择图片"}


def test_a_signed_link_is_valid_for_at_least_its_ttl():
    settings = Settings()
    url = signed_url(settings, "2b0d7f6e-8c77-4a4e-9bd4-1f8a3c1ae3ad", ttl=600, now=1_000_000)
    query = dict(part.split("=", 1) for part in url.split("?", 1)[1].split("&"))
    remaining = check_link(settings, "2b0d7f6e-8c77-4a4e-9bd4-1f8a3c1ae3ad", query["exp"], query["sig"], now=1_000_000)
    assert 600 <= remaining <= 1200


def test_links_issued_within_the_same_window_are_identical_so_phones_can_cache_the_photo():
    settings = Settings()
    first = signed_url(settings, "2b0d7f6e-8c77-4a4e-9bd4-1f8a3c1ae3ad", now=7_200_000)
    later = signed_url(settings, "2b0d7f6e-8c77-4a4e-9bd4-1f8a3c1ae3ad", now=7_200_000 + 1800)
    assert first == later


def test_a_link_for_one_photo_does_not_open_another():
    settings = Settings()
    url = signed_url(settings, "2b0d7f6e-8c77-4a4e-9bd4-1f8a3c1ae3ad", now=1_000_000)
    query = dict(part.split("=", 1) for part in url.split("?", 1)[1].split("&"))
    with pytest.raises(PhotoLinkInvalid):
        check_link(settings, "00000000-8c77-4a4e-9bd4-1f8a3c1ae3ad", query["exp"], query["sig"], now=1_000_000)


def test_a_link_signed_with_a_retired_key_still_opens_while_that_key_verifies():
    old = Settings(jwt_keys="old:" + "o" * 40)
    rotated = Settings(jwt_keys="new:" + "n" * 40 + ",old:" + "o" * 40)
    url = signed_url(old, "2b0d7f6e-8c77-4a4e-9bd4-1f8a3c1ae3ad", now=1_000_000)
    query = dict(part.split("=", 1) for part in url.split("?", 1)[1].split("&"))
    assert check_link(rotated, "2b0d7f6e-8c77-4a4e-9bd4-1f8a3c1ae3ad", query["exp"], query["sig"], now=1_000_000) > 0
    with pytest.raises(PhotoLinkInvalid):
        check_link(Settings(jwt_keys="new:" + "n" * 40), "2b0d7f6e-8c77-4a4e-9bd4-1f8a3c1ae3ad",
                   query["exp"], query["sig"], now=1_000_000)


def test_an_expired_link_is_refused_as_expired():
    settings = Settings()
    url = signed_url(settings, "2b0d7f6e-8c77-4a4e-9bd4-1f8a3c1ae3ad", ttl=60, now=1_000_000)
    query = dict(part.split("=", 1) for part in url.split("?", 1)[1].split("&"))
    with pytest.raises(PhotoLinkExpired):
        check_link(settings, "2b0d7f6e-8c77-4a4e-9bd4-1f8a3c1ae3ad", query["exp"], query["sig"], now=1_000_000 + 121)
