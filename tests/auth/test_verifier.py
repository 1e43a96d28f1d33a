"""The JWT checks of CDS Hooks 2.0 §Trusting CDS Clients, with real EC P-384 and RSA keys."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from cds_service.auth.result import AuthResult

from .conftest import MakeAuth, inline_client
from .keyring import DISCOVERY, ENDPOINTS, FEEDBACK, ISS, SERVICE, Signer, bearer


def now() -> int:
    """The real clock, read when a token is minted (PyJWT reads it when verifying): a module
    constant would drift past the 60 s leeway in a long test run."""
    return int(time.time())


class Rel(int):
    """A time claim given as seconds from the moment the token is minted."""


def resolve(claims: dict[str, Any]) -> dict[str, Any]:
    return {k: now() + int(v) if isinstance(v, Rel) else v for k, v in claims.items()}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64json(obj: Any) -> str:
    return b64(json.dumps(obj).encode())


@pytest.fixture(params=["ec", "rsa"])
def signer(request: pytest.FixtureRequest, ec_signer: Signer, rsa_signer: Signer) -> Signer:
    return ec_signer if request.param == "ec" else rsa_signer


@pytest.fixture
def auth(make_auth: MakeAuth, ec_signer: Signer, rsa_signer: Signer) -> Any:
    return make_auth([inline_client(ec_signer, rsa_signer)])


# --- accepted -------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
def test_valid_token_for_each_endpoint_passes(auth: Any, signer: Signer, endpoint: str) -> None:
    url = ENDPOINTS[endpoint]
    result = auth.authenticate(url, bearer(signer.token(aud=url)))
    assert result == AuthResult(ok=True, issuer=ISS)


@pytest.mark.parametrize(
    ("label", "claims", "headers"),
    [
        ("aud as an array", {"aud": ["https://other.example.org", SERVICE]}, {}),
        ("sub tolerated", {"sub": "client-id-123"}, {}),
        ("tenant sent, no tenant list", {"tenant": "any"}, {}),
        ("nbf in the past", {"nbf": Rel(-10)}, {}),
        ("nbf within leeway", {"nbf": Rel(30)}, {}),
        ("iat within leeway", {"iat": Rel(30)}, {}),
        ("exp passed within leeway", {"exp": Rel(-30), "iat": Rel(-300)}, {}),
        ("lifetime of one hour", {"exp": Rel(3600)}, {}),
        (
            "aud with default port",
            {"aud": "https://cds.example.org:443/cds-services/ctd-ild-patient-view"},
            {},
        ),
        ("aud with trailing slash", {"aud": SERVICE + "/"}, {}),
        (
            "aud host in capitals",
            {"aud": SERVICE.replace("cds.example.org", "CDS.Example.ORG")},
            {},
        ),
        ("typ lower case", {}, {"typ": "jwt"}),
        ("unknown extra header", {}, {"x-vendor": 1}),
    ],
)
def test_tolerated_variants_pass(
    auth: Any, signer: Signer, label: str, claims: dict[str, Any], headers: dict[str, Any]
) -> None:
    result = auth.authenticate(SERVICE, bearer(signer.token(headers=headers, **resolve(claims))))
    assert result.ok, (label, result.reason)


def test_query_string_of_request_url_is_ignored(auth: Any, ec_signer: Signer) -> None:
    assert auth.authenticate(DISCOVERY + "?x=1", bearer(ec_signer.token(aud=DISCOVERY))).ok


def test_header_lookup_is_case_insensitive(auth: Any, ec_signer: Signer) -> None:
    headers = {"authorization": f"bearer {ec_signer.token()}"}
    assert auth.authenticate(SERVICE, headers).ok


# --- rejected -------------------------------------------------------------------------------


def alg_none(s: Signer) -> str:
    head = {"alg": "none", "typ": "JWT", "kid": s.kid}
    return f"{b64json(head)}.{b64json(s.claims())}."


def hs256_with_public_key_as_secret(s: Signer) -> str:
    """The classic key-confusion attack: HMAC keyed with the issuer's public key."""
    secret = s.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    signing_input = f"{b64json({'alg': 'HS256', 'typ': 'JWT', 'kid': s.kid})}.{b64json(s.claims())}"
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(mac)}"


def tampered_payload(s: Signer) -> str:
    head, _, sig = s.token().split(".")
    return f"{head}.{b64json(s.claims(tenant='forged'))}.{sig}"


def other_key_same_kid(s: Signer) -> str:
    impostor = Signer.ec("ES384") if s.alg.startswith("ES") else Signer.rsa("RS384")
    impostor.kid = s.kid
    return impostor.token()


def wrong_key_type(s: Signer) -> str:
    """A token signed with an RSA key but naming an EC key's kid (or the reverse)."""
    other = Signer.rsa("RS384") if s.alg.startswith("ES") else Signer.ec("ES384")
    other.kid = s.kid
    return other.token()


def encode(s: Signer, header: dict[str, Any], claims: dict[str, Any]) -> str:
    """Sign arbitrary header/claims with the signer's real key (for malformed-claim cases)."""
    import jwt

    return jwt.encode(claims, s.private_key, algorithm=s.alg, headers=header)


Case = Callable[[Signer], dict[str, str]]
REJECTED: list[tuple[str, Case, str]] = [
    ("no Authorization header", lambda s: {}, "no Authorization header"),
    ("Basic scheme", lambda s: {"Authorization": "Basic dXNlcjpwYXNz"}, "not 'Bearer"),
    ("empty bearer", lambda s: {"Authorization": "Bearer "}, "not 'Bearer"),
    ("malformed token", lambda s: bearer("not-a.jwt"), "malformed"),
    ("garbage segments", lambda s: bearer("a.b.c"), "malformed"),
    ("huge token", lambda s: bearer("a" * 20000), "too long"),
    ("alg none", lambda s: bearer(alg_none(s)), "alg not allowed"),
    (
        "HS256 keyed with the public key",
        lambda s: bearer(hs256_with_public_key_as_secret(s)),
        "alg not allowed",
    ),
    ("tampered payload", lambda s: bearer(tampered_payload(s)), "bad signature"),
    ("other key, same kid", lambda s: bearer(other_key_same_kid(s)), "bad signature"),
    ("key type does not fit alg", lambda s: bearer(wrong_key_type(s)), "does not fit alg"),
    ("unknown kid", lambda s: bearer(s.token(headers={"kid": "no-such-kid"})), "unknown kid"),
    ("no kid", lambda s: bearer(encode(s, {"typ": "JWT"}, s.claims())), "no kid"),
    ("typ missing", lambda s: bearer(encode(s, {"kid": s.kid, "typ": None}, s.claims())), "typ"),
    ("typ JOSE", lambda s: bearer(s.token(headers={"typ": "JOSE"})), "typ"),
    ("crit header", lambda s: bearer(s.token(headers={"crit": ["exp"]})), ""),
    ("wrong iss", lambda s: bearer(s.token(iss="https://evil.example.org")), "issuer not trusted"),
    (
        "no iss",
        lambda s: bearer(encode(s, {"kid": s.kid, "typ": "JWT"}, s.claims(iss=None))),
        "issuer not trusted",
    ),
    (
        "wrong aud",
        lambda s: bearer(s.token(aud="https://evil.example.org/cds-services/ctd-ild-patient-view")),
        "aud",
    ),
    ("aud of discovery", lambda s: bearer(s.token(aud=DISCOVERY)), "aud"),
    ("aud of feedback", lambda s: bearer(s.token(aud=FEEDBACK)), "aud"),
    (
        "aud of another service",
        lambda s: bearer(s.token(aud=DISCOVERY + "/ctd-ild-order-sign")),
        "aud",
    ),
    ("aud over http", lambda s: bearer(s.token(aud=SERVICE.replace("https", "http"))), "aud"),
    ("aud empty array", lambda s: bearer(s.token(aud=[])), "aud"),
    ("no aud", lambda s: bearer(s.token(aud=None)), "missing claim 'aud'"),
    ("expired", lambda s: bearer(s.token(exp=now() - 120, iat=now() - 400)), "expired"),
    (
        "iat in the future",
        lambda s: bearer(s.token(iat=now() + 120, exp=now() + 400)),
        "not yet valid",
    ),
    ("nbf in the future", lambda s: bearer(s.token(nbf=now() + 120)), "not yet valid"),
    ("no exp", lambda s: bearer(s.token(exp=None)), "missing claim 'exp'"),
    ("no iat", lambda s: bearer(s.token(iat=None)), "missing claim 'iat'"),
    ("no jti", lambda s: bearer(s.token(jti=None)), "missing claim 'jti'"),
    ("exp as a string", lambda s: bearer(s.token(exp=str(now() + 300))), "exp is not a number"),
    ("jti not a string", lambda s: bearer(s.token(jti=12345)), ""),
    ("jti too long", lambda s: bearer(s.token(jti="j" * 300)), "jti"),
    ("lifetime over an hour", lambda s: bearer(s.token(exp=now() + 7300)), "lifetime"),
]


@pytest.mark.parametrize(("label", "case", "reason"), REJECTED, ids=[r[0] for r in REJECTED])
def test_rejected(auth: Any, signer: Signer, label: str, case: Case, reason: str) -> None:
    result = auth.authenticate(SERVICE, case(signer))
    assert not result.ok
    assert result.issuer is None
    assert reason in result.reason


def test_reason_never_contains_the_token(auth: Any, ec_signer: Signer) -> None:
    for label, case, _ in REJECTED:
        headers = case(ec_signer)
        token = headers.get("Authorization", "Bearer ").split(" ", 1)[1]
        result = auth.authenticate(SERVICE, headers)
        if len(token) > 20:
            assert token not in result.reason, label
            for part in token.split("."):
                assert len(part) < 20 or part not in result.reason, label


# --- tenant ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tenant", "ok"),
    [("hospital-a", True), ("hospital-b", True), ("hospital-c", False), (None, False), ("", False)],
)
def test_tenant_allowlist(
    make_auth: MakeAuth, ec_signer: Signer, tenant: str | None, ok: bool
) -> None:
    auth = make_auth([inline_client(ec_signer, tenants=frozenset({"hospital-a", "hospital-b"}))])
    result = auth.authenticate(SERVICE, bearer(ec_signer.token(tenant=tenant)))
    assert result.ok is ok, result.reason
    if not ok:
        assert "tenant" in result.reason


# --- audience override (clients known to send a fixed aud) ------------------------------------


@pytest.mark.parametrize(
    ("aud", "url", "ok"),
    [
        ("sand_man", SERVICE, True),
        ("sand_man", DISCOVERY, True),
        (SERVICE, SERVICE, False),  # the override replaces the exact-endpoint rule
        ("someone-else", SERVICE, False),
    ],
)
def test_audience_override(
    make_auth: MakeAuth, ec_signer: Signer, aud: str, url: str, ok: bool
) -> None:
    auth = make_auth([inline_client(ec_signer, audience=("sand_man",))])
    assert auth.authenticate(url, bearer(ec_signer.token(aud=aud))).ok is ok


# --- replay ---------------------------------------------------------------------------------


def test_replayed_jti_is_rejected(auth: Any, signer: Signer) -> None:
    token = signer.token()
    assert auth.authenticate(SERVICE, bearer(token)).ok
    second = auth.authenticate(SERVICE, bearer(token))
    assert not second.ok and "replayed jti" in second.reason


def test_same_jti_in_a_new_token_is_rejected(auth: Any, ec_signer: Signer) -> None:
    assert auth.authenticate(SERVICE, bearer(ec_signer.token(jti="fixed"))).ok
    again = auth.authenticate(DISCOVERY, bearer(ec_signer.token(aud=DISCOVERY, jti="fixed")))
    assert not again.ok and "replayed" in again.reason


def test_rejected_token_does_not_burn_its_jti(auth: Any, ec_signer: Signer) -> None:
    """A token refused for another reason must not be recorded (else anyone could pre-burn jtis)."""
    assert not auth.authenticate(SERVICE, bearer(ec_signer.token(aud=DISCOVERY, jti="j1"))).ok
    assert auth.authenticate(SERVICE, bearer(ec_signer.token(jti="j1"))).ok


def test_replay_is_checked_across_authenticators_on_one_store(
    make_auth: MakeAuth, ec_signer: Signer
) -> None:
    first, second = make_auth([inline_client(ec_signer)]), make_auth([inline_client(ec_signer)])
    token = ec_signer.token()
    assert first.authenticate(SERVICE, bearer(token)).ok
    assert not second.authenticate(SERVICE, bearer(token)).ok
