"""The app's routes: launch, callback, the timeline page, its stylesheet.

- ``GET {app}/launch?iss=...&launch=...``  EHR launch; without both: standalone launch
- ``GET {app}/callback?code=...&state=...`` the authorization server's redirect
- ``GET {app}/``                           the timeline of the launched patient

The browser's only credential is the signed cookie ``cds_smart`` (HttpOnly, SameSite=Lax,
Secure outside dev, path of the app) holding a random session id; all else is server-side.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from typing import Any

from flask import Blueprint, Response, render_template, request, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer

from fhir_mappings.terminology import Terminology

from ..errors import DataUnavailable
from ..settings import Settings
from ..storage import Storage
from . import charts, oauth
from .config import SmartConfig
from .fetch import load_patient, patient_name
from .sessions import PENDING_MINUTES, SessionStore, SmartSession
from .timeline import TOPIC_PLOTS, build_timeline

log = logging.getLogger("cds_service.smart_app")

COOKIE = "cds_smart"
_SECURITY_HEADERS = {  # and the app's own (api._add_security_headers)
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def _csp(nonce: str) -> str:
    return (
        "default-src 'none'; "
        f"style-src 'self' 'nonce-{nonce}'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    )


class SmartViews:
    """The app's routes over one configuration, session store and cookie signer."""

    def __init__(
        self,
        settings: Settings,
        config: SmartConfig,
        storage: Storage,
        terminology: Terminology | None,
    ) -> None:
        self.settings, self.config, self.terminology = settings, config, terminology
        self.store = SessionStore(storage)
        self.signer = URLSafeTimedSerializer(config.session_secret, salt="cds-smart-session")
        self.max_age_s = max(config.session_minutes, PENDING_MINUTES) * 60

    # ----------------------------------------------------------------- helpers
    def page(self, template: str, status: int = 200, **context: Any) -> Response:
        context.setdefault("nonce", secrets.token_urlsafe(16))
        html = render_template(
            template,
            css_url=url_for("smart_app.static", filename="app.css"),
            rules_url="/rules",
            **context,
        )
        resp = Response(html, status=status, content_type="text/html; charset=utf-8")
        resp.headers["Content-Security-Policy"] = _csp(context["nonce"])
        return resp

    def message(self, title: str, text: str, status: int, relaunch: bool = False) -> Response:
        url = url_for("smart_app.launch") if relaunch else None
        return self.page("smart_message.html", status, title=title, text=text, relaunch_url=url)

    def ended(self) -> Response:
        return self.message(
            "Session ended",
            "Your session has ended or was never started. Launch the app again from the "
            "patient's chart.",
            401,
            relaunch=True,
        )

    def set_cookie(self, resp: Response, sid: str) -> None:
        resp.set_cookie(
            COOKIE,
            self.signer.dumps(sid),
            max_age=self.max_age_s,
            path=self.config.path_prefix,
            secure=self.config.secure_cookie,
            httponly=True,
            samesite="Lax",
        )

    def current_session(self) -> SmartSession | None:
        raw = request.cookies.get(COOKIE)
        if not raw:
            return None
        try:
            sid = self.signer.loads(raw, max_age=self.max_age_s)
        except BadSignature:  # includes SignatureExpired
            return None
        return self.store.get(sid) if isinstance(sid, str) else None

    # ----------------------------------------------------------------- routes
    def launch(self) -> Response:
        iss = request.args.get("iss", "")
        launch_id = request.args.get("launch", "")
        standalone = not iss and not launch_id
        if standalone:
            iss = self.config.standalone_iss or ""
        elif not iss or not launch_id:
            return self.message("Launch refused", "An EHR launch needs both iss and launch.", 400)
        if not self.config.iss_allowed(iss):
            return self.message(
                "Launch refused", "This FHIR server is not one the app is configured for.", 403
            )
        try:
            endpoints = oauth.discover(self.config, iss)
        except oauth.LaunchError as exc:
            return self.message("Launch failed", str(exc), 502)
        scope = oauth.scopes_for(endpoints, standalone)
        auth = oauth.authorization_request(
            self.config, endpoints, iss, scope, None if standalone else launch_id
        )
        sid = self.store.start(
            iss=iss,
            token_endpoint=endpoints.token,
            state=auth.state,
            code_verifier=auth.code_verifier,
            scope=scope,
            launch_kind="standalone" if standalone else "ehr",
        )
        resp = _redirect(auth.url, 302)
        self.set_cookie(resp, sid)
        return resp

    def callback(self) -> Response:
        session = self.current_session()
        if session is None or session.status != "pending" or session.expired:
            return self.ended()
        state = request.args.get("state", "")
        if not state or not hmac.compare_digest(state, session.state):
            self.store.end(session.session_hash)
            log.info("SMART callback refused: state does not match")
            return self.message("Launch refused", "The sign-in response does not match.", 400)
        if request.args.get("error"):
            self.store.end(session.session_hash)
            return self.message("Access not granted", "The EHR did not grant access.", 403)
        code = request.args.get("code", "")
        if not code or not session.code_verifier:
            self.store.end(session.session_hash)
            return self.message("Launch refused", "The sign-in response is incomplete.", 400)
        try:
            token = oauth.exchange_code(
                self.config, session.token_endpoint, code, session.code_verifier
            )
        except oauth.LaunchError as exc:
            self.store.end(session.session_hash)
            return self.message("Launch failed", str(exc), 502)
        sid = self.store.activate(session, token, self.config.session_minutes)
        plot = TOPIC_PLOTS.get(str(token.get("appContext") or ""))
        resp = _redirect(url_for("smart_app.timeline") + (f"#plot-{plot}" if plot else ""), 303)
        self.set_cookie(resp, sid)
        log.info("SMART session started (%s launch)", session.launch_kind)
        return resp

    def timeline(self) -> Response:
        session = self.current_session()
        if session is None or session.status != "active" or session.expired:
            return self.ended()
        try:
            evaluation, resources = load_patient(
                session, self.settings, self.config, self.terminology
            )
        except DataUnavailable:
            return self.message(
                "Patient data unavailable",
                "The EHR's FHIR server did not return this patient's record.",
                502,
            )
        name = patient_name(resources, session.patient_id)
        t = build_timeline(evaluation.record, evaluation.findings, name, session.app_context)
        nonce = secrets.token_urlsafe(16)
        start, end = charts.axis(t.start, t.today)
        plots = [
            {
                "key": p.key,
                "plot": p,
                "svg": charts.plot_svg(p, start, end, nonce) if p.points else "",
            }
            for p in t.plots
        ]
        treatment = (
            charts.treatment_svg(t.treatments, t.hrct, start, end, nonce)
            if (t.treatments or t.hrct)
            else ""
        )
        return self.page(
            "smart_timeline.html",
            t=t,
            plots=plots,
            treatment_svg=treatment,
            hrct_label=charts.hrct_label,
            nonce=nonce,
        )


def _security_headers(resp: Response) -> Response:
    for k, v in _SECURITY_HEADERS.items():
        resp.headers.setdefault(k, v)
    resp.headers.setdefault("Content-Security-Policy", _csp(secrets.token_urlsafe(8)))
    return resp


def create_blueprint(
    settings: Settings, config: SmartConfig, storage: Storage, terminology: Terminology | None
) -> Blueprint:
    bp = Blueprint(
        "smart_app",
        __name__,
        url_prefix=config.path_prefix.rstrip("/") or None,
        template_folder="templates",
        static_folder="static",
        static_url_path="/static",
    )
    views = SmartViews(settings, config, storage, terminology)
    bp.after_request(_security_headers)
    bp.add_url_rule("/launch", "launch", views.launch, methods=["GET"])
    bp.add_url_rule("/callback", "callback", views.callback, methods=["GET"])
    bp.add_url_rule("/", "timeline", views.timeline, methods=["GET"])
    return bp


def _redirect(location: str, status: int) -> Response:
    resp = Response(b"", status=status)
    resp.headers["Location"] = location
    return resp
