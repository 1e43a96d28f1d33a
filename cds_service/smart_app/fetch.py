"""The launched patient's data, read from the EHR's FHIR server with the app's token.

The same queries as the patient-view service (its prefetch templates, run through
``patient_data.resolve`` as a FHIR fallback), so the timeline and the cards see the same
resources, concepts, units and site ConceptMap; then the patient-view evaluation for the
findings listed beside the plots.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fhir_mappings.terminology import Terminology

from .. import engine, patient_data
from ..services import REGISTRY
from ..settings import Settings
from .config import SmartConfig
from .sessions import SmartSession

PATIENT_VIEW = REGISTRY["ctd-ild-patient-view"]


def load_patient(
    session: SmartSession,
    settings: Settings,
    config: SmartConfig,
    terminology: Terminology | None,
) -> tuple[engine.Evaluation, list[dict[str, Any]]]:
    """Record and findings of the session's patient, and the resources read
    (DataUnavailable when the Patient or the Conditions cannot be read)."""
    assert session.access_token and session.patient_id  # an active session
    body: dict[str, Any] = {
        "hook": "patient-view",
        "fhirServer": session.iss,
        "fhirAuthorization": {
            "access_token": session.access_token,
            "token_type": "Bearer",
            "scope": session.scope,
            "subject": "smart-app",
        },
        "context": {"patientId": session.patient_id},
    }
    read_settings = replace(settings, fhir_deadline_ms=config.fhir_deadline_ms)
    data = patient_data.resolve(PATIENT_VIEW, body, read_settings)
    evaluation = engine.evaluate_resources(
        PATIENT_VIEW,
        data.resources,
        {"patientId": session.patient_id},
        settings.today(),
        data.unavailable,
        terminology,
    )
    return evaluation, data.resources


def patient_name(resources: list[dict[str, Any]], patient_id: str | None) -> str | None:
    """The launched Patient's name as written in the record (escaped by the page)."""
    for res in resources:
        if res.get("resourceType") != "Patient" or res.get("id") != patient_id:
            continue
        names = res.get("name")
        if not isinstance(names, list):
            return None
        for name in names:
            if not isinstance(name, dict):
                continue
            if isinstance(name.get("text"), str) and name["text"].strip():
                return str(name["text"])[:200]
            given = [g for g in name.get("given") or [] if isinstance(g, str)]
            family = name.get("family")
            given.append(family if isinstance(family, str) else "")
            text = " ".join(given).strip()
            if text:
                return text[:200]
    return None
