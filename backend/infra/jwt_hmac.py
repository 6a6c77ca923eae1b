"""HS256 with the secret's checks run once per secret instead of on every token.

PyJWT (2.15) prepares the HMAC key each time it signs or verifies: it checks that the secret is not
PEM, SSH or DER key material and parses it as JSON to refuse a JWK used as a raw secret. That took a
third of a verification (66 → 43 µs per `jwt.decode` on the bench machine). Every check-in code is
verified (each scan brings a fresh one), and so is an access token on its first request to a worker; the
secrets are fixed for the life of the process, so the prepared key is kept per secret.
A secret that fails the checks still raises every time and is never kept.

Importing this module puts the class in place of PyJWT's own HS256, through PyJWT's public
`register_algorithm`; jwt_header, through which every module that signs or verifies a token picks its
key, imports it.
"""

from __future__ import annotations

import jwt
from jwt.algorithms import HMACAlgorithm

ALGORITHM = "HS256"
# Secrets in use at once: a few key ids per kind of token, while keys rotate.
_MAX_KEPT = 64


class PreparedHMAC(HMACAlgorithm):
    """HMACAlgorithm whose prepare_key answers from a cache after the first time for each secret."""

    def __init__(self, hash_alg) -> None:
        super().__init__(hash_alg)
        self._prepared: dict[str | bytes, bytes] = {}

    def prepare_key(self, key: str | bytes) -> bytes:
        prepared = self._prepared.get(key)
        if prepared is None:
            prepared = super().prepare_key(key)
            if len(self._prepared) < _MAX_KEPT:
                self._prepared[key] = prepared
        return prepared


def _install() -> None:
    jwt.unregister_algorithm(ALGORITHM)
    jwt.register_algorithm(ALGORITHM, PreparedHMAC(HMACAlgorithm.SHA256))


_install()
