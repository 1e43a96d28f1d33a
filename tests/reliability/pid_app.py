"""A WSGI app under the service's gunicorn configuration whose answer names the worker
process: for tests of how connections spread over workers.

    python -m tests.reliability.pid_app --port 8099 [--workers 2] [--threads 2]

``GET /slow`` holds its thread for 0.3 s, then answers the worker's pid.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable, Iterable
from typing import Any

from cds_service.cli import gunicorn_options, run_gunicorn

HOLD_S = 0.3


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    if environ.get("PATH_INFO") == "/slow":
        time.sleep(HOLD_S)
    body = str(os.getpid()).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--worker-class", default=None, help="override (for manual comparisons)")
    args = p.parse_args()
    options = gunicorn_options("127.0.0.1", args.port, args.workers, args.threads)
    if args.worker_class:
        options["worker_class"] = args.worker_class
    run_gunicorn(app, options)


if __name__ == "__main__":
    main()
