"""Concurrent keep-alive clients spread over the gunicorn workers
(``cds_service.gunicorn_worker.BalancedThreadWorker``, the worker class of ``serve``).

With the stock gthread worker, the first worker to wake takes every connection waiting to be
accepted: 4 clients connecting at once often all land on one of 2 workers (2 threads each),
and two of them wait for a thread while the other worker idles. Here a worker takes no more
connections than it has threads while its connections are busy.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def pid_server() -> Iterator[int]:
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "tests.reliability.pid_app", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as r:
                    r.read()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("pid_app did not start") from None
                time.sleep(0.1)
        yield port
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)


@pytest.mark.parametrize("round_", range(3))
def test_four_busy_clients_split_two_and_two(pid_server: int, round_: int) -> None:
    """2 workers x 2 threads, 4 clients connect at once and keep their connections: each
    worker serves 2 of them, on every round (stock gthread: often 3 or 4 on one worker)."""
    clients = 4
    barrier = threading.Barrier(clients)
    pids: list[list[str]] = [[] for _ in range(clients)]
    errors: list[BaseException] = []

    def client(i: int) -> None:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", pid_server, timeout=10)
            barrier.wait()
            conn.connect()
            for _ in range(2):
                conn.request("GET", "/slow")
                resp = conn.getresponse()
                pids[i].append(resp.read().decode())
            conn.close()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    for served in pids:  # keep-alive: a connection stays with its worker
        assert len(served) == 2 and served[0] == served[1]
    per_worker = Counter(served[0] for served in pids)
    assert sorted(per_worker.values()) == [2, 2], per_worker
