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


# Prefetch templates: what the guideline needs, in few queries (docs/data-access.md lists them).
# Only CDS Hooks 2.0 tokens and the recommended query subset: read, search by patient
# reference, token equality (comma = OR, system|code), ``_sort``, ``_count``. No date window
# (2.0 has no {{today}} token): ``_sort=-date`` + ``_count`` keep the newest results, and the
# client's paging is followed up to the caps (Settings.fhir_max_pages / fhir_max_resources).
_P = "{{context.patientId}}"
_LOINC = "http://loinc.org|"
_V2_0074 = "http://terminology.hl7.org/CodeSystem/v2-0074|"

#: LOINC codes of the CTD autoantibody panel (KR Table 2, myositis panel, RF/CCP, ANCA), from
#: the code table (fhir_mappings); fetched by code so results years old are never cut off by
#: a cap on recent laboratory results.
AUTOANTIBODY_LOINC: tuple[str, ...] = (
    # ANA: presence, titre, units, pattern
    "8061-4", "42254-3", "47383-5", "5048-4", "29953-7", "27200-5", "13068-2",
    # anti-dsDNA, U1-RNP, SS-A/Ro60, Ro52, SS-B/La, Scl-70, centromere
    "5130-0", "11013-0", "31348-6", "47299-3",
    "29374-6", "51928-0", "8091-1", "5301-7", "53022-0",
    "17792-3", "33569-5", "8093-7", "5351-2", "5352-0",
    "53017-0", "56549-9", "99139-8", "53016-2", "82933-3",
    "17791-5", "45142-7", "8094-5", "5353-8", "5354-6",
    "27416-7", "5348-8", "8092-9", "53982-5",
    # anti-ARS (Jo-1, PL-7, PL-12, EJ, OJ), MDA5, TIF1g, NXP2, SAE, Mi-2, HMGCR, SRP, PM-Scl
    "11565-9", "33571-1", "5234-0", "8076-2", "99069-7",
    "33772-5", "105551-6", "110191-4", "33771-7", "105552-4", "56745-3",
    "45149-2", "105547-4", "45152-6", "105548-2",
    "82424-3", "107563-9", "105529-2", "107562-1", "105555-7", "105528-4", "82440-9",
    "18485-3", "88732-3", "82997-8", "88733-1", "82996-0", "93493-5", "33921-8", "53031-1",
    "105554-0",
    # anti-CCP, rheumatoid factor, ANCA (any, c, p, MPO, PR3)
    "32218-0", "33935-8", "53028-7", "11572-5", "33910-1", "15205-8", "5297-7",
    "17351-8", "21023-7", "17353-4", "14277-8", "17357-5", "14278-6",
    "6969-0", "46266-3", "29643-4", "6968-2", "46267-1", "29644-2",
)  # fmt: skip

#: LOINC codes of pulmonary function tests, arterial blood gases and oxygen saturation,
#: whatever category the EHR files them under (PFTs have no standard category).
RESPIRATORY_LOINC: tuple[str, ...] = (
    # FVC (volume, % predicted, predicted), VC, DLCO (+ predicted, % predicted), KCO
    "19870-5", "19868-9", "19877-0", "19875-4", "19876-2", "19874-7",
    "19872-1", "19871-3", "19873-9", "19869-7", "19866-3", "98088-8",
    "19911-7", "19913-3", "19910-9", "98130-8", "19916-6",
    # TLC, FEV1, FEV1/FVC
    "19862-2", "19858-0", "19861-4", "89085-5", "20150-9", "20152-5", "19926-5",
    # PaO2, SpO2 (rest, exercise), SaO2 calculated, A-a gradient
    "2703-7", "59408-5", "2708-6", "59417-6", "59412-7", "2713-6", "19991-9",
)  # fmt: skip

#: DiagnosticReport categories of imaging and pulmonary function reports.
IMAGING_REPORT_CATEGORIES: tuple[str, ...] = (
    "http://loinc.org|LP29684-5",  # Radiology (US Core)
    _V2_0074 + "RAD",  # Radiology
    _V2_0074 + "IMG",  # Diagnostic Imaging
    _V2_0074 + "CT",  # CAT scan
    _V2_0074 + "PF",  # Pulmonary function
)


def _codes(codes: tuple[str, ...]) -> str:
    return ",".join(_LOINC + c for c in codes)


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
