from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from cds_service.auth.clients import TrustedClient
from cds_service.auth.jwks import JwksCache
from cds_service.auth.keys import parse_jwks
from cds_service.auth.replay import ReplayGuard
from cds_service.auth.verifier import JwtAuthenticator
from cds_service.storage import Storage

from .keyring import BASE, ISS, JKU, Signer


@pytest.fixture(scope="session")
def ec_signer() -> Signer:
    return Signer.ec("ES384")


@pytest.fixture(scope="session")
def rsa_signer() -> Signer:
    return Signer.rsa("RS384")


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[Storage]:
    store = Storage(f"sqlite:///{tmp_path / 'auth.sqlite3'}")
    store.create_all()
    yield store
    store.engine.dispose()


def inline_client(*signers: Signer, **fields: object) -> TrustedClient:
    keys = parse_jwks({"keys": [s.public_jwk() for s in signers]}, strict=True)
    return TrustedClient(iss=ISS, keys=keys, **fields)  # type: ignore[arg-type]


def jku_client(**fields: object) -> TrustedClient:
    return TrustedClient(iss=ISS, jku=(JKU,), **fields)  # type: ignore[arg-type]


MakeAuth = Callable[..., JwtAuthenticator]


@pytest.fixture
def make_auth(storage: Storage) -> MakeAuth:
    def make(
        clients: Sequence[TrustedClient],
        jwks: JwksCache | None = None,
        trust_forwarded: bool = False,
        public_urls: Sequence[str] | None = None,
    ) -> JwtAuthenticator:
        """``public_urls`` (CDS_PUBLIC_URL) default to the keyring's BASE unless forwarded
        headers are trusted."""
        if public_urls is None:
            public_urls = () if trust_forwarded else (BASE,)
        return JwtAuthenticator(
            clients,
            ReplayGuard(storage),
            jwks=jwks or JwksCache(),
            trust_forwarded=trust_forwarded,
            public_urls=public_urls,
        )

    return make
