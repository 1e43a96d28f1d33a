"""Configuration: environment variables (all prefixed ``CDS_``) -> one typed Settings object.

Each option names what it changes and its default; the README's configuration table lists
them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def _list(value: str | None) -> tuple[str, ...]:
    """A comma-separated setting, blanks dropped."""
    return tuple(v.strip() for v in (value or "").split(",") if v.strip())


def _path(value: str | None) -> Path | None:
    return Path(value) if value else None


@dataclass(frozen=True)
class Settings:
    #: CDS_DEV: dev mode (no client JWT verification, any CORS origin; loud warning at start)
    dev: bool = False
    #: CDS_DATABASE_URL: feedback + JWT replay store; default a SQLite file under ./var
    database_url: str = "sqlite:///var/cds-service.sqlite3"
    #: CDS_MAX_BODY_BYTES: request body cap (413 above it); default 5 MB
    max_body_bytes: int = 5 * 1024 * 1024
    #: CDS_BODY_READ_SECONDS: deadline for reading a request's body (408 after it); the line
    #: and headers have their own 5 s deadline in the server (``cli.HEADER_DEADLINE_S``)
    body_read_seconds: float = 10.0
    #: CDS_CORS_ORIGINS: comma-separated allowed browser origins (``*`` only in dev)
    cors_origins: tuple[str, ...] = ()
    #: CDS_TRUSTED_CLIENTS: JSON file of trusted CDS clients (contract format)
    trusted_clients_file: Path | None = None
    #: CDS_SITE_CONCEPTMAP: FHIR ConceptMap JSON file or folder mapping local codes
    site_conceptmap: Path | None = None
    #: CDS_FHIR_DEADLINE_MS: overall deadline for fetching patient data per hook call
    fhir_deadline_ms: int = 400
    #: CDS_FHIR_CONNECT_TIMEOUT_MS: connect timeout per FHIR request (capped by the deadline)
    fhir_connect_timeout_ms: int = 200
    #: CDS_FHIR_MAX_RETRIES: retries of a FHIR GET on 429/502/503/504 or a failed connection
    fhir_max_retries: int = 2
    #: CDS_FHIR_MAX_PAGES: pages read per prefetch query (Bundle.link next); more -> incomplete
    fhir_max_pages: int = 10
    #: CDS_FHIR_MAX_RESOURCES: resources kept per prefetch query; more -> incomplete
    fhir_max_resources: int = 5000
    #: CDS_EVALUATION_DATE: pin "today" (YYYY-MM-DD) for demos and tests; honoured in dev only
    evaluation_date: date | None = None
    #: CDS_PUBLIC_URL: comma-separated public base URLs of the service (what clients call,
    #: e.g. ``https://cds.example.org``); a JWT's ``aud`` must be one of them plus the
    #: endpoint's path. The request's Host header is never used for it
    public_urls: tuple[str, ...] = ()
    #: CDS_TRUST_FORWARDED_HEADERS: take the JWT audience's scheme/host/prefix from
    #: X-Forwarded-Proto/-Host/-Prefix (only behind a proxy that sets them); default off
    trust_forwarded_headers: bool = False
    #: CDS_ALLOW_SANDBOX_ISSUER: with --dev, verify JWTs and trust the CDS Hooks sandbox issuer
    #: (its private key is public); refused at start-up without --dev
    allow_sandbox_issuer: bool = False

    def today(self) -> date:
        """The evaluation date: ``evaluation_date`` when pinned, else today (UTC)."""
        return self.evaluation_date or datetime.now(UTC).date()

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        is_dev = _flag(env.get("CDS_DEV"))
        eval_date = env.get("CDS_EVALUATION_DATE")
        return cls(
            dev=is_dev,
            database_url=env.get("CDS_DATABASE_URL", cls.database_url),
            max_body_bytes=int(env.get("CDS_MAX_BODY_BYTES", cls.max_body_bytes)),
            body_read_seconds=float(env.get("CDS_BODY_READ_SECONDS", cls.body_read_seconds)),
            cors_origins=_list(env.get("CDS_CORS_ORIGINS")),
            trusted_clients_file=_path(env.get("CDS_TRUSTED_CLIENTS")),
            site_conceptmap=_path(env.get("CDS_SITE_CONCEPTMAP")),
            fhir_deadline_ms=int(env.get("CDS_FHIR_DEADLINE_MS", cls.fhir_deadline_ms)),
            fhir_connect_timeout_ms=int(
                env.get("CDS_FHIR_CONNECT_TIMEOUT_MS", cls.fhir_connect_timeout_ms)
            ),
            fhir_max_retries=int(env.get("CDS_FHIR_MAX_RETRIES", cls.fhir_max_retries)),
            fhir_max_pages=int(env.get("CDS_FHIR_MAX_PAGES", cls.fhir_max_pages)),
            fhir_max_resources=int(env.get("CDS_FHIR_MAX_RESOURCES", cls.fhir_max_resources)),
            evaluation_date=date.fromisoformat(eval_date) if eval_date and is_dev else None,
            public_urls=_list(env.get("CDS_PUBLIC_URL")),
            trust_forwarded_headers=_flag(env.get("CDS_TRUST_FORWARDED_HEADERS")),
            allow_sandbox_issuer=_flag(env.get("CDS_ALLOW_SANDBOX_ISSUER")),
        )
