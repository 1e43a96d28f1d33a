"""A test EHR for the SMART app: an OAuth 2 authorization server (Authlib's server
components) with SMART's launch parameters, PKCE and token response, in front of the real
FHIR server (sekmet-fhir).

- ``GET  /fhir/.well-known/smart-configuration``  discovery (v2, or v1 only when asked)
- ``GET  /auth/authorize``  signs the user in without a page: EHR launch (``launch`` maps to
  a patient registered by the test) or standalone (``launch/patient``: the test's patient)
- ``POST /auth/token``      code + PKCE verifier -> ``access_token``, ``patient``,
  ``fhirUser``, ``scope`` (and ``appContext`` of the launch)
- ``GET  /fhir/...``        the FHIR API: the bearer token must be one issued here, and it
  reads only its own patient (``Patient/{id}`` or ``?patient={id}``); forwarded to
  sekmet-fhir with its static token, links rewritten to this base
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import OAuth2Error, grants
from authlib.oauth2.rfc6749.models import AuthorizationCodeMixin, ClientMixin
from authlib.oauth2.rfc7636 import CodeChallenge
from flask import Flask, Response, g, jsonify, request
from werkzeug.serving import make_server

PRACTITIONER = "Practitioner/smart-test-doctor"


@dataclass
class Client(ClientMixin):  # type: ignore[misc]
    client_id: str
    redirect_uri: str

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_allowed_scope(self, scope: str) -> str:
        return scope

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri == self.redirect_uri

    def check_client_secret(self, client_secret: str) -> bool:
        return False  # a public client has none

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == "none"

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass
class Code(AuthorizationCodeMixin):  # type: ignore[misc]
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    code_challenge: str | None
    code_challenge_method: str | None
    patient: str
    app_context: str | None
    created: float = field(default_factory=time.time)

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope


@dataclass
class TestEhr:
    """What the tests set and read: clients, launches, issued tokens."""

    upstream: str  # sekmet-fhir base URL
    upstream_token: str
    base_url: str = ""
    clients: dict[str, Client] = field(default_factory=dict)
    launches: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    codes: dict[str, Code] = field(default_factory=dict)
    tokens: dict[str, dict[str, Any]] = field(default_factory=dict)
    standalone_patient: str = ""
    smart_v1_only: bool = False
    token_lifetime_s: int = 3600
    fhir_requests: list[str] = field(default_factory=list)
    #: resource types the gateway answers with 500 (a failing FHIR server, for data gaps)
    failing_types: set[str] = field(default_factory=set)

    @property
    def fhir_base(self) -> str:
        return f"{self.base_url}/fhir"

    def new_launch(self, patient: str, app_context: str | None = None) -> str:
        launch = secrets.token_urlsafe(12)
        self.launches[launch] = (patient, app_context)
        return launch


class _Grant(grants.AuthorizationCodeGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = ["none"]
    ehr: TestEhr

    def save_authorization_code(self, code: str, req: Any) -> None:
        data = req.payload.data
        self.ehr.codes[code] = Code(
            code=code,
            client_id=req.client.client_id,
            redirect_uri=req.payload.redirect_uri,
            scope=req.scope,
            code_challenge=data.get("code_challenge"),
            code_challenge_method=data.get("code_challenge_method"),
            patient=g.smart_patient,
            app_context=g.smart_app_context,
        )

    def query_authorization_code(self, code: str, client: Client) -> Code | None:
        item = self.ehr.codes.get(code)
        if item and item.client_id == client.client_id and time.time() - item.created < 300:
            return item
        return None

    def delete_authorization_code(self, authorization_code: Code) -> None:
        self.ehr.codes.pop(authorization_code.code, None)

    def authenticate_user(self, authorization_code: Code) -> dict[str, str]:
        return {"id": PRACTITIONER}


def smart_configuration_doc(ehr: TestEhr) -> dict[str, Any]:
    v = "permission-v1" if ehr.smart_v1_only else "permission-v2"
    scope = "patient/*.read" if ehr.smart_v1_only else "patient/*.rs"
    return {
        "issuer": ehr.base_url,
        "authorization_endpoint": f"{ehr.base_url}/auth/authorize",
        "token_endpoint": f"{ehr.base_url}/auth/token",
        "grant_types_supported": ["authorization_code"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["none"],
        "scopes_supported": ["openid", "fhirUser", "launch", "launch/patient", scope],
        "capabilities": [
            "launch-ehr",
            "launch-standalone",
            "client-public",
            "context-ehr-patient",
            "context-standalone-patient",
            "sso-openid-connect",
            "permission-patient",
            v,
        ],
    }


def fhir_gateway(ehr: TestEhr, path: str) -> Response:
    """The FHIR API for a token issued here, inside its patient's compartment only."""
    auth = request.headers.get("Authorization", "")
    grant_ = ehr.tokens.get(auth.removeprefix("Bearer ").strip()) if auth else None
    if grant_ is None:
        return Response(status=401)
    ehr.fhir_requests.append(request.full_path)
    patient = grant_["patient"]
    asked = request.args.get("patient") or request.args.get("subject")
    if path.startswith("Patient/"):
        asked = path.split("/", 1)[1]
    if asked != patient:
        return Response("outside the token's patient compartment", status=403)
    if path.split("/", 1)[0] in ehr.failing_types:
        return Response("failing on purpose", status=500)
    upstream = requests.get(
        f"{ehr.upstream}/{path}",
        params=list(request.args.items(multi=True)),
        headers={"Authorization": f"Bearer {ehr.upstream_token}"},
        timeout=30,
    )
    body = upstream.content.replace(ehr.upstream.encode(), ehr.fhir_base.encode())
    return Response(body, status=upstream.status_code, content_type="application/fhir+json")


def create_ehr_app(ehr: TestEhr) -> Flask:
    app = Flask("test_ehr")

    def save_token(token: dict[str, Any], req: Any) -> None:
        code: Code = req.authorization_code
        token["patient"] = code.patient
        token["fhirUser"] = PRACTITIONER
        token["expires_in"] = ehr.token_lifetime_s
        if code.app_context:
            token["appContext"] = code.app_context
        ehr.tokens[token["access_token"]] = {"patient": code.patient, "scope": code.scope}

    server = AuthorizationServer(app, query_client=ehr.clients.get, save_token=save_token)
    grant = type("Grant", (_Grant,), {"ehr": ehr})
    server.register_grant(grant, [CodeChallenge(required=True)])

    @app.get("/fhir/.well-known/smart-configuration")
    def smart_configuration() -> Response:
        return jsonify(smart_configuration_doc(ehr))

    @app.get("/auth/authorize")
    def authorize() -> Any:
        if request.args.get("aud", "").rstrip("/") != ehr.fhir_base:
            return Response("aud is not this FHIR server", status=400)
        scopes = request.args.get("scope", "").split()
        launch = request.args.get("launch")
        if launch is not None:
            if launch not in ehr.launches or "launch" not in scopes:
                return Response("unknown launch", status=400)
            g.smart_patient, g.smart_app_context = ehr.launches[launch]
        elif "launch/patient" in scopes and ehr.standalone_patient:
            g.smart_patient, g.smart_app_context = ehr.standalone_patient, None
        else:
            return Response("no patient context", status=400)
        user = {"id": PRACTITIONER}
        try:
            grant_ = server.get_consent_grant(end_user=user)
        except OAuth2Error as exc:
            return Response(exc.get_error_description() or exc.error, status=400)
        return server.create_authorization_response(grant=grant_, grant_user=user)

    @app.post("/auth/token")
    def issue_token() -> Response:
        return server.create_token_response()  # type: ignore[no-any-return]

    @app.get("/fhir/<path:path>")
    def fhir(path: str) -> Response:
        return fhir_gateway(ehr, path)

    return app


class RunningEhr:
    """The test EHR on a loopback port, in a thread."""

    def __init__(self, ehr: TestEhr) -> None:
        self.ehr = ehr
        self._server = make_server("127.0.0.1", 0, create_ehr_app(ehr), threaded=True)
        port = self._server.server_address[1]
        ehr.base_url = f"http://127.0.0.1:{port}"
        assert urlsplit(ehr.base_url).port == port
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)
