"""Rules read the record as EHRs chart it: FVC in litres or mL (SSc-ILD decline judged on
volumes; an absolute criterion named as not assessable), symptoms charted as Observations,
and a final HRCT report's coded findings as complete for the poor-risk assessment."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from cds_service.guideline import evaluate_patient_view
from cds_service.guideline.findings import Finding
from fhir_mappings.builder import build_record
from fhir_mappings.terminology import Terminology

TODAY = date(2026, 11, 20)
PATIENT = "pt-vol"
SUBJECT = {"reference": f"Patient/{PATIENT}"}
SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
SITE = "https://hospital.example.org/site-local"
TERMS = Terminology.standard().with_site_maps({(SITE, "SX-DYSP-WORSE"): ["dyspnea_worsening"]})


def cc(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    coding: dict[str, Any] = {"system": system, "code": code}
    if display:
        coding["display"] = display
    return {"coding": [coding]}


def condition(rid: str, code: str, onset: str) -> dict[str, Any]:
    return {
        "resourceType": "Condition",
        "id": rid,
        "subject": SUBJECT,
        "clinicalStatus": cc("http://terminology.hl7.org/CodeSystem/condition-clinical", "active"),
        "verificationStatus": cc(
            "http://terminology.hl7.org/CodeSystem/condition-ver-status", "confirmed"
        ),
        "code": cc(SNOMED, code),
        "onsetDateTime": onset,
    }


def fvc(rid: str, when: date, value: float, unit: str = "L") -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": rid,
        "status": "final",
        "code": cc(LOINC, "19870-5", "Forced vital capacity"),
        "subject": SUBJECT,
        "effectiveDateTime": when.isoformat(),
        "valueQuantity": {
            "value": value,
            "unit": unit,
            "system": "http://unitsofmeasure.org",
            "code": unit,
        },
    }


def patient() -> dict[str, Any]:
    return {"resourceType": "Patient", "id": PATIENT, "gender": "female", "birthDate": "1966-05-01"}


def ssc_ild() -> list[dict[str, Any]]:
    return [
        patient(),
        condition("ssc", "89155008", "2021-03-01"),  # systemic sclerosis
        condition("ild", "233703007", "2022-06-01"),  # interstitial lung disease
    ]


def findings(resources: list[dict[str, Any]]) -> dict[str, Finding]:
    record = build_record(resources, TODAY, PATIENT, TERMS)
    return {f.topic: f for f in evaluate_patient_view(record)}


LATEST = TODAY - timedelta(days=14)
PEAK = LATEST - timedelta(days=300)  # ten months earlier


@pytest.mark.parametrize(
    ("latest_litres", "fires"),
    [(2.85, True), (2.879, True), (2.88, False), (2.881, False)],  # 3.20 L peak: 10% = 2.88 L
)
def test_ssc_fvc_decline_judged_on_litres(latest_litres: float, fires: bool) -> None:
    out = findings([*ssc_ild(), fvc("f1", PEAK, 3.20), fvc("f2", LATEST, latest_litres)])
    card = out.get("ssc-ild-decline")
    if fires:
        assert card is not None and card.indicator.value == "warning"
        assert "3.2 L" in card.detail and " L" in card.detail
        assert {f.concept for f in card.facts} >= {"fvc"}
    else:
        assert card is None or card.indicator.value != "warning"


def test_ssc_fvc_decline_in_millilitres() -> None:
    out = findings([*ssc_ild(), fvc("f1", PEAK, 3200, "mL"), fvc("f2", LATEST, 2850, "mL")])
    assert "ssc-ild-decline" in out


def test_ra_ild_progression_reads_an_observed_symptom_and_names_litres_not_assessable() -> None:
    ra = [
        patient(),
        condition("ra", "69896004", "2015-01-01"),
        condition("ild", "233703007", "2023-01-01"),
    ]
    dyspnea = {
        "resourceType": "Observation",
        "id": "sx1",
        "status": "final",
        "category": [cc("http://terminology.hl7.org/CodeSystem/observation-category", "exam")],
        "code": cc(SITE, "SX-DYSP-WORSE"),
        "subject": SUBJECT,
        "effectiveDateTime": (TODAY - timedelta(days=30)).isoformat(),
        "valueBoolean": True,
    }
    out = findings([*ra, dyspnea, fvc("f1", PEAK, 3.20), fvc("f2", LATEST, 2.85)])
    card = out["ra-ild-management"]
    assert "Worsening symptoms: none recorded" not in card.detail
    assert "worse dyspnoea" in card.summary
    assert "FVC 2.85 L" in card.detail and "% predicted cannot be computed" in card.detail
    assert {f.concept for f in card.facts} >= {"dyspnea_worsening", "fvc"}


# ------------------------------------------------- discordant and pending anti-MDA5 (DM A/S-ILD)
DM_FIXTURE = (
    Path(__file__).resolve().parents[2] / "fixtures" / "patients" / "dmpm_as2_dm_no_poor_risk.json"
)


def dm_as_ild(*extra: dict[str, Any]) -> dict[str, Finding]:
    bundle = json.loads(DM_FIXTURE.read_text())
    resources = [e["resource"] for e in bundle["entry"]] + list(extra)
    record = build_record(resources, date(2026, 11, 21), "as2-dm", TERMS)
    return {f.topic: f for f in evaluate_patient_view(record)}


def mda5(rid: str, when: str, code: str | None, status: str = "final") -> dict[str, Any]:
    obs: dict[str, Any] = {
        "resourceType": "Observation",
        "id": rid,
        "status": status,
        "category": [
            cc("http://terminology.hl7.org/CodeSystem/observation-category", "laboratory")
        ],
        "code": cc(LOINC, "82424-3", "MDA5 Ab"),
        "subject": {"reference": "Patient/as2-dm"},
        "effectiveDateTime": when,
    }
    if code:
        obs["valueCodeableConcept"] = cc(SNOMED, code)
    return obs


@pytest.mark.parametrize(
    ("positive_on", "counts"), [("2026-09-04", True), ("2026-06-27", True), ("2026-06-26", False)]
)
def test_a_positive_before_the_negative_within_the_episode_counts(
    positive_on: str, counts: bool
) -> None:
    """The fixture's anti-MDA5 is negative on 2026-09-25; a positive up to 90 days before it
    (2026-06-27) is the same episode: poor prognosis, both results named as discordant."""
    out = dm_as_ild(mda5("mda5-pos", positive_on, "10828004"))
    if counts:
        card = out["dmpm-ild-poor-prognosis"]
        assert "discordant results" in card.detail
        assert {(f.concept, f.value) for f in card.facts} >= {
            ("anti_mda5", "positive"),
            ("anti_mda5", "negative"),
        }
    else:
        assert "dmpm-ild-poor-prognosis" not in out


def test_a_pending_anti_mda5_is_named_with_a_pending_fact() -> None:
    out = dm_as_ild(mda5("mda5-reg", "2026-11-18", None, status="registered"))
    text = " ".join(f.detail for f in out.values())
    assert "anti-MDA5 pending (ordered 2026-11-18)" in text
    assert any(
        (fact.concept, fact.value, fact.date) == ("anti_mda5", "pending", date(2026, 11, 18))
        for f in out.values()
        for fact in f.facts
    )
