"""Which URL the token's aud must name, directly and behind a reverse proxy."""

from __future__ import annotations

import pytest

from cds_service.auth.audience import endpoint_url, normalize

from .conftest import MakeAuth, inline_client
from .keyring import Signer, bearer

INTERNAL = "http://10.0.0.5:8080/cds-services/ctd-ild-order-sign"
PROXIED = {
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "cds.example.org",
    "X-Forwarded-Prefix": "/ild",
}
PUBLIC = "https://cds.example.org/ild/cds-services/ctd-ild-order-sign"


@pytest.mark.parametrize(
    ("url", "headers", "trust", "expected"),
    [
        (INTERNAL, {}, False, INTERNAL),
        (INTERNAL, PROXIED, False, INTERNAL),  # headers ignored unless configured
        (INTERNAL, PROXIED, True, PUBLIC),
        (
            INTERNAL,
            {"x-forwarded-proto": "https", "x-forwarded-host": "cds.example.org"},
            True,
            "https://cds.example.org/cds-services/ctd-ild-order-sign",
        ),
        # a list: the value added by the nearest proxy (the last) wins
        (
            INTERNAL,
            {"X-Forwarded-Host": "evil.example.org, cds.example.org"},
            True,
            "http://cds.example.org/cds-services/ctd-ild-order-sign",
        ),
        (
            INTERNAL,
            {"X-Forwarded-Prefix": "ild/"},
            True,
            "http://10.0.0.5:8080/ild/cds-services/ctd-ild-order-sign",
        ),
        ("http://localhost:80/cds-services?x=1", {}, False, "http://localhost/cds-services"),
        (
            "HTTPS://CDS.example.org:443/cds-services/",
            {},
            False,
            "https://cds.example.org/cds-services",
        ),
    ],
)
def test_endpoint_url(url: str, headers: dict[str, str], trust: bool, expected: str) -> None:
    assert endpoint_url(url, headers, trust) == expected


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("https://cds.example.org/cds-services", "https://cds.example.org:443/cds-services/", True),
        (
            "https://cds.example.org/cds-services",
            "https://cds.example.org:8443/cds-services",
            False,
        ),
        ("https://cds.example.org/cds-services", "http://cds.example.org/cds-services", False),
        ("https://cds.example.org/cds-services", "https://cds.example.org/CDS-services", False),
        (
            "https://cds.example.org/cds-services",
            "https://user@cds.example.org/cds-services",
            False,
        ),
        ("https://cds.example.org/cds-services", "https://cds.example.org/cds-services?a=1", False),
        ("https://[::1]:443/cds-services", "https://[::1]/cds-services", True),
        ("https://cds.example.org:notaport/x", "https://cds.example.org/x", False),
    ],
)
def test_normalize(a: str, b: str, same: bool) -> None:
    assert (normalize(a) == normalize(b)) is same


@pytest.mark.parametrize("trust", [True, False])
def test_behind_proxy(make_auth: MakeAuth, ec_signer: Signer, trust: bool) -> None:
    auth = make_auth([inline_client(ec_signer)], trust_forwarded=trust)
    headers = {**PROXIED, **bearer(ec_signer.token(aud=PUBLIC))}
    assert auth.authenticate(INTERNAL, headers).ok is trust


def test_untrusted_forwarded_host_cannot_pick_the_audience(
    make_auth: MakeAuth, ec_signer: Signer
) -> None:
    """A token minted for another service (evil.example.org) replayed here with a forged
    X-Forwarded-Host must fail when forwarded headers are not trusted."""
    auth = make_auth([inline_client(ec_signer)], trust_forwarded=False)
    evil = "https://evil.example.org/cds-services/ctd-ild-order-sign"
    headers = {
        "X-Forwarded-Host": "evil.example.org",
        "X-Forwarded-Proto": "https",
        **bearer(ec_signer.token(aud=evil)),
    }
    assert not auth.authenticate(
        "https://cds.example.org/cds-services/ctd-ild-order-sign", headers
    ).ok
