"""``cds-service serve``'s connections take turns (``cli.taking_turns``), through a real
gunicorn server with the service's own options and one gevent worker.

Connection A sends two requests at once (pipelined: the second is already read when the
first is answered); its first keeps the worker's CPU for 0.5 s without yielding. Meanwhile
connection B sends one request. Taking turns, B is answered before A's second request; a
worker that reads A's next request at once would answer A twice first (it did before).
Order only, no timing is asserted.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator

import pytest

from bench.run import free_port

pytestmark = pytest.mark.e2e

#: a WSGI app that numbers its answers in the order it gives them
_SERVER = textwrap.dedent(
    """
    import itertools, sys, time
    from cds_service.cli import gunicorn_options, patch_for_gevent, run_gunicorn

    patch_for_gevent()
    answered = itertools.count()

    def app(environ, start_response):
        if environ["PATH_INFO"] == "/busy":
            until = time.monotonic() + 0.5
            while time.monotonic() < until:  # CPU-bound: never yields to the event loop
                pass
        body = f"{environ['PATH_INFO']} {next(answered)}".encode()
        start_response("200 OK", [("Content-Type", "text/plain"),
                                  ("Content-Length", str(len(body)))])
        return [body]

    run_gunicorn(app, gunicorn_options("127.0.0.1", int(sys.argv[1]), 1, 100))
    """
)


@pytest.fixture
def port() -> Iterator[int]:
    port = free_port()
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", _SERVER, str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        until = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > until or proc.poll() is not None:
                    pytest.fail("the test server did not start")
                time.sleep(0.1)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def _get(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()


def _answers(sock: socket.socket, count: int) -> list[str]:
    """The bodies of ``count`` responses read from a keep-alive connection."""
    buf = b""
    bodies: list[str] = []
    while len(bodies) < count:
        chunk = sock.recv(65536)
        assert chunk, "the server closed the connection"
        buf += chunk
        while b"\r\n\r\n" in buf:
            head, rest = buf.split(b"\r\n\r\n", 1)
            length = next(
                int(line.split(b":", 1)[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            )
            if len(rest) < length:
                break
            bodies.append(rest[:length].decode())
            buf = rest[length:]
    return bodies


def test_a_waiting_connection_is_answered_before_a_busy_ones_next_request(port: int) -> None:
    with (
        socket.create_connection(("127.0.0.1", port), timeout=30) as a,
        socket.create_connection(("127.0.0.1", port), timeout=30) as b,
    ):
        a.sendall(_get("/busy") + _get("/a-second"))
        time.sleep(0.15)  # the worker is inside /busy
        b.sendall(_get("/b"))
        first, second = _answers(a, 2)
        (other,) = _answers(b, 1)
    assert first == "/busy 0"
    assert other == "/b 1", (first, other, second)
    assert second == "/a-second 2"
