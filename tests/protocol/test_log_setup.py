"""Logging set-up of ``serve`` (cds_service/log_setup.py)."""

from __future__ import annotations

import logging
from typing import Any

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


def test_control_characters_are_escaped_in_message_arguments_and_tracebacks() -> None:
    formatter = log_setup.SafeFormatter(log_setup.FORMAT)
    record = logging.LogRecord(
        "cds_service.api", logging.INFO, __file__, 1, "GET %s", ("/x\nFORGED \x1b[31m",), None
    )
    line = formatter.format(record)
    assert "\n" not in line and "\x1b" not in line
    assert "/x\\nFORGED \\x1b[31m" in line
    try:
        raise ValueError("bad\rvalue\u2028")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    text = formatter.format(record)
    assert "\r" not in text and "\u2028" not in text and "bad\\rvalue" in text


def test_database_errors_hide_their_parameters(tmp_path: Any) -> None:
    from sqlalchemy import text
    from sqlalchemy.exc import SQLAlchemyError

    from cds_service.storage import Storage

    storage = Storage(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    with pytest.raises(SQLAlchemyError) as err, storage.engine.connect() as conn:
        conn.execute(text("INSERT INTO no_such_table VALUES (:comment)"), {"comment": "Jane Doe"})
    assert "Jane Doe" not in str(err.value)


def test_the_report_prints_printable_characters_only() -> None:
    from cds_service.feedback import TopicReport, report_text

    report = TopicReport("kl6-rising\x1b[2J", 1, 0, 1, {"sys|\x1b]0;owned\x07code": 1})
    out = report_text([report])
    assert "\x1b" not in out and "\x07" not in out
    assert "kl6-rising[2J" in out
