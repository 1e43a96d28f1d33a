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


class Authenticator(Protocol):
    def authenticate(self, url: str, headers: Mapping[str, str]) -> AuthResult: ...
