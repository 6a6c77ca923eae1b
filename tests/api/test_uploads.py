"""Photo uploads over HTTP: sanitised on the way in, served through signed links, private metadata."""

from __future__ import annotations

import io
import time
import uuid

import pytest
from PIL import ExifTags, Image

from backend.errors import ValidationFailed
from backend.infra.storage import LocalDiskStorage, StorageKeyInvalid, StoredObjectMissing
from backend.services.uploads import attach_uploads, signed_url
from support.auth import bearer, login

GPS_TAG = 34853


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (30, 140, 60))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "FarmPhone"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (45.0, 30.0, 12.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (127.0, 5.0, 3.25)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def png_bytes(size=(24, 16)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, (200, 50, 50, 255)).save(out, "PNG")
    return out.getvalue()


async def upload(client, tokens, data: bytes, purpose="order_photo", filename="photo.jpg",
                 content_type="image/jpeg"):
    _, response = await client.post(
        "/api/v1/uploads",
        files={"file": (filename, data, content_type)},
        data={"purpose": purpose},
        headers=bearer(tokens) if tokens else {},
    )
    return response


async def test_an_uploaded_jpeg_is_served_back_without_its_gps_position(client):
    tokens = await login(client, "photo-farmer")
    response = await upload(client, tokens, jpeg_with_gps())
    assert response.status == 201, response.json
    body = response.json
    assert body["content_type"] == "image/jpeg"
    assert (body["width"], body["height"]) == (64, 48)
    assert body["purpose"] == "order_photo"
    assert body["url"].startswith(f"/api/v1/uploads/{body['id']}/content?exp=")

    _, served = await client.get(body["url"])
    assert served.status == 200
    assert served.headers["content-type"] == "image/jpeg"
    assert served.headers["cache-control"].startswith("private, max-age=")
    assert int(served.headers["cache-control"].rsplit("=", 1)[1]) >= 3600
    assert len(served.content) == body["size"]
    photo = Image.open(io.BytesIO(served.content))
    assert dict(photo.getexif()) == {}
    assert photo.getexif().get_ifd(GPS_TAG) == {}
    assert b"Exif" not in served.content and b"FarmPhone" not in served.content


async def test_a_png_stays_a_png(client):
    tokens = await login(client, "png-farmer")
    response = await upload(client, tokens, png_bytes(), filename="leaf.png", content_type="image/png")
    assert response.status == 201
    assert response.json["content_type"] == "image/png"
    _, served = await client.get(response.json["url"])
    assert served.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(served.content)).format == "PNG"


async def test_the_clients_content_type_is_ignored_so_a_png_sent_as_jpeg_is_stored_as_png(client):
    tokens = await login(client, "mislabeller")
    response = await upload(client, tokens, png_bytes(), filename="leaf.jpg", content_type="image/jpeg")
    assert response.status == 201
    assert response.json["content_type"] == "image/png"


async def test_a_text_file_renamed_to_jpg_is_refused_as_unsupported(client):
    tokens = await login(client, "text-sender")
    response = await upload(client, tokens, "病虫害情况：叶片发黄。".encode() * 10, filename="leaf.jpg")
    assert response.status == 415
    assert response.json["error"] == {
        "code": "unsupported_media_type",
        "message": "图片格式不支持，请上传 JPG、PNG 或 WebP",
        "fields": {},
    }


async def test_a_file_over_the_size_limit_is_refused_with_413(app, client):
    tokens = await login(client, "big-sender")
    limit = app.ctx.settings.upload_max_bytes
    response = await upload(client, tokens, b"\xff\xd8\xff\xe0" + b"\x00" * limit)
    assert response.status == 413
    assert response.json["error"]["code"] == "upload_too_large"
    assert response.json["error"]["message"] == "图片不能超过 8 MB"


async def test_a_decompression_bomb_is_refused_without_decoding_it(client):
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    bomb = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 60_000, 60_000, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 1024)) + chunk(b"IEND", b""))
    tokens = await login(client, "bomber")
    response = await upload(client, tokens, bomb, filename="bomb.png", content_type="image/png")
    assert response.status == 422
    assert response.json["error"]["code"] == "image_too_many_pixels"
    assert response.json["error"]["fields"] == {"file": "图片尺寸太大"}


async def test_an_upload_without_a_file_asks_for_one(client):
    tokens = await login(client, "forgetful")
    _, response = await client.post("/api/v1/uploads", data={"purpose": "order_photo"}, headers=bearer(tokens))
    assert response.status == 422
    assert response.json["error"]["fields"] == {"file": "请选择图片"}


async def test_an_unknown_purpose_is_refused_field_by_field(client):
    tokens = await login(client, "wanderer")
    response = await upload(client, tokens, png_bytes(), purpose="avatar")
    assert response.status == 422
    assert "purpose" in response.json["error"]["fields"]


async def test_an_anonymous_upload_asks_to_log_in(client):
    response = await upload(client, None, png_bytes())
    assert response.status == 401
    assert response.json["error"]["code"] == "not_authenticated"


async def test_a_tampered_signature_is_refused_with_403(client):
    tokens = await login(client, "link-holder")
    url = (await upload(client, tokens, png_bytes())).json["url"]
    path, sig = url.rsplit("sig=", 1)
    forged = path + "sig=" + ("A" if sig[0] != "A" else "B") + sig[1:]
    _, response = await client.get(forged)
    assert response.status == 403
    assert response.json["error"]["code"] == "photo_link_invalid"


async def test_extending_a_links_expiry_breaks_its_signature(client):
    tokens = await login(client, "extender")
    url = (await upload(client, tokens, png_bytes())).json["url"]
    exp = int(url.split("exp=", 1)[1].split("&", 1)[0])
    _, response = await client.get(url.replace(f"exp={exp}", f"exp={exp + 86400}"))
    assert response.status == 403


async def test_a_link_without_a_signature_is_refused(client):
    tokens = await login(client, "unsigned")
    upload_id = (await upload(client, tokens, png_bytes())).json["id"]
    _, response = await client.get(f"/api/v1/uploads/{upload_id}/content")
    assert response.status == 403


async def test_an_expired_link_is_refused_with_403(app, client):
    tokens = await login(client, "late-viewer")
    upload_id = (await upload(client, tokens, png_bytes())).json["id"]
    expired = signed_url(app.ctx.settings, upload_id, ttl=60, now=time.time() - 3600)
    _, response = await client.get(expired)
    assert response.status == 403
    assert response.json["error"]["code"] == "photo_link_expired"


async def test_a_validly_signed_link_to_a_photo_that_does_not_exist_is_404(app, client):
    _, response = await client.get(signed_url(app.ctx.settings, uuid.uuid4()))
    assert response.status == 404


async def test_the_owner_reads_the_metadata_and_another_user_is_told_it_does_not_exist(client):
    owner = await login(client, "owner")
    stranger = await login(client, "stranger")
    upload_id = (await upload(client, owner, png_bytes())).json["id"]
    _, mine = await client.get(f"/api/v1/uploads/{upload_id}", headers=bearer(owner))
    assert mine.status == 200
    assert mine.json["id"] == upload_id
    assert mine.json["content_type"] == "image/png"
    _, theirs = await client.get(f"/api/v1/uploads/{upload_id}", headers=bearer(stranger))
    assert theirs.status == 404
    assert theirs.json["error"]["code"] == "upload_not_found"


async def test_uploads_are_rate_limited_per_user_with_retry_after(client):
    tokens = await login(client, "eager-uploader")
    photo = png_bytes(size=(2, 2))
    statuses = []
    # Twice the limit: a fixed window may roll over mid-loop, and the limit must still bite.
    for _ in range(61):
        response = await upload(client, tokens, photo)
        statuses.append(response.status)
        if response.status == 429:
            assert int(response.headers["retry-after"]) >= 1
            assert response.json["error"]["message"] == "上传太频繁，请稍后再试"
            break
    assert statuses[-1] == 429
    assert statuses.count(201) >= 30
    # Someone else is not held back by it.
    other = await login(client, "patient-uploader")
    assert (await upload(client, other, photo)).status == 201


async def test_attach_uploads_returns_the_owners_photos_in_the_order_given(client):
    tokens = await login(client, "orderer")
    first = (await upload(client, tokens, png_bytes())).json["id"]
    second = (await upload(client, tokens, jpeg_with_gps())).json["id"]
    attached = await attach_uploads(tokens["user"]["id"], [second, first, second], "order_photo")
    assert [str(item.id) for item in attached] == [second, first]


async def test_attach_uploads_refuses_someone_elses_photo(client):
    owner = await login(client, "photo-owner")
    thief = await login(client, "photo-thief")
    upload_id = (await upload(client, owner, png_bytes())).json["id"]
    with pytest.raises(ValidationFailed) as refused:
        await attach_uploads(thief["user"]["id"], [upload_id], "order_photo")
    assert refused.value.fields == {"photos": "图片不存在或不是您上传的，请重新上传"}


async def test_attach_uploads_refuses_a_photo_uploaded_for_another_purpose_or_a_bad_id(client):
    tokens = await login(client, "mixer")
    upload_id = (await upload(client, tokens, png_bytes(), purpose="rating_photo")).json["id"]
    with pytest.raises(ValidationFailed) as wrong_purpose:
        await attach_uploads(tokens["user"]["id"], [upload_id], "order_photo")
    assert "photos" in wrong_purpose.value.fields
    with pytest.raises(ValidationFailed) as garbage:
        await attach_uploads(tokens["user"]["id"], ["../../etc/passwd"], "order_photo")
    assert garbage.value.fields == {"photos": "图片编号无效"}


# --- the embedded storage -------------------------------------------------------------------


async def test_local_storage_round_trips_bytes_and_leaves_no_temporary_files(tmp_path):
    storage = LocalDiskStorage(tmp_path)
    await storage.save("order_photo/2025/06/abc.jpg", b"photo-bytes", "image/jpeg")
    assert await storage.exists("order_photo/2025/06/abc.jpg")
    assert await storage.open("order_photo/2025/06/abc.jpg") == b"photo-bytes"
    assert [p.name for p in (tmp_path / "order_photo/2025/06").iterdir()] == ["abc.jpg"]
    await storage.delete("order_photo/2025/06/abc.jpg")
    assert not await storage.exists("order_photo/2025/06/abc.jpg")
    with pytest.raises(StoredObjectMissing):
        await storage.open("order_photo/2025/06/abc.jpg")


@pytest.mark.parametrize("key", ["../escape.jpg", "a/../../escape.jpg", "/etc/passwd", "a\\b.jpg", "", "a//b.jpg",
                                 ".hidden", "a/./b.jpg"])
async def test_local_storage_refuses_keys_that_could_leave_its_root(tmp_path, key):
    storage = LocalDiskStorage(tmp_path / "root")
    with pytest.raises(StorageKeyInvalid):
        await storage.save(key, b"x", "image/jpeg")
    assert not (tmp_path / "escape.jpg").exists()
