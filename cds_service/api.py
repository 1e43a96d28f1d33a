"""HTTP only: routes, CORS, request ids, client authentication, errors as OperationOutcome.

``create_app(settings)`` builds the Flask app once; everything clinical happens in
``cds_service.engine`` (request -> patient data -> concepts -> findings -> cards).

Routes
- ``GET /cds-services``                    discovery (CDS Hooks 2.0)
- ``POST /cds-services/{id}``              a hook call -> ``{"cards": [...]}``
- ``POST /cds-services/{id}/feedback``     card feedback
- ``GET /healthz`` (liveness), ``GET /readyz`` (storage reachable)
- ``GET /openapi.json`` (OpenAPI 3.1 of this API), ``GET /rules`` (the evidence catalog)

Statuses: 400 bad body (an OperationOutcome issue per problem, with its JSON path), 401
(empty body), 404, 405, 412 (required data unavailable), 413 (body over
``CDS_MAX_BODY_BYTES``), 415 (not JSON), 500 (no internals).
"""

from __future__ import annotations

import json
import logging
import re
import time
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import orjson
from flask import Flask, Response, g, request
from flask_cors import CORS
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from fhir_mappings.terminology import build_terminology

from . import engine, feedback, patient_data, smart_app
from .auth import build_authenticator
from .errors import DataUnavailable, InvalidRequest, ServiceError
from .guideline.catalog import catalog_html
from .ids import new_hex_id
from .issued_cards import IssuedCardWriter
from .protocol import validate_feedback, validate_request
from .services import REGISTRY, SERVICES
from .settings import Settings
from .smart_app.card_links import add_smart_links
from .storage import Storage

log = logging.getLogger("cds_service.api")

JSON_TYPE = "application/json"
FHIR_JSON_TYPE = "application/fhir+json"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
_AUTHENTICATED_PREFIX = "/cds-services"


# --------------------------------------------------------------------------- responses


def json_response(body: Any, status: int = 200, content_type: str = JSON_TYPE) -> Response:
    return Response(orjson.dumps(body), status=status, content_type=content_type)


def operation_outcome(
    status: int, issues: list[tuple[str, str]], code: str = "invalid"
) -> Response:
    """An OperationOutcome body; each issue is (JSON path or "", message)."""
    out: list[dict[str, Any]] = []
    for where, message in issues:
        issue: dict[str, Any] = {"severity": "error", "code": code, "diagnostics": message}
        if where:
            issue["expression"] = [where]
        out.append(issue)
    return json_response({"resourceType": "OperationOutcome", "issue": out}, status, JSON_TYPE)


_STATUS_ISSUE_CODE = {
    400: "invalid",
    404: "not-found",
    405: "not-supported",
    412: "not-found",
    413: "too-costly",
    415: "not-supported",
    500: "exception",
}


def _http_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    message = {
        404: "no such endpoint",
        405: f"method {request.method} not allowed here",
        413: "request body too large",
    }.get(status, exc.description or exc.name)
    resp = operation_outcome(status, [("", message)], _STATUS_ISSUE_CODE.get(status, "processing"))
    if status == 405 and exc.response is None:
        valid = getattr(exc, "valid_methods", None)
        if valid:
            resp.headers["Allow"] = ", ".join(valid)
    return resp


# --------------------------------------------------------------------------- body parsing


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> None:
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            raise InvalidRequest([("$", f"duplicate object key {key!r}")])
        seen.add(key)


def may_have_duplicate_keys(raw: bytes, data: Any) -> bool:
    """False when ``raw`` (valid JSON, parsed by orjson into ``data``) certainly has no
    duplicate object key; True when it may (then the exact, slower check decides).

    Why equal colon counts prove there is no duplicate: orjson keeps the last of duplicate
    keys silently, so ``data`` has one object member fewer per duplicate. Every ``:`` in JSON
    text is either a member separator or a character inside a string. orjson writes string
    characters literally (it never escapes ``:``), so in ``again = orjson.dumps(data)`` the
    colons are data's members plus the colons in data's strings. In ``raw`` without an
    escaped colon (``\\u003a``) they are raw's members plus the colons in raw's strings,
    which include data's (a dropped member only removes strings). So
    ``colons(raw) >= colons(again)``, equal only when no member was dropped: no duplicate.
    (A body with an escaped colon, or too deep for ``orjson.dumps``, answers True.)

    Cost on the typical 214 kB body: ``orjson.dumps`` ~0.15 ms; then, when ``raw == again``
    (a compact body written the way orjson writes it: one ``memcmp``), the counts are equal
    without counting; else both counts with numpy (~25 us each: vectorized, where
    ``bytes.count`` of one byte is a plain loop at ~100 us). An escape needs a backslash: one
    ``memchr`` for it (~10 us) spares the slower substring search (~130 us) on bodies that
    have none. The 10,000-Observation body: ~15 ms instead of the stdlib parser's ~190 ms.
    """
    if b"\\" in raw and b"\\u003" in raw:  # an escaped ":" (or digit: rare) breaks the count
        return True
    try:
        again = orjson.dumps(data)
    except orjson.JSONEncodeError:  # e.g. nesting deeper than orjson.dumps allows
        return True
    if again == raw:
        return False
    return _colons(raw) != _colons(again)


def _colons(text: bytes) -> int:
    """How many ``:`` bytes ``text`` holds (numpy: a vectorized compare and count)."""
    return int(np.count_nonzero(np.frombuffer(text, dtype=np.uint8) == _COLON))


_COLON = ord(":")


def _read_body(max_bytes: int) -> bytes:
    """The raw body, refusing more than ``max_bytes``: from Content-Length before reading,
    and while reading a chunked body (the WSGI server terminates the input stream)."""
    stream = request.environ["wsgi.input"]
    length = request.content_length
    if length is not None:
        if length > max_bytes:
            raise RequestEntityTooLarge()
        return bytes(stream.read(length))
    if not request.environ.get("wsgi.input_terminated"):
        return b""  # no length and no server-side framing: reading could hang
    buf = bytearray()
    while chunk := stream.read(min(65536, max_bytes + 1 - len(buf))):
        buf += chunk
        if len(buf) > max_bytes:
            raise RequestEntityTooLarge()
    return bytes(buf)


def read_json_body(max_bytes: int) -> Any:
    """The request body parsed as JSON; ServiceError/HTTPException on any problem."""
    mimetype = (request.mimetype or "").lower()
    if mimetype not in (JSON_TYPE, FHIR_JSON_TYPE) and not mimetype.endswith("+json"):
        raise _UnsupportedMediaType(
            [("", "the body must be JSON (Content-Type: application/json)")]
        )
    raw = _read_body(max_bytes)
    if not raw.strip():
        raise InvalidRequest([("$", "the body is empty")])
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        try:  # orjson refuses invalid UTF-8 too; name the byte when that is the problem
            raw.decode("utf-8")
        except UnicodeDecodeError as uexc:
            raise InvalidRequest(
                [("$", f"the body is not valid UTF-8 (byte {uexc.start})")]
            ) from None
        raise InvalidRequest([("$", f"the body is not valid JSON: {exc.msg}")]) from None
    # orjson keeps the last of duplicate keys silently; the stdlib parser can tell us which
    # key, but it costs a Python call per object: run it only when a duplicate is possible.
    # It recurses in Python (about 500 levels) where orjson stops at 1024: deeper is refused.
    if may_have_duplicate_keys(raw, data):
        try:
            json.loads(raw, object_pairs_hook=_reject_duplicates)
        except RecursionError:
            raise InvalidRequest([("$", "the body is nested too deeply")]) from None
    return data


class _AfterSend:
    """A hook call's work once its response is sent (``Response.call_on_close``)."""

    def __init__(
        self,
        issued: IssuedCardWriter,
        service_id: str,
        cards: list[dict[str, Any]],
        keep: list[Any],
    ) -> None:
        self.issued, self.service_id, self.cards, self.keep = issued, service_id, cards, keep

    def __call__(self) -> None:
        if self.cards:
            self.issued.submit(self.service_id, self.cards)
        self.keep.clear()  # the last references to the call's body and record: freed here


class _UnsupportedMediaType(ServiceError):
    status = 415
    issue_code = "not-supported"


# --------------------------------------------------------------------------- app factory


@cache
def openapi_document() -> bytes:
    return resources.files("cds_service").joinpath("openapi.json").read_bytes()


def response_body(cards: list[dict[str, Any]], unavailable: dict[str, str]) -> dict[str, Any]:
    """``{"cards": [...]}``, plus a response-level extension naming the data sets that could
    not be had, so that an empty card list on a partial record is not read as "nothing to
    say" (the cards themselves name the gap too)."""
    body: dict[str, Any] = {"cards": cards}
    if unavailable:
        body["extension"] = {
            "ctd-ild-cds": {
                "unavailable": [
                    {"data": key, "reason": reason} for key, reason in sorted(unavailable.items())
                ]
            }
        }
    return body


def flush_issued_cards(app: Flask, timeout: float | None = 10.0) -> bool:
    """Wait until the cards of every call this app answered are in ``issued_card`` (they
    are written by a background thread after the response); False on timeout."""
    writer: IssuedCardWriter = app.extensions["cds"]["issued_cards"]
    return writer.flush(timeout)


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env()
    app = Flask("cds_service")
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.json.sort_keys = False  # type: ignore[attr-defined]
    storage = Storage(settings.database_url)
    storage.create_all()
    storage.engine.dispose()  # no pooled connection survives a fork (gunicorn preload)
    authenticator = build_authenticator(settings, storage)
    # standard code tables + the site's ConceptMaps; a malformed map stops start-up here
    terminology = build_terminology(settings.site_conceptmap)
    issued = IssuedCardWriter(storage)
    app.extensions["cds"] = {"settings": settings, "storage": storage, "issued_cards": issued}
    # the SMART app (cds_service/smart_app), when CDS_SMART_CLIENT_ID and CDS_SMART_APP_URL say
    smart = smart_app.register(app, settings, storage, terminology)
    if settings.dev and not settings.allow_sandbox_issuer:
        log.warning(
            "DEV MODE: client JWT verification is OFF and any CORS origin is allowed. "
            "Never expose this instance to real patient data."
        )

    origins: str | list[str] = "*" if settings.dev else list(settings.cors_origins)
    if origins:
        CORS(
            app,
            resources={r"/*": {"origins": origins}},
            allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
            expose_headers=["X-Request-ID"],
            methods=["GET", "POST", "OPTIONS"],
            max_age=600,
        )

    # dev mode: the authenticator reads nothing; spare building the URL and header dict
    check_clients = not getattr(authenticator, "accepts_everything", False)

    @app.before_request
    def _start() -> Response | None:
        # the WSGI environ directly: request.headers.get of an absent header builds a KeyError
        incoming = request.environ.get("HTTP_X_REQUEST_ID", "")
        g.request_id = incoming if _REQUEST_ID.match(incoming) else new_hex_id()
        g.started = time.perf_counter()
        if (
            not check_clients
            or request.method == "OPTIONS"
            or not request.path.startswith(_AUTHENTICATED_PREFIX)
        ):
            return None
        result = authenticator.authenticate(request.base_url, dict(request.headers))
        if not result.ok:
            log.info(
                "401 %s %s (request %s): %s",
                request.method,
                request.path,
                g.request_id,
                result.reason,
            )
            return Response(b"", status=401)
        return None

    @app.after_request
    def _finish(resp: Response) -> Response:
        rid = g.get("request_id") or new_hex_id()
        resp.headers["X-Request-ID"] = rid
        if log.isEnabledFor(logging.INFO):  # no argument evaluated for a filtered line
            elapsed = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
            log.info(
                "%s %s -> %s in %.1f ms (request %s)",
                request.method,
                request.path,
                resp.status_code,
                elapsed,
                rid,
            )
        return resp

    @app.errorhandler(HTTPException)
    def _on_http_error(exc: HTTPException) -> Response:
        return _http_error(exc)

    @app.errorhandler(ServiceError)
    def _on_service_error(exc: ServiceError) -> Response:
        if isinstance(exc, DataUnavailable):
            log.info("412: required data unavailable (%d keys)", len(exc.issues))
        return operation_outcome(exc.status, exc.issues, exc.issue_code)

    @app.errorhandler(Exception)
    def _on_error(exc: Exception) -> Response:
        log.exception("unhandled error (request id %s)", getattr(g, "request_id", "-"))
        return operation_outcome(
            500,
            [("", f"internal error; quote request id {getattr(g, 'request_id', '-')}")],
            "exception",
        )

    # ----------------------------------------------------------------------- routes

    @app.get("/cds-services")
    def discovery() -> Response:
        return json_response({"services": [s.discovery_json() for s in SERVICES]})

    @app.post("/cds-services/<service_id>")
    def call_service(service_id: str) -> Response:
        service = REGISTRY.get(service_id)
        if service is None:
            return operation_outcome(404, [("", f"no CDS service {service_id!r}")], "not-found")
        body = read_json_body(settings.max_body_bytes)
        problems = validate_request(service, body)
        if problems:
            raise InvalidRequest(problems)
        data = patient_data.resolve(service, body, settings)
        today = settings.evaluation_date or datetime.now(UTC).date()
        evaluation = engine.evaluate_resources(
            service, data.resources, body["context"], today, data.unavailable, terminology
        )
        # links to the rules page are absolute: under the request's base URL
        cards = engine.cards_for(service, evaluation, request.url_root)
        if smart is not None and service.hook == "patient-view":
            add_smart_links(cards, smart.launch_url)
        response = json_response(response_body(cards, evaluation.record.unavailable))
        # After the response is sent (WSGI close): queue the issued cards for the background
        # writer (feedback that arrives first still counts: the report joins issued_card),
        # and only then free the parsed body and the record (~30,000 objects, ~0.3 ms):
        # the same work, no longer between the EHR and its cards.
        response.call_on_close(_AfterSend(issued, service.id, cards, [body, data, evaluation]))
        return response

    @app.post("/cds-services/<service_id>/feedback")
    def post_feedback(service_id: str) -> Response:
        if service_id not in REGISTRY:
            return operation_outcome(404, [("", f"no CDS service {service_id!r}")], "not-found")
        body = read_json_body(settings.max_body_bytes)
        problems = validate_feedback(body)
        if problems:
            raise InvalidRequest(problems)
        result = feedback.store_feedback(storage, service_id, body["feedback"])
        log.info("feedback: %d stored, %d repeats", result.stored, result.duplicates)
        return json_response({"stored": result.stored, "duplicates": result.duplicates})

    @app.get("/healthz")
    def healthz() -> Response:
        return json_response({"status": "ok"})

    @app.get("/readyz")
    def readyz() -> Response:
        if storage.ping():
            return json_response({"status": "ready"})
        return operation_outcome(503, [("", "storage not reachable")], "transient")

    @app.get("/openapi.json")
    def openapi() -> Response:
        return Response(openapi_document(), content_type=JSON_TYPE)

    @app.get("/rules")
    def rules() -> Response:
        return Response(catalog_html(), content_type="text/html; charset=utf-8")

    return app
