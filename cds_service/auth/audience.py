"""The endpoint URL a token's ``aud`` must name (CDS Hooks §Security: "the URL of the CDS
Service endpoint being invoked": ``…/cds-services``, ``…/cds-services/{id}``,
``…/cds-services/{id}/feedback``).

The service's public base URLs (``CDS_PUBLIC_URL``) decide the expected endpoint URL: each
base plus the path the request reached (``public_endpoints``). The request's Host header is
never trusted for it. Without ``CDS_PUBLIC_URL``, only ``CDS_TRUST_FORWARDED_HEADERS`` can
name it (from the proxy's headers); with neither, a token is accepted only from a client whose
entry gives a fixed ``audience``.

``url`` is the request URL as the WSGI app sees it (Flask ``request.url``, without
``ProxyFix``); its query string is ignored. Behind a reverse proxy the client called a
different scheme/host/path prefix: with ``trust_forwarded`` (``CDS_TRUST_FORWARDED_HEADERS``) the
``X-Forwarded-Proto``, ``X-Forwarded-Host`` and ``X-Forwarded-Prefix`` headers replace them.
Turn it on only when a proxy you run sets (overwrites) those headers: otherwise any caller
could choose the audience it is checked against. With several values (a list), the last one,
added by the proxy nearest to us, is used.

Both sides are compared after the same normalisation: scheme and host lower-cased, default
ports dropped, one trailing slash ignored.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from urllib.parse import urlsplit, urlunsplit

from ..fhir_policy import host_port


def header(headers: Mapping[str, str], name: str) -> str | None:
    """Case-insensitive header lookup (works for plain dicts and Werkzeug headers)."""
    lowered = name.lower()
    return next((value for key, value in headers.items() if key.lower() == lowered), None)


def _last(value: str | None) -> str | None:
    if value is None:
        return None
    last = value.split(",")[-1].strip()
    return last or None


def public_endpoints(url: str, public_urls: Sequence[str]) -> set[str]:
    """The endpoint's URL under each of the service's public base URLs (``CDS_PUBLIC_URL``):
    the base plus the path the request reached; the request's host is not used."""
    path = urlsplit(url).path
    return {normalize(base.rstrip("/") + path) for base in public_urls}


def endpoint_url(url: str, headers: Mapping[str, str], trust_forwarded: bool) -> str:
    parts = urlsplit(url)
    scheme, netloc, path = parts.scheme, parts.netloc, parts.path
    if trust_forwarded:
        scheme = _last(header(headers, "X-Forwarded-Proto")) or scheme
        netloc = _last(header(headers, "X-Forwarded-Host")) or netloc
        prefix = _last(header(headers, "X-Forwarded-Prefix"))
        if prefix:
            path = "/" + prefix.strip("/") + path
    return normalize(urlunsplit((scheme, netloc, path, "", "")))


def normalize(url: str) -> str:
    """Canonical form for comparison; an unparseable URL comes back unchanged (and so only
    matches itself)."""
    try:
        parts = urlsplit(url.strip())
        netloc = host_port(parts)
    except ValueError:
        return url
    if parts.username or parts.password:
        return url  # userinfo never belongs in an audience; compare verbatim
    path = parts.path[:-1] if parts.path.endswith("/") and len(parts.path) > 1 else parts.path
    return urlunsplit((parts.scheme, netloc, path, parts.query, parts.fragment))
