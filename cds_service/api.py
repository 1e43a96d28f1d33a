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
import uuid
from collections.abc import Sequence
from functools import cache, partial
from importlib import resources
from typing import Any

from flask import Flask, Response, g, request
from flask_cors import CORS
from werkzeug.exceptions import HTTPException

from fhir_mappings.terminology import build_terminology

from . import engine, feedback, patient_data, smart_app
from .auth import Authenticator, build_authenticator
from .errors import ISSUE_CODES, DataUnavailable, InvalidRequest, ServiceError
from .fhir_policy import DEV_CALLER, Caller
from .guideline.catalog import catalog_html
from .protocol import validate_feedback, validate_request
from .protocol.body import JSON_TYPE, read_json_body
from .services import REGISTRY, SERVICES
from .settings import Settings
from .smart_app.card_links import add_smart_links
from .storage import Storage

log = logging.getLogger("cds_service.api")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
_AUTHENTICATED_PREFIX = "/cds-services"


# --------------------------------------------------------------------------- responses


def json_response(body: Any, status: int = 200) -> Response:
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return Response(text.encode("utf-8"), status=status, content_type=JSON_TYPE)


#: issues in one OperationOutcome at most; a last issue says how many more there were
MAX_ISSUES = 50


def operation_outcome(
    status: int, issues: Sequence[tuple[str, ...]], code: str = "invalid"
) -> Response:
    """An OperationOutcome body; each issue is (JSON path or "", message[, issue code])."""
    out: list[dict[str, Any]] = []
    for where, message, *own_code in issues[:MAX_ISSUES]:
        issue: dict[str, Any] = {
            "severity": "error",
            "code": own_code[0] if own_code else code,
            "diagnostics": message,
        }
        if where:
            issue["expression"] = [where]
        out.append(issue)
    if len(issues) > MAX_ISSUES:
        more = len(issues) - MAX_ISSUES
        out.append({"severity": "error", "code": code, "diagnostics": f"{more} more issues"})
    return json_response({"resourceType": "OperationOutcome", "issue": out}, status)


def _http_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    message = {
        404: "no such endpoint",
        405: f"method {request.method} not allowed here",
        413: "request body too large",
    }.get(status, exc.description or exc.name)
    resp = operation_outcome(status, [("", message)], ISSUE_CODES.get(status, "processing"))
    if status == 405 and exc.response is None:
        valid = getattr(exc, "valid_methods", None)
        if valid:
            resp.headers["Allow"] = ", ".join(valid)
    return resp


#: one request header's value at most, and all of them together (431 above either)
MAX_HEADER_BYTES = 8 * 1024
MAX_HEADERS_BYTES = 32 * 1024


def _headers_too_large(environ: dict[str, Any]) -> bool:
    total = 0
    for key, value in environ.items():
        if key.startswith("HTTP_") and isinstance(value, str):
            if len(value) > MAX_HEADER_BYTES:
                return True
            total += len(key) + len(value)
    return total > MAX_HEADERS_BYTES


#: the Content-Security-Policy of HTML pages that set none of their own: own resources only,
#: inline styles (the catalog's), no plugins, no <base> rewriting
HTML_CSP = (
    "default-src 'self'; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'"
)


def _add_security_headers(resp: Response) -> None:
    """Every response: no MIME sniffing. HTML pages: a Content-Security-Policy and no
    referrer outside the service."""
    resp.headers["X-Content-Type-Options"] = "nosniff"
    if resp.mimetype == "text/html":
        resp.headers.setdefault("Content-Security-Policy", HTML_CSP)
        resp.headers.setdefault("Referrer-Policy", "same-origin")


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


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env()
    app = Flask("cds_service")
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    storage = Storage(settings.database_url)
    storage.create_all()
    storage.engine.dispose()  # no pooled connection survives a fork (gunicorn preload)
    authenticator = build_authenticator(settings, storage)
    # standard code tables + the site's ConceptMaps; a malformed map stops start-up here
    terminology = build_terminology(settings.site_conceptmap)
    app.extensions["cds"] = {"settings": settings, "storage": storage}
    # the SMART app (cds_service/smart_app), when CDS_SMART_CLIENT_ID and CDS_SMART_APP_URL say
    smart = smart_app.register(app, settings, storage, terminology)
    if settings.dev:  # the authenticator warns about client JWT verification
        log.warning(
            "DEV MODE: any CORS origin is allowed, a hook's fhirServer is not checked against "
            "trusted clients' fhirServers (any http(s) server is contacted) and FHIR errors "
            "are shown in full. Never expose this instance to real patient data."
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

    _authenticate_requests(app, settings, authenticator)
    _answer_errors(app)
    _add_routes(app, settings, storage, terminology, smart)
    return app


def _authenticate_requests(app: Flask, settings: Settings, authenticator: Authenticator) -> None:
    """Per request: a request id, the header-size cap, the caller (JWT verified), and on the
    way out the request id, security headers and one log line."""
    # dev mode: the authenticator reads nothing; spare building the URL and header dict
    check_clients = not getattr(authenticator, "accepts_everything", False)

    @app.before_request
    def _start() -> Response | None:
        # the WSGI environ directly: request.headers.get of an absent header builds a KeyError
        incoming = request.environ.get("HTTP_X_REQUEST_ID", "")
        g.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        g.started = time.perf_counter()
        g.caller = DEV_CALLER
        if _headers_too_large(request.environ):
            return operation_outcome(431, [("", "request header fields too large")], "too-costly")
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
        g.caller = Caller(
            issuer=result.issuer or "",
            tenant=result.tenant or "",
            fhir_servers=None if settings.dev else result.fhir_servers,
        )
        return None

    @app.after_request
    def _finish(resp: Response) -> Response:
        rid = g.get("request_id") or uuid.uuid4().hex
        resp.headers["X-Request-ID"] = rid
        _add_security_headers(resp)
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


def _answer_errors(app: Flask) -> None:
    """Every error as an OperationOutcome; an unhandled one logged with its request id."""

    app.register_error_handler(HTTPException, _http_error)

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


def _add_routes(
    app: Flask, settings: Settings, storage: Storage, terminology: Any, smart: Any
) -> None:
    # the services are fixed at import: their discovery document is encoded once, here
    discovery_body = json_response({"services": [s.discovery_json() for s in SERVICES]}).data

    @app.get("/cds-services")
    def discovery() -> Response:
        return Response(discovery_body, content_type=JSON_TYPE)

    @app.post("/cds-services/<service_id>")
    def call_service(service_id: str) -> Response:
        service = REGISTRY.get(service_id)
        if service is None:
            return operation_outcome(404, [("", f"no CDS service {service_id!r}")], "not-found")
        body = read_json_body(settings.max_body_bytes, settings.body_read_seconds)
        problems = validate_request(service, body)
        if problems:
            raise InvalidRequest(problems)
        data = patient_data.resolve(service, body, settings, g.caller)
        evaluation = engine.evaluate_resources(
            service,
            data.resources,
            body["context"],
            settings.today(),
            data.unavailable,
            terminology,
        )
        # links to the rules page are absolute: under the service's public URL when configured
        # (CDS_PUBLIC_URL), else the base URL the request reached
        base_url = settings.public_urls[0] if settings.public_urls else request.url_root
        cards = engine.cards_for(service, evaluation, base_url)
        if smart is not None and service.hook == "patient-view":
            add_smart_links(cards, smart.launch_url)
        response = json_response(response_body(cards, evaluation.record.unavailable))
        # after the response is sent (WSGI close): the issued cards in one short transaction
        response.call_on_close(
            partial(feedback.record_issued, storage, service.id, cards, g.caller)
        )
        return response

    @app.post("/cds-services/<service_id>/feedback")
    def post_feedback(service_id: str) -> Response:
        if service_id not in REGISTRY:
            return operation_outcome(404, [("", f"no CDS service {service_id!r}")], "not-found")
        body = read_json_body(settings.max_body_bytes, settings.body_read_seconds)
        problems = validate_feedback(body)
        if problems:
            raise InvalidRequest(problems)
        result = feedback.store_feedback(storage, service_id, body["feedback"], g.caller)
        log.info(
            "feedback: %d stored, %d repeats, %d refused (card not issued to this client by "
            "this service)",
            result.stored,
            result.duplicates,
            result.refused,
        )
        return json_response(
            {"stored": result.stored, "duplicates": result.duplicates, "refused": result.refused}
        )

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
