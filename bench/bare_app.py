"""A bare Flask endpoint under the service's own gunicorn configuration (information only).

It does only what the service cannot avoid: route the POST, read the request body, parse it
with ``json.loads`` and answer ``{"cards": []}``. Same workers and worker class as
``cds-service serve`` (``cds_service.cli.gunicorn_options``).

    python -m bench.bare_app --port 8081 [--workers 2]
"""

from __future__ import annotations

import argparse
import json

from flask import Flask, Response, request

from cds_service.cli import (
    DEFAULT_CONNECTIONS,
    DEFAULT_WORKERS,
    gunicorn_options,
    patch_for_gevent,
    run_gunicorn,
)

EMPTY = json.dumps({"cards": []}).encode()


def create_bare_app() -> Flask:
    app = Flask("bench_bare")

    @app.post("/cds-services/<service_id>")
    def call(service_id: str) -> Response:
        body = json.loads(request.get_data())
        if not isinstance(body, dict):
            return Response(b"{}", status=400, content_type="application/json")
        return Response(EMPTY, content_type="application/json")

    @app.get("/healthz")
    def healthz() -> Response:
        return Response(b'{"status": "ok"}', content_type="application/json")

    return app


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8081)
    p.add_argument("--workers", type=int, default=DEFAULT_WORKERS)
    args = p.parse_args()
    patch_for_gevent()
    options = gunicorn_options(args.host, args.port, args.workers, DEFAULT_CONNECTIONS)
    run_gunicorn(create_bare_app(), options)


if __name__ == "__main__":
    main()
