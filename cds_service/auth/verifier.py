"""Verify a CDS client's JWT (CDS Hooks 2.0 §Trusting CDS Clients, best-practices checklist).

Order matters: nothing read from the token is trusted, and nothing is fetched, before the
issuer is found on the allowlist and the token's ``jku`` (if any) on that issuer's list.

1. ``Authorization: Bearer <jwt>`` present, of sane size.
2. Header: ``typ`` JWT, ``alg`` an allowed asymmetric algorithm, ``kid`` present, no ``crit``.
3. ``iss`` (read unverified) on the allowlist; ``jku`` (if present) on that issuer's list.
4. Key ``kid`` found among the issuer's out-of-band keys or allowlisted key sets (refreshing
   on an unknown kid, rate-limited), and compatible with ``alg``.
5. Signature, then claims: ``iss``, ``aud`` (string or array), ``exp``, ``iat``, ``jti``
   required; ``exp`` not passed, ``iat``/``nbf`` not in the future (60 s leeway); lifetime at
   most an hour; ``aud`` holds the endpoint URL (or the issuer's ``audience`` override);
   ``tenant`` on the issuer's list when it has one. Other claims (``sub``…) are ignored.
6. ``jti`` not seen before for this issuer (shared store), recorded until ``exp`` + leeway.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import jwt

from .audience import endpoint_url, header, normalize, public_endpoints
from .clients import TrustedClient
from .jwks import JwksCache
from .keys import ALGORITHMS, PublicKey
from .replay import ReplayGuard, ReplayStoreError
from .result import AuthResult

LEEWAY_S = 60
MAX_LIFETIME_S = 3600
MAX_TOKEN_CHARS = 16 * 1024
MAX_JTI_CHARS = 255
REQUIRED_CLAIMS = ["iss", "aud", "exp", "iat", "jti"]


def _fail(reason: str) -> AuthResult:
    return AuthResult(ok=False, reason=reason)


def _show(value: Any) -> str:
    """A token-supplied value made safe for one log line (no control chars, short)."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


class JwtAuthenticator:
    def __init__(
        self,
        clients: Sequence[TrustedClient],
        replay: ReplayGuard,
        jwks: JwksCache | None = None,
        trust_forwarded: bool = False,
        clock: Callable[[], float] = time.time,
        public_urls: Sequence[str] = (),
        dev_host_audience: bool = False,
    ) -> None:
        self._public_urls = tuple(public_urls)
        #: dev-verify mode only: without CDS_PUBLIC_URL, the URL the request reached
        self._dev_host_audience = dev_host_audience
        self._clients = {c.iss: c for c in clients}
        self._replay = replay
        self._jwks = jwks or JwksCache()
        self._trust_forwarded = trust_forwarded
        self._clock = clock

    def authenticate(self, url: str, headers: Mapping[str, str]) -> AuthResult:
        token = _bearer_token(headers)
        if isinstance(token, AuthResult):
            return token
        try:
            head = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            return _fail("malformed token")
        problem = _header_problem(head)
        if problem:
            return _fail(problem)
        alg, kid = head["alg"], head["kid"]

        iss = unverified.get("iss")
        client = self._clients.get(iss) if isinstance(iss, str) else None
        if client is None:
            return _fail(f"issuer not trusted: {_show(iss)}")

        if "jku" in head:
            jku = head["jku"]
            if not isinstance(jku, str) or jku not in client.jku:
                return _fail(f"jku not on the allowlist of {client.iss}: {_show(jku)}")
            sources: tuple[str, ...] = (jku,)
        else:
            sources = client.jku
        key = self._find_key(client, sources, kid)
        if key is None:
            return _fail(f"unknown kid {_show(kid)} for {client.iss}")
        if not key.verifies(alg):
            return _fail(f"key {_show(kid)} does not fit alg {alg}")

        try:
            claims = jwt.decode(
                token,
                key=key.key,
                algorithms=[alg],
                issuer=client.iss,
                leeway=LEEWAY_S,
                options={
                    "require": REQUIRED_CLAIMS,
                    "verify_aud": False,  # checked below, against the endpoint URL
                    "enforce_minimum_key_length": True,
                },
            )
        except jwt.ExpiredSignatureError:
            return _fail(f"token expired (iss {client.iss})")
        except jwt.ImmatureSignatureError:
            return _fail(f"token not yet valid: iat or nbf in the future (iss {client.iss})")
        except jwt.InvalidSignatureError:
            return _fail(f"bad signature (iss {client.iss}, kid {_show(kid)})")
        except jwt.MissingRequiredClaimError as exc:
            return _fail(f"missing claim {exc.claim!r} (iss {client.iss})")
        except jwt.PyJWTError as exc:
            return _fail(f"invalid token: {type(exc).__name__} (iss {client.iss})")

        problem = self._claims_problem(client, claims, url, headers)
        if problem:
            return _fail(problem)

        exp = float(claims["exp"])  # a number: checked in _claims_problem
        try:
            if not self._replay.first_use(client.iss, claims["jti"], exp + LEEWAY_S):
                return _fail(f"replayed jti (iss {client.iss})")
        except ReplayStoreError as exc:
            return _fail(f"replay store unavailable ({exc}); failing closed")
        tenant = claims.get("tenant")
        return AuthResult(
            ok=True,
            issuer=client.iss,
            tenant=tenant if isinstance(tenant, str) else None,
            fhir_servers=client.fhir_servers,
        )

    def _find_key(
        self, client: TrustedClient, sources: Sequence[str], kid: str
    ) -> PublicKey | None:
        if client.keys and kid in client.keys:
            return client.keys[kid]
        for url in sources:
            key = self._jwks.find(url, kid)
            if key is not None:
                return key
        return None

    def _claims_problem(
        self,
        client: TrustedClient,
        claims: Mapping[str, Any],
        url: str,
        headers: Mapping[str, str],
    ) -> str | None:
        now = self._clock()
        for name in ("exp", "iat"):
            value = claims[name]
            if not isinstance(value, int | float) or isinstance(value, bool):
                return f"{name} is not a number"
        exp = claims["exp"]
        if exp - now > MAX_LIFETIME_S + LEEWAY_S:
            return f"token lifetime too long: exp more than {MAX_LIFETIME_S} s ahead"

        jti = claims["jti"]
        if not isinstance(jti, str) or not jti or len(jti) > MAX_JTI_CHARS:
            return "jti must be a non-empty string of at most 255 characters"

        aud = claims["aud"]
        auds = [aud] if isinstance(aud, str) else aud
        if not isinstance(auds, list) or not auds or not all(isinstance(a, str) for a in auds):
            return "aud must be a string or a non-empty array of strings"
        if client.audience is not None:
            expected = {normalize(a) for a in client.audience}
        elif self._public_urls:
            expected = public_endpoints(url, self._public_urls)
        elif self._trust_forwarded or self._dev_host_audience:
            expected = {endpoint_url(url, headers, self._trust_forwarded)}
        else:  # the Host header is never trusted for the audience
            return "no expected audience: CDS_PUBLIC_URL is not set"
        if not expected & {normalize(a) for a in auds}:
            return f"aud {_show(aud)} is not this endpoint ({sorted(expected)[0]})"

        if client.tenants is not None:
            tenant = claims.get("tenant")
            if not isinstance(tenant, str) or tenant not in client.tenants:
                return f"tenant not allowed for {client.iss}: {_show(tenant)}"
        return None


def _bearer_token(headers: Mapping[str, str]) -> str | AuthResult:
    value = header(headers, "Authorization")
    if value is None:
        return _fail("no Authorization header")
    scheme, _, token = value.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return _fail("Authorization header is not 'Bearer <token>'")
    if len(token) > MAX_TOKEN_CHARS:
        return _fail("token too long")
    return token


def _header_problem(head: Mapping[str, Any]) -> str | None:
    alg = head.get("alg")
    if alg not in ALGORITHMS:
        return f"alg not allowed: {_show(alg)} (allowed: {', '.join(sorted(ALGORITHMS))})"
    typ = head.get("typ")
    if not isinstance(typ, str) or typ.upper() != "JWT":
        return f"typ must be JWT, got {_show(typ)}"
    kid = head.get("kid")
    if not isinstance(kid, str) or not kid:
        return "no kid in the token header"
    if "crit" in head:
        return "critical header extensions are not supported"
    return None
