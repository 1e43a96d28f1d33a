"""Patient data for one hook call: prefetch first, the EHR's FHIR server for the rest.

Each prefetch key of the service is in one of four states (CDS Hooks 2.0 §Prefetch):

- present (a Bundle or a resource): used as is; a Bundle with ``link[next]`` (the client
  paginated) is followed on ``fhirServer``;
- ``null``: the client has no such data; nothing is fetched;
- absent: fetched from ``fhirServer`` with the template's query;
- an OperationOutcome (or anything that is not usable data): an error; fetched again from
  ``fhirServer`` when possible, else the data is unavailable.

All fetches of one call run in parallel and share one deadline (``Settings.fhir_deadline_ms``).
A required key that cannot be had raises ``DataUnavailable`` (412; each issue is
``("$.prefetch.<key>", "<key> (<what for>): <why>")``); an optional one is named
in ``ResolvedData.unavailable`` and the guideline evaluates without it. Data that may be
partial (a cap, a failed later page, an error entry) is kept and also named in ``unavailable``
with a reason starting "incomplete:".

Present prefetch is not copied or validated here: resources are passed by reference to the
record builder, which selects by code and validates what it uses.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from concurrent.futures import Future, wait
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from .errors import DataUnavailable
from .fhir_client import (
    Deadline,
    FhirClient,
    FhirError,
    Limits,
    SearchResult,
    bundle_resources,
    check_base_url,
    client_slots,
    next_link,
    shared_executor,
)
from .fhir_policy import DEV_CALLER, Caller, allowed_base
from .services import PrefetchKey, Service
from .settings import Settings

log = logging.getLogger(__name__)

Resource = dict[str, Any]

_TOKEN = re.compile(r"\{\{\s*([^{}]+?)\s*\}\}")
_FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")
_USER_TOKENS = {
    "userPractitionerId": "Practitioner",
    "userPractitionerRoleId": "PractitionerRole",
    "userPatientId": "Patient",
    "userRelatedPersonId": "RelatedPerson",
}


@dataclass
class ResolvedData:
    resources: list[Resource] = field(default_factory=list)
    #: prefetch key -> why its data is missing or incomplete (optional keys only)
    unavailable: dict[str, str] = field(default_factory=dict)


class TemplateError(ValueError):
    """A prefetch template token that the request cannot fill."""


def render_template(template: str, context: Mapping[str, Any]) -> str:
    """Fill a CDS Hooks 2.0 prefetch template from the hook context.

    Only ``{{context.<field>}}`` with a primitive root-level field and the four
    ``{{user…Id}}`` tokens (derived from ``context.userId`` = "Practitioner/123") are valid.
    Every value must be a FHIR id, so a value can never change the query's shape.
    """
    parts = _template_parts(template)
    if len(parts) == 1:
        return template  # no token
    out = [parts[0]]
    for i in range(1, len(parts), 2):  # odd items are tokens, each followed by a literal
        out.append(_token_value(parts[i], context))
        out.append(parts[i + 1])
    return "".join(out)


@cache
def _template_parts(template: str) -> tuple[str, ...]:
    """``(literal, token, literal, token, ..., literal)``: a template parsed once."""
    return tuple(_TOKEN.split(template))


def _token_value(token: str, context: Mapping[str, Any]) -> str:
    raw: object
    if token.startswith("context."):
        raw = context.get(token[len("context.") :])
    elif token in _USER_TOKENS:
        user = context.get("userId")
        prefix = _USER_TOKENS[token] + "/"
        raw = user[len(prefix) :] if isinstance(user, str) and user.startswith(prefix) else None
    else:
        raise TemplateError(f"unsupported prefetch token {token!r}")
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise TemplateError(f"the request's context has no usable value for {{{{{token}}}}}")
    text = str(raw)
    if not _FHIR_ID.fullmatch(text) or not text.strip("."):  # "." and ".." are path steps
        raise TemplateError(f"the value for {{{{{token}}}}} is not a FHIR id")
    return text


# ---------------------------------------------------------------- per-key outcomes
@dataclass
class _KeyState:
    key: PrefetchKey
    resources: list[Resource] = field(default_factory=list)
    error: str | None = None  # no data at all
    incomplete: str | None = None  # some data, possibly partial
    #: the OperationOutcome issue code when the FHIR server refused access (401, 403)
    issue_code: str | None = None


#: what a restricted caller is told about any FHIR-server failure (the detail is logged)
GENERIC_SERVER_REASON = "not available from the FHIR server"
_AUTH_ISSUE_CODES = {401: "security", 403: "forbidden"}


def _read_type_and_id(query: str) -> tuple[str, str] | None:
    """("Patient", "123") for a read template "Patient/123"; None for a search."""
    if "?" in query or query.count("/") != 1:
        return None
    rtype, rid = query.split("/")
    return rtype, rid


def _use_prefetch(
    value: object, rendered: str | None
) -> tuple[list[Resource], str | None, str | None, Resource | None]:
    """Read a present prefetch value: (resources, error, incomplete, bundle-to-page).

    ``error`` means the value cannot be used at all (refetch it); ``bundle-to-page`` is a
    Bundle whose next link must be followed.
    """
    if not isinstance(value, dict):
        return [], "the prefetched value is not a FHIR resource", None, None
    rtype = value.get("resourceType")
    if rtype == "OperationOutcome":
        return [], "the CDS client reported an error for this prefetch", None, None
    read = _read_type_and_id(rendered) if rendered else None
    if rtype == "Bundle":
        if read is not None:
            # A read template answered by a searchset (some clients do): take the match.
            found: list[Resource] = []
            bundle_resources(value, found)
            matches = [r for r in found if (r.get("resourceType"), r.get("id")) == read]
            if matches:
                return matches[:1], None, None, None
            return [], "the prefetched Bundle does not hold the requested resource", None, None
        resources: list[Resource] = []
        incomplete = (
            "the CDS client reported an error in the prefetched Bundle"
            if bundle_resources(value, resources)
            else None
        )
        return resources, None, incomplete, (value if next_link(value) else None)
    if not isinstance(rtype, str):
        return [], "the prefetched value is not a FHIR resource", None, None
    if read is not None and (rtype, value.get("id")) != read:
        return [], "the prefetched resource does not match its template", None, None
    if read is None:
        return [], "a search template was answered with a single resource", None, None
    return [value], None, None, None


# ---------------------------------------------------------------- resolve
def _limits(settings: Settings) -> Limits:
    return Limits(
        connect_timeout_s=settings.fhir_connect_timeout_ms / 1000.0,
        max_retries=settings.fhir_max_retries,
        max_pages=settings.fhir_max_pages,
        max_resources=settings.fhir_max_resources,
    )


def _token(body: Mapping[str, Any]) -> str | None:
    auth = body.get("fhirAuthorization")
    if not isinstance(auth, dict):
        return None
    token = auth.get("access_token")
    token_type = auth.get("token_type", "Bearer")
    if isinstance(token, str) and token and str(token_type).lower() == "bearer":
        return token
    return None


def _client(
    body: Mapping[str, Any], deadline: Deadline, settings: Settings, caller: Caller
) -> tuple[FhirClient | None, str]:
    """A client for the request's fhirServer, or None and why there is none. A restricted
    caller's fhirServer must lie under one of its listed bases (``fhir_policy``)."""
    try:
        base = check_base_url(body.get("fhirServer"))
    except ValueError as exc:
        return None, str(exc)
    scope = None
    if caller.fhir_servers is not None:
        scope = allowed_base(base, caller.fhir_servers)
        if scope is None:
            log.warning("fhirServer not among the caller's fhirServers: not contacted")
            return None, "no FHIR server may be contacted for this client"
    return FhirClient(base, _token(body), deadline, _limits(settings), scope=scope), ""


def resolve(
    service: Service, body: Mapping[str, Any], settings: Settings, caller: Caller = DEV_CALLER
) -> ResolvedData:
    """Gather the patient's resources for ``service`` from ``body`` (prefetch) and fhirServer.

    ``caller`` decides which FHIR servers may be contacted and how much of a failure's reason
    the caller is told (``fhir_policy``). Raises ``DataUnavailable`` when a required key
    cannot be had.
    """
    deadline = Deadline(settings.fhir_deadline_ms / 1000.0)
    raw_prefetch = body.get("prefetch")
    prefetch: Mapping[str, Any] = raw_prefetch if isinstance(raw_prefetch, dict) else {}
    raw_context = body.get("context")
    context: Mapping[str, Any] = raw_context if isinstance(raw_context, dict) else {}

    states: list[_KeyState] = []
    jobs: list[tuple[_KeyState, Callable[[FhirClient], SearchResult], str]] = []
    client: FhirClient | None = None
    no_client_reason = ""
    client_made = False

    for pk in service.prefetch:
        state = _KeyState(pk)
        states.append(state)
        template_error = ""
        try:
            rendered: str | None = render_template(pk.query, context)
        except TemplateError as exc:
            rendered, template_error = None, str(exc)
        to_page: Resource | None = None
        if pk.key in prefetch:
            value = prefetch[pk.key]
            if value is None:
                continue  # the client has no such data: do not refetch
            resources, error, incomplete, to_page = _use_prefetch(value, rendered)
            state.resources, state.incomplete = resources, incomplete
            if error is None and to_page is None and incomplete is None:
                continue  # complete prefetch: nothing to fetch
            why = error or incomplete or "paginated prefetch"
            if incomplete is not None:
                to_page = None  # an error inside the Bundle: refetch the whole query
        else:
            why = "not prefetched"
        # The FHIR server is needed: follow the prefetched Bundle's pages, or run the query.
        if not client_made:
            client, no_client_reason = _client(body, deadline, settings, caller)
            client_made = True
        if to_page is not None:
            jobs.append((state, _page_job(to_page), why))
        elif rendered is not None:
            jobs.append((state, _fetch_job(rendered), why))
        elif state.resources:
            state.incomplete = f"{why}; cannot fetch: {template_error}"
        else:
            state.error = f"{why}; cannot fetch: {template_error}"

    if jobs:
        if client is None:
            for state, _job, why in jobs:
                if state.resources:
                    state.incomplete = f"{state.incomplete or why}; {no_client_reason}"
                else:
                    state.error = f"{why}; {no_client_reason}"
        else:
            _run_jobs(client, deadline, jobs, caller)

    return _assemble(states)


def _fetch_job(query: str) -> Callable[[FhirClient], SearchResult]:
    read = _read_type_and_id(query)

    def job(client: FhirClient) -> SearchResult:
        result = client.fetch(query)
        if read is not None:
            # a read answered with another resource (another patient's) is no answer
            found = [r for r in result.resources if (r.get("resourceType"), r.get("id")) == read]
            if not found:
                raise FhirError("the FHIR server answered with another resource than requested")
            result.resources = found[:1]
        return result

    return job


def _page_job(first_page: Resource) -> Callable[[FhirClient], SearchResult]:
    def job(client: FhirClient) -> SearchResult:
        result = SearchResult()
        client.collect(first_page, result)
        return result

    return job


def _run_jobs(
    client: FhirClient,
    deadline: Deadline,
    jobs: list[tuple[_KeyState, Callable[[FhirClient], SearchResult], str]],
    caller: Caller,
) -> None:
    """Run the fetches in parallel; record each key's outcome; never wait past the deadline.
    The caller's fetches in flight in this process are capped (``client_slots``): a fetch
    that gets no slot before the deadline is not started."""
    executor = shared_executor()
    slots = client_slots(f"{caller.issuer}|{caller.tenant}")
    futures: list[tuple[_KeyState, Future[SearchResult] | None]] = []
    for state, job, _why in jobs:
        if not slots.acquire(timeout=max(0.0, deadline.remaining())):
            futures.append((state, None))
            continue
        fut = executor.submit(job, client)
        fut.add_done_callback(lambda _f: slots.release())
        futures.append((state, fut))
    wait([f for _s, f in futures if f is not None], timeout=max(0.0, deadline.remaining()))
    public = _public_reason(caller)
    for state, maybe in futures:
        if maybe is None or not maybe.done():
            if maybe is not None:
                maybe.cancel()
            _mark_failed(state, "deadline passed before the FHIR server answered", public)
            continue
        try:
            result = maybe.result()
        except FhirError as exc:
            _mark_failed(state, exc.reason, public, _AUTH_ISSUE_CODES.get(exc.status or 0))
            continue
        except Exception as exc:  # a bug in our paging code must not hide as "no data"
            log.exception("FHIR fetch failed for prefetch key %s", state.key.key)
            _mark_failed(state, f"internal error ({type(exc).__name__})", public)
            continue
        state.resources = result.resources
        state.incomplete = result.incomplete and public(result.incomplete)
        state.error = None


def _public_reason(caller: Caller) -> Callable[[str], str]:
    """What the caller is told of a FHIR-server failure: the reason in dev mode; otherwise
    one generic text (the reason is in the log), so answers do not map a network."""
    if caller.restricted:
        return lambda _reason: GENERIC_SERVER_REASON
    return lambda reason: reason


def _mark_failed(
    state: _KeyState,
    reason: str,
    public: Callable[[str], str],
    issue_code: str | None = None,
) -> None:
    log.warning("patient data %r unavailable: %s", state.key.key, reason)
    state.issue_code = issue_code
    reason = public(reason)
    if state.resources:
        # keep what the client prefetched, say it may be partial
        state.incomplete = f"{state.incomplete + '; ' if state.incomplete else ''}{reason}"
    else:
        state.error = reason


def _assemble(states: list[_KeyState]) -> ResolvedData:
    issues: list[tuple[str, ...]] = []
    unavailable: dict[str, str] = {}
    resources: list[Resource] = []
    seen: set[tuple[str, str]] = set()
    for state in states:
        key = state.key
        if state.error is not None:
            if key.required:
                where, text = f"$.prefetch.{key.key}", f"{key.key} ({key.purpose}): {state.error}"
                issues.append(
                    (where, text, state.issue_code) if state.issue_code else (where, text)
                )
            else:
                unavailable[key.key] = state.error
            continue
        if state.incomplete is not None:
            unavailable[key.key] = f"incomplete: {state.incomplete}"
        for res in state.resources:
            rid = res.get("id")
            if isinstance(rid, str):
                ident = (str(res.get("resourceType")), rid)
                if ident in seen:
                    continue  # the same resource answered two queries
                seen.add(ident)
            resources.append(res)
    if issues:
        raise DataUnavailable(issues)
    return ResolvedData(resources, unavailable)
