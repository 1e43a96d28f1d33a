"""The ``cds-service`` command: serve, evaluate, rules, feedback-report.

- ``serve [--host H] [--port P] [--dev]``: the HTTP service under gunicorn (2 workers x 4
  threads by default: two processes for two cores, threads to overlap FHIR-server waits).
  ``--dev`` (or ``CDS_DEV=1``) turns off client JWT verification and allows any CORS origin.
- ``evaluate BUNDLE.json [--hook H] [--draft-orders FILE] [--date YYYY-MM-DD]``: cards for
  one patient Bundle, without a server, as JSON on stdout.
- ``rules``: the evidence catalog as text.
- ``feedback-report``: accepted/overridden counts and override reasons per card topic.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from .log_setup import configure_logging, stop_writing, write_from_a_thread
from .settings import Settings
from .worker_gc import collect_between_requests, configure_worker_gc

HOOK_SERVICES = {
    "patient-view": "ctd-ild-patient-view",
    "order-select": "ctd-ild-order-select",
    "order-sign": "ctd-ild-order-sign",
}
DEFAULT_WORKERS = 2
DEFAULT_THREADS = 4


def gunicorn_options(host: str, port: int, workers: int, threads: int) -> dict[str, Any]:
    """The gunicorn configuration of ``serve`` (also used by the benchmark's bare ceiling)."""
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "cds_service.gunicorn_worker.BalancedThreadWorker",
        "timeout": 30,
        "graceful_timeout": 10,
        "keepalive": 5,
        "preload_app": True,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "info",
        "limit_request_line": 8190,
        "pre_fork": _freeze_heap,
        "post_request": _collect_between_requests,
        "post_fork": _log_from_a_thread,
        "worker_exit": _on_worker_exit,
    }


def _freeze_heap(_server: Any, _worker: Any) -> None:
    """Before each fork: the worker's GC set-up (``worker_gc.configure_worker_gc``)."""
    configure_worker_gc()


def _collect_between_requests(_worker: Any, _req: Any, _environ: Any, _resp: Any) -> None:
    """After each request, its response sent and its objects freed (``worker_gc``)."""
    collect_between_requests()


def _log_from_a_thread(_server: Any, _worker: Any) -> None:
    """In each new worker: log lines are written by a thread, not by the request threads."""
    write_from_a_thread()


def _on_worker_exit(_server: Any, _worker: Any) -> None:
    """When a worker exits: write the issued-card rows still queued (atexit does it too; this
    runs first, while the worker's logging still works), then the log lines still queued."""
    from .issued_cards import flush_all

    flush_all()
    stop_writing()


def serve(host: str, port: int, dev: bool, workers: int, threads: int) -> int:
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

    run_gunicorn(app, gunicorn_options(host, port, workers, threads))
    return 0


def run_gunicorn(app: Any, options: dict[str, Any]) -> None:
    """Serve the WSGI ``app`` under gunicorn with ``options`` (``gunicorn_options``); the
    benchmark's ceiling and the worker-balance test run their apps through it too."""
    from gunicorn.app.base import BaseApplication

    class _Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return app

    _Server().run()


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
    today: date = (
        date.fromisoformat(on) if on else settings.evaluation_date or datetime.now(UTC).date()
    )
    terminology = build_terminology(settings.site_conceptmap)
    evaluation = engine.evaluate_resources(
        service, resources, context, today, terminology=terminology
    )
    # links to the rules page: under the service's public URL when configured
    public = os.environ.get("CDS_PUBLIC_URL", "").split(",")[0].strip()
    cards = engine.cards_for(service, evaluation, public or DEFAULT_BASE_URL)
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
    s.add_argument("--threads", type=int, default=DEFAULT_THREADS)
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
        return serve(args.host, args.port, args.dev, args.workers, args.threads)
    if args.command == "evaluate":
        return evaluate(args.bundle, args.hook, args.draft_orders, args.date)
    if args.command == "rules":
        return rules()
    return feedback_report(args.html)


if __name__ == "__main__":
    raise SystemExit(main())
