"""A retried submission with the same Idempotency-Key places one order, not two."""

from backend.models import Order
from support.auth import bearer, login
from support.factories import order_body


async def test_a_retried_order_with_the_same_key_is_placed_once_and_replayed(client):
    farmer = await login(client, "retrying-farmer")
    headers = bearer(farmer) | {"Idempotency-Key": "order-draft-7f3a9c21"}
    _, first = await client.post("/api/v1/orders", json=order_body(), headers=headers)
    _, again = await client.post("/api/v1/orders", json=order_body(), headers=headers)
    assert first.status == 201 and again.status == 201
    assert again.json["id"] == first.json["id"]
    assert again.headers["idempotent-replayed"] == "true"
    assert await Order.filter(requester_id=farmer["user"]["id"]).count() == 1


async def test_a_key_reused_for_a_different_order_is_refused(client):
    farmer = await login(client, "careless-farmer")
    headers = bearer(farmer) | {"Idempotency-Key": "order-draft-11112222"}
    await client.post("/api/v1/orders", json=order_body(), headers=headers)
    _, other = await client.post("/api/v1/orders", json=order_body(description="另一个完全不同的问题描述"),
                                 headers=headers)
    assert other.status == 422
    assert other.json["error"]["code"] == "idempotency_key_reused"


async def test_the_same_key_from_another_user_is_their_own(client):
    first = await login(client, "farmer-one")
    second = await login(client, "farmer-two")
    key = {"Idempotency-Key": "shared-key-0001"}
    _, a = await client.post("/api/v1/orders", json=order_body(), headers=bearer(first) | key)
    _, b = await client.post("/api/v1/orders", json=order_body(), headers=bearer(second) | key)
    assert a.json["id"] != b.json["id"]


async def test_a_refused_request_is_replayed_as_refused(client):
    farmer = await login(client, "sloppy-farmer")
    headers = bearer(farmer) | {"Idempotency-Key": "bad-order-00000001"}
    _, first = await client.post("/api/v1/orders", json={"items": []}, headers=headers)
    _, again = await client.post("/api/v1/orders", json={"items": []}, headers=headers)
    assert first.status == again.status == 422
    assert again.headers["idempotent-replayed"] == "true"


async def test_a_malformed_key_is_a_clear_422(client):
    farmer = await login(client, "odd-key-farmer")
    _, response = await client.post("/api/v1/orders", json=order_body(),
                                    headers=bearer(farmer) | {"Idempotency-Key": "no spaces!"})
    assert response.status == 422


async def test_the_access_token_is_verified_once_per_request(client, resources, monkeypatch):
    """The middleware and the handler's @authenticated share one verification."""
    farmer = await login(client, "counted-farmer")
    verify, verified = resources.access_tokens.verify, []

    def counting(token):
        verified.append(token)
        return verify(token)

    monkeypatch.setattr(resources.access_tokens, "verify", counting)
    _, response = await client.post("/api/v1/orders", json=order_body(),
                                    headers=bearer(farmer) | {"Idempotency-Key": "counted-order-0001"})
    assert response.status == 201
    assert verified == [farmer["access_token"]]
