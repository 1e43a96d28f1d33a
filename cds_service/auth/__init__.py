"""Client authentication: verify the CDS client's JWT (CDS Hooks 2.0 §Security).

Interface used by ``cds_service.api``: ``build_authenticator(settings, storage)`` once at
start-up (it raises ``TrustedClientsError`` on a bad configuration, so start-up fails with a
clear message), then ``authenticator.authenticate(url, headers)`` per request, which returns an
``AuthResult``; ``ok=False`` -> 401 with no detail (the reason is logged, never the token).

``url`` is the request URL as Flask sees it (``request.url``, no ``ProxyFix``); see
``audience`` for ``CDS_TRUST_FORWARDED_HEADERS``. Modes (docs/authentication.md):

- production: tokens verified against ``CDS_TRUSTED_CLIENTS``; without that file every
  request is refused.
- ``--dev``: verification off (loud warning).
- ``--dev`` + ``CDS_ALLOW_SANDBOX_ISSUER``: "dev-verify": verification on, with the CDS Hooks
  sandbox added to the trusted clients. Outside dev this combination stops start-up.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from ..settings import Settings
from ..storage import Storage
from .clients import TrustedClient, TrustedClientsError, load_trusted_clients, sandbox_client
from .result import Authenticator, AuthResult

__all__ = ["AuthResult", "Authenticator", "TrustedClientsError", "build_authenticator"]

log = logging.getLogger(__name__)


class _DevAuthenticator:
    #: accepts every request without reading it: the app need not build its URL and headers
    accepts_everything = True

    def authenticate(self, url: str, headers: Mapping[str, str]) -> AuthResult:
        return AuthResult(ok=True, reason="dev mode: verification off")


class _DenyAll:
    def authenticate(self, url: str, headers: Mapping[str, str]) -> AuthResult:
        return AuthResult(ok=False, reason="no trusted clients configured (CDS_TRUSTED_CLIENTS)")


def build_authenticator(settings: Settings, storage: Storage) -> Authenticator:
    from .replay import ReplayGuard
    from .verifier import JwtAuthenticator

    clients: list[TrustedClient] = []
    if settings.trusted_clients_file is not None:
        clients.extend(load_trusted_clients(settings.trusted_clients_file))

    if settings.allow_sandbox_issuer:
        if not settings.dev:
            raise TrustedClientsError(
                "CDS_ALLOW_SANDBOX_ISSUER is set without --dev: the CDS Hooks sandbox's signing "
                "key is public, so its tokens prove nothing; it may only be trusted in dev mode"
            )
        if any(c.iss == sandbox_client().iss for c in clients):
            raise TrustedClientsError("the sandbox issuer is both configured and allowed")
        clients.append(sandbox_client())
        log.warning(
            "DEV-VERIFY MODE: client JWTs are verified, and the CDS Hooks sandbox "
            "(https://sandbox.cds-hooks.org, whose private key is public) is TRUSTED. "
            "Never run this way with real patient data."
        )
    elif settings.dev:
        log.warning(
            "DEV MODE: client JWT verification is OFF. Any caller can get advice and post "
            "feedback. Never run this way with real patient data."
        )
        return _DevAuthenticator()

    if not clients:
        log.error(
            "No trusted CDS clients: CDS_TRUSTED_CLIENTS is not set, so every request "
            "will be refused with 401"
        )
        return _DenyAll()
    log.info(
        "client JWT verification on: %d trusted issuer(s)%s",
        len(clients),
        "; X-Forwarded-* headers trusted for the audience"
        if settings.trust_forwarded_headers
        else "",
    )
    if not settings.public_urls and not settings.trust_forwarded_headers and not settings.dev:
        log.error(
            "CDS_PUBLIC_URL is not set: tokens are accepted only from clients with a fixed "
            "'audience' in CDS_TRUSTED_CLIENTS (the Host header is never trusted for 'aud')"
        )
    return JwtAuthenticator(
        clients,
        ReplayGuard(storage),
        trust_forwarded=settings.trust_forwarded_headers,
        public_urls=settings.public_urls,
        dev_host_audience=settings.dev,
    )
