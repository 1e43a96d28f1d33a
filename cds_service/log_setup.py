"""Logging of ``cds-service serve``: one line per record on stderr, written by the standard
library's handler in the thread (greenlet) that logs.

- ``configure_logging`` (the master, before the app is loaded): level from ``CDS_LOG_LEVEL``,
  one format, and the loggers of ``QUIET_LOGGERS`` never below WARNING (at DEBUG/INFO they
  would log FHIR search URLs, which hold the patient id).
- ``SafeFormatter``: every logged string has its control characters escaped (a request path
  with ``%0a`` cannot write a second, forged log line; ANSI escapes reach no terminal). Installed
  on the root logger's handlers and, by ``escape_handlers``, on gunicorn's.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Iterable

FORMAT = "%(asctime)s %(levelname)s %(name)s [%(process)d] %(message)s"

#: loggers that would log URLs with patient ids at DEBUG/INFO: never below WARNING
QUIET_LOGGERS = ("urllib3", "requests")

#: C0 and C1 control characters and DEL, plus the Unicode line and paragraph separators
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def escape_controls(text: str) -> str:
    """``text`` with each control character written as a Python escape (``\\n``, ``\\x1b``)."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


class SafeFormatter(logging.Formatter):
    """A formatter whose lines hold no control characters: the message (with its arguments)
    and any traceback are escaped; a traceback keeps its line breaks, each line escaped."""

    def format(self, record: logging.LogRecord) -> str:
        saved = record.msg, record.args, record.exc_text
        record.msg, record.args = escape_controls(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = "\n".join(escape_controls(x) for x in record.exc_text.split("\n"))
        try:
            return super().format(record)
        finally:
            record.msg, record.args, record.exc_text = saved


def escape_handlers(handlers: Iterable[logging.Handler]) -> None:
    """Give each handler a ``SafeFormatter`` with the format it had."""
    for handler in handlers:
        if isinstance(handler.formatter, SafeFormatter):
            continue
        old = handler.formatter or logging.Formatter()
        handler.setFormatter(SafeFormatter(old._fmt, old.datefmt))


def configure_logging() -> None:
    logging.basicConfig(
        level=os.environ.get("CDS_LOG_LEVEL", "INFO").upper(), format=FORMAT, stream=sys.stderr
    )
    escape_handlers(logging.getLogger().handlers)
    for name in QUIET_LOGGERS:
        logger = logging.getLogger(name)
        logger.setLevel(max(logger.getEffectiveLevel(), logging.WARNING))
