"""Which FHIR servers a hook call may make the service contact (the ``fhirServer`` policy).

Outside dev mode a trusted client's entry lists its FHIR base URLs (``fhirServers``). A hook's
``fhirServer`` is used only when it lies under one of them: same scheme, host and port, and a
path equal to the listed path or below it, compared after normalization (scheme and host
lower-cased, default port dropped, percent-encoded unreserved characters such as ``%2e``
decoded, dot segments removed). Plain http is allowed only for a URL listed exactly. Every URL
the FHIR client then requests (reads, searches, next links) must stay under the same listed
base, and a URL whose path holds a dot segment (``..``, ``%2e%2e``) is refused outright.
Dev mode (``Caller.fhir_servers is None``) keeps the old rule: any http(s) server.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}
_UNRESERVED_ESCAPE = re.compile(r"%(2[dDeE]|5[fF]|7[eE]|3[0-9]|[46][1-9a-fA-F]|[57][0-9aA])")
#: an encoded slash or backslash would let a path segment pass for two
_ENCODED_SEPARATOR = re.compile(r"%(2[fF]|5[cC])")


@dataclass(frozen=True)
class Caller:
    """Who made a hook call, as client authentication established it."""

    #: the token's issuer; "" when calls are not authenticated (dev mode)
    issuer: str = ""
    #: the token's ``tenant`` claim; "" when it has none
    tenant: str = ""
    #: the FHIR bases this caller may name; None in dev mode (any http(s) server)
    fhir_servers: tuple[str, ...] | None = None

    @property
    def restricted(self) -> bool:
        """True outside dev mode: only listed servers, and generic reasons to the caller."""
        return self.fhir_servers is not None


DEV_CALLER = Caller()


@dataclass(frozen=True)
class NormalUrl:
    scheme: str
    netloc: str
    path: str  # no trailing slash ("" for the root)
    has_dot_segment: bool


def host_port(parts: SplitResult) -> str:
    """The URL's host, lower-cased (an IPv6 literal in brackets), and its port unless it is
    the scheme's default; ValueError for a port out of range."""
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    return host if port is None or port == DEFAULT_PORTS.get(parts.scheme) else f"{host}:{port}"


def normalize(url: str) -> NormalUrl | None:
    """``url`` in the compared form; None unless it is an absolute http(s) URL without
    credentials, fragment, encoded path separators or backslashes."""
    try:
        parts = urlsplit(url)
        netloc = host_port(parts)
    except ValueError:
        return None
    scheme = parts.scheme
    if scheme not in DEFAULT_PORTS or not parts.hostname or parts.username or parts.password:
        return None
    if parts.fragment or "\\" in url or _ENCODED_SEPARATOR.search(parts.path):
        return None
    decoded = _UNRESERVED_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), parts.path)
    segments = decoded.split("/")
    path = remove_dot_segments(decoded).rstrip("/")
    return NormalUrl(scheme, netloc, path, any(s in (".", "..") for s in segments))


def remove_dot_segments(path: str) -> str:
    """RFC 3986 §5.2.4, for an absolute path."""
    out: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if len(out) > 1:
                out.pop()
        elif segment != ".":
            out.append(segment)
    if path.endswith(("/.", "/..")):
        out.append("")
    result = "/".join(out)
    return result if result.startswith("/") or not result else "/" + result


def base_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a listed FHIR base (None: it can)."""
    norm = normalize(url)
    if norm is None:
        return "not an absolute http(s) URL without credentials or fragment"
    if norm.has_dot_segment or "?" in url:
        return "a base URL has no dot segments and no query"
    return None


def under(url: str | NormalUrl, base: str | NormalUrl) -> bool:
    """``url`` lies at or below ``base`` (both normalized; a dot segment in ``url`` fails)."""
    u = normalize(url) if isinstance(url, str) else url
    b = normalize(base) if isinstance(base, str) else base
    if u is None or b is None or u.has_dot_segment:
        return False
    if (u.scheme, u.netloc) != (b.scheme, b.netloc):
        return False
    return u.path == b.path or u.path.startswith(b.path + "/")


def allowed_base(fhir_server: str, listed: Sequence[str]) -> str | None:
    """The listed base ``fhir_server`` lies under, or None. https only, unless the very URL
    is listed (after normalization)."""
    server = normalize(fhir_server)
    if server is None or server.has_dot_segment or "?" in fhir_server:
        return None
    for base in listed:
        norm = normalize(base)
        if norm is None or not under(server, norm):
            continue
        if server.scheme == "https" or server.path == norm.path:
            return base
    return None
