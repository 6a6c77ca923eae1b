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


def test_a_token_verified_before_is_still_refused_once_it_expires():
    codec = AccessTokenCodec([("k", "s" * 40)], ttl=900)
    issued = int(time.time())
    token = codec.issue(3, "expert", None, "fam", now=issued)
    assert codec.verify(token).user_id == 3
    assert codec.verify(token, now=issued + 899.5).user_id == 3
    with pytest.raises(TokenExpired):
        codec.verify(token, now=issued + 900)
    # Refused from then on, not only the first time.
    with pytest.raises(TokenExpired):
        codec.verify(token, now=issued + 901)


def test_a_refused_token_is_not_remembered_and_the_memory_stays_bounded():
    codec = AccessTokenCodec([("k", "s" * 40)], ttl=900)
    good = codec.issue(3, "expert", None, "fam")
    header, payload, signature = good.split(".")
    forged = f"{header}.{payload}.{signature[:-2]}AA"
    for _ in range(2):
        with pytest.raises(TokenInvalid):
            codec.verify(forged)
    codec.CACHE_SIZE = 3
    tokens = [codec.issue(user, "expert", None, "fam") for user in range(1, 6)]
    assert [codec.verify(token).user_id for token in tokens] == [1, 2, 3, 4, 5]
    assert len(codec._verified) == 3
    # The oldest fell out and is simply verified again.
    assert codec.verify(tokens[0]).user_id == 1


def _with_header(token: str, header: object) -> str:
    import base64
    import json

    head = base64.urlsafe_b64encode(json.dumps(header).encode()).rstrip(b"=").decode()
    return head + "." + token.split(".", 1)[1]


def test_the_header_is_read_from_the_first_segment_alone():
    from backend.infra.jwt_header import secret_for, unverified_header

    codec = AccessTokenCodec([("k2", "b" * 44), ("k1", "a" * 44)], 900)
    header = unverified_header(codec.issue(1, "expert", None, "f"))
    assert header == {"alg": "HS256", "kid": "k2", "typ": "JWT"}
    assert secret_for(header, {"k2": "secret"}) == "secret"
    assert secret_for({"kid": ["k2"]}, {"k2": "secret"}) is None
    for junk in ("", "abc", "!!!.x.y", "a.b.c", "W10.x.y", "eyJhbGciOiJIUzI1NiJ9==.x.y", "é.x.y"):
        assert unverified_header(junk) is None, junk


@pytest.mark.parametrize("header", [{"alg": "HS256", "kid": ["k1"]}, {"alg": "HS256", "kid": "k9"}, [1, 2],
                                    {"alg": "HS256"}])
def test_a_token_whose_header_names_no_known_key_is_refused_by_every_codec(header):
    from backend.infra.checkin_codes import CheckinCodec, CodeInvalid
    from backend.config import Settings
    from backend.services.bases import BaseCodeInvalid, read_code, sign_code

    keys = [("k1", "a" * 44)]
    access = AccessTokenCodec(keys, 900)
    with pytest.raises(TokenInvalid):
        access.verify(_with_header(access.issue(1, "expert", None, "f"), header))
    codes = CheckinCodec(keys, 60)
    with pytest.raises(CodeInvalid):
        codes.verify(_with_header(codes.issue(7)[0], header), 7)
    settings = Settings(jwt_keys="k1:" + "a" * 44)
    with pytest.raises(BaseCodeInvalid):
        read_code(settings, _with_header(sign_code(settings, 3, 1), header))


def test_a_token_with_a_good_header_and_a_forged_body_is_still_refused():
    codec = AccessTokenCodec([("k1", "a" * 44)], 900)
    mine, theirs = codec.issue(1, "expert", None, "f"), codec.issue(2, "province_admin", "23", "g")
    head, _, signature = mine.split(".")
    with pytest.raises(TokenInvalid):
        codec.verify(".".join([head, theirs.split(".")[1], signature]))
