"""SMART App Launch 2.0 as a public client: discovery, authorization request, token.

OAuth itself is Authlib's (``OAuth2Session`` with PKCE S256, no client secret); this module
only adds what SMART says: endpoints from ``{iss}/.well-known/smart-configuration``, the
``aud`` and ``launch`` parameters, the scopes, and the ``patient`` of the token response.
Every server contacted is checked against the configuration first.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc6749.errors import OAuth2Error

from .config import SmartConfig

DISCOVERY_TIMEOUT_S = 5.0
TOKEN_TIMEOUT_S = 10.0
MAX_DISCOVERY_BYTES = 256 * 1024


class LaunchError(Exception):
    """A launch or callback the app refuses; the message is shown to the user (no secrets)."""


@dataclass(frozen=True)
class Endpoints:
    authorize: str
    token: str
    smart_v2: bool


def discover(config: SmartConfig, iss: str) -> Endpoints:
    """Read ``{iss}/.well-known/smart-configuration`` (iss already allowed)."""
    url = iss.rstrip("/") + "/.well-known/smart-configuration"
    try:
        with requests.Session() as s:
            s.trust_env = False  # no proxy or netrc from the environment
            resp = s.get(
                url,
                timeout=DISCOVERY_TIMEOUT_S,
                allow_redirects=False,
                headers={"Accept": "application/json"},
            )
            body = resp.content[: MAX_DISCOVERY_BYTES + 1]
    except requests.RequestException:
        raise LaunchError("the EHR's SMART configuration could not be read") from None
    if resp.status_code != 200 or len(body) > MAX_DISCOVERY_BYTES:
        raise LaunchError("the EHR's SMART configuration could not be read")
    try:
        doc = resp.json()
    except ValueError:
        raise LaunchError("the EHR's SMART configuration is not JSON") from None
    if not isinstance(doc, dict):
        raise LaunchError("the EHR's SMART configuration is not a JSON object")
    return endpoints_from(config, iss, doc)


def endpoints_from(config: SmartConfig, iss: str, doc: dict[str, Any]) -> Endpoints:
    authorize, token = doc.get("authorization_endpoint"), doc.get("token_endpoint")
    if not isinstance(authorize, str) or not isinstance(token, str):
        raise LaunchError("the EHR's SMART configuration names no authorization endpoints")
    for endpoint in (authorize, token):
        if not config.endpoint_allowed(endpoint, iss):
            raise LaunchError("the EHR's authorization server is not one this app may use")
    methods = doc.get("code_challenge_methods_supported")
    if not isinstance(methods, list) or "S256" not in methods:
        raise LaunchError("the EHR's authorization server does not support PKCE (S256)")
    return Endpoints(authorize, token, smart_v2=_advertises_v2(doc))


def _advertises_v2(doc: dict[str, Any]) -> bool:
    """v2 scopes unless the server advertises v1 only (capabilities or scope examples)."""
    caps = doc.get("capabilities")
    caps = caps if isinstance(caps, list) else []
    scopes = doc.get("scopes_supported")
    scopes = [s for s in scopes if isinstance(s, str)] if isinstance(scopes, list) else []
    if "permission-v2" in caps or any(s.endswith((".rs", ".cruds", ".r")) for s in scopes):
        return True
    v1_only = "permission-v1" in caps or any(s.endswith((".read", ".write", ".*")) for s in scopes)
    return not v1_only


def scopes_for(endpoints: Endpoints, standalone: bool) -> str:
    """SMART v2 scopes (``.rs`` = read + search); the v1 form when the server advertises only
    v1. A standalone launch asks for the patient to be chosen (``launch/patient``)."""
    launch = "launch/patient" if standalone else "launch"
    return f"{launch} openid fhirUser patient/*.{'rs' if endpoints.smart_v2 else 'read'}"


def _client(config: SmartConfig, **options: Any) -> OAuth2Session:
    """Authlib's OAuth 2 client as a SMART public client: PKCE S256, no client secret."""
    client = OAuth2Session(
        config.client_id,
        redirect_uri=config.redirect_url,
        code_challenge_method="S256",
        token_endpoint_auth_method="none",  # noqa: S106 - a public client
        **options,
    )
    client.trust_env = False
    return client


@dataclass(frozen=True)
class AuthorizationRequest:
    url: str
    state: str
    code_verifier: str


def authorization_request(
    config: SmartConfig, endpoints: Endpoints, iss: str, scope: str, launch: str | None
) -> AuthorizationRequest:
    """The authorization URL with PKCE S256, a fresh state, ``aud`` and ``launch``."""
    state = secrets.token_urlsafe(24)
    verifier = generate_token(64)
    client = _client(config, scope=scope)
    extra = {"aud": iss}
    if launch:
        extra["launch"] = launch
    url, _ = client.create_authorization_url(
        endpoints.authorize, state=state, code_verifier=verifier, **extra
    )
    client.close()
    return AuthorizationRequest(url, state, verifier)


def exchange_code(
    config: SmartConfig, token_endpoint: str, code: str, code_verifier: str
) -> dict[str, Any]:
    """The token response; LaunchError unless it has an access token and a patient."""
    client = _client(config)
    try:
        token = client.fetch_token(
            token_endpoint,
            grant_type="authorization_code",
            code=code,
            code_verifier=code_verifier,
            timeout=TOKEN_TIMEOUT_S,
            allow_redirects=False,
        )
    except (OAuth2Error, requests.RequestException, ValueError):
        raise LaunchError("the authorization server did not grant access") from None
    finally:
        client.close()
    data = dict(token)
    if str(data.get("token_type", "")).lower() != "bearer" or not data.get("access_token"):
        raise LaunchError("the authorization server did not grant a bearer token")
    patient = data.get("patient")
    if not isinstance(patient, str) or not patient or len(patient) > 64:
        raise LaunchError("the authorization server named no patient for this launch")
    return data
