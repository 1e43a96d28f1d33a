"""Public signing keys from a JWK Set, and which JWS algorithms each key may verify.

Only asymmetric algorithms are accepted (CDS Hooks §Security: never ``none``, never HMAC):
ES256/384/512 with an EC key on the matching curve, RS256/384/512 and PS256/384/512 with an RSA
key of at least 2048 bits. A key's own ``alg`` member, when present, must equal the token's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePublicKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from jwt.algorithms import ECAlgorithm, RSAAlgorithm
from jwt.exceptions import PyJWTError

#: algorithm -> (kty, crv); crv None for RSA
ALGORITHMS: Mapping[str, tuple[str, str | None]] = {
    "ES256": ("EC", "P-256"),
    "ES384": ("EC", "P-384"),
    "ES512": ("EC", "P-521"),
    "RS256": ("RSA", None),
    "RS384": ("RSA", None),
    "RS512": ("RSA", None),
    "PS256": ("RSA", None),
    "PS384": ("RSA", None),
    "PS512": ("RSA", None),
}
MIN_RSA_BITS = 2048
_PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}


class JwkError(ValueError):
    """A JWK or JWK Set that cannot be used."""


@dataclass(frozen=True)
class PublicKey:
    kid: str
    kty: str
    crv: str | None
    alg: str | None  # the JWK's own "alg" member, if any
    key: EllipticCurvePublicKey | RSAPublicKey

    def verifies(self, alg: str) -> bool:
        """May this key verify a token signed with ``alg``?"""
        wanted = ALGORITHMS.get(alg)
        if wanted is None or (self.alg is not None and self.alg != alg):
            return False
        return wanted == (self.kty, self.crv)


def parse_jwk(jwk: Any) -> PublicKey:
    if not isinstance(jwk, dict):
        raise JwkError("a key is not a JSON object")
    kid = jwk.get("kid")
    if not isinstance(kid, str) or not kid:
        raise JwkError("a key has no 'kid'")
    if _PRIVATE_MEMBERS & set(jwk):
        raise JwkError(f"key {kid!r} holds private or symmetric key material")
    use = jwk.get("use")
    if use is not None and use != "sig":
        raise JwkError(f"key {kid!r} has use {use!r}, not 'sig'")
    alg = jwk.get("alg")
    if alg is not None and alg not in ALGORITHMS:
        raise JwkError(f"key {kid!r} has alg {alg!r}; allowed: {sorted(ALGORITHMS)}")
    kty = jwk.get("kty")
    try:
        if kty == "EC":
            ec_key = ECAlgorithm.from_jwk(jwk)
            if not isinstance(ec_key, EllipticCurvePublicKey):
                raise JwkError(f"key {kid!r} is not a public EC key")
            return PublicKey(kid, "EC", jwk.get("crv"), alg, ec_key)
        if kty == "RSA":
            rsa_key = RSAAlgorithm.from_jwk(jwk)
            if not isinstance(rsa_key, RSAPublicKey):
                raise JwkError(f"key {kid!r} is not a public RSA key")
            if rsa_key.key_size < MIN_RSA_BITS:
                raise JwkError(f"key {kid!r} is RSA {rsa_key.key_size} bits (< {MIN_RSA_BITS})")
            return PublicKey(kid, "RSA", None, alg, rsa_key)
    except PyJWTError as exc:
        raise JwkError(f"key {kid!r} cannot be read ({type(exc).__name__})") from exc
    raise JwkError(f"key {kid!r} has kty {kty!r}; only EC and RSA public keys are accepted")


def parse_jwks(jwks: Any, strict: bool) -> dict[str, PublicKey]:
    """kid -> key. ``strict`` (configuration): any bad key is an error. Otherwise (a fetched set)
    unusable keys are skipped. A kid listed twice is ambiguous and is dropped in both modes."""
    if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list):
        raise JwkError("a JWK Set must be an object with a 'keys' array")
    keys: dict[str, PublicKey] = {}
    duplicates: set[str] = set()
    for jwk in jwks["keys"]:
        try:
            key = parse_jwk(jwk)
        except JwkError:
            if strict:
                raise
            continue
        if key.kid in keys:
            if strict:
                raise JwkError(f"kid {key.kid!r} appears twice")
            duplicates.add(key.kid)
        keys[key.kid] = key
    for kid in duplicates:
        del keys[kid]
    return keys
