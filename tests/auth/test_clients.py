"""CDS_TRUSTED_CLIENTS parsing (fail fast at start-up) and the authenticator modes."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
import responses

from cds_service.auth import TrustedClientsError, build_authenticator
from cds_service.auth.clients import SANDBOX_ISSUER, SANDBOX_JKU, load_trusted_clients
from cds_service.settings import Settings
from cds_service.storage import Storage

from .keyring import BASE, DISCOVERY, ISS, JKU, SERVICE, Signer, bearer


def write(tmp_path: Path, data: Any, name: str = "clients.json") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def test_contract_example_loads(tmp_path: Path, ec_signer: Signer, rsa_signer: Signer) -> None:
    write(tmp_path, {"keys": [rsa_signer.public_jwk()]}, "rsa-jwks.json")
    path = write(
        tmp_path,
        [
            {
                "iss": ISS,
                "jku": [JKU],
                "jwks": {"keys": [ec_signer.public_jwk()]},
                "tenants": ["hospital-a"],
                "audience": "https://cds.example.org/cds-services",
            },
            {"iss": "https://other.example.org", "jwks": "rsa-jwks.json"},  # relative to the file
        ],
    )
    first, second = load_trusted_clients(path)
    assert first.iss == ISS and first.jku == (JKU,) and first.tenants == frozenset({"hospital-a"})
    assert first.audience == ("https://cds.example.org/cds-services",)
    assert first.keys is not None and set(first.keys) == {ec_signer.kid}
    assert second.keys is not None and set(second.keys) == {rsa_signer.kid}
    assert second.tenants is None and second.audience is None


def private_jwk(s: Signer) -> dict[str, Any]:
    from jwt.algorithms import ECAlgorithm

    jwk: dict[str, Any] = ECAlgorithm.to_jwk(s.private_key, as_dict=True)
    return {**jwk, "kid": s.kid}


BAD: list[tuple[str, Any, str]] = [
    ("not JSON", "{nope", "not JSON"),
    ("not an array", {"iss": ISS}, "JSON array"),
    ("entry not an object", ["x"], "expected an object"),
    ("typo in a field", [{"iss": ISS, "jku": [JKU], "tenant": ["a"]}], "unknown field"),
    ("no iss", [{"jku": [JKU]}], "'iss'"),
    ("no keys at all", [{"iss": ISS}], "give 'jku'"),
    ("empty jku list", [{"iss": ISS, "jku": []}], "give 'jku'"),
    ("jku a string", [{"iss": ISS, "jku": JKU}], "'jku' must be a list"),
    ("jku over http", [{"iss": ISS, "jku": ["http://ehr.example.org/jwks"]}], "https"),
    ("jku relative", [{"iss": ISS, "jku": ["/jwks.json"]}], "https"),
    ("duplicate issuer", [{"iss": ISS, "jku": [JKU]}, {"iss": ISS, "jku": [JKU]}], "twice"),
    ("empty tenants", [{"iss": ISS, "jku": [JKU], "tenants": []}], "empty list"),
    ("empty audience", [{"iss": ISS, "jku": [JKU], "audience": ""}], "audience"),
    ("jwks not a set", [{"iss": ISS, "jwks": {"kty": "EC"}}], "'keys' array"),
    ("jwks file missing", [{"iss": ISS, "jwks": "nowhere.json"}], "cannot read JWKS file"),
    ("jwks empty", [{"iss": ISS, "jwks": {"keys": []}}], "no usable key"),
    (
        "symmetric key",
        [{"iss": ISS, "jwks": {"keys": [{"kty": "oct", "kid": "a", "k": "c2VjcmV0"}]}}],
        "private or symmetric",
    ),
    (
        "key without kid",
        [{"iss": ISS, "jwks": {"keys": [{"kty": "EC", "crv": "P-384"}]}}],
        "no 'kid'",
    ),
    (
        "key for encryption",
        [{"iss": ISS, "jwks": {"keys": [{"kty": "EC", "kid": "a", "use": "enc"}]}}],
        "use",
    ),
    (
        "key alg HS256",
        [{"iss": ISS, "jwks": {"keys": [{"kty": "EC", "kid": "a", "alg": "HS256"}]}}],
        "alg",
    ),
    (
        "broken EC key",
        [
            {
                "iss": ISS,
                "jwks": {"keys": [{"kty": "EC", "kid": "a", "crv": "P-384", "x": "AA", "y": "AA"}]},
            }
        ],
        "cannot be read",
    ),
]


@pytest.mark.parametrize(("label", "data", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_configuration_stops_start_up(
    tmp_path: Path, label: str, data: Any, message: str
) -> None:
    path = write(tmp_path, data)
    with pytest.raises(TrustedClientsError, match=message) as info:
        load_trusted_clients(path)
    assert str(path) in str(info.value)


def test_private_key_in_configuration_is_refused(tmp_path: Path, ec_signer: Signer) -> None:
    path = write(tmp_path, [{"iss": ISS, "jwks": {"keys": [private_jwk(ec_signer)]}}])
    with pytest.raises(TrustedClientsError, match="private"):
        load_trusted_clients(path)


def test_short_rsa_key_is_refused(tmp_path: Path) -> None:
    weak = Signer.rsa("RS384", bits=1024)
    path = write(tmp_path, [{"iss": ISS, "jwks": {"keys": [weak.public_jwk()]}}])
    with pytest.raises(TrustedClientsError, match="1024 bits"):
        load_trusted_clients(path)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TrustedClientsError, match="cannot read"):
        load_trusted_clients(tmp_path / "absent.json")


# --- modes ----------------------------------------------------------------------------------


def settings(**kw: Any) -> Settings:
    return Settings(**kw)


def test_production_without_clients_refuses_everything(
    storage: Storage, ec_signer: Signer, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        auth = build_authenticator(settings(), storage)
    assert "every request will be refused" in caplog.text
    assert not auth.authenticate(SERVICE, bearer(ec_signer.token())).ok


def test_production_with_clients_verifies(
    tmp_path: Path, storage: Storage, ec_signer: Signer
) -> None:
    path = write(tmp_path, [{"iss": ISS, "jwks": {"keys": [ec_signer.public_jwk()]}}])
    auth = build_authenticator(settings(trusted_clients_file=path, public_urls=(BASE,)), storage)
    assert auth.authenticate(SERVICE, bearer(ec_signer.token())).ok
    assert not auth.authenticate(SERVICE, {}).ok


def test_without_public_url_the_host_never_decides_the_audience(
    tmp_path: Path, storage: Storage, ec_signer: Signer
) -> None:
    """A token whose aud is the URL the request reached (its Host) is refused when
    CDS_PUBLIC_URL is not set: the Host header is the caller's to choose."""
    path = write(tmp_path, [{"iss": ISS, "jwks": {"keys": [ec_signer.public_jwk()]}}])
    auth = build_authenticator(settings(trusted_clients_file=path), storage)
    result = auth.authenticate(SERVICE, bearer(ec_signer.token(aud=SERVICE)))
    assert not result.ok and "CDS_PUBLIC_URL" in result.reason


def test_bad_file_fails_at_build(tmp_path: Path, storage: Storage) -> None:
    path = write(tmp_path, [{"iss": ISS}])
    with pytest.raises(TrustedClientsError):
        build_authenticator(settings(trusted_clients_file=path), storage)


def test_dev_mode_skips_verification_loudly(
    storage: Storage, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        auth = build_authenticator(settings(dev=True), storage)
    assert "verification is OFF" in caplog.text
    assert auth.authenticate(SERVICE, {}).ok


def test_sandbox_issuer_is_not_trusted_by_default(storage: Storage) -> None:
    sandbox = Signer.ec("ES384")
    token = sandbox.token(iss=SANDBOX_ISSUER, headers={"jku": SANDBOX_JKU})
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add(responses.GET, SANDBOX_JKU, json=sandbox.jwks())
        auth = build_authenticator(settings(), storage)
        assert not auth.authenticate(SERVICE, bearer(token)).ok
        assert len(mock.calls) == 0


def test_sandbox_issuer_outside_dev_stops_start_up(storage: Storage) -> None:
    with pytest.raises(TrustedClientsError, match="only be trusted in dev"):
        build_authenticator(settings(allow_sandbox_issuer=True), storage)


@pytest.mark.parametrize("alg", ["ES384", "ES256"])  # current sandbox and older builds
def test_dev_verify_mode_trusts_the_sandbox_and_verifies(
    storage: Storage, caplog: pytest.LogCaptureFixture, alg: str
) -> None:
    sandbox = Signer.ec(alg)  # stands in for the sandbox's (public) key
    with caplog.at_level(logging.WARNING):
        auth = build_authenticator(settings(dev=True, allow_sandbox_issuer=True), storage)
    assert "DEV-VERIFY" in caplog.text
    with responses.RequestsMock() as mock:
        mock.add(responses.GET, SANDBOX_JKU, json=sandbox.jwks())
        good = sandbox.token(aud=DISCOVERY, iss=SANDBOX_ISSUER, headers={"jku": SANDBOX_JKU})
        assert auth.authenticate(DISCOVERY, bearer(good)).ok
    # verification really is on: no token, or a token for another endpoint, fails
    assert not auth.authenticate(DISCOVERY, {}).ok
    other = sandbox.token(aud=SERVICE, iss=SANDBOX_ISSUER, headers={"jku": SANDBOX_JKU})
    assert not auth.authenticate(DISCOVERY, bearer(other)).ok


def test_settings_from_env() -> None:
    s = Settings.from_env(
        {"CDS_TRUST_FORWARDED_HEADERS": "1", "CDS_ALLOW_SANDBOX_ISSUER": "yes", "CDS_DEV": "1"}
    )
    assert s.trust_forwarded_headers and s.allow_sandbox_issuer and s.dev
    default = Settings.from_env({})
    assert not default.trust_forwarded_headers and not default.allow_sandbox_issuer
