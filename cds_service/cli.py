"""The ``cds-service`` command: serve, evaluate, rules, feedback-report.

- ``serve [--host H] [--port P] [--dev]``: the HTTP service under gunicorn's stock ``gevent``
  worker (2 worker processes by default, one per core; each serves its connections as
  greenlets, so a slow client holds no thread, and a request's line and headers must arrive
  within ``HEADER_DEADLINE_S``; README, "Dependencies").
  ``--dev`` (or ``CDS_DEV=1``) turns off client JWT verification and allows any CORS origin.
- ``evaluate BUNDLE.json [--hook H] [--draft-orders FILE] [--date YYYY-MM-DD]``: cards for
  one patient Bundle, without a server, as JSON on stdout.
- ``rules``: the evidence catalog as text.
- ``feedback-report``: accepted/overridden counts and override reasons per card topic.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from .errors import ISSUE_CODES
from .log_setup import configure_logging, escape_handlers
from .settings import Settings

HOOK_SERVICES = {
    "patient-view": "ctd-ild-patient-view",
    "order-select": "ctd-ild-order-select",
    "order-sign": "ctd-ild-order-sign",
}
DEFAULT_WORKERS = 2
#: concurrent connections per worker (greenlets); a slow client costs one, not a thread
DEFAULT_CONNECTIONS = 1000
#: gunicorn's gevent worker reads a request's line and headers under a deadline of its
#: ``keepalive`` setting: a client that has not sent them within it is disconnected (the
#: body has its own deadline, ``CDS_BODY_READ_SECONDS``)
HEADER_DEADLINE_S = 5


def gunicorn_options(host: str, port: int, workers: int, connections: int) -> dict[str, Any]:
    """The gunicorn configuration of ``serve`` (also used by the benchmark's bare ceiling)."""
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_connections": connections,
        "worker_class": "gevent",
        "timeout": 30,
        "graceful_timeout": 10,
        "keepalive": HEADER_DEADLINE_S,
        "preload_app": True,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "info",
        "limit_request_line": 8190,
        "pre_fork": _freeze_heap,
        "when_ready": _escape_server_log,
        "post_fork": lambda server, _worker: _escape_server_log(server),
        "control_socket_disable": True,  # no runtime control socket (gunicorn 27's default on)
    }


def _escape_server_log(_server: Any) -> None:
    """gunicorn's own log lines (it logs parts of refused requests) escaped like ours."""
    escape_handlers(logging.getLogger("gunicorn.error").handlers)


def json_error_page(sock: Any, status_int: int, reason: str, _mesg: str) -> None:
    """gunicorn's answer to a request it refuses before the app (a malformed request line,
    headers over ``limit_request_field_size``: 431) as a JSON OperationOutcome instead of
    its HTML page (installed over ``gunicorn.util.write_error`` by ``serve``). The message
    is not echoed: it may quote the request's own header."""
    from gunicorn.util import write_nonblock

    code = ISSUE_CODES.get(status_int, "exception" if status_int >= 500 else "invalid")
    issue = {"severity": "error", "code": code, "diagnostics": reason}
    body = json.dumps({"resourceType": "OperationOutcome", "issue": [issue]}).encode()
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n"
        f"Content-Type: application/json\r\nX-Content-Type-Options: nosniff\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    write_nonblock(sock, head.encode("latin-1") + body)


def _freeze_heap(_server: Any, _worker: Any) -> None:
    """Before each fork: the start-up heap (app, code tables, terminology, rule catalog) goes
    to the collector's permanent generation, so a worker's collections never traverse it
    (measured: ~2 ms of GC per typical call without) and its pages stay shared."""
    gc.freeze()


def patch_for_gevent() -> None:
    """Make sockets, threads and ``time.sleep`` cooperative before anything opens them
    (the gevent worker would patch after the fork, after the preloaded app imported ssl)."""
    from gevent import monkey

    if not monkey.is_module_patched("socket"):
        monkey.patch_all()


def serve(host: str, port: int, dev: bool, workers: int, connections: int) -> int:
    patch_for_gevent()
    from .api import create_app

    if dev:
        os.environ["CDS_DEV"] = "1"
    settings = Settings.from_env()
    configure_logging()
    if settings.dev and not settings.allow_sandbox_issuer:
        banner = "!" * 72
        logging.getLogger("cds_service").warning(
            "\n%s\n  DEVELOPMENT MODE: no client authentication, CORS open to any origin.\n"
            "  Do not use with real patient data.\n%s",
            banner,
            banner,
        )
    try:
        app = create_app(settings)
    except ValueError as exc:  # a bad trusted-clients file or site ConceptMap
        raise SystemExit(f"configuration error: {exc}") from None

    import gunicorn.util

    gunicorn.util.write_error = json_error_page
    run_gunicorn(app, gunicorn_options(host, port, workers, connections))
    return 0


def run_gunicorn(app: Any, options: dict[str, Any]) -> None:
    """Serve the WSGI ``app`` under gunicorn with ``options`` (``gunicorn_options``), its
    connections taking turns; the benchmark's bare app runs through it too."""
    from gunicorn.app.base import BaseApplication

    wsgi = taking_turns(app)

    class _Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return wsgi

    _Server().run()


def taking_turns(app: Any) -> Any:
    """``app`` with its connections served in turn: once a response is sent, the worker
    serves its other connections that are ready before it reads this one's next request.

    The gevent worker reads a keep-alive connection's next request without yielding when it
    has already arrived, so under load a few closed-loop clients kept a worker to themselves
    while others waited: with 8 connections on 2 workers, p90 latency was 10-40 times p50.
    ``gevent.idle`` waits until the event loop has served every other ready connection.
    """
    import gevent
    from werkzeug.wsgi import ClosingIterator

    def wsgi(environ: dict[str, Any], start_response: Any) -> Any:
        return ClosingIterator(app(environ, start_response), gevent.idle)

    return wsgi


def _read_json(path: str) -> Any:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _bundle_resources(bundle: Any) -> list[dict[str, Any]]:
    if isinstance(bundle, dict) and bundle.get("resourceType") == "Bundle":
        return [
            e["resource"]
            for e in bundle.get("entry") or []
            if isinstance(e, dict) and isinstance(e.get("resource"), dict)
        ]
    if isinstance(bundle, dict) and "resourceType" in bundle:
        return [bundle]
    raise SystemExit("BUNDLE.json must hold a FHIR Bundle or resource")


def evaluate(bundle_path: str, hook: str, draft_orders: str | None, on: str | None) -> int:
    from fhir_mappings.terminology import build_terminology

    from . import engine
    from .cards import DEFAULT_BASE_URL
    from .services import REGISTRY

    settings = Settings.from_env()
    service = REGISTRY[HOOK_SERVICES[hook]]
    resources = _bundle_resources(_read_json(bundle_path))
    patient_id = next((r.get("id") for r in resources if r.get("resourceType") == "Patient"), None)
    context: dict[str, Any] = {"patientId": patient_id}
    if hook != "patient-view":
        drafts: dict[str, Any] = (
            _read_json(draft_orders) if draft_orders else {"resourceType": "Bundle"}
        )
        context["draftOrders"] = drafts
        if hook == "order-select":
            context["selections"] = [
                f"{r['resourceType']}/{r['id']}" for r in _bundle_resources(drafts) if r.get("id")
            ]
    today = date.fromisoformat(on) if on else settings.today()
    terminology = build_terminology(settings.site_conceptmap)
    evaluation = engine.evaluate_resources(
        service, resources, context, today, terminology=terminology
    )
    # links to the rules page: under the service's public URL when configured
    base_url = settings.public_urls[0] if settings.public_urls else DEFAULT_BASE_URL
    cards = engine.cards_for(service, evaluation, base_url)
    sys.stdout.write(json.dumps({"cards": cards}, indent=2, ensure_ascii=False) + "\n")
    return 0


def rules() -> int:
    from .guideline.catalog import catalog_text

    sys.stdout.write(catalog_text())
    return 0


def feedback_report(html_file: str | None = None) -> int:
    from .feedback import feedback_report as build_report
    from .feedback import report_text
    from .storage import Storage

    storage = Storage(Settings.from_env().database_url)
    storage.create_all()
    if html_file:
        from .feedback_html import feedback_html

        Path(html_file).write_text(feedback_html(storage), encoding="utf-8")
        return 0
    sys.stdout.write(report_text(build_report(storage)))
    return 0


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="cds-service", description="CTD-ILD CDS Hooks service")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", help="run the HTTP service (gunicorn)")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8080)
    s.add_argument("--dev", action="store_true", help="no client auth, any CORS origin")
    s.add_argument("--workers", type=int, default=DEFAULT_WORKERS)
    s.add_argument("--connections", type=int, default=DEFAULT_CONNECTIONS)
    e = sub.add_parser("evaluate", help="print the cards for a patient Bundle")
    e.add_argument("bundle")
    e.add_argument("--hook", choices=sorted(HOOK_SERVICES), default="patient-view")
    e.add_argument("--draft-orders", help="a Bundle of draft orders (order hooks)")
    e.add_argument("--date", help="evaluation date YYYY-MM-DD (default: today, UTC)")
    sub.add_parser("rules", help="print the evidence catalog")
    fr = sub.add_parser("feedback-report", help="feedback counts per card topic")
    fr.add_argument("--html", metavar="FILE", help="write one self-contained HTML page instead")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "serve":
        return serve(args.host, args.port, args.dev, args.workers, args.connections)
    if args.command == "evaluate":
        return evaluate(args.bundle, args.hook, args.draft_orders, args.date)
    if args.command == "rules":
        return rules()
    return feedback_report(args.html)


if __name__ == "__main__":
    raise SystemExit(main())
