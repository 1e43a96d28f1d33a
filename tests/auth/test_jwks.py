"""Keys from allowlisted jku URLs: no fetch of a URL off the allowlist, rotation, rate limit,
failure handling; and the CDS Hooks 2.0.1 specification's own example token."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jwt
import pytest
import requests
import responses

from cds_service.auth.clients import TrustedClient
from cds_service.auth.jwks import MAX_JWKS_BYTES, JwksCache

from .conftest import MakeAuth, jku_client
from .keyring import ISS, JKU, SERVICE, Signer, bearer

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "auth"
EVIL_JKU = "https://evil.example.net/jwks.json"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def mock() -> Any:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


def calls_to(mock: Any, url: str) -> int:
    return sum(1 for call in mock.calls if call.request.url == url)


def serve(mock: Any, *signers: Signer, url: str = JKU) -> None:
    """Publish the signers' public keys at ``url`` (replacing what was there)."""
    body = {"keys": [s.public_jwk() for s in signers]}
    if any(r.url == url for r in mock.registered()):
        mock.replace(responses.GET, url, json=body)
    else:
        mock.add(responses.GET, url, json=body)


@pytest.mark.parametrize("kind", ["ec", "rsa"])
def test_key_from_allowlisted_jku(
    make_auth: MakeAuth, mock: Any, ec_signer: Signer, rsa_signer: Signer, kind: str
) -> None:
    signer = ec_signer if kind == "ec" else rsa_signer
    serve(mock, ec_signer, rsa_signer)
    auth = make_auth([jku_client()])
    assert auth.authenticate(SERVICE, bearer(signer.token(headers={"jku": JKU}))).ok
    # without a jku header, the issuer's configured key sets are used
    assert auth.authenticate(SERVICE, bearer(signer.token())).ok
    assert calls_to(mock, JKU) == 1  # cached


def test_jku_not_on_the_allowlist_is_never_fetched(
    make_auth: MakeAuth, mock: Any, ec_signer: Signer
) -> None:
    serve(mock, ec_signer, url=EVIL_JKU)  # would hand out the attacker's key if asked
    serve(mock, ec_signer)
    auth = make_auth([jku_client()])
    result = auth.authenticate(SERVICE, bearer(ec_signer.token(headers={"jku": EVIL_JKU})))
    assert not result.ok and "jku not on the allowlist" in result.reason
    assert len(mock.calls) == 0


def test_jku_of_another_trusted_issuer_is_refused(
    make_auth: MakeAuth, mock: Any, ec_signer: Signer
) -> None:
    other = TrustedClient(iss="https://other-ehr.example.org", jku=(EVIL_JKU,))
    serve(mock, ec_signer, url=EVIL_JKU)
    auth = make_auth([jku_client(), other])
    result = auth.authenticate(SERVICE, bearer(ec_signer.token(headers={"jku": EVIL_JKU})))
    assert not result.ok and "jku not on the allowlist" in result.reason
    assert len(mock.calls) == 0


def test_untrusted_issuer_causes_no_fetch(
    make_auth: MakeAuth, mock: Any, ec_signer: Signer
) -> None:
    serve(mock, ec_signer)
    auth = make_auth([jku_client()])
    token = ec_signer.token(iss="https://evil.example.org", headers={"jku": JKU})
    assert not auth.authenticate(SERVICE, bearer(token)).ok
    assert len(mock.calls) == 0


def test_key_rotation_is_picked_up_without_restart(
    make_auth: MakeAuth, mock: Any, clock: FakeClock
) -> None:
    old, new = Signer.ec("ES384"), Signer.ec("ES384")
    serve(mock, old)
    auth = make_auth([jku_client()], jwks=JwksCache(min_refresh_interval=30, clock=clock))
    assert auth.authenticate(SERVICE, bearer(old.token())).ok

    clock.now += 31
    serve(mock, old, new)  # the issuer publishes a new key
    assert auth.authenticate(SERVICE, bearer(new.token())).ok
    assert calls_to(mock, JKU) == 2

    clock.now += 31
    serve(mock, new)  # ...and retires the old one; the cache keeps it until the TTL
    assert auth.authenticate(SERVICE, bearer(old.token())).ok
    clock.now += 3600
    assert not auth.authenticate(SERVICE, bearer(old.token())).ok
    assert auth.authenticate(SERVICE, bearer(new.token())).ok


def test_unknown_kid_flood_is_rate_limited(
    make_auth: MakeAuth, mock: Any, clock: FakeClock, ec_signer: Signer
) -> None:
    serve(mock, ec_signer)
    auth = make_auth([jku_client()], jwks=JwksCache(min_refresh_interval=30, clock=clock))
    assert auth.authenticate(SERVICE, bearer(ec_signer.token())).ok
    for i in range(50):
        clock.now += 0.5  # 25 s of junk kids
        token = ec_signer.token(headers={"kid": f"junk-{i}"})
        assert not auth.authenticate(SERVICE, bearer(token)).ok
    assert calls_to(mock, JKU) == 1
    clock.now += 5.1  # 30 s after the last fetch: one more is allowed
    assert not auth.authenticate(SERVICE, bearer(ec_signer.token(headers={"kid": "junk"}))).ok
    assert calls_to(mock, JKU) == 2


def test_new_key_within_rate_limit_window_waits(
    make_auth: MakeAuth, mock: Any, clock: FakeClock
) -> None:
    old, new = Signer.ec("ES384"), Signer.ec("ES384")
    serve(mock, old)
    auth = make_auth([jku_client()], jwks=JwksCache(min_refresh_interval=30, clock=clock))
    assert auth.authenticate(SERVICE, bearer(old.token())).ok
    serve(mock, old, new)
    clock.now += 29
    assert not auth.authenticate(SERVICE, bearer(new.token())).ok
    clock.now += 1
    assert auth.authenticate(SERVICE, bearer(new.token())).ok


@pytest.mark.parametrize(
    ("label", "response"),
    [
        ("server error", {"status": 500, "json": {"error": "x"}}),
        (
            "redirect is not followed",
            {"status": 302, "headers": {"Location": "https://evil.example.net/"}},
        ),
        ("not JSON", {"body": "<html>"}),
        ("no keys array", {"json": {"k": []}}),
        ("empty keys", {"json": {"keys": []}}),
        ("only a symmetric key", {"json": {"keys": [{"kty": "oct", "kid": "x", "k": "c2VjcmV0"}]}}),
        ("too large", {"body": b"{" + b" " * (MAX_JWKS_BYTES + 10) + b"}"}),
        ("timeout", {"body": requests.Timeout()}),
        ("connection error", {"body": requests.ConnectionError()}),
    ],
)
def test_unusable_key_set_means_unknown_kid(
    make_auth: MakeAuth, mock: Any, ec_signer: Signer, label: str, response: dict[str, Any]
) -> None:
    mock.add(responses.GET, JKU, **response)
    auth = make_auth([jku_client()])
    result = auth.authenticate(SERVICE, bearer(ec_signer.token()))
    assert not result.ok and "unknown kid" in result.reason, label
    assert calls_to(mock, JKU) == 1


def test_failed_refresh_keeps_the_keys_already_held(
    make_auth: MakeAuth, mock: Any, clock: FakeClock, ec_signer: Signer
) -> None:
    serve(mock, ec_signer)
    auth = make_auth([jku_client()], jwks=JwksCache(clock=clock))
    assert auth.authenticate(SERVICE, bearer(ec_signer.token())).ok
    mock.replace(responses.GET, JKU, status=503)
    clock.now += 3601  # past the TTL: a refresh is attempted and fails
    assert auth.authenticate(SERVICE, bearer(ec_signer.token())).ok
    assert calls_to(mock, JKU) == 2


def test_duplicate_kid_in_fetched_set_is_ambiguous(
    make_auth: MakeAuth, mock: Any, ec_signer: Signer
) -> None:
    impostor = Signer.ec("ES384")
    impostor.kid = ec_signer.kid
    mock.add(responses.GET, JKU, json={"keys": [ec_signer.public_jwk(), impostor.public_jwk()]})
    auth = make_auth([jku_client()])
    assert not auth.authenticate(SERVICE, bearer(ec_signer.token())).ok


def test_key_alg_member_must_match_token_alg(make_auth: MakeAuth, mock: Any) -> None:
    signer = Signer.rsa("RS256")
    mock.add(responses.GET, JKU, json={"keys": [signer.public_jwk(alg="RS384")]})
    auth = make_auth([jku_client()])
    result = auth.authenticate(SERVICE, bearer(signer.token()))
    assert not result.ok and "does not fit alg" in result.reason


@pytest.mark.parametrize("alg", ["ES256", "ES512", "RS256", "RS512", "PS256", "PS384", "PS512"])
def test_other_asymmetric_algorithms(make_auth: MakeAuth, mock: Any, alg: str) -> None:
    signer = Signer.ec(alg) if alg.startswith("ES") else Signer.rsa(alg)
    serve(mock, signer)
    assert make_auth([jku_client()]).authenticate(SERVICE, bearer(signer.token())).ok


# --- the specification's example (known-answer test) ------------------------------------------


@pytest.fixture
def spec_example() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / "spec-2.0.1-example-jwt.json").read_text())
    return data


def test_spec_example_signature_verifies(spec_example: dict[str, Any]) -> None:
    key = jwt.PyJWK(spec_example["jwks"]["keys"][0])
    claims = jwt.decode(
        spec_example["token"],
        key.key,
        algorithms=["ES384"],
        options={"verify_exp": False, "verify_aud": False},
    )
    assert claims == spec_example["payload"]
    assert jwt.get_unverified_header(spec_example["token"]) == spec_example["header"]


def test_spec_example_is_rejected_as_expired(
    make_auth: MakeAuth, mock: Any, spec_example: dict[str, Any]
) -> None:
    client = spec_example["trusted_client"]
    mock.add(responses.GET, client["jku"][0], json=spec_example["jwks"])
    auth = make_auth([TrustedClient(iss=client["iss"], jku=tuple(client["jku"]))])
    result = auth.authenticate(spec_example["url"], bearer(spec_example["token"]))
    assert not result.ok
    assert "expired" in result.reason  # reached only after the signature verified


def test_spec_example_with_altered_signature_fails_on_signature(
    make_auth: MakeAuth, mock: Any, spec_example: dict[str, Any]
) -> None:
    client = spec_example["trusted_client"]
    mock.add(responses.GET, client["jku"][0], json=spec_example["jwks"])
    auth = make_auth([TrustedClient(iss=client["iss"], jku=tuple(client["jku"]))])
    head, body, sig = spec_example["token"].split(".")
    flipped = sig[:10] + ("A" if sig[10] != "A" else "B") + sig[11:]
    result = auth.authenticate(spec_example["url"], bearer(f"{head}.{body}.{flipped}"))
    assert not result.ok and "bad signature" in result.reason


def test_issuer_is_matched_exactly(make_auth: MakeAuth, mock: Any, ec_signer: Signer) -> None:
    serve(mock, ec_signer)
    auth = make_auth([jku_client()])
    assert not auth.authenticate(SERVICE, bearer(ec_signer.token(iss=ISS + "/"))).ok
