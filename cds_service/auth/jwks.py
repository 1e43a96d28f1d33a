"""JWK Set cache for allowlisted ``jku`` URLs: TTL, refresh on an unknown kid, rate-limited.

Only URLs from the trusted clients configuration are ever passed here; a token's ``jku`` is
looked up in its issuer's allowlist first (``verifier``), so a token cannot make us fetch.

- A set is reused for ``ttl`` seconds, then fetched again on the next use.
- An unknown kid triggers a refresh (key rotation), but at most one fetch per URL per
  ``min_refresh_interval`` seconds in each worker process, so a flood of tokens with made-up
  kids cannot hammer the issuer (or us).
- A failed fetch keeps the keys already held (the issuer being down must not lock out its
  clients) and is logged at warning level.
- Fetches: no redirects, connect/read timeouts plus an overall deadline, body size cap.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import requests

from .keys import JwkError, PublicKey, parse_jwks

log = logging.getLogger(__name__)

DEFAULT_TTL_S = 3600.0
DEFAULT_MIN_REFRESH_INTERVAL_S = 30.0
CONNECT_TIMEOUT_S = 3.05
READ_TIMEOUT_S = 5.0
TOTAL_DEADLINE_S = 8.0
MAX_JWKS_BYTES = 256 * 1024


class JwksFetchError(Exception):
    pass


@dataclass
class _Entry:
    keys: dict[str, PublicKey] = field(default_factory=dict)
    fetched_at: float = float("-inf")  # last successful fetch
    attempted_at: float = float("-inf")  # last fetch attempt, successful or not
    lock: threading.Lock = field(default_factory=threading.Lock)


class JwksCache:
    def __init__(
        self,
        ttl: float = DEFAULT_TTL_S,
        min_refresh_interval: float = DEFAULT_MIN_REFRESH_INTERVAL_S,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self.min_refresh_interval = min_refresh_interval
        self._session = session or requests.Session()
        self._clock = clock
        self._entries: dict[str, _Entry] = {}
        self._entries_lock = threading.Lock()

    def find(self, url: str, kid: str) -> PublicKey | None:
        """The key ``kid`` from the set at ``url``, fetching it if stale or if ``kid`` is new."""
        with self._entries_lock:
            entry = self._entries.setdefault(url, _Entry())
        with entry.lock:
            now = self._clock()
            stale = now - entry.fetched_at >= self.ttl
            if (stale or kid not in entry.keys) and (
                now - entry.attempted_at >= self.min_refresh_interval
            ):
                entry.attempted_at = now
                try:
                    entry.keys = self._fetch(url)
                    entry.fetched_at = now
                except JwksFetchError as exc:
                    log.warning("JWKS fetch from %s failed: %s", url, exc)
            return entry.keys.get(kid)

    def _fetch(self, url: str) -> dict[str, PublicKey]:
        deadline = self._clock() + TOTAL_DEADLINE_S
        try:
            response = self._session.get(
                url,
                timeout=(CONNECT_TIMEOUT_S, READ_TIMEOUT_S),
                allow_redirects=False,
                stream=True,
                headers={"Accept": "application/json, application/jwk-set+json"},
            )
        except requests.RequestException as exc:
            raise JwksFetchError(type(exc).__name__) from exc
        with response:
            if response.status_code != 200:
                raise JwksFetchError(f"HTTP {response.status_code}")
            body = bytearray()
            try:
                for chunk in response.iter_content(chunk_size=16384):
                    body.extend(chunk)
                    if len(body) > MAX_JWKS_BYTES:
                        raise JwksFetchError(f"body larger than {MAX_JWKS_BYTES} bytes")
                    if self._clock() > deadline:
                        raise JwksFetchError("too slow")
            except requests.RequestException as exc:
                raise JwksFetchError(type(exc).__name__) from exc
        try:
            keys = parse_jwks(json.loads(bytes(body)), strict=False)
        except (ValueError, JwkError) as exc:
            raise JwksFetchError(f"not a usable JWK Set ({exc})") from exc
        if not keys:
            raise JwksFetchError("the JWK Set holds no usable signing key")
        return keys
