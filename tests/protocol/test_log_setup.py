"""Logging set-up of ``serve`` (cds_service/log_setup.py)."""

from __future__ import annotations

import logging

import pytest

from cds_service import log_setup


def test_quiet_loggers_never_go_below_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CDS_LOG_LEVEL", "DEBUG")
    saved = {n: logging.getLogger(n).level for n in log_setup.QUIET_LOGGERS}
    try:
        log_setup.configure_logging()
        for name in log_setup.QUIET_LOGGERS:
            assert logging.getLogger(name).getEffectiveLevel() >= logging.WARNING
    finally:
        for n, level in saved.items():
            logging.getLogger(n).setLevel(level)
