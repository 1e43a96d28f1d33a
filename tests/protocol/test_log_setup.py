"""Worker logging (cds_service/log_setup.py): records written by one thread, none lost."""

from __future__ import annotations

import io
import logging
import threading
from collections.abc import Iterator
from logging.handlers import QueueHandler

import pytest

from cds_service import log_setup
from cds_service.cli import gunicorn_options


@pytest.fixture
def root_to_buffer() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logging.Formatter(log_setup.FORMAT))
    for h in saved_handlers:
        root.removeHandler(h)
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield buffer
    finally:
        log_setup.stop_writing()
        for h in list(root.handlers):
            root.removeHandler(h)
        for h in saved_handlers:
            root.addHandler(h)
        root.setLevel(saved_level)


def _types() -> set[type]:
    """The root logger's handler types (pytest adds its capture handlers around a test)."""
    return {type(h) for h in logging.getLogger().handlers}


def test_records_from_many_threads_are_all_written_in_order_per_thread(
    root_to_buffer: io.StringIO,
) -> None:
    log_setup.write_from_a_thread()
    assert _types() == {QueueHandler}
    log = logging.getLogger("cds_service.test")

    def emit(thread: int) -> None:
        for i in range(200):
            log.info("thread %d line %d (request %s)", thread, i, f"r{thread}-{i}")

    threads = [threading.Thread(target=emit, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    log_setup.stop_writing()  # writes what is queued
    lines = root_to_buffer.getvalue().splitlines()
    assert len(lines) == 800
    for t in range(4):
        mine = [ln for ln in lines if f"thread {t} " in ln]
        assert [ln.rsplit("(request ", 1)[1] for ln in mine] == [f"r{t}-{i})" for i in range(200)]
    # the format of the master's handler, fields taken when the record was made
    assert " INFO cds_service.test [" in lines[0]
    # and the handler is back on the root logger
    assert logging.StreamHandler in _types() and QueueHandler not in _types()


def test_exceptions_keep_their_traceback(root_to_buffer: io.StringIO) -> None:
    log_setup.write_from_a_thread()
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("cds_service.test").exception("failed")
    log_setup.stop_writing()
    text = root_to_buffer.getvalue()
    assert "failed" in text and "Traceback" in text and "ValueError: boom" in text


def test_set_up_once_and_stopping_twice_is_harmless(root_to_buffer: io.StringIO) -> None:
    log_setup.write_from_a_thread()
    log_setup.write_from_a_thread()
    assert _types() == {QueueHandler} and len(logging.getLogger().handlers) == 1
    log_setup.stop_writing()
    log_setup.stop_writing()
    assert logging.StreamHandler in _types() and QueueHandler not in _types()


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


def test_gunicorn_hooks_start_and_stop_the_writer(root_to_buffer: io.StringIO) -> None:
    options = gunicorn_options("127.0.0.1", 8080, 2, 4)
    options["post_fork"](None, None)
    assert _types() == {QueueHandler}
    logging.getLogger("cds_service.test").warning("last words")
    options["worker_exit"](None, None)
    assert "last words" in root_to_buffer.getvalue()
    assert logging.StreamHandler in _types() and QueueHandler not in _types()
