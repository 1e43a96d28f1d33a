"""The reference ceiling: a bare Flask endpoint under the service's own gunicorn configuration.

It does only what the service cannot avoid: route the POST, read the request body, parse it
with the same JSON parser (orjson) and answer ``{"cards": []}``. Same workers, threads and
worker class as ``cds-service serve`` (``cds_service.cli.gunicorn_options``).

    python -m bench.bare_app --port 8081 [--workers 2] [--threads 4]
"""

from __future__ import annotations

import argparse

import orjson
from flask import Flask, Response, request

from cds_service.cli import DEFAULT_THREADS, DEFAULT_WORKERS, gunicorn_options, run_gunicorn

EMPTY = orjson.dumps({"cards": []})


def create_bare_app() -> Flask:
    app = Flask("bench_bare")

    @app.post("/cds-services/<service_id>")
    def call(service_id: str) -> Response:
        body = orjson.loads(request.get_data())
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
    p.add_argument("--threads", type=int, default=DEFAULT_THREADS)
    args = p.parse_args()
    run_gunicorn(
        create_bare_app(), gunicorn_options(args.host, args.port, args.workers, args.threads)
    )


if __name__ == "__main__":
    main()
