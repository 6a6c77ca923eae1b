"""典型案例: a well-rated visit becomes a story, photos only with consent, the public sees published ones only."""

import io
import json
from datetime import timedelta

import pytest
from PIL import Image

from backend.domain.roles import Role
from backend.infra.clock import frozen, now
from support.auth import bearer
from support.factories import FANGZHENG, MINLE_POINT, admin_tokens, expert_tokens, scheduled_order, visit_times

ON_SITE = {"latitude": MINLE_POINT[0] + 0.001, "longitude": MINLE_POINT[1], "accuracy": 15}
STORY = {"title": "一次上门，救活一片果园",
         "body": "民乐村的苹果树叶片发黄卷曲，专家现场诊断为腐烂病初期，当场示范刮治和涂药，"
                 "并给村里果农讲解了冬季清园的要点。两周后回访，新发病斑明显减少。"}


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (40, 160, 70)).save(out, "PNG")
    return out.getvalue()


async def upload(client, tokens, purpose: str) -> str:
    _, response = await client.post("/api/v1/uploads", files={"file": ("photo.png", png(), "image/png")},
                                    data={"purpose": purpose}, headers=bearer(tokens))
    assert response.status == 201, response.json
    return response.json["id"]


async def visit_rated(client, overall: int | None, suffix: str = "") -> dict:
    """A scheduled order's visit, checked out, with a service-log photo and (if rated) a rating photo."""
    booked = await scheduled_order(client, suffix=suffix)
    order_id = booked["order"]["id"]
    start, end = visit_times(timedelta(hours=3))
    with frozen(start):
        _, code = await client.get(f"/api/v1/orders/{order_id}/checkin-code", headers=bearer(booked["farmer"]))
        _, visit = await client.post(f"/api/v1/orders/{order_id}/check-in",
                                     json={"token": code.json["token"], "location": ON_SITE},
                                     headers=bearer(booked["expert"]))
    with frozen(end):
        _, out = await client.post(f"/api/v1/visits/{visit.json['id']}/check-out", json={"location": ON_SITE},
                                   headers=bearer(booked["expert"]))
    visit_id = out.json["id"]
    log_photo = await upload(client, booked["expert"], "log_photo")
    _, log = await client.put(f"/api/v1/visits/{visit_id}/log",
                              json={"content": "现场诊断果树腐烂病并示范刮治", "problems_solved": 1,
                                    "people_trained": 12, "photos": [log_photo]}, headers=bearer(booked["expert"]))
    assert log.status in (200, 201), log.json
    rating_photo = None
    if overall is not None:
        rating_photo = await upload(client, booked["farmer"], "rating_photo")
        _, rated = await client.post(f"/api/v1/visits/{visit_id}/rating",
                                     json={"overall": overall, "attitude": overall, "expertise": overall,
                                           "solved": "solved", "photos": [rating_photo]},
                                     headers=bearer(booked["farmer"]))
        assert rated.status == 201, rated.json
    return booked | {"visit_id": visit_id, "log_photo": log_photo, "rating_photo": rating_photo}


@pytest.fixture
async def praised(client):
    return await visit_rated(client, 5)


async def create_case(client, tokens, visit_id: int, **overrides):
    body = STORY | {"visit_id": visit_id, "photo_ids": [], "photos_consented": False} | overrides
    _, response = await client.post("/api/v1/cases", json=body, headers=bearer(tokens))
    return response


async def test_a_well_rated_visit_becomes_a_draft_that_the_public_sees_only_once_published(client, praised):
    photos = [praised["log_photo"], praised["rating_photo"]]
    created = await create_case(client, praised["county"], praised["visit_id"], photo_ids=photos,
                                photos_consented=True)
    assert created.status == 201, created.json
    case = created.json
    assert (case["published"], case["photo_ids"], case["field"]) == (False, photos, "planting")

    _, listed = await client.get("/api/v1/cases")
    assert listed.json["items"] == [] and listed.json["total"] == 0
    _, hidden = await client.get(f"/api/v1/cases/{case['id']}")
    assert hidden.status == 404

    _, published = await client.post(f"/api/v1/cases/{case['id']}/publish", headers=bearer(praised["county"]))
    assert published.status == 200 and published.json["published"] is True
    _, again = await client.post(f"/api/v1/cases/{case['id']}/publish", headers=bearer(praised["province"]))
    assert again.json["published_at"] == published.json["published_at"]

    _, listed = await client.get("/api/v1/cases")
    assert listed.json["total"] == 1
    [item] = listed.json["items"]
    assert set(item) == {"id", "title", "body", "field", "field_label", "region_name", "photo_urls", "published_at"}
    assert (item["title"], item["field_label"], item["region_name"]) == (
        STORY["title"], "种植技术", "哈尔滨市五常市民乐朝鲜族乡")
    assert [url.split("?")[0] for url in item["photo_urls"]] == [f"/api/v1/uploads/{p}/content" for p in photos]
    _, photo = await client.get(item["photo_urls"][0])
    assert photo.status == 200 and photo.headers["content-type"].startswith("image/")
    _, single = await client.get(f"/api/v1/cases/{case['id']}")
    assert single.json == item


async def test_the_public_story_carries_no_personal_data_of_the_requester(client, praised):
    created = await create_case(client, praised["county"], praised["visit_id"])
    await client.post(f"/api/v1/cases/{created.json['id']}/publish", headers=bearer(praised["county"]))
    _, listed = await client.get("/api/v1/cases")
    text = json.dumps(listed.json, ensure_ascii=False)
    assert "13800000201" not in text and "赵大山" not in text
    assert listed.json["items"][0]["region_name"] == "哈尔滨市五常市民乐朝鲜族乡"  # the place stops at the township
    assert "visit_id" not in text and "order" not in text


async def test_a_story_that_names_the_requester_or_their_phone_is_refused(client, praised):
    for words in ("赵大山说专家讲得很清楚，", "可拨打 13800000201 联系农户，"):
        response = await create_case(client, praised["county"], praised["visit_id"], body=words + STORY["body"])
        assert response.status == 422
        assert response.json["error"]["code"] == "personal_data"


async def test_a_low_rated_or_unrated_visit_cannot_become_a_case(client):
    poor = await visit_rated(client, 2, suffix="-poor")
    response = await create_case(client, poor["county"], poor["visit_id"])
    assert response.status == 409
    assert response.json["error"]["code"] == "rating_too_low"
    assert response.json["error"]["overall"] == 2
    unrated = await visit_rated(client, None, suffix="-unrated")
    response = await create_case(client, unrated["county"], unrated["visit_id"])
    assert response.status == 409
    assert response.json["error"]["code"] == "rating_too_low"


async def test_photos_are_refused_without_the_requesters_consent(client, praised):
    response = await create_case(client, praised["county"], praised["visit_id"], photo_ids=[praised["log_photo"]],
                                 photos_consented=False)
    assert response.status == 422
    assert response.json["error"]["code"] == "photos_not_consented"
    assert "同意" in response.json["error"]["message"]
    without_photos = await create_case(client, praised["county"], praised["visit_id"])
    assert without_photos.status == 201
    assert without_photos.json["photo_urls"] == []


async def test_only_photos_from_that_visits_log_or_rating_may_be_used(client, praised):
    stranger_photo = await upload(client, praised["expert"], "log_photo")
    response = await create_case(client, praised["county"], praised["visit_id"],
                                 photo_ids=[praised["log_photo"], stranger_photo], photos_consented=True)
    assert response.status == 422
    assert "photo_ids" in response.json["error"]["fields"]


async def test_a_visit_becomes_at_most_one_case(client, praised):
    assert (await create_case(client, praised["county"], praised["visit_id"])).status == 201
    second = await create_case(client, praised["province"], praised["visit_id"])
    assert second.status == 409
    assert second.json["error"]["code"] == "case_exists"


async def test_only_admins_of_the_area_make_and_publish_cases(client, praised):
    other = await admin_tokens(client, "case-fangzheng", Role.LOCAL_ADMIN, FANGZHENG)
    assert (await create_case(client, other, praised["visit_id"])).status == 404
    for tokens in (praised["farmer"], praised["expert"]):
        assert (await create_case(client, tokens, praised["visit_id"])).status == 403
    created = await create_case(client, praised["county"], praised["visit_id"])
    _, foreign = await client.post(f"/api/v1/cases/{created.json['id']}/publish", headers=bearer(other))
    assert foreign.status == 404
    expert, _ = await expert_tokens(client, "case-expert")
    _, refused = await client.post(f"/api/v1/cases/{created.json['id']}/publish", headers=bearer(expert))
    assert refused.status == 403
    _, listed = await client.get("/api/v1/cases")
    assert listed.json["total"] == 0


async def test_the_public_list_filters_by_field_and_pages(client, praised):
    created = await create_case(client, praised["county"], praised["visit_id"])
    await client.post(f"/api/v1/cases/{created.json['id']}/publish", headers=bearer(praised["county"]))
    _, planting = await client.get("/api/v1/cases", params={"field": "planting", "page_size": 1})
    assert [item["id"] for item in planting.json["items"]] == [created.json["id"]]
    _, livestock = await client.get("/api/v1/cases", params={"field": "livestock"})
    assert livestock.json["items"] == []
    _, bad = await client.get("/api/v1/cases", params={"page_size": 500})
    assert bad.status == 422
