"""Runs in a separate process (multiprocessing "spawn"): one worker's authenticator."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cds_service.auth import build_authenticator
from cds_service.settings import Settings
from cds_service.storage import Storage


def authenticate_all(
    name: str,
    database_url: str,
    clients_file: str,
    url: str,
    tokens: list[str],
    barrier: Any,
    out: Any,
) -> None:
    settings = Settings(
        database_url=database_url,
        trusted_clients_file=Path(clients_file),
        public_urls=("https://cds.example.org",),
    )
    storage = Storage(database_url)
    auth = build_authenticator(settings, storage)
    barrier.wait(timeout=60)
    out.put((name, [auth.authenticate(url, {"Authorization": f"Bearer {t}"}).ok for t in tokens]))
