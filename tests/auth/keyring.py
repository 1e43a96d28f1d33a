"""Test-side CDS client: real keys generated here, tokens signed like an EHR would."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

BASE = "https://cds.example.org"
DISCOVERY = f"{BASE}/cds-services"
SERVICE = f"{BASE}/cds-services/ctd-ild-patient-view"
FEEDBACK = f"{BASE}/cds-services/ctd-ild-patient-view/feedback"
ENDPOINTS = {"discovery": DISCOVERY, "service": SERVICE, "feedback": FEEDBACK}

ISS = "https://ehr.example.org"
JKU = "https://ehr.example.org/.well-known/jwks.json"


@dataclass
class Signer:
    """One key pair of a CDS client."""

    alg: str
    private_key: Any
    kid: str = field(default_factory=lambda: f"kid-{uuid.uuid4()}")

    @classmethod
    def ec(cls, alg: str = "ES384") -> Signer:
        curve = {"ES256": ec.SECP256R1(), "ES384": ec.SECP384R1(), "ES512": ec.SECP521R1()}[alg]
        return cls(alg, ec.generate_private_key(curve))

    @classmethod
    def rsa(cls, alg: str = "RS384", bits: int = 2048) -> Signer:
        return cls(alg, rsa.generate_private_key(public_exponent=65537, key_size=bits))

    def public_jwk(self, **extra: Any) -> dict[str, Any]:
        algo = ECAlgorithm if self.alg.startswith("ES") else RSAAlgorithm
        jwk: dict[str, Any] = algo.to_jwk(self.private_key.public_key(), as_dict=True)
        jwk.update({"kid": self.kid, "use": "sig", "alg": self.alg}, **extra)
        return jwk

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.public_jwk()]}

    def claims(self, aud: str | list[str] | None = SERVICE, **overrides: Any) -> dict[str, Any]:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": ISS,
            "aud": aud,
            "exp": now + 300,
            "iat": now,
            "jti": str(uuid.uuid4()),
        }
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}

    def token(
        self,
        aud: str | list[str] | None = SERVICE,
        headers: dict[str, Any] | None = None,
        **claims: Any,
    ) -> str:
        head: dict[str, Any] = {"typ": "JWT", "kid": self.kid}
        head.update(headers or {})
        return jwt.encode(
            self.claims(aud, **claims), self.private_key, algorithm=self.alg, headers=head
        )


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
