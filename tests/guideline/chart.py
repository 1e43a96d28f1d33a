"""Patient charts as hospitals keep them, run through the engine as the service runs them.

FHIR R4 resources, dated: diagnoses as Conditions (SNOMED CT / ICD-10-CM), laboratory results
as LOINC Observations in UCUM units, site-coded results, symptoms and skin signs under the
hospital's local codes mapped through the site ConceptMaps of ``data/`` (lung function in
litres or millilitres), HRCT studies as final DiagnosticReports whose coded conclusion lists
the findings, medications as MedicationRequests, draft orders as the CDS Hooks sandbox's Rx
View drafts them (``tests/orders/builders.med_request(shape="sandbox")``).

Two ways to write a chart: resources dated in days before ``TODAY`` for patient ``PATIENT``
(``condition``, ``observation``, ``active_med``, ... then ``patient_view`` / ``order_sign``),
or a ``Chart`` dated in calendar dates (``Chart().diagnosis(...).lab(...)``, then ``cards``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from cds_service.engine import evaluate_resources
from cds_service.guideline.findings import Finding
from cds_service.services import REGISTRY
from fhir_mappings.terminology import Terminology, build_terminology
from tests import fhir
from tests.fhir import LOINC, RXNORM, SNOMED, cc, quantity
from tests.orders.builders import PATIENT, TODAY, med_request

from .records import day as days

SITE = "https://hospital.example.org/site-local"
LOCAL = "https://hospital.example.org/fhir/CodeSystem/clinical-findings"
#: the site ConceptMaps (codes of ``SITE`` and of ``LOCAL``)
CONCEPTMAPS = Path(__file__).with_name("data")

__all__ = ["LOINC", "PATIENT", "SNOMED", "days"]

LABS = {
    "ferritin": ("2276-4", "Ferritin [Mass/volume] in Serum or Plasma", "ng/mL"),
    "pao2": ("2703-7", "Oxygen [Partial pressure] in Arterial blood", "mm[Hg]"),
    "ck": ("2157-6", "Creatine kinase [Enzymatic activity/volume] in Serum or Plasma", "U/L"),
    "aldolase": ("1761-6", "Aldolase [Enzymatic activity/volume] in Serum or Plasma", "U/L"),
    "weight": ("29463-7", "Body weight", "kg"),
}

ANTIBODIES = {
    "anti_mda5": ("82424-3", "MDA5 Ab [Presence] in Serum by Line blot"),
    "anti_jo1": ("8076-2", "Jo-1 extractable nuclear Ab [Presence] in Serum"),
    "anti_pl7": ("33772-5", "PL-7 Ab [Presence] in Serum"),
}
RESULT = {"positive": ("10828004", "Positive"), "negative": ("260385009", "Negative")}

FVC = ("19870-5", "Forced vital capacity [Volume] Respiratory system")
FVC_PREDICTED = ("19869-7", "Forced vital capacity [Volume] Respiratory system Predicted")


def _displays() -> dict[str, str]:
    data = json.loads((CONCEPTMAPS / "clinical-findings-conceptmap.json").read_text("utf-8"))
    return {e["code"]: e["display"] for g in data["group"] for e in g["element"]}


#: the hospital's local codes (``LOCAL``) and their displays
SITE_CODES = _displays()


@cache
def terminology() -> Terminology:
    """The standard codes plus the hospital's ConceptMaps, loaded as at start-up."""
    return build_terminology(CONCEPTMAPS)


def evaluate(
    resources: list[dict[str, Any]],
    patient_id: str = PATIENT,
    today: date = TODAY,
    hook: str = "ctd-ild-patient-view",
    **context: Any,
) -> list[Finding]:
    """The findings of the service ``hook`` on the resources."""
    evaluation = evaluate_resources(
        REGISTRY[hook],
        resources,
        {"patientId": patient_id, **context},
        today,
        terminology=terminology(),
    )
    return evaluation.findings


def of_topic(findings: list[Finding], topic: str) -> list[Finding]:
    return [f for f in findings if f.topic == topic]


# ------------------------------------------------ resources dated in days before TODAY
def ago(days: int) -> str:
    return (TODAY - timedelta(days=days)).isoformat()


def patient() -> dict[str, Any]:
    return fhir.patient(PATIENT, birth_date="1962-03-14")


def condition(name: str, days_ago: int = 900, rid: str | None = None) -> dict[str, Any]:
    system, code, display = fhir.CODES[name]
    return fhir.condition(
        PATIENT, rid or f"c-{name}", cc(system, code, display, text=display), ago(days_ago)
    )


_SEQ = iter(range(1, 1_000_000))


def observation(
    code: str, value: float, unit: str, days_ago: int, system: str = SITE, display: str = ""
) -> dict[str, Any]:
    return fhir.observation(
        PATIENT,
        f"o{next(_SEQ)}",
        cc(system, code, display or code),
        ago(days_ago),
        valueQuantity=quantity(value, unit),
    )


def lab(code: str, value: float, unit: str, days_ago: int, display: str = "") -> dict[str, Any]:
    """A result under its LOINC code (a laboratory value, weight, height...)."""
    return observation(code, value, unit, days_ago, LOINC, display)


def finding_present(code: str, days_ago: int) -> dict[str, Any]:
    """A charted clinical or HRCT finding (site code), as an Observation with valueBoolean."""
    return fhir.observation(
        PATIENT, f"o{next(_SEQ)}", cc(SITE, code), ago(days_ago), valueBoolean=True
    )


def fvc_litres(
    measured: float, predicted: float, days_ago: int, unit: str = "L"
) -> list[dict[str, Any]]:
    """A spirometry result in litres (or mL) with its predicted value, same date."""
    return [
        observation("PFT-FVC", measured, unit, days_ago),
        observation("PFT-FVC-PRED", predicted, unit, days_ago),
    ]


def active_med(
    rid: str,
    rxnorm: str,
    display: str,
    dose: float,
    unit: str = "mg",
    days_ago: int = 60,
    route: str = "oral",
    frequency: int = 1,
    period: float = 1,
    period_unit: str = "d",
) -> dict[str, Any]:
    repeat = {"frequency": frequency, "period": period, "periodUnit": period_unit}
    dosage = fhir.dosage(dose, unit, route={"text": route}, **repeat)
    medication = cc(RXNORM, rxnorm, display, text=display)
    return fhir.medication_request(PATIENT, rid, medication, [dosage], authoredOn=ago(days_ago))


def sandbox_draft(
    rid: str, rxnorm: str, display: str, dose: float, *args: Any, **kw: Any
) -> dict[str, Any]:
    """A draft MedicationRequest as the CDS Hooks sandbox's Rx View sends it: no ``intent``,
    ``category`` an object, the dose directly on the dosage."""
    return med_request(rid, (rxnorm, display), dose, *args, shape="sandbox", **kw)


def patient_view(*resources: dict[str, Any]) -> list[Finding]:
    return evaluate([patient(), *resources])


def order_sign(
    resources: list[dict[str, Any]], drafts: list[dict[str, Any]], hook: str = "ctd-ild-order-sign"
) -> list[Finding]:
    """The cards for ``drafts`` (a sandbox-shaped draftOrders bundle: no ``type``)."""
    bundle = {"resourceType": "Bundle", "entry": [{"resource": d} for d in drafts]}
    context: dict[str, Any] = {"draftOrders": bundle}
    if hook == "ctd-ild-order-select":
        context["selections"] = [f"MedicationRequest/{d['id']}" for d in drafts]
    return evaluate([patient(), *resources], hook=hook, **context)


# ------------------------------------------------------- a chart in calendar dates
@dataclass
class Chart:
    """One patient's chart; every ``add_*`` returns the chart (chainable)."""

    patient_id: str = "pt-dmpm"
    resources: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.resources.append(fhir.patient(self.patient_id, birth_date="1972-03-14"))

    def _id(self, prefix: str) -> str:
        return f"{prefix}-{len(self.resources)}"

    def _add(self, resource: dict[str, Any]) -> Chart:
        self.resources.append(resource)
        return self

    def _observation(
        self, prefix: str, category: str, code: dict[str, Any], when: date, **value: Any
    ) -> Chart:
        rid = self._id(prefix)
        pid = self.patient_id
        return self._add(
            fhir.observation(pid, rid, code, when.isoformat(), category=category, **value)
        )

    def diagnosis(self, concept: str, onset: date) -> Chart:
        system, code, display = fhir.CODES[concept]
        when = onset.isoformat()
        return self._add(
            fhir.condition(
                self.patient_id,
                self._id("cond"),
                cc(system, code, display),
                when,
                verified=True,
                recordedDate=when,
            )
        )

    def ctd_ild(self, ctd: str, onset: date, ctd_days_before: int) -> Chart:
        """The connective tissue disease, diagnosed ``ctd_days_before`` days before the ILD's
        onset, and the ILD."""
        return self.diagnosis(ctd, days(-ctd_days_before, onset)).diagnosis("ild", onset)

    def lab(self, name: str, value: float, when: date, ref_high: float | None = None) -> Chart:
        code, display, unit = LABS[name]
        extra = {} if ref_high is None else {"referenceRange": [{"high": quantity(ref_high, unit)}]}
        return self._observation(
            "lab",
            "laboratory",
            cc(LOINC, code, display),
            when,
            valueQuantity=quantity(value, unit),
            **extra,
        )

    def antibody(self, name: str, result: str, when: date) -> Chart:
        code, display = ANTIBODIES[name]
        value = cc(SNOMED, *RESULT[result])
        return self._observation(
            "ab", "laboratory", cc(LOINC, code, display), when, valueCodeableConcept=value
        )

    def sign(self, local_code: str, when: date, present: bool = True) -> Chart:
        """A symptom or examination finding charted as an Observation under a local code."""
        code = cc(LOCAL, local_code, SITE_CODES[local_code])
        return self._observation("exam", "exam", code, when, valueBoolean=present)

    def fvc(self, litres: float, when: date, predicted_litres: float = 3.20) -> Chart:
        """Spirometry: FVC in litres with the predicted FVC of the same test."""
        for (code, display), value in ((FVC, litres), (FVC_PREDICTED, predicted_litres)):
            quantity_l = quantity(value, "L")
            self._observation(
                "pft", "procedure", cc(LOINC, code, display), when, valueQuantity=quantity_l
            )
        return self

    def hrct(self, when: date, *findings: str, status: str = "final") -> Chart:
        """An HRCT report: coded conclusion with the radiologist's findings (local codes)."""
        code = cc(LOINC, "29252-4", "CT Chest WO contrast", text="HRCT chest (high-resolution CT)")
        return self._add(
            fhir.report(
                self.patient_id,
                self._id("hrct"),
                code,
                when.isoformat(),
                [cc(LOCAL, f, SITE_CODES[f]) for f in findings],
                status=status,
                issued=f"{when.isoformat()}T16:00:00Z",
                conclusion=", ".join(SITE_CODES[f] for f in findings) or "No change",
            )
        )

    def hrct_results(self, when: date, findings: dict[str, dict[str, Any]]) -> Chart:
        """A final HRCT report whose findings are its result Observations (local codes), each
        with its value as the radiology system charts it (``{"valueBoolean": True}``, or an
        "Equivocal" ``valueCodeableConcept``)."""
        refs = []
        for local_code, value in findings.items():
            self._observation(
                "hrct-finding",
                "imaging",
                cc(LOCAL, local_code, SITE_CODES[local_code]),
                when,
                **value,
            )
            refs.append({"reference": f"Observation/{self.resources[-1]['id']}"})
        code = cc(LOINC, "29252-4", "CT Chest WO contrast", text="HRCT chest (high-resolution CT)")
        report = fhir.report(
            self.patient_id,
            self._id("hrct"),
            code,
            when.isoformat(),
            [],
            result=refs,
            issued=f"{when.isoformat()}T16:00:00Z",
        )
        report.pop("conclusionCode")
        return self._add(report)

    def medication(
        self, drug: str, mg: float, start: date, route: str = "oral", every_days: int = 1
    ) -> Chart:
        _, code, display = fhir.CODES[drug]
        dosage = fhir.dosage(
            mg, period=every_days, route={"text": route}, text=f"{display} {mg:g} mg {route}"
        )
        medication = cc(RXNORM, code, display, text=display)
        return self._add(
            fhir.medication_request(
                self.patient_id, self._id("med"), medication, [dosage], authoredOn=start.isoformat()
            )
        )


def cards(chart: Chart, today: date) -> dict[str, Finding]:
    """The patient-view findings of the chart on ``today``, by topic."""
    return {f.topic: f for f in evaluate(chart.resources, chart.patient_id, today)}
