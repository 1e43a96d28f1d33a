"""A small FHIR R4 read/search client on ``requests`` for one hook call.

What it guarantees
- ``Authorization: Bearer`` is sent only when the hook call brought a ``fhirAuthorization``
  token, and only to URLs under the hook's ``fhirServer`` (next links elsewhere are not
  followed); the token lives in this object for the call only and is never logged or stored.
- One pooled ``requests.Session`` per process (cookies refused, so sharing it between threads
  mutates nothing); connect and read timeouts bounded by the call's deadline.
- GETs are retried on 429/502/503/504 and connection failures, at most ``max_retries`` times,
  with exponential backoff or the server's ``Retry-After``, never past the deadline.
- Searches follow ``Bundle.link[next]`` up to ``max_pages`` pages and ``max_resources``
  resources; a cap, a paging loop or the deadline ends paging with the result marked incomplete.
- Bodies are parsed with the standard json module; malformed or truncated JSON, an unexpected
  resource type or an HTTP error becomes a ``FhirError`` with a reason fit for an
  OperationOutcome (no URLs, no identifiers), never an unhandled exception.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from http.cookiejar import DefaultCookiePolicy
from typing import Any
from urllib.parse import quote, unquote, urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.exceptions import ChunkedEncodingError, ContentDecodingError
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.exceptions import ProtocolError, ReadTimeoutError

from .fhir_policy import under

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 502, 503, 504})
MAX_BODY_BYTES = 16 * 1024 * 1024  # one response body; larger is refused as an error
#: the response bodies one hook call (one FhirClient) keeps: parsed JSON takes ~5x its size in
#: memory, so this bounds a worker's memory per call whatever the FHIR server sends (bodies
#: being read are bounded by MAX_BODY_BYTES each)
MAX_CALL_BYTES = 32 * 1024 * 1024
_CHUNK = 256 * 1024
#: every request's headers (plus ``Authorization`` under the base URL): requests' defaults
#: (User-Agent, Accept-Encoding, keep-alive) with FHIR JSON asked for
_REQUEST_HEADERS: dict[str, str] = {
    **requests.utils.default_headers(),
    "Accept": "application/fhir+json",
}
#: ``Session.send`` settings: certificates verified with requests' CA bundle, no client
#: certificate, no proxies (the session does not read them from the environment either)
_SEND_SETTINGS: dict[str, Any] = {"verify": True, "cert": None, "proxies": {}}
_BACKOFF_BASE_S = 0.05

Resource = dict[str, Any]


class FhirError(Exception):
    """A request that produced no usable data. ``reason`` is safe to show and to log."""

    def __init__(self, reason: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


class Deadline:
    """A point in monotonic time after which no more FHIR work is started or awaited."""

    def __init__(self, seconds: float) -> None:
        self.at = time.monotonic() + seconds

    def remaining(self) -> float:
        return self.at - time.monotonic()

    @property
    def passed(self) -> bool:
        return self.remaining() <= 0


@dataclass(frozen=True)
class Limits:
    connect_timeout_s: float = 0.2
    max_retries: int = 2
    max_pages: int = 10
    max_resources: int = 5000


@dataclass
class SearchResult:
    """Resources of one query; ``incomplete`` says why some may be missing (None: complete)."""

    resources: list[Resource] = field(default_factory=list)
    incomplete: str | None = None


# ---------------------------------------------------------------- process-wide pool
_lock = threading.Lock()
_session: requests.Session | None = None
_executor: ThreadPoolExecutor | None = None


def shared_session() -> requests.Session:
    """The process's pooled session (created on first use)."""
    global _session
    with _lock:
        if _session is None:
            s = requests.Session()
            s.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))  # keep no state
            s.trust_env = False  # no proxies or .netrc credentials picked up from the env
            adapter = HTTPAdapter(pool_connections=8, pool_maxsize=32, max_retries=0)
            s.mount("http://", adapter)
            s.mount("https://", adapter)
            _session = s
        return _session


#: fallback fetches one client (issuer and tenant) may run at once in a process: half the
#: pool, so one client's slow FHIR server cannot hold the threads another client needs
MAX_FETCHES_PER_CLIENT = 16
_client_slots: dict[str, threading.BoundedSemaphore] = {}


def client_slots(client: str) -> threading.BoundedSemaphore:
    """The semaphore that caps ``client``'s concurrent fetches in this process."""
    with _lock:
        slots = _client_slots.get(client)
        if slots is None:
            slots = _client_slots[client] = threading.BoundedSemaphore(MAX_FETCHES_PER_CLIENT)
        return slots


def shared_executor() -> ThreadPoolExecutor:
    """Threads for independent queries of all hook calls in this process."""
    global _executor
    with _lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=32, thread_name_prefix="fhir")
        return _executor


# ---------------------------------------------------------------- helpers
def check_base_url(url: object) -> str:
    """``fhirServer`` as a base URL without trailing slash; ValueError unless http(s)."""
    if url is None or url == "":
        raise ValueError("no fhirServer in the request")
    if not isinstance(url, str):
        raise ValueError("fhirServer is not an http(s) URL")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("fhirServer is not an http(s) URL")
    if parts.username or parts.password:
        raise ValueError("fhirServer must not carry credentials")
    return url.rstrip("/")


def retry_after_seconds(value: str | None) -> float | None:
    """Parse ``Retry-After`` (delta-seconds or HTTP-date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def is_error_outcome(resource: Resource) -> bool:
    """An OperationOutcome with an ``error`` or ``fatal`` issue."""
    issues = resource.get("issue")
    if not isinstance(issues, list):
        return True  # an OperationOutcome without issues says nothing good
    return any(isinstance(i, dict) and i.get("severity") in ("error", "fatal") for i in issues)


def next_link(bundle: Resource) -> str | None:
    links = bundle.get("link")
    if not isinstance(links, list):
        return None
    for link in links:
        if isinstance(link, dict) and link.get("relation") == "next":
            url = link.get("url")
            return url if isinstance(url, str) and url else None
    return None


def bundle_resources(bundle: Resource, sink: list[Resource]) -> bool:
    """Append the Bundle's entry resources to ``sink``; True if an entry was an error outcome.

    OperationOutcome entries (search.mode "outcome") are not data: warnings are skipped, an
    error/fatal one makes the result incomplete. Entries without a resource object are skipped.
    """
    entries = bundle.get("entry")
    if not isinstance(entries, list):
        return False
    error = False
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        res = entry.get("resource")
        if not isinstance(res, dict):
            continue
        if res.get("resourceType") == "OperationOutcome":
            error = error or is_error_outcome(res)
            continue
        sink.append(res)
    return error


# ---------------------------------------------------------------- client
class FhirClient:
    """Reads and searches against one FHIR base URL within one deadline."""

    def __init__(
        self,
        base_url: str,
        token: str | None,
        deadline: Deadline,
        limits: Limits | None = None,
        scope: str | None = None,
    ) -> None:
        self.base_url = check_base_url(base_url)
        self._token = token
        self.deadline = deadline
        self.limits = limits or Limits()
        self._session = shared_session()
        #: every URL requested must lie under it (``fhir_policy.under``): the caller's listed
        #: base outside dev mode, else ``fhirServer`` itself
        self.scope = scope or self.base_url
        self._bytes_lock = threading.Lock()
        self._bytes_read = 0  # body bytes of all responses of this call (MAX_CALL_BYTES)

    def __repr__(self) -> str:  # never show the token
        return f"FhirClient(base_url={self.base_url!r}, token={'***' if self._token else None})"

    # -- URLs
    def absolute(self, url_or_path: str) -> str:
        return urljoin(self.base_url + "/", url_or_path)

    def _under_base(self, url: str) -> bool:
        return under(url, self.scope)

    def _headers(self, url: str) -> dict[str, str]:
        headers = dict(_REQUEST_HEADERS)
        if self._token and self._under_base(url):
            headers["Authorization"] = f"Bearer {self._token}"
        return headers

    # -- one GET with retries
    def get_json(self, url: str) -> Resource:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise FhirError("refused to follow a non-http(s) URL")
        if not self._under_base(url):  # outside the base, or with a dot segment
            raise FhirError("refused a URL outside the FHIR server's base")
        attempt = 0
        while True:
            remaining = self.deadline.remaining()
            if remaining <= 0:
                raise FhirError("deadline passed before the FHIR server answered")
            try:
                status, headers, body = self._get_once(url, remaining)
            except FhirError as exc:
                if (
                    exc.status is None
                    and attempt < self.limits.max_retries
                    and exc.reason == "FHIR server unreachable"
                ):
                    attempt += 1
                    if self._sleep_before_retry(attempt, None):
                        continue
                raise
            if status == 200:
                return _parse(body)
            if status in RETRY_STATUSES and attempt < self.limits.max_retries:
                attempt += 1
                retry_after = retry_after_seconds(headers.get("Retry-After"))
                if self._sleep_before_retry(attempt, retry_after):
                    continue
            raise _status_error(status)

    def _sleep_before_retry(self, attempt: int, retry_after: float | None) -> bool:
        """Wait before the next attempt; False when that wait would pass the deadline."""
        if retry_after is not None:
            wait = retry_after
        else:
            wait = _BACKOFF_BASE_S * (2 ** (attempt - 1)) * (0.5 + random.random() / 2)  # noqa: S311
        # leave time for the retried request itself, not only the wait
        if wait >= self.deadline.remaining() - 0.01:
            return False
        time.sleep(wait)
        return True

    def _get_once(
        self, url: str, remaining: float
    ) -> tuple[int, requests.structures.CaseInsensitiveDict[str], bytes]:
        timeout = (min(self.limits.connect_timeout_s, remaining), remaining)
        try:
            # prepared here and sent as is: ``Session.get`` would merge the session's headers,
            # cookies, hooks and environment settings (none of which this session has) at
            # 0.2-0.3 ms of CPU per request, and the fetch threads prepare their requests one
            # at a time under the interpreter lock (the last of 10 left ~9 ms after the first)
            request = requests.Request("GET", url, headers=self._headers(url)).prepare()
            with self._session.send(
                request, timeout=timeout, stream=True, allow_redirects=False, **_SEND_SETTINGS
            ) as resp:
                if resp.status_code != 200:
                    return resp.status_code, resp.headers, b""
                chunks: list[bytes] = []
                size = 0
                # read1: what one recv gives (at most _CHUNK), so a server that drips its body
                # byte by byte meets the deadline check between pieces
                while chunk := resp.raw.read1(_CHUNK, decode_content=True):
                    size += len(chunk)
                    if size > MAX_BODY_BYTES:
                        raise FhirError("FHIR response too large")
                    # the call's budget: the bodies already kept plus this one (a body refused
                    # on its own size does not use up the budget of the others)
                    if self._bytes_read + size > MAX_CALL_BYTES:
                        raise FhirError("FHIR responses too large for one hook call")
                    if self.deadline.passed:
                        raise FhirError("deadline passed while reading the FHIR response")
                    chunks.append(chunk)
                with self._bytes_lock:
                    self._bytes_read += size
                    if self._bytes_read > MAX_CALL_BYTES:
                        raise FhirError("FHIR responses too large for one hook call")
                return resp.status_code, resp.headers, b"".join(chunks)
        except ReadTimeoutError as exc:  # from read1: the deadline passed mid-body
            raise FhirError("FHIR server timed out") from exc
        except ProtocolError as exc:
            raise FhirError("FHIR response truncated or corrupt") from exc
        except Urllib3Error as exc:
            raise FhirError(f"FHIR request failed ({type(exc).__name__})") from exc
        except requests.ConnectTimeout as exc:
            raise FhirError("FHIR server unreachable (connect timed out)") from exc
        except requests.Timeout as exc:
            raise FhirError("FHIR server timed out") from exc
        except (ChunkedEncodingError, ContentDecodingError) as exc:
            raise FhirError("FHIR response truncated or corrupt") from exc
        except requests.ConnectionError as exc:
            raise FhirError("FHIR server unreachable") from exc
        except requests.RequestException as exc:
            raise FhirError(f"FHIR request failed ({type(exc).__name__})") from exc

    # -- reads and searches
    def fetch(self, path: str) -> SearchResult:
        """GET ``path`` (relative to the base): a read gives one resource, a search all pages."""
        first = self.get_json(self.absolute(encode_search(path)))
        rtype = first.get("resourceType")
        if rtype == "Bundle":
            result = SearchResult()
            self.collect(first, result)
            return result
        if rtype == "OperationOutcome":
            raise FhirError("FHIR server answered with an OperationOutcome")
        return SearchResult([first])

    def collect(self, bundle: Resource, result: SearchResult) -> None:
        """Add ``bundle``'s resources to ``result`` and follow its next links within the caps."""
        seen: set[str] = set()
        page = bundle
        pages = 0
        while True:
            pages += 1
            if bundle_resources(page, result.resources) and result.incomplete is None:
                result.incomplete = "the FHIR server reported an error in the search results"
            if len(result.resources) >= self.limits.max_resources:
                del result.resources[self.limits.max_resources :]
                if next_link(page):
                    cap = self.limits.max_resources
                    result.incomplete = f"stopped at the cap of {cap} resources"
                return
            url = next_link(page)
            if url is None:
                return
            url = self.absolute(url)
            if not self._under_base(url):
                result.incomplete = "a next link outside fhirServer was not followed"
                return
            if url in seen:
                result.incomplete = "the FHIR server's next links loop"
                return
            seen.add(url)
            if pages >= self.limits.max_pages:
                result.incomplete = f"stopped at the cap of {self.limits.max_pages} pages"
                return
            try:
                page = self.get_json(url)
            except FhirError as exc:
                result.incomplete = f"a later page failed: {exc.reason}"
                return
            if page.get("resourceType") != "Bundle":
                result.incomplete = "a later page was not a Bundle"
                return


def encode_search(path: str) -> str:
    """``path`` with every search parameter value percent-encoded, ':' '/' and '|' included
    (a proxy that collapses '//' turned ``http://loinc.org|...`` into ``http:/loinc.org``);
    ',' (FHIR's OR separator) and the parameter names (``code:text``) are kept as written."""
    head, sep, query = path.partition("?")
    if not sep:
        return path
    pairs = []
    for pair in query.split("&"):
        name, eq, value = pair.partition("=")
        pairs.append(quote(unquote(name), safe=":") + eq + quote(unquote(value), safe=","))
    return head + "?" + "&".join(pairs)


def _parse(body: bytes) -> Resource:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and bad UTF-8 included
        raise FhirError("FHIR response is not valid JSON (malformed or truncated)") from exc
    if not isinstance(data, dict) or not isinstance(data.get("resourceType"), str):
        raise FhirError("FHIR response is not a FHIR resource")
    return data


def _status_error(status: int) -> FhirError:
    if status in (401, 403):
        return FhirError(f"FHIR server refused access (HTTP {status})", status)
    if status == 404:
        return FhirError("not found on the FHIR server (HTTP 404)", status)
    if status in RETRY_STATUSES:
        return FhirError(f"FHIR server busy or unavailable (HTTP {status})", status)
    if 300 <= status < 400:
        return FhirError(f"FHIR server redirected (HTTP {status}); not followed", status)
    return FhirError(f"FHIR server error (HTTP {status})", status)
