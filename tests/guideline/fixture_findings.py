"""Every fixture patient run through the service's pipeline (no HTTP): the patient-view
bundles of ``fixtures/patients`` and ``fixtures/site-coded-patients`` (with that folder's site
ConceptMap), and the order-sign cases of ``fixtures/orders`` (patient + draftOrders)."""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from cds_service.engine import evaluate_resources
from cds_service.guideline.findings import Finding
from cds_service.services import REGISTRY
from fhir_mappings.terminology import build_terminology

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
TODAY = date(2026, 11, 21)
SITE_MAP = FIXTURES / "site-coded-patients" / "site-conceptmap.json"


def _resources(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle.get("entry") or [] if isinstance(e, dict)]


def _patient_id(resources: list[dict[str, Any]]) -> str | None:
    return next((r.get("id") for r in resources if r.get("resourceType") == "Patient"), None)


@cache
def fixture_findings() -> dict[str, list[Finding]]:
    """Fixture name -> the findings (cards) the service returns for it."""
    out: dict[str, list[Finding]] = {}
    terminology = build_terminology(str(SITE_MAP))
    pv = REGISTRY["ctd-ild-patient-view"]
    for folder in ("patients", "site-coded-patients"):
        for path in sorted((FIXTURES / folder).glob("*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("resourceType") != "Bundle":
                continue  # the site ConceptMap
            resources = _resources(data)
            context = {"patientId": _patient_id(resources)}
            evaluation = evaluate_resources(pv, resources, context, TODAY, terminology=terminology)
            out[f"{folder}/{path.stem}"] = evaluation.findings
    sign = REGISTRY["ctd-ild-order-sign"]
    for path in sorted((FIXTURES / "orders").glob("*.json")):
        case = json.loads(path.read_text(encoding="utf-8"))
        resources = _resources(case["patient"])
        context = {"patientId": _patient_id(resources), "draftOrders": case["draftOrders"]}
        evaluation = evaluate_resources(sign, resources, context, TODAY, terminology=terminology)
        out[f"orders/{path.stem}"] = evaluation.findings
    return out
