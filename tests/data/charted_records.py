"""Patients charted the way hospitals chart them, one per defect of the record (symptoms as
exam Observations under local codes, HRCT as DiagnosticReports, FVC in litres, discordant
antibody results, a malformed Condition; the sandbox's tablet draft is
``tests.orders.builders.prednisone_tablet_draft``). Every resource carries
its category, as EHRs send them; local codes map through
``fixtures/charted-record/site-conceptmap.json``. Evaluated on 2026-11-21.
"""

from __future__ import annotations

from typing import Any

from tests import fhir
from tests.fhir import LOINC, SNOMED, cc, quantity

SITE = "https://hospital.example.org/site-local"

Resource = dict[str, Any]


def patient(pid: str) -> Resource:
    return fhir.patient(pid, birth_date="1964-03-09")


def condition(pid: str, rid: str, code: str, display: str, onset: str) -> Resource:
    code_ = cc(SNOMED, code, display)
    listed = [cc(fhir.CONDITION_CATEGORY, "problem-list-item")]
    return fhir.condition(pid, f"{pid}-{rid}", code_, onset, verified=True, category=listed)


def observation(
    pid: str, rid: str, category: str, code: dict[str, Any], when: str, **value: Any
) -> Resource:
    value.setdefault("issued", f"{when}T17:00:00Z")
    return fhir.observation(pid, f"{pid}-{rid}", code, when, category=category, **value)


PRESENT = cc(SNOMED, "52101004", "Present")
POSITIVE = cc(SNOMED, "10828004", "Positive")
NEGATIVE = cc(SNOMED, "260385009", "Negative")
ILD = ("233703007", "Interstitial lung disease")
SSC = ("89155008", "Systemic sclerosis")
FVC_PCT = cc(LOINC, "19872-1", "FVC measured/predicted")
FVC = cc(LOINC, "19870-5", "Forced vital capacity")
VC = cc(LOINC, "19866-3", "Vital capacity")
MDA5 = cc(LOINC, "82424-3", "MDA5 Ab")


def result(
    pid: str, rid: str, code: dict[str, Any], when: str, value: Any, unit: str | None = None
) -> Resource:
    """A laboratory result: a quantity (``value`` in ``unit``) or a coded value."""
    if unit is None:
        return observation(pid, rid, "laboratory", code, when, valueCodeableConcept=value)
    return observation(pid, rid, "laboratory", code, when, valueQuantity=quantity(value, unit))


def pft(pid: str, rid: str, code: dict[str, Any], when: str, value: float, unit: str) -> Resource:
    return observation(pid, rid, "procedure", code, when, valueQuantity=quantity(value, unit))


def symptoms_patient() -> list[Resource]:
    """Sjögren ILD; FVC 82% -> 76% predicted; worse dyspnoea charted as an exam Observation
    under a local code: progressive pulmonary fibrosis (2 of 3 criteria)."""
    p = "chart-sx"
    dyspnoea = cc(SITE, "SX-DYSP-WORSE", "Dyspnoea on exertion worse")
    return [
        patient(p),
        condition(p, "sjd", "83901003", "Sjogren's syndrome", "2021-05-31"),
        condition(p, "ild", *ILD, "2024-09-12"),
        pft(p, "fvc1", FVC_PCT, "2026-04-15", 82, "%"),
        pft(p, "fvc2", FVC_PCT, "2026-11-06", 76, "%"),
        observation(p, "dysp", "exam", dyspnoea, "2026-10-22", valueCodeableConcept=PRESENT),
        hrct_report(p, "ct", "2024-12-21", ("CT-RETIC",)),
    ]


def hrct_report(pid: str, rid: str, when: str, findings: tuple[str, ...]) -> Resource:
    """A final chest HRCT report with its coded conclusion (site codes)."""
    return fhir.report(
        pid,
        f"{pid}-{rid}",
        cc(LOINC, "29252-4", "CT Chest WO contrast", text="HRCT chest"),
        when,
        [cc(SITE, code) for code in findings],
        category=[cc(LOINC, "LP29684-5", "Radiology")],
        issued=f"{when}T18:00:00Z",
    )


def hrct_report_patient() -> list[Resource]:
    """DM acute/subacute ILD, no poor-risk factor: the final HRCT report codes ground glass
    and reticulation (no lower-zone consolidation): the assessment is complete."""
    p = "chart-hrct"
    return [
        patient(p),
        condition(p, "ild", *ILD, "2026-09-15"),
        condition(p, "dm", "396230008", "Dermatomyositis", "2026-07-01"),
        pft(p, "vc1", VC, "2026-09-20", 2.8, "L"),
        pft(p, "vc2", VC, "2026-10-30", 2.4, "L"),
        result(p, "mda5", MDA5, "2026-09-25", NEGATIVE),
        result(p, "ferr", cc(LOINC, "2276-4", "Ferritin"), "2026-10-30", 420, "ng/mL"),
        result(p, "pao2", cc(LOINC, "2703-7", "PaO2"), "2026-10-30", 78, "mm[Hg]"),
        result(p, "ck", cc(LOINC, "2157-6", "Creatine kinase"), "2026-10-30", 2400, "U/L"),
        hrct_report(p, "ct", "2026-10-28", ("CT-GGO", "CT-RETIC")),
    ]


def litres_patient() -> list[Resource]:
    """SSc-ILD; FVC 3.20 L (January) -> 2.85 L (November), no predicted value: a 10.9%
    relative decline judged on the volumes."""
    p = "chart-fvc"
    return [
        patient(p),
        condition(p, "ssc", *SSC, "2019-02-01"),
        condition(p, "ild", *ILD, "2020-06-01"),
        pft(p, "fvc1", FVC, "2026-01-12", 3.20, "L"),
        pft(p, "fvc2", FVC, "2026-11-10", 2850, "mL"),
    ]


def discordant_patient() -> list[Resource]:
    """ILD without a CTD diagnosis; anti-MDA5 positive and negative on the same day."""
    p = "chart-mda5"
    return [
        patient(p),
        condition(p, "ild", *ILD, "2026-09-01"),
        result(p, "mda5-pos", MDA5, "2026-10-20", POSITIVE),
        result(p, "mda5-neg", MDA5, "2026-10-20", NEGATIVE),
    ]


def ssc_patient() -> list[Resource]:
    """SSc with anti-RNA polymerase III charted under a local code (for the order checks)."""
    p = "chart-ssc"
    rnap3 = cc(SITE, "LAB-RNAP3", "Anti-RNA polymerase III")
    return [
        patient(p),
        condition(p, "ssc", *SSC, "2022-04-01"),
        result(p, "rnap3", rnap3, "2026-05-02", POSITIVE),
    ]


#: the Condition the tests send malformed (``clinicalStatus.coding`` a number): the FHIR
#: server refuses to store it, so it is malformed on the way (prefetch or a proxy)
MALFORMED_ID = "chart-bad-bad"


def malformed_patient() -> list[Resource]:
    """SSc-ILD with FVC decline, and the Condition that the tests malform."""
    p = "chart-bad"
    bad = condition(p, "bad", "69896004", "Rheumatoid arthritis", "2018-01-01")
    return [*litres_patient_for(p), bad]


def malform(bundle: Any) -> Any:
    """The Bundle with ``clinicalStatus.coding = 123`` in the Condition ``MALFORMED_ID``."""
    if not isinstance(bundle, dict):
        return bundle
    entries = []
    for entry in bundle.get("entry") or []:
        resource = entry.get("resource") or {}
        if resource.get("id") == MALFORMED_ID:
            entry = {**entry, "resource": {**resource, "clinicalStatus": {"coding": 123}}}
        entries.append(entry)
    return {**bundle, "entry": entries} if entries else bundle


def litres_patient_for(pid: str) -> list[Resource]:
    out = []
    for r in litres_patient():
        r = {**r, "id": r["id"].replace("chart-fvc", pid)}
        if r["resourceType"] == "Patient":
            r["id"] = pid
        else:
            r["subject"] = {"reference": f"Patient/{pid}"}
        out.append(r)
    return out


PATIENTS = {
    "chart-sx": symptoms_patient,
    "chart-hrct": hrct_report_patient,
    "chart-fvc": litres_patient,
    "chart-mda5": discordant_patient,
    "chart-ssc": ssc_patient,
    "chart-bad": malformed_patient,
}
