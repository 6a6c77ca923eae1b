"""HS256 prepares each secret once (backend/infra/jwt_hmac.py) and still checks every token and every secret."""

import jwt
import pytest
from jwt.algorithms import HMACAlgorithm

from backend.infra import jwt_hmac

SECRET = "a-secret-long-enough-for-hs256-0123456789"
OTHER = "another-secret-long-enough-for-hs256-9876"
PEM = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----"


@pytest.fixture
def counted(monkeypatch):
    """A fresh PreparedHMAC in place of the installed one, counting the checks PyJWT's own prepare_key runs."""
    calls = []
    original = HMACAlgorithm.prepare_key

    def counting(self, key):
        calls.append(key)
        return original(self, key)

    monkeypatch.setattr(HMACAlgorithm, "prepare_key", counting)
    fresh = jwt_hmac.PreparedHMAC(HMACAlgorithm.SHA256)
    installed = jwt.api_jws._jws_global_obj._algorithms[jwt_hmac.ALGORITHM]
    jwt.unregister_algorithm(jwt_hmac.ALGORITHM)
    jwt.register_algorithm(jwt_hmac.ALGORITHM, fresh)
    yield calls
    jwt.unregister_algorithm(jwt_hmac.ALGORITHM)
    jwt.register_algorithm(jwt_hmac.ALGORITHM, installed)


def test_importing_it_puts_the_prepared_hs256_in_place():
    assert isinstance(jwt.api_jws._jws_global_obj._algorithms["HS256"], jwt_hmac.PreparedHMAC)


def test_each_secret_is_checked_once_however_many_tokens_use_it(counted):
    token = jwt.encode({"sub": "1"}, SECRET, algorithm="HS256")
    for _ in range(3):
        assert jwt.decode(token, SECRET, algorithms=["HS256"]) == {"sub": "1"}
    jwt.decode(jwt.encode({"sub": "2"}, OTHER, algorithm="HS256"), OTHER, algorithms=["HS256"])
    assert counted == [SECRET, OTHER]


def test_a_token_signed_with_another_secret_is_still_refused(counted):
    token = jwt.encode({"sub": "1"}, SECRET, algorithm="HS256")
    jwt.decode(token, SECRET, algorithms=["HS256"])
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, OTHER, algorithms=["HS256"])
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(forged, SECRET, algorithms=["HS256"])


def test_a_secret_that_is_key_material_is_refused_every_time_and_never_kept(counted):
    for _ in range(2):
        with pytest.raises(jwt.InvalidKeyError):
            jwt.encode({"sub": "1"}, PEM, algorithm="HS256")
    assert counted == [PEM, PEM]


def test_it_keeps_a_bounded_number_of_secrets(counted):
    algorithm = jwt.api_jws._jws_global_obj._algorithms["HS256"]
    for i in range(jwt_hmac._MAX_KEPT + 10):
        algorithm.prepare_key(f"{SECRET}-{i}")
    assert len(algorithm._prepared) == jwt_hmac._MAX_KEPT
    algorithm.prepare_key(f"{SECRET}-{jwt_hmac._MAX_KEPT + 5}")
    assert len(counted) == jwt_hmac._MAX_KEPT + 11
