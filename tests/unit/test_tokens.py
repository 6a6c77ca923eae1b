import time

import pytest

from backend.errors import TokenExpired, TokenInvalid
from backend.infra.tokens import AccessTokenCodec


def test_a_token_signed_with_an_old_key_still_verifies_after_rotation():
    old = AccessTokenCodec([("k1", "old-secret-" + "x" * 30)], ttl=900)
    token = old.issue(7, "expert", None, "fam")
    rotated = AccessTokenCodec([("k2", "new-secret-" + "y" * 30), ("k1", "old-secret-" + "x" * 30)], ttl=900)
    assert rotated.verify(token).user_id == 7


def test_a_token_whose_key_was_retired_is_refused():
    old = AccessTokenCodec([("k1", "old-secret-" + "x" * 30)], ttl=900)
    token = old.issue(7, "expert", None, "fam")
    retired = AccessTokenCodec([("k2", "new-secret-" + "y" * 30)], ttl=900)
    with pytest.raises(TokenInvalid):
        retired.verify(token)


def test_claims_carry_the_active_role_and_its_region():
    codec = AccessTokenCodec([("k", "s" * 40)], ttl=900)
    claims = codec.verify(codec.issue(3, "local_admin", "230184000000", "fam"))
    assert (claims.user_id, claims.role, claims.region_code, claims.family) == (3, "local_admin", "230184000000", "fam")


def test_an_access_token_expires_after_its_lifetime():
    codec = AccessTokenCodec([("k", "s" * 40)], ttl=900)
    with pytest.raises(TokenExpired):
        codec.verify(codec.issue(3, "requester", None, "fam", now=time.time() - 901))
