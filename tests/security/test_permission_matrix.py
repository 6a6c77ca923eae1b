"""Every route, called as every kind of caller, answers as the declared policy says.

Allowed callers get a 2xx on a valid call; everyone else gets 401 (anonymous)
or 403/404 (signed in), never a 2xx and never a 5xx, and a refused call
changes nothing: no audit record, the order keeps its status.
"""

from __future__ import annotations

import contextlib
import itertools

import pytest

from backend.infra.clock import frozen
from backend.models import AuditRecord, Order
from security.policy import POLICY
from security.routes import route_keys, url_for
from security.world import ANONYMOUS, CALLERS, WorldError

_ip = itertools.count(1)

# Bugs the matrix found that are not fixed yet (reported to the lead). Remove an entry once it passes:
# strict xfail turns a fixed bug into a failure so the list cannot go stale.
NO_AUDIT = "bug: a successful call writes no AuditRecord"
KNOWN_BUGS = {
}


def _params():
    return [pytest.param(key, marks=pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[key])) if key in KNOWN_BUGS
            else key for key in sorted(POLICY)]


@pytest.fixture(autouse=True)
async def clean_state():
    """The matrix shares one world per module (see `world_module`) instead of wiping before each route."""
    yield


def test_every_route_has_a_policy_entry(app):
    routes = route_keys(app)
    missing = sorted(routes - POLICY.keys())
    stale = sorted(POLICY.keys() - routes)
    assert not missing, f"routes without a policy entry in tests/security/policy.py: {missing}"
    assert not stale, f"policy entries for routes that no longer exist: {stale}"


async def _call(world, method: str, pattern: str, call, caller: str):
    headers = world.headers(caller) | call.headers | {"X-Real-IP": f"10.77.{next(_ip) % 250}.{next(_ip) % 250}"}
    if call.as_caller is not None:
        headers |= call.as_caller(caller)
    kwargs = {"headers": headers}
    if call.params:
        kwargs["params"] = call.params
    if call.files is not None or call.data is not None:
        kwargs["files"] = call.files
        kwargs["data"] = call.data
    elif call.json is not None:
        kwargs["json"] = call.json(caller) if callable(call.json) else call.json
    elif method in {"POST", "PUT", "PATCH"}:
        kwargs["json"] = {}
    with frozen(call.at) if call.at else contextlib.nullcontext():
        _, response = await world.client.request(method, url_for(pattern, call.path), **kwargs)
    return response


def _brief(response) -> str:
    return f"{response.status} {response.text[:240]}"


@pytest.mark.parametrize("key", _params())
async def test_the_route_answers_each_caller_as_the_policy_says(world_module, key):
    world = world_module
    rule = POLICY[key]
    method, pattern = key.split(" ", 1)
    problems: list[str] = []
    try:
        shared = await rule.prepare(world)
    except WorldError as exc:
        pytest.fail(f"could not build the record for {key}: {exc}")

    refused = [caller for caller in CALLERS if caller not in rule.allowed]
    audit_before = await AuditRecord.all().count()
    status_before = (await Order.get(id=shared.order_id)).status if shared.order_id else None
    for caller in refused:
        response = await _call(world, method, pattern, shared, caller)
        expected = {401} if caller == ANONYMOUS else {403, 404}
        if response.status not in expected:
            problems.append(f"{caller} must be refused with {sorted(expected)}, got {_brief(response)}")
    if refused and await AuditRecord.all().count() != audit_before:
        problems.append("a refused call wrote an audit record")
    if shared.order_id and (await Order.get(id=shared.order_id)).status != status_before:
        problems.append(f"a refused call changed the order's status from {status_before}")

    for index, caller in enumerate(c for c in CALLERS if c in rule.allowed):
        call = shared if index == 0 or not rule.fresh else await rule.prepare(world)
        before = await AuditRecord.all().count()
        response = await _call(world, method, pattern, call, caller)
        if not 200 <= response.status < 300:
            problems.append(f"{caller} is allowed but got {_brief(response)}")
        elif rule.audited and await AuditRecord.all().count() == before:
            problems.append(f"{caller}'s successful call left no AuditRecord")
    assert not problems, f"{key}:\n  " + "\n  ".join(problems)
