"""Fixtures of the reliability suite: the fake FHIR server and process-memory probes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .fake_fhir import FakeFhir, fake_fhir


@pytest.fixture(scope="session")
def fake_fhir_server() -> Iterator[FakeFhir]:
    with fake_fhir() as server:
        yield server


def worker_pids(master_pid: int) -> list[int]:
    """The gunicorn workers (children) of ``master_pid``."""
    children: list[int] = []
    for task in Path(f"/proc/{master_pid}/task").iterdir():
        text = (task / "children").read_text().split()
        children.extend(int(p) for p in text)
    return children


def status_kib(pid: int, field: str) -> int:
    """A ``/proc/<pid>/status`` memory field (VmHWM, VmRSS) in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)
