"""The outcome of authenticating one request."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class AuthResult:
    ok: bool
    reason: str = ""  # for the log only; never holds the token
    issuer: str | None = None
    #: the token's ``tenant`` claim (a string), if any
    tenant: str | None = None
    #: the FHIR base URLs the issuer's entry allows as ``fhirServer``
    fhir_servers: tuple[str, ...] = ()


class Authenticator(Protocol):
    def authenticate(self, url: str, headers: Mapping[str, str]) -> AuthResult: ...
