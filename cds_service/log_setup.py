"""Logging of ``cds-service serve``: one line per record on stderr, written by the standard
library's handler in the thread (greenlet) that logs.

``configure_logging`` (the master, before the app is loaded): level from ``CDS_LOG_LEVEL``, one
format, and the loggers of ``QUIET_LOGGERS`` never below WARNING (at DEBUG/INFO they would log
FHIR search URLs, which hold the patient id).
"""

from __future__ import annotations

import logging
import os
import sys

FORMAT = "%(asctime)s %(levelname)s %(name)s [%(process)d] %(message)s"

#: loggers that would log URLs with patient ids at DEBUG/INFO: never below WARNING
QUIET_LOGGERS = ("urllib3", "requests")


def configure_logging() -> None:
    logging.basicConfig(
        level=os.environ.get("CDS_LOG_LEVEL", "INFO").upper(), format=FORMAT, stream=sys.stderr
    )
    for name in QUIET_LOGGERS:
        logger = logging.getLogger(name)
        logger.setLevel(max(logger.getEffectiveLevel(), logging.WARNING))
