import re

import pytest


async def test_a_missing_field_is_reported_per_field_in_chinese(client):
    _, response = await client.post("/api/v1/auth/wechat-login", json={})
    assert response.status == 422
    assert response.json["error"]["code"] == "validation_failed"
    assert response.json["error"]["fields"] == {"code": "此项必填"}


async def test_a_wrongly_typed_field_is_reported(client):
    _, response = await client.post("/api/v1/auth/wechat-login", json={"code": 12})
    assert response.status == 422
    assert response.json["error"]["fields"] == {"code": "应为文字"}


# NaN too: json.loads would take it and hand pydantic a float that is no number at all.
@pytest.mark.parametrize("body", [b"{not json", b'{"code": NaN}'])
async def test_a_body_that_is_not_json_is_a_clear_422(client, body):
    _, response = await client.post(
        "/api/v1/auth/wechat-login", content=body, headers={"content-type": "application/json"}
    )
    assert response.status == 422
    assert response.json["error"]["fields"] == {"body": "JSON 格式错误"}


async def test_an_unknown_role_value_lists_the_allowed_ones(client):
    from support.auth import bearer, login

    tokens = await login(client, "role-typo")
    _, response = await client.post("/api/v1/auth/switch-role", json={"role": "king"}, headers=bearer(tokens))
    assert response.status == 422
    assert "requester" in response.json["error"]["fields"]["role"]


async def test_an_unknown_path_is_a_json_404(client):
    _, response = await client.get("/api/v1/no-such-thing")
    assert response.status == 404
    assert response.json["error"]["code"] == "not_found"
    assert response.json["error"]["fields"] == {}


async def test_a_wrong_method_is_a_json_405(client):
    _, response = await client.get("/api/v1/auth/wechat-login")
    assert response.status == 405
    assert response.json["error"]["code"] == "method_not_allowed"


async def test_openapi_documents_request_bodies_and_required_fields(client):
    _, response = await client.get("/docs/openapi.json")
    assert response.status == 200
    body = response.json["paths"]["/api/v1/auth/wechat-login"]["post"]["requestBody"]
    schema = body["content"]["application/json"]["schema"]
    assert body["required"] is True
    assert schema["required"] == ["code"]
    assert schema["properties"]["code"]["maxLength"] == 128


async def test_answers_carry_chinese_as_utf8_not_escapes(client):
    _, response = await client.get("/api/v1/no-such-thing")
    assert "找不到该地址".encode() in response.body
    assert b"\\u" not in response.body
    assert response.headers["content-type"].startswith("application/json")


def test_the_codec_writes_non_string_keys_as_strings_as_the_standard_library_does():
    import json

    from backend.infra import jsonio

    value = {2026: {"月": [1, 2.5, None, True]}, "x": "专家"}
    assert jsonio.loads(jsonio.dumps(value)) == json.loads(json.dumps(value))


async def test_every_json_body_and_query_model_reaches_the_openapi_document(app, client):
    """Documented below @authenticated or @rate_limited, a body or query still reaches /docs/openapi.json."""
    from backend.api.validation import openapi_schema

    _, response = await client.get("/docs/openapi.json")
    paths = response.json["paths"]
    bodies = queries = 0
    for route in app.router.routes:
        handler = route.handler
        path = "/" + re.sub(r"<([^:>]+)(?::[^>]+)?>", r"{\1}", route.path)
        for method in route.methods:
            operation = paths.get(path, {}).get(method.lower())
            if getattr(handler, "json_body_model", None):
                bodies += 1
                documented = operation["requestBody"]["content"]["application/json"]["schema"]
                assert documented == openapi_schema(handler.json_body_model), (method, path)
            if getattr(handler, "query_model", None):
                queries += 1
                names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
                expected = list(openapi_schema(handler.query_model)["properties"])
                assert names == expected, (method, path)
    assert bodies >= 40 and queries >= 15


def test_the_documented_schemas_speak_openapi_3_0():
    """No JSON Schema 2020-12 forms that OpenAPI 3.0 tools reject: null types, numeric exclusive bounds."""
    from backend.api.validation import openapi_schema
    from backend.schemas.menu import ItemCreate
    from backend.schemas.orders import OrderQuery

    item = openapi_schema(ItemCreate)["properties"]["typical_hours"]
    assert item["minimum"] == 0 and item["exclusiveMinimum"] is True
    since = openapi_schema(OrderQuery)["properties"]["from"]
    assert since == {"type": "string", "format": "date", "nullable": True, "default": None, "title": "From"}


@pytest.mark.parametrize("text", ["玉米\x16叶片发黄", "\x00", "结尾\x7f"])
async def test_text_with_a_control_character_is_refused_per_field(client, text):
    from support.auth import bearer
    from support.factories import PROVINCE, admin_tokens
    from backend.domain.roles import Role

    admin = await admin_tokens(client, "control-chars", Role.PROVINCE_ADMIN, PROVINCE)
    _, response = await client.post("/api/v1/menu/categories", json={"code": "ctl_test", "name": text},
                                    headers=bearer(admin))
    assert response.status == 422
    assert response.json["error"]["fields"] == {"name": "不能包含控制字符"}
