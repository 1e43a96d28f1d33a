"""Patient data for one hook call: prefetch values (and, later, the EHR's FHIR server).

Minimal version (protocol issue): resources come from prefetch only. A Bundle contributes its
``entry[].resource``; a single resource contributes itself; ``null`` means "no data" (not
refetched). A required key that is absent, with no ``fhirServer`` to fetch it from, raises
``DataUnavailable`` (412). The data-access issue replaces the body of ``resolve``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .errors import DataUnavailable
from .services import Service
from .settings import Settings


@dataclass
class ResolvedData:
    resources: list[dict[str, Any]] = field(default_factory=list)
    #: prefetch key -> why its data could not be had (the guideline says what it could not assess)
    unavailable: dict[str, str] = field(default_factory=dict)


def _resources_of(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, dict):
        return []
    if value.get("resourceType") == "Bundle":
        out: list[dict[str, Any]] = []
        for entry in value.get("entry") or []:
            res = entry.get("resource") if isinstance(entry, dict) else None
            if isinstance(res, dict) and res.get("resourceType") != "OperationOutcome":
                out.append(res)
        return out
    if value.get("resourceType") == "OperationOutcome":
        return []
    return [value]


def resolve(service: Service, body: dict[str, Any], settings: Settings) -> ResolvedData:
    prefetch = body.get("prefetch") or {}
    has_server = bool(body.get("fhirServer"))
    data = ResolvedData()
    missing: list[tuple[str, str]] = []
    for key in service.prefetch:
        if key.key in prefetch:
            data.resources.extend(_resources_of(prefetch[key.key]))
        elif key.required and not has_server:
            missing.append(
                (f"$.prefetch.{key.key}", f"prefetch '{key.key}' absent and no fhirServer given")
            )
        else:
            data.unavailable[key.key] = "not prefetched"
    if missing:
        raise DataUnavailable(missing)
    return data
