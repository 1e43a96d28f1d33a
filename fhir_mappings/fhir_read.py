"""Small readers of FHIR R4 JSON: dates, references, codings. No terminology here."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import date
from functools import lru_cache
from typing import Any

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def parse_date(value: Any, allow_partial: bool = False) -> date | None:
    """The calendar day of a FHIR date/dateTime/instant, in the resource's own time zone.

    "2026-03-04T23:30:00-05:00" -> 2026-03-04. Partial dates ("2026-03", "2026") give None
    unless ``allow_partial`` (then the first day of the month/year: only for onset dates).
    """
    if not isinstance(value, str):
        return None
    return _parse_date(value, allow_partial)


@lru_cache(maxsize=8192)  # a record repeats the same few dates many times
def _parse_date(value: str, allow_partial: bool) -> date | None:
    m = _DATE.match(value.strip())
    if not m:
        return None
    year, month, day = m.group(1), m.group(2), m.group(3)
    if day is None and not allow_partial:
        return None
    try:
        return date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return None


def effective_date(resource: Mapping[str, Any]) -> date | None:
    """Observation/DiagnosticReport: effectiveDateTime, effectivePeriod.start, effectiveInstant,
    then issued."""
    for key in ("effectiveDateTime", "effectiveInstant"):
        d = parse_date(resource.get(key))
        if d is not None:
            return d
    period = resource.get("effectivePeriod")
    if isinstance(period, (dict, Mapping)):
        d = parse_date(period.get("start")) or parse_date(period.get("end"))
        if d is not None:
            return d
    return parse_date(resource.get("issued"))


def reference_id(ref: Any, resource_type: str) -> str | None:
    """The id in a reference to ``resource_type`` ("Patient/1", ".../Patient/1/_history/2",
    "urn:uuid:1" -> "1"); None when absent."""
    if not isinstance(ref, dict):
        return None
    text = ref.get("reference")
    if not isinstance(text, str) or not text:
        return None
    return _reference_id(text, resource_type)


@lru_cache(maxsize=4096)  # a record names its patient the same way many times
def _reference_id(text: str, resource_type: str) -> str | None:
    if text.startswith("urn:uuid:"):
        return text[len("urn:uuid:") :]
    parts = text.split("/")
    if "_history" in parts:
        parts = parts[: parts.index("_history")]
    if len(parts) >= 2 and parts[-2] == resource_type:
        return parts[-1]
    return parts[-1] if len(parts) == 1 else None


def items(value: Any) -> list[Any]:
    """``value`` when it is a JSON array, else no items (a malformed element is not read)."""
    return value if isinstance(value, list) else []


def codings(concept: Any) -> Iterator[Mapping[str, Any]]:
    if isinstance(concept, Mapping):
        found = concept.get("coding")
        for coding in found if isinstance(found, list) else ():
            if isinstance(coding, Mapping):
                yield coding


def concept_texts(concept: Any) -> list[str]:
    """code.text and every coding display, lower-case."""
    out: list[str] = []
    if isinstance(concept, (dict, Mapping)):
        if isinstance(concept.get("text"), str):
            out.append(concept["text"].lower())
        for coding in codings(concept):
            if isinstance(coding.get("display"), str):
                out.append(coding["display"].lower())
    return out


def ref_label(resource: Mapping[str, Any]) -> str:
    """ "Observation/abc" (no patient identifiers)."""
    return f"{resource.get('resourceType', '?')}/{resource.get('id', '?')}"
