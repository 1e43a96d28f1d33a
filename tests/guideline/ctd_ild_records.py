"""PatientRecord builders for the SSc, RA, CTD-ILD and safety tests."""

from __future__ import annotations

from datetime import date, timedelta

from fhir_mappings.record import (
    AntibodyResult,
    ConditionEntry,
    Measurement,
    MedicationEntry,
    PatientRecord,
    StudyEntry,
)

TODAY = date(2026, 11, 16)

UNITS = {
    "fvc_pct_pred": "%",
    "dlco_pct_pred": "%",
    "hrct_fibrosis_extent": "%",
    "cyclosporine_trough": "ng/mL",
    "cyclosporine_c2": "ng/mL",
    "cyclosporine": "ng/mL",
    "creatinine": "mg/dL",
    "alt": "U/L",
    "ast": "U/L",
    "beta_d_glucan": "pg/mL",
    "cmv_dna": "{copies}/mL",
    "cmv_pp65": "{cells}",
    "wbc": "10*3/uL",
    "urine_blood": "{presence}",
    "body_weight": "kg",
}


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def cond(concept: str, days_ago: int | None = 400, active: bool = True) -> ConditionEntry:
    return ConditionEntry(concept, active, ago(days_ago) if days_ago is not None else None)


def meas(concept: str, value: float, days_ago: int, **kw: object) -> Measurement:
    return Measurement(concept, value, UNITS.get(concept, ""), ago(days_ago), **kw)  # type: ignore[arg-type]


def med(
    concept: str,
    pred_eq: float | None = None,
    *,
    status: str = "active",
    start_days_ago: int = 30,
    end_days_ago: int | None = None,
    route: str | None = "oral",
    dose_problem: str | None = None,
    is_draft: bool = False,
) -> MedicationEntry:
    return MedicationEntry(
        concept=concept,
        status=status,
        start=ago(start_days_ago),
        end=ago(end_days_ago) if end_days_ago is not None else None,
        route=route,
        pred_eq_mg_per_day=pred_eq,
        daily_dose_mg=pred_eq,
        dose_problem=dose_problem,
        is_draft=is_draft,
    )


def ab(concept: str, status: str = "positive", days_ago: int = 100) -> AntibodyResult:
    return AntibodyResult(concept, status, ago(days_ago))  # type: ignore[arg-type]


def record(
    *,
    conditions: list[ConditionEntry] = (),  # type: ignore[assignment]
    measurements: list[Measurement] = (),  # type: ignore[assignment]
    medications: list[MedicationEntry] = (),  # type: ignore[assignment]
    antibodies: list[AntibodyResult] = (),  # type: ignore[assignment]
    studies: list[StudyEntry] = (),  # type: ignore[assignment]
    sex: str | None = "female",
    today: date = TODAY,
) -> PatientRecord:
    by_concept: dict[str, list[Measurement]] = {}
    for m in measurements:
        by_concept.setdefault(m.concept, []).append(m)
    abs_: dict[str, list[AntibodyResult]] = {}
    for a in antibodies:
        abs_.setdefault(a.concept, []).append(a)
    return PatientRecord(
        today=today,
        patient_id="p-test",
        birth_date=date(1970, 1, 1),
        sex=sex,
        conditions=list(conditions),
        measurements=by_concept,
        antibodies=abs_,
        studies=list(studies),
        medications=list(medications),
    )


def topics(findings: object) -> list[str]:
    return [f.topic for f in findings]  # type: ignore[attr-defined]
