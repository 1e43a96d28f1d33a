"""Trusted CDS clients: the ``CDS_TRUSTED_CLIENTS`` JSON file (contract format), checked at
start-up.

One entry per issuer::

    {"iss": "https://ehr.example.org",
     "jku": ["https://ehr.example.org/.well-known/jwks.json"],   # allowed key-set URLs
     "jwks": {"keys": [...]} | "keys/ehr-jwks.json",             # keys given out of band
     "tenants": ["hospital-a"],                                   # optional tenant allowlist
     "audience": "https://cds.example.org/cds-services",          # optional fixed-aud override
     "fhirServers": ["https://ehr.example.org/fhir/r4"]}          # FHIR bases it may name

A malformed file stops start-up with a ``TrustedClientsError`` naming the file and the entry:
an unknown field (a typo such as ``tenant`` would silently switch a check off), private key
material, a symmetric key, a non-HTTPS ``jku``, a duplicate issuer, or an entry with no keys.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..fhir_policy import base_url_problem
from .keys import JwkError, PublicKey, parse_jwks

#: The CDS Hooks sandbox (https://sandbox.cds-hooks.org). Its signing key is committed to a
#: public repository, so a sandbox token proves nothing: dev-only, never trusted by default.
SANDBOX_ISSUER = "https://sandbox.cds-hooks.org"
SANDBOX_JKU = "https://sandbox.cds-hooks.org/.well-known/jwks.json"

_FIELDS = {"iss", "jku", "jwks", "tenants", "audience", "fhirServers"}


class TrustedClientsError(ValueError):
    """The trusted clients configuration cannot be used; the message says where and why."""


@dataclass(frozen=True)
class TrustedClient:
    iss: str
    #: key-set URLs this issuer may name in a token's ``jku`` header (exact strings)
    jku: tuple[str, ...] = ()
    #: keys given out of band, by kid
    keys: Mapping[str, PublicKey] | None = None
    #: if set, a token must carry one of these ``tenant`` values
    tenants: frozenset[str] | None = None
    #: if set, replaces the exact-endpoint ``aud`` rule: the token's ``aud`` must hold one of these
    audience: tuple[str, ...] | None = None
    #: the FHIR base URLs this client may name as ``fhirServer`` (``fhir_policy``); empty: none
    fhir_servers: tuple[str, ...] = ()


def sandbox_client() -> TrustedClient:
    """The CDS Hooks sandbox as an issuer (keys fetched from its published ``jku`` only)."""
    return TrustedClient(iss=SANDBOX_ISSUER, jku=(SANDBOX_JKU,))


def load_trusted_clients(path: Path) -> tuple[TrustedClient, ...]:
    """Read and check the trusted clients file; raise ``TrustedClientsError`` if unusable."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise TrustedClientsError(f"CDS_TRUSTED_CLIENTS: cannot read {path}: {exc}") from exc
    except ValueError as exc:
        raise TrustedClientsError(f"CDS_TRUSTED_CLIENTS: {path} is not JSON: {exc}") from exc
    return parse_trusted_clients(raw, base_dir=path.parent, source=str(path))


def parse_trusted_clients(
    raw: Any, base_dir: Path, source: str = "trusted clients"
) -> tuple[TrustedClient, ...]:
    if not isinstance(raw, list):
        raise TrustedClientsError(f"{source}: expected a JSON array of client objects")
    clients: list[TrustedClient] = []
    seen: set[str] = set()
    for index, entry in enumerate(raw):
        where = f"{source}: entry {index}"
        client = _parse_entry(entry, base_dir, where)
        if client.iss in seen:
            raise TrustedClientsError(f"{where}: issuer {client.iss!r} is listed twice")
        seen.add(client.iss)
        clients.append(client)
    return tuple(clients)


def _parse_entry(entry: Any, base_dir: Path, where: str) -> TrustedClient:
    if not isinstance(entry, dict):
        raise TrustedClientsError(f"{where}: expected an object")
    unknown = sorted(set(entry) - _FIELDS)
    if unknown:
        raise TrustedClientsError(
            f"{where}: unknown field(s) {unknown}; allowed: {sorted(_FIELDS)}"
        )
    iss = entry.get("iss")
    if not isinstance(iss, str) or not iss.strip():
        raise TrustedClientsError(f"{where}: 'iss' must be a non-empty string")
    where = f"{where} (iss {iss!r})"
    jku = _string_list(entry.get("jku", []), where, "jku")
    for url in jku:
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.hostname:
            raise TrustedClientsError(f"{where}: jku {url!r} must be an absolute https URL")
    keys = _parse_jwks_field(entry["jwks"], base_dir, where) if "jwks" in entry else None
    if not jku and not keys:
        raise TrustedClientsError(f"{where}: give 'jku' URLs and/or 'jwks' keys")
    tenants = (
        frozenset(_string_list(entry["tenants"], where, "tenants", non_empty=True))
        if "tenants" in entry
        else None
    )
    audience: tuple[str, ...] | None = None
    if "audience" in entry:
        value = entry["audience"]
        audience = (value,) if isinstance(value, str) else None
        if audience is None:
            audience = _string_list(value, where, "audience", non_empty=True)
        if not all(a.strip() for a in audience):
            raise TrustedClientsError(f"{where}: 'audience' must not be empty")
    fhir_servers = _string_list(entry.get("fhirServers", []), where, "fhirServers")
    for url in fhir_servers:
        problem = base_url_problem(url)
        if problem:
            raise TrustedClientsError(f"{where}: fhirServers {url!r}: {problem}")
    return TrustedClient(
        iss=iss,
        jku=jku,
        keys=keys,
        tenants=tenants,
        audience=audience,
        fhir_servers=fhir_servers,
    )


def _string_list(value: Any, where: str, name: str, non_empty: bool = False) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise TrustedClientsError(f"{where}: {name!r} must be a list of non-empty strings")
    if non_empty and not value:
        raise TrustedClientsError(f"{where}: {name!r} must not be an empty list")
    return tuple(value)


def _parse_jwks_field(value: Any, base_dir: Path, where: str) -> Mapping[str, PublicKey]:
    if isinstance(value, str):
        path = Path(value) if Path(value).is_absolute() else base_dir / value
        try:
            value = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise TrustedClientsError(f"{where}: cannot read JWKS file {path}: {exc}") from exc
    try:
        keys = parse_jwks(value, strict=True)
    except JwkError as exc:
        raise TrustedClientsError(f"{where}: jwks: {exc}") from exc
    if not keys:
        raise TrustedClientsError(f"{where}: jwks holds no usable key")
    return keys
