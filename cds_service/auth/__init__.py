"""Client authentication: verify the CDS client's JWT (CDS Hooks 2.0 §Security).

Interface used by ``cds_service.api``: ``build_authenticator(settings, storage)`` once at
start-up, then ``authenticator.authenticate(url, headers)`` per request, which returns an
``AuthResult``; ``ok=False`` -> 401 with no detail (the reason is logged, never the token).
The auth issue replaces the stub below.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from ..settings import Settings
from ..storage import Storage


@dataclass(frozen=True)
class AuthResult:
    ok: bool
    reason: str = ""  # for the log only
    issuer: str | None = None


class Authenticator(Protocol):
    def authenticate(self, url: str, headers: Mapping[str, str]) -> AuthResult: ...


class _DevAuthenticator:
    def authenticate(self, url: str, headers: Mapping[str, str]) -> AuthResult:
        return AuthResult(ok=True, reason="dev mode: verification off")


class _DenyAll:
    def authenticate(self, url: str, headers: Mapping[str, str]) -> AuthResult:
        return AuthResult(ok=False, reason="no trusted clients configured")


def build_authenticator(settings: Settings, storage: Storage) -> Authenticator:
    if settings.dev:
        return _DevAuthenticator()
    return _DenyAll()
