"""Fixtures for every area: the real server process (``live_server``, ``start_server``) and a
PostgreSQL URL (``postgres_url``).

``live_server`` runs ``python -m cds_service.cli serve --dev`` on a free loopback port with
CDS_DEV=1, a temporary SQLite database and CDS_EVALUATION_DATE=2026-11-21; ``start_server(env)``
starts another one with other environment (``CDS_DEV="0"`` runs it without ``--dev``). Servers
are stopped at the end of the session; their logs are in ``server.log_path``.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from tests.support import Handler, Loopback, serving

REPO = Path(__file__).resolve().parent.parent
EVALUATION_DATE = "2026-11-21"
_START_TIMEOUT_S = 60.0


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--long", action="store_true", help="run tests marked long")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--long"):
        return
    skip = pytest.mark.skip(reason="long test: run with --long")
    for item in items:
        if "long" in item.keywords:
            item.add_marker(skip)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    base_url: str
    process: subprocess.Popen[bytes]
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def log_once_it_has(self, *texts: str, timeout_s: float = 5.0) -> str:
        """The log, once every text is in it (a worker's log lines are written by a thread,
        a few milliseconds after the response), or as it is after ``timeout_s``."""
        deadline = time.monotonic() + timeout_s
        while True:
            log = self.log()
            if all(t in log for t in texts) or time.monotonic() > deadline:
                return log
            time.sleep(0.02)

    def log_after(self, response: requests.Response) -> str:
        """The log once the line of this response's request is in it: what a check for
        something absent from the log must read."""
        rid = response.headers["X-Request-ID"]
        log = self.log_once_it_has(rid)
        assert rid in log, f"request {rid} was never logged"
        return log

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def launch_server(
    env: dict[str, str], workdir: Path, workers: int = 2, port: int | None = None
) -> Server:
    """Start the real server process (on ``port``, or a free one) and wait until /healthz
    answers."""
    port = port or free_port()
    full_env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        "CDS_DEV": "1",
        "CDS_DATABASE_URL": f"sqlite:///{workdir / 'cds.sqlite3'}",
        "CDS_EVALUATION_DATE": EVALUATION_DATE,
        "CDS_PUBLIC_URL": f"http://127.0.0.1:{port}",
        **env,
    }
    cmd = [sys.executable, "-m", "cds_service.cli", "serve", "--host", "127.0.0.1"]
    cmd += ["--port", str(port), "--workers", str(workers)]
    if _truthy(full_env.get("CDS_DEV")):
        cmd.append("--dev")
    log_path = workdir / "server.log"
    with log_path.open("wb") as log_file:  # the child keeps its own copy of the descriptor
        proc = subprocess.Popen(  # noqa: S603 - fixed command
            cmd, cwd=workdir, env=full_env, stdout=log_file, stderr=subprocess.STDOUT
        )
    server = Server(f"http://127.0.0.1:{port}", proc, log_path, env)
    deadline = time.monotonic() + _START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n{server.log()}")
        try:
            if requests.get(f"{server.base_url}/healthz", timeout=1).status_code == 200:
                return server
        except requests.RequestException:
            pass
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"server did not become healthy:\n{server.log()}")


@pytest.fixture(scope="session")
def start_server() -> Iterator[Callable[..., Server]]:
    """Factory: ``start_server(env)`` -> a running Server (one per distinct env, reused)."""
    servers: dict[tuple[tuple[str, str], ...], Server] = {}
    dirs: list[tempfile.TemporaryDirectory[str]] = []

    def start(env: dict[str, str] | None = None, workers: int = 1) -> Server:
        key = tuple(sorted((env or {}).items())) + (("__workers", str(workers)),)
        if key not in servers:
            d = tempfile.TemporaryDirectory(prefix="cds-e2e-")
            dirs.append(d)
            servers[key] = launch_server(dict(env or {}), Path(d.name), workers=workers)
        return servers[key]

    yield start
    for s in servers.values():
        s.stop()
    for d in dirs:
        d.cleanup()


@pytest.fixture(scope="session")
def live_server(start_server: Callable[..., Server]) -> Server:
    """The real server with the default test environment (dev mode, SQLite, pinned date)."""
    return start_server({}, workers=2)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """CDS_TEST_POSTGRES_URL; skipped when unset locally, a failure when CI=true."""
    url = os.environ.get("CDS_TEST_POSTGRES_URL")
    if not url:
        if _truthy(os.environ.get("CI")):
            pytest.fail("CI=true but CDS_TEST_POSTGRES_URL is not set (.ci/run starts PostgreSQL)")
        pytest.skip("CDS_TEST_POSTGRES_URL not set (run scripts/start-postgres.sh)")
    return url


@pytest.fixture
def loopback() -> Iterator[Callable[[Handler], Loopback]]:
    """Start HTTP servers whose GET handler is given by the test; stop them after it."""
    with contextlib.ExitStack() as stack:
        yield lambda handle: stack.enter_context(serving(handle))
