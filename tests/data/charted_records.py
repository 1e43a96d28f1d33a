"""Patients charted the way hospitals chart them, one per defect of the record (symptoms as
exam Observations under local codes, HRCT as DiagnosticReports, FVC in litres, discordant
antibody results, the sandbox's tablet draft, a malformed Condition). Every resource carries
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


def symptoms_patient() -> list[Resource]:
    """Sjögren ILD; FVC 82% -> 76% predicted; worse dyspnoea charted as an exam Observation
    under a local code: progressive pulmonary fibrosis (2 of 3 criteria)."""
    p = "chart-sx"
    return [
        patient(p),
        condition(p, "sjd", "83901003", "Sjogren's syndrome", "2021-05-31"),
        condition(p, "ild", "233703007", "Interstitial lung disease", "2024-09-12"),
        observation(p, "fvc1", "procedure", cc(LOINC, "19872-1", "FVC measured/predicted"),
                    "2026-04-15", valueQuantity=quantity(82, "%")),
        observation(p, "fvc2", "procedure", cc(LOINC, "19872-1", "FVC measured/predicted"),
                    "2026-11-06", valueQuantity=quantity(76, "%")),
        observation(p, "dysp", "exam", cc(SITE, "SX-DYSP-WORSE", "Dyspnoea on exertion worse"),
                    "2026-10-22", valueCodeableConcept=PRESENT),
        hrct_report(p, "ct", "2024-12-21", ("CT-RETIC",)),
    ]  # fmt: skip


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
    report = hrct_report(p, "ct", "2026-10-28", ("CT-GGO", "CT-RETIC"))
    return [
        patient(p),
        condition(p, "ild", "233703007", "Interstitial lung disease", "2026-09-15"),
        condition(p, "dm", "396230008", "Dermatomyositis", "2026-07-01"),
        observation(p, "vc1", "procedure", cc(LOINC, "19866-3", "Vital capacity"),
                    "2026-09-20", valueQuantity=quantity(2.8, "L")),
        observation(p, "vc2", "procedure", cc(LOINC, "19866-3", "Vital capacity"),
                    "2026-10-30", valueQuantity=quantity(2.4, "L")),
        observation(p, "mda5", "laboratory", cc(LOINC, "82424-3", "MDA5 Ab"),
                    "2026-09-25", valueCodeableConcept=NEGATIVE),
        observation(p, "ferr", "laboratory", cc(LOINC, "2276-4", "Ferritin"),
                    "2026-10-30", valueQuantity=quantity(420, "ng/mL")),
        observation(p, "pao2", "laboratory", cc(LOINC, "2703-7", "PaO2"),
                    "2026-10-30", valueQuantity=quantity(78, "mm[Hg]")),
        observation(p, "ck", "laboratory", cc(LOINC, "2157-6", "Creatine kinase"),
                    "2026-10-30", valueQuantity=quantity(2400, "U/L")),
        report,
    ]  # fmt: skip


def litres_patient() -> list[Resource]:
    """SSc-ILD; FVC 3.20 L (January) -> 2.85 L (November), no predicted value: a 10.9%
    relative decline judged on the volumes."""
    p = "chart-fvc"
    return [
        patient(p),
        condition(p, "ssc", "89155008", "Systemic sclerosis", "2019-02-01"),
        condition(p, "ild", "233703007", "Interstitial lung disease", "2020-06-01"),
        observation(p, "fvc1", "procedure", cc(LOINC, "19870-5", "Forced vital capacity"),
                    "2026-01-12", valueQuantity=quantity(3.20, "L")),
        observation(p, "fvc2", "procedure", cc(LOINC, "19870-5", "Forced vital capacity"),
                    "2026-11-10", valueQuantity=quantity(2850, "mL")),
    ]  # fmt: skip


def discordant_patient() -> list[Resource]:
    """ILD without a CTD diagnosis; anti-MDA5 positive and negative on the same day."""
    p = "chart-mda5"
    return [
        patient(p),
        condition(p, "ild", "233703007", "Interstitial lung disease", "2026-09-01"),
        observation(p, "mda5-pos", "laboratory", cc(LOINC, "82424-3", "MDA5 Ab"),
                    "2026-10-20", valueCodeableConcept=POSITIVE),
        observation(p, "mda5-neg", "laboratory", cc(LOINC, "82424-3", "MDA5 Ab"),
                    "2026-10-20", valueCodeableConcept=NEGATIVE),
    ]  # fmt: skip


def ssc_patient() -> list[Resource]:
    """SSc with anti-RNA polymerase III charted under a local code (for the order checks)."""
    p = "chart-ssc"
    return [
        patient(p),
        condition(p, "ssc", "89155008", "Systemic sclerosis", "2022-04-01"),
        observation(p, "rnap3", "laboratory", cc(SITE, "LAB-RNAP3", "Anti-RNA polymerase III"),
                    "2026-05-02", valueCodeableConcept=POSITIVE),
    ]  # fmt: skip


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
