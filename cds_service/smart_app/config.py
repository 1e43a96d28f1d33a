"""The SMART app's configuration: environment variables prefixed ``CDS_SMART_``.

The app is deployed when both ``CDS_SMART_CLIENT_ID`` and ``CDS_SMART_APP_URL`` are set;
otherwise its routes are not registered and cards carry no ``smart`` link. The README's
configuration table lists every variable.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..fhir_policy import host_port


class SmartConfigError(ValueError):
    """A SMART app setting that would make the app unsafe or unusable; stops start-up."""


def normalize_url(url: str) -> str:
    """Scheme and host lower-case, default port dropped, no trailing slash."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SmartConfigError(f"not an http(s) URL: {url!r}")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise SmartConfigError(f"URL with credentials, query or fragment: {url!r}")
    return f"{parts.scheme}://{host_port(parts)}{parts.path.rstrip('/')}"


def _urls(value: str | None) -> tuple[str, ...]:
    return tuple(normalize_url(u) for u in (value or "").split(",") if u.strip())


@dataclass(frozen=True)
class SmartConfig:
    #: CDS_SMART_CLIENT_ID: the client id the EHR registered for the app (public client)
    client_id: str
    #: CDS_SMART_APP_URL: public URL of the app, e.g. https://cds.example.org/app
    app_url: str
    #: CDS_SMART_FHIR_SERVERS: FHIR base URLs the app may be launched against (``iss``)
    fhir_servers: tuple[str, ...]
    #: CDS_SMART_AUTH_SERVERS: URL prefixes allowed for the authorize and token endpoints
    #: (the discovery document's); default: on the same origin as the FHIR server
    auth_servers: tuple[str, ...] = ()
    #: CDS_SMART_STANDALONE_ISS: FHIR server of a standalone launch (default: the first
    #: of CDS_SMART_FHIR_SERVERS)
    standalone_iss: str | None = None
    #: CDS_SMART_SESSION_SECRET: key signing the session cookie (required outside dev)
    session_secret: str = ""
    #: CDS_SMART_SESSION_MINUTES: how long a launched session lasts (also capped by the
    #: token's ``expires_in``)
    session_minutes: int = 60
    #: CDS_SMART_FHIR_DEADLINE_MS: deadline for reading the patient's data for one page
    fhir_deadline_ms: int = 5000
    #: cookie ``Secure`` flag: on outside dev mode
    secure_cookie: bool = True

    @property
    def launch_url(self) -> str:
        return f"{self.app_url}/launch"

    @property
    def redirect_url(self) -> str:
        return f"{self.app_url}/callback"

    @property
    def path_prefix(self) -> str:
        return urlsplit(self.app_url).path or "/"

    def iss_allowed(self, iss: str) -> bool:
        try:
            return normalize_url(iss) in self.fhir_servers
        except SmartConfigError:
            return False

    def endpoint_allowed(self, url: str, iss: str) -> bool:
        """An authorize/token endpoint the app may use for FHIR server ``iss``: one of
        ``auth_servers`` or below one of them (path prefix on a segment boundary), else on
        the FHIR server's origin; compared after normalization."""
        try:
            target = normalize_url(url)
            if self.auth_servers:
                return any(target == a or target.startswith(a + "/") for a in self.auth_servers)
            a, b = urlsplit(target), urlsplit(normalize_url(iss))
        except SmartConfigError:
            return False
        return (a.scheme, a.netloc) == (b.scheme, b.netloc)

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, dev: bool = False
    ) -> SmartConfig | None:
        """None when the app is not deployed (no client id or app URL)."""
        env = os.environ if environ is None else environ
        client_id = env.get("CDS_SMART_CLIENT_ID", "").strip()
        app_url = env.get("CDS_SMART_APP_URL", "").strip()
        if not client_id or not app_url:
            return None
        servers = _urls(env.get("CDS_SMART_FHIR_SERVERS"))
        if not servers:
            raise SmartConfigError("CDS_SMART_FHIR_SERVERS lists no FHIR server for the app")
        standalone = env.get("CDS_SMART_STANDALONE_ISS", "").strip()
        standalone_iss = normalize_url(standalone) if standalone else servers[0]
        if standalone_iss not in servers:
            raise SmartConfigError("CDS_SMART_STANDALONE_ISS is not in CDS_SMART_FHIR_SERVERS")
        secret = env.get("CDS_SMART_SESSION_SECRET", "")
        if not secret:
            if not dev:
                raise SmartConfigError("CDS_SMART_SESSION_SECRET is required outside dev mode")
            secret = secrets.token_urlsafe(32)  # dev: one per app (gunicorn preloads it)
        elif len(secret) < 32:
            raise SmartConfigError("CDS_SMART_SESSION_SECRET must have at least 32 characters")
        url = normalize_url(app_url)
        if not dev and not url.startswith("https://"):
            raise SmartConfigError("CDS_SMART_APP_URL must be https outside dev mode")
        return cls(
            client_id=client_id,
            app_url=url,
            fhir_servers=servers,
            auth_servers=_urls(env.get("CDS_SMART_AUTH_SERVERS")),
            standalone_iss=standalone_iss,
            session_secret=secret,
            session_minutes=int(env.get("CDS_SMART_SESSION_MINUTES", cls.session_minutes)),
            fhir_deadline_ms=int(env.get("CDS_SMART_FHIR_DEADLINE_MS", cls.fhir_deadline_ms)),
            secure_cookie=not dev,
        )
