"""The service registry: one record per CDS service (contract ids), fixed at start-up.

Requests route on the URL's id, never on the body's ``hook``. Each prefetch key says its
query and what happens when its data cannot be had (``required``: 412; otherwise the
guideline evaluates without it and says what it could not assess).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class PrefetchKey:
    key: str
    query: str  # CDS Hooks 2.0 prefetch template (only {{context.patientId}}-style tokens)
    required: bool
    purpose: str


@dataclass(frozen=True)
class Service:
    id: str
    hook: str
    title: str
    description: str
    usage_requirements: str
    prefetch: tuple[PrefetchKey, ...] = field(default_factory=tuple)

    def prefetch_templates(self) -> dict[str, str]:
        return {p.key: p.query for p in self.prefetch}

    def discovery_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "hook": self.hook,
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "usageRequirements": self.usage_requirements,
        }
        if self.prefetch:
            out["prefetch"] = self.prefetch_templates()
        return out


# Prefetch templates (refined by the patient-data issue; documented in the README).
_P = "{{context.patientId}}"
PATIENT_PREFETCH: tuple[PrefetchKey, ...] = (
    PrefetchKey("patient", f"Patient/{_P}", True, "age, sex"),
    PrefetchKey("conditions", f"Condition?patient={_P}&_count=200", True, "diagnoses, findings"),
    PrefetchKey(
        "observations",
        f"Observation?patient={_P}&_sort=-date&_count=1000",
        False,
        "labs, antibodies, PFT, blood gases, imaging findings",
    ),
    PrefetchKey(
        "medications",
        f"MedicationRequest?patient={_P}&_count=200",
        False,
        "active and recent medications with doses",
    ),
)

_USAGE = (
    "Needs read access to the patient's Patient, Condition, Observation, MedicationRequest "
    "and DiagnosticReport resources (by prefetch or through fhirServer with the "
    "fhirAuthorization token). Advice is decision support for clinicians, not a diagnosis."
)

SERVICES: tuple[Service, ...] = (
    Service(
        id="ctd-ild-patient-view",
        hook="patient-view",
        title="CTD-ILD assessment",
        description=(
            "Interstitial lung disease in connective tissue disease: CTD work-up for ILD, "
            "DM/PM-ILD course, poor-risk factors and management (Japanese algorithm), SSc/RA "
            "and other CTD-ILD treatment, progression, screening and immunosuppression safety, "
            "each card citing its guideline source."
        ),
        usage_requirements=_USAGE,
        prefetch=PATIENT_PREFETCH,
    ),
    Service(
        id="ctd-ild-order-select",
        hook="order-select",
        title="CTD-ILD order checks (selection)",
        description=(
            "Checks the selected draft medication orders against the patient's CTD-ILD "
            "record: SSc glucocorticoid dose, cyclophosphamide bundle, PJP prophylaxis, "
            "cyclosporine, tocilizumab, leflunomide and immunosuppressant doses."
        ),
        usage_requirements=_USAGE,
        prefetch=PATIENT_PREFETCH,
    ),
    Service(
        id="ctd-ild-order-sign",
        hook="order-sign",
        title="CTD-ILD order checks (signing)",
        description=(
            "The CTD-ILD order checks on all draft orders at signing, with suggestions the "
            "EHR can apply (dose change, PJP prophylaxis, monitoring labs)."
        ),
        usage_requirements=_USAGE,
        prefetch=PATIENT_PREFETCH,
    ),
)

REGISTRY: dict[str, Service] = {s.id: s for s in SERVICES}
