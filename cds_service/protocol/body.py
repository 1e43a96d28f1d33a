"""The request body: read under a deadline and a size cap, parsed as JSON in one pass.

``read_json_body`` reads ``wsgi.input`` (408 after ``deadline_s``, 413 above ``max_bytes``),
and ``parse_json`` parses it with the standard library, refusing what JSON does not allow or
the service cannot use: duplicate object keys (found while parsing, named in the 400),
NaN/Infinity, numbers beyond a finite float, invalid UTF-8, nesting deeper than the parser's
recursion limit.
"""

from __future__ import annotations

import json
import math
from typing import Any

import gevent
from flask import request
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge, RequestTimeout

from ..errors import InvalidRequest, ServiceError

JSON_TYPE = "application/json"
FHIR_JSON_TYPE = "application/fhir+json"


class UnsupportedMediaType(ServiceError):
    status = 415
    issue_code = "not-supported"


class _DuplicateKey(ValueError):
    pass


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``object_pairs_hook`` of the body's parser: a JSON object as a dict, refusing a key
    that appears twice (the plain parser would keep the last one silently)."""
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return obj


def _not_json(constant: str) -> Any:
    raise _NotJson(f"{constant} is not a JSON value")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NotJson(f"number {text[:20]} is out of range")
    return value


def _float_sized_int(text: str) -> int:
    value = int(text)  # CPython refuses more than 4,300 digits (ValueError)
    if not _INT_MIN <= value <= _INT_MAX:
        raise _NotJson(f"integer {text[:20]}... is out of range")
    return value


class _NotJson(ValueError):
    pass


#: integers that convert to a finite float (the record reads numbers as floats)
_INT_MIN, _INT_MAX = -(2**1023), 2**1023


def parse_json(raw: bytes) -> Any:
    """``raw`` parsed as JSON (stdlib, one pass): duplicate object keys refused by name, NaN
    and Infinity refused, every number within the range of a finite float."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidRequest([("$", f"the body is not valid UTF-8 (byte {exc.start})")]) from None
    try:
        return json.loads(
            text,
            object_pairs_hook=_object_without_duplicates,
            parse_constant=_not_json,
            parse_float=_finite_float,
            parse_int=_float_sized_int,
        )
    except _DuplicateKey as exc:
        raise InvalidRequest([("$", f"duplicate object key {exc.args[0]!r}")]) from None
    except json.JSONDecodeError as exc:
        raise InvalidRequest([("$", f"the body is not valid JSON: {exc.msg}")]) from None
    except RecursionError:
        raise InvalidRequest([("$", "the body is nested too deeply")]) from None
    except ValueError as exc:  # _NotJson, or an integer of more digits than CPython converts
        reason = str(exc) if isinstance(exc, _NotJson) else "a number is out of range"
        raise InvalidRequest([("$", f"the body is not valid JSON: {reason}")]) from None


def _read_body(max_bytes: int, deadline_s: float) -> bytes:
    """The raw body within ``deadline_s`` seconds (408 after it: the connection is closed)."""
    late = RequestTimeout("the request body did not arrive in time")
    try:
        with gevent.Timeout(deadline_s, late):
            return _read_body_bytes(max_bytes)
    except TimeoutError:  # a socket read timed out
        raise late from None
    except (OSError, ValueError):  # the client closed, or sent a malformed chunk
        raise BadRequest("the request body could not be read") from None


def _read_body_bytes(max_bytes: int) -> bytes:
    """The raw body, refusing more than ``max_bytes``: from Content-Length before reading,
    and while reading a chunked body (the WSGI server terminates the input stream)."""
    stream = request.environ["wsgi.input"]
    length = request.content_length
    if length is not None:
        if length > max_bytes:
            raise RequestEntityTooLarge()
        return bytes(stream.read(length))
    if not request.environ.get("wsgi.input_terminated"):
        return b""  # no length and no server-side framing: reading could hang
    buf = bytearray()
    while chunk := stream.read(min(65536, max_bytes + 1 - len(buf))):
        buf += chunk
        if len(buf) > max_bytes:
            raise RequestEntityTooLarge()
    return bytes(buf)


def read_json_body(max_bytes: int, deadline_s: float) -> Any:
    """The request body parsed as JSON; ServiceError/HTTPException on any problem."""
    mimetype = (request.mimetype or "").lower()
    if mimetype not in (JSON_TYPE, FHIR_JSON_TYPE) and not mimetype.endswith("+json"):
        raise UnsupportedMediaType([("", "the body must be JSON (Content-Type: application/json)")])
    raw = _read_body(max_bytes, deadline_s)
    if not raw.strip():
        raise InvalidRequest([("$", "the body is empty")])
    return parse_json(raw)
