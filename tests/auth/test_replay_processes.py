"""jti replay across worker processes sharing one database (as gunicorn workers do)."""

from __future__ import annotations

import json
import multiprocessing
import os
from pathlib import Path

import pytest

from cds_service.storage import Storage

from .keyring import ISS, SERVICE, Signer
from .replay_worker import authenticate_all

DATABASES = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


@pytest.mark.parametrize("backend", DATABASES)
def test_each_token_is_accepted_by_exactly_one_of_two_processes(
    tmp_path: Path, ec_signer: Signer, backend: str
) -> None:
    if backend == "postgres":
        url = os.environ.get("CDS_TEST_POSTGRES_URL")
        if not url:
            pytest.skip("CDS_TEST_POSTGRES_URL not set")
    else:
        url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    setup = Storage(url)
    setup.create_all()
    setup.engine.dispose()
    clients = tmp_path / "clients.json"
    clients.write_text(json.dumps([{"iss": ISS, "jwks": ec_signer.jwks()}]))
    tokens = [ec_signer.token() for _ in range(25)]

    ctx = multiprocessing.get_context("spawn")
    barrier, out = ctx.Barrier(2), ctx.Queue()
    orders = {"forward": tokens, "reverse": tokens[::-1]}
    workers = [
        ctx.Process(
            target=authenticate_all,
            args=(name, url, str(clients), SERVICE, order, barrier, out),
        )
        for name, order in orders.items()
    ]
    for w in workers:
        w.start()
    results = dict(out.get(timeout=120) for _ in workers)
    for w in workers:
        w.join(timeout=30)
        assert w.exitcode == 0
    accepted = {t: 0 for t in tokens}
    for name, order in orders.items():
        for token, ok in zip(order, results[name], strict=True):
            accepted[token] += ok
    assert all(n == 1 for n in accepted.values()), accepted.values()
