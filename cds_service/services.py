"""The service registry: one record per CDS service (contract ids), fixed at start-up.

Requests route on the URL's id, never on the body's ``hook``. Each prefetch key says its
query and what happens when its data cannot be had (``required``: 412; otherwise the
guideline evaluates without it and says what it could not assess).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fhir_mappings.prefetch_codes import (
    AUTOANTIBODY_CONCEPTS,
    BODY_SIZE_CONCEPTS,
    RESPIRATORY_CONCEPTS,
    loinc_codes,
)


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


# Prefetch templates: what the guideline needs, in few queries (docs/data-access.md lists them).
# Only CDS Hooks 2.0 tokens and the recommended query subset: read, search by patient
# reference, token equality (comma = OR), ``_sort``, ``_count``. No date window
# (2.0 has no {{today}} token): ``_sort=-date`` + ``_count`` keep the newest results, and the
# client's paging is followed up to the caps (Settings.fhir_max_pages / fhir_max_resources).
_P = "{{context.patientId}}"
_V2_0074 = "http://terminology.hl7.org/CodeSystem/v2-0074|"

#: LOINC codes of the CTD autoantibody panel (KR Table 2, myositis panel, RF/CCP, ANCA), derived
#: from the code table (``fhir_mappings.prefetch_codes``); fetched by code so results years
#: old are never cut off by a cap on recent laboratory results.
AUTOANTIBODY_LOINC: tuple[str, ...] = loinc_codes(AUTOANTIBODY_CONCEPTS)

#: LOINC codes of pulmonary function tests, arterial blood gases and oxygen saturation,
#: whatever category the EHR files them under (PFTs have no standard category).
RESPIRATORY_LOINC: tuple[str, ...] = loinc_codes(RESPIRATORY_CONCEPTS)

#: LOINC codes of body weight and height (vital signs; for mg/kg and mg/m² doses).
BODY_SIZE_LOINC: tuple[str, ...] = loinc_codes(BODY_SIZE_CONCEPTS)

#: DiagnosticReport categories of imaging and pulmonary function reports.
IMAGING_REPORT_CATEGORIES: tuple[str, ...] = (
    "http://loinc.org|LP29684-5",  # Radiology (US Core)
    _V2_0074 + "RAD",  # Radiology
    _V2_0074 + "IMG",  # Diagnostic Imaging
    _V2_0074 + "CT",  # CAT scan
    _V2_0074 + "PF",  # Pulmonary function
)


def _codes(codes: tuple[str, ...]) -> str:
    """LOINC codes as one token search, each without its system: with ``http://loinc.org|``
    before each of its 85 codes the autoantibody query was 2,187 characters, more than the
    2,048-character query string IIS accepts by default (it answers 404.15), and a longer URL
    to encode on every fallback call. A server may then also return an Observation whose code
    is the same string in another system; the record maps codings by system and code, so such
    a result is ignored (tests/mappings/test_prefetch_codes.py)."""
    return ",".join(codes)


PATIENT_PREFETCH: tuple[PrefetchKey, ...] = (
    # Required: without the Patient the record has no age/sex and no check that the data is
    # this patient's; without Conditions no CTD or ILD is known, and every card is gated on
    # them, so evaluating would be silence that looks like "nothing to say".
    PrefetchKey("patient", f"Patient/{_P}", True, "age, sex"),
    PrefetchKey(
        "conditions",
        f"Condition?patient={_P}&_count=500",
        True,
        "diagnoses (CTD, ILD, complications), current and past",
    ),
    # Optional: each rule that needs them says what it could not assess.
    PrefetchKey(
        "labs",
        f"Observation?patient={_P}&category=laboratory&_sort=-date&_count=1000",
        False,
        "laboratory results, newest first (ferritin, CK, KL-6, blood counts, site codes)",
    ),
    PrefetchKey(
        "antibodies",
        f"Observation?patient={_P}&code={_codes(AUTOANTIBODY_LOINC)}&_sort=-date&_count=500",
        False,
        "autoantibody results of any age",
    ),
    PrefetchKey(
        "respiratory",
        f"Observation?patient={_P}&code={_codes(RESPIRATORY_LOINC)}&_sort=-date&_count=500",
        False,
        "pulmonary function tests, blood gases, oxygen saturation",
    ),
    PrefetchKey(
        "body_size",
        f"Observation?patient={_P}&code={_codes(BODY_SIZE_LOINC)}&_sort=-date&_count=100",
        False,
        "body weight and height (vital signs) for mg/kg and mg/m² doses",
    ),
    PrefetchKey(
        "clinical_findings",
        f"Observation?patient={_P}&category=exam,survey,symptom&_sort=-date&_count=200",
        False,
        "symptoms and clinical features charted as Observations (dyspnea, fever, skin signs)",
    ),
    PrefetchKey(
        "imaging",
        f"Observation?patient={_P}&category=imaging&_sort=-date&_count=200",
        False,
        "imaging findings (HRCT pattern, extent)",
    ),
    PrefetchKey(
        "imaging_reports",
        f"DiagnosticReport?patient={_P}&category={','.join(IMAGING_REPORT_CATEGORIES)}"
        "&_sort=-date&_count=200",
        False,
        "imaging and pulmonary function reports (HRCT done, conclusion codes)",
    ),
    PrefetchKey(
        "medications",
        f"MedicationRequest?patient={_P}&status=active,on-hold,completed,stopped"
        "&_sort=-authoredon&_count=500",
        False,
        "current and past medication orders with doses",
    ),
    PrefetchKey(
        "medication_statements",
        f"MedicationStatement?patient={_P}&status=active,intended,on-hold,completed"
        "&_sort=-effective&_count=200",
        False,
        "medications taken but ordered elsewhere (e.g. glucocorticoids from another clinic)",
    ),
)

_USAGE = (
    "Needs read access to the patient's Patient, Condition, Observation, MedicationRequest, "
    "MedicationStatement and DiagnosticReport resources (by prefetch or through fhirServer "
    "with the fhirAuthorization token). Advice is decision support for clinicians, not a diagnosis."
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
