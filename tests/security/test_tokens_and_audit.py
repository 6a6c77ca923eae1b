"""Secrets, tokens and the audit trail.

Already covered, not repeated: production refuses placeholder or weak secrets
(tests/unit/test_config.py), rotation at the codec level (tests/unit/test_tokens.py),
tokens of another algorithm refused (tests/api/test_auth.py::test_a_token_signed_with_another_algorithm_is_refused),
refresh tokens revoked on logout and on reuse (tests/api/test_auth.py::test_logout_revokes_the_refresh_token,
::test_reusing_an_old_refresh_token_revokes_the_whole_login). That every state change writes an AuditRecord
is checked route by route by the permission matrix (`audited=True` in policy.py).
"""

from __future__ import annotations

import base64
import json

import pytest

from backend.infra.tokens import AccessTokenCodec
from backend.models import AuditRecord
from support.auth import bearer, login
from support.factories import scheduled_order

from security.routes import route_keys

NEW_KEY = ("k-new", "n3w-signing-secret-Qx7Lp2Zr9Tb4Wm8Ys1Hd6Jf3")
MISSING_AUDIT_READ = "missing feature: no admin-facing audit-log read endpoint GET /api/v1/audit"


@pytest.fixture
def swap_codec(resources):
    original = resources.access_tokens

    def swap(keys):
        resources.access_tokens = AccessTokenCodec(keys, original.ttl)

    yield swap
    resources.access_tokens = original


async def test_a_token_signed_by_the_old_key_works_while_that_key_is_configured_and_fails_once_removed(
        client, settings, swap_codec):
    old_key = settings.signing_keys[0]
    tokens = await login(client, "rotation-user")
    swap_codec([NEW_KEY, old_key])
    _, during = await client.get("/api/v1/me", headers=bearer(tokens))
    assert during.status == 200
    swap_codec([NEW_KEY])
    _, after = await client.get("/api/v1/me", headers=bearer(tokens))
    assert after.status == 401
    assert after.json["error"]["code"] == "token_invalid"


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


async def test_an_unsigned_alg_none_token_is_refused(client):
    tokens = await login(client, "alg-none-user")
    payload = json.loads(base64.urlsafe_b64decode(tokens["access_token"].split(".")[1] + "=="))
    payload["role"] = "province_admin"
    forged = f"{_b64({'alg': 'none', 'typ': 'JWT', 'kid': 'dev'})}.{_b64(payload)}."
    _, response = await client.get("/api/v1/me", headers=bearer(forged))
    assert response.status == 401


def test_no_route_updates_or_deletes_audit_records(app):
    audit_routes = [key for key in route_keys(app) if "audit" in key.lower()]
    assert all(key.startswith("GET ") for key in audit_routes), audit_routes
    assert not any(key.startswith("DELETE ") for key in route_keys(app) if "audit" in key.lower())


async def test_the_order_walk_leaves_one_audit_record_per_step_naming_the_actor(client):
    booked = await scheduled_order(client)
    records = await AuditRecord.filter(subject_type="order", subject_id=str(booked["order"]["id"])).order_by("id")
    assert len(records) >= 4  # placed, accepted, dispatched, accepted by the expert
    assert all(record.actor_id and record.actor_role for record in records)
    assert [record.to_state for record in records][-1] == "scheduled"


async def test_an_admin_reads_the_audit_trail_of_an_order_in_their_area_and_not_of_another(client):
    from backend.domain.roles import Role
    from support.factories import FANGZHENG, admin_tokens

    booked = await scheduled_order(client)
    order_id = booked["order"]["id"]
    query = {"subject_type": "order", "subject_id": str(order_id)}
    _, response = await client.get("/api/v1/audit", params=query, headers=bearer(booked["county"]))
    assert response.status == 200
    actions = [item["action"] for item in response.json["items"]]
    assert len(actions) >= 4
    outsider = await admin_tokens(client, "audit-outsider", Role.LOCAL_ADMIN, FANGZHENG)
    _, refused = await client.get("/api/v1/audit", params=query, headers=bearer(outsider))
    assert refused.status in (403, 404) or refused.json["items"] == []
    _, requester = await client.get("/api/v1/audit", params=query, headers=bearer(booked["farmer"]))
    assert requester.status == 403
