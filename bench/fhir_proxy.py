"""A small loopback HTTP proxy that delays every request by a fixed time before forwarding
it to a FHIR server: injected network latency for the FHIR-fallback workload.

    with DelayProxy("http://127.0.0.1:8090/fhir", delay_s=0.05) as proxy:
        proxy.base_url  # http://127.0.0.1:<port>/fhir
"""

from __future__ import annotations

import contextlib
import http.client
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

_HOP_BY_HOP = frozenset({"connection", "keep-alive", "transfer-encoding", "content-length"})


class DelayProxy:
    def __init__(self, upstream_base: str, delay_s: float) -> None:
        up = urlsplit(upstream_base)
        self.upstream_host = up.hostname or "127.0.0.1"
        self.upstream_port = up.port or 80
        self.upstream_prefix = up.path.rstrip("/")
        self.delay_s = delay_s
        self.forwarded = 0
        self._upstream_conns: list[http.client.HTTPConnection] = []
        proxy = self
        local = threading.local()

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # headers and body go out in two sends: without TCP_NODELAY the body of a response
            # on a kept-alive connection waits for the client's delayed ACK (up to 40 ms), a
            # delay the proxy would add to keep-alive clients only (measured: 10 queries at
            # once over keep-alive 167.7 ms with Nagle, 126.7 without; new connections 127)
            disable_nagle_algorithm = True

            def do_GET(self) -> None:  # noqa: N802
                time.sleep(proxy.delay_s)
                conn = getattr(local, "conn", None)
                if conn is None:
                    conn = http.client.HTTPConnection(
                        proxy.upstream_host, proxy.upstream_port, timeout=30
                    )
                    local.conn = conn
                    proxy._upstream_conns.append(conn)
                headers = {
                    k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP | {"host"}
                }
                try:
                    conn.request("GET", self.path, headers=headers)
                    resp = conn.getresponse()
                    body = resp.read()
                except (OSError, http.client.HTTPException):
                    local.conn = None
                    conn.close()
                    self.send_error(502)
                    return
                proxy.forwarded += 1
                self.send_response(resp.status)
                for k, v in resp.getheaders():
                    if k.lower() not in _HOP_BY_HOP:
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        class _Server(ThreadingHTTPServer):
            request_queue_size = 128
            daemon_threads = True

        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        port = self._httpd.server_address[1]
        self.base_url = f"http://127.0.0.1:{port}{self.upstream_prefix}"

    def __enter__(self) -> DelayProxy:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)
        for conn in self._upstream_conns:
            conn.close()
