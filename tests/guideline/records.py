"""Small builders of PatientRecord for the rule unit tests (no FHIR): diagnosis, DM/PM-ILD,
SSc, RA, CTD-ILD and safety, and the order checks' records (``tests/orders/builders.record``).

A date is a ``date``, or a whole number of days before ``TODAY``."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from fhir_mappings import observation_reader
from fhir_mappings.record import (
    AntibodyResult,
    ConditionEntry,
    Measurement,
    MedicationEntry,
    PatientRecord,
    StudyEntry,
)

TODAY = date(2026, 11, 21)
ONSET = date(2026, 7, 1)
UNITS = {
    "ferritin": "ng/mL",
    "pao2": "mmHg",
    "creatine_kinase": "U/L",
    "kl6": "U/mL",
    "vital_capacity": "L",
    "fvc": "L",
    "body_weight": "kg",
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
}

When = date | int


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def day(n: int, base: date = ONSET) -> date:
    return base + timedelta(days=n)


def _date(when: When) -> date:
    return ago(when) if isinstance(when, int) else when


def cond(concept: str, when: When | None = 400, active: bool = True) -> ConditionEntry:
    return ConditionEntry(concept, active, None if when is None else _date(when))


def meas(concept: str, value: float, when: When, **kw: object) -> Measurement:
    return Measurement(concept, value, UNITS.get(concept, ""), _date(when), **kw)  # type: ignore[arg-type]


def unreadable(concept: str, when: date, original: float | str, unit: str) -> Measurement:
    """A result in a unit the service cannot read."""
    return observation_reader.unreadable(concept, when, "unknown unit", None, original, unit)  # type: ignore[arg-type]


def ab(
    concept: str, status: str = "positive", when: When = 100, titer: float | None = None
) -> AntibodyResult:
    return AntibodyResult(concept, status, _date(when), titer=titer)  # type: ignore[arg-type]


def med(
    concept: str,
    pred_eq: float | None = None,
    *,
    start: When = 30,
    end: When | None = None,
    daily: float | None = None,
    status: str = "active",
    route: str | None = "oral",
    dose_problem: str | None = None,
    is_draft: bool = False,
) -> MedicationEntry:
    """``daily``: the daily dose (mg) when it is not the prednisolone equivalent."""
    return MedicationEntry(
        concept=concept,
        status=status,
        start=_date(start),
        end=None if end is None else _date(end),
        route=route,
        pred_eq_mg_per_day=pred_eq,
        daily_dose_mg=daily or pred_eq,
        dose_problem=dose_problem,
        is_draft=is_draft,
    )


def record(
    conditions: Iterable[ConditionEntry] = (),
    measurements: Iterable[Measurement] = (),
    antibodies: Iterable[AntibodyResult] = (),
    medications: Iterable[MedicationEntry] = (),
    today: date = TODAY,
    *,
    studies: Iterable[StudyEntry] = (),
    patient_id: str = "p1",
    sex: str | None = "female",
    birth_date: date | None = date(1970, 1, 1),
) -> PatientRecord:
    by_concept: dict[str, list[Measurement]] = {}
    for m in measurements:
        by_concept.setdefault(m.concept, []).append(m)
    abs_: dict[str, list[AntibodyResult]] = {}
    for a in antibodies:
        abs_.setdefault(a.concept, []).append(a)
    return PatientRecord(
        today=today,
        patient_id=patient_id,
        birth_date=birth_date,
        sex=sex,
        conditions=list(conditions),
        measurements=by_concept,
        antibodies=abs_,
        studies=list(studies),
        medications=list(medications),
    )


def topics(findings: object) -> list[str]:
    return [f.topic for f in findings]  # type: ignore[attr-defined]


def dm_as_ild(
    *,
    myositis: str = "dermatomyositis",
    ferritin: float | None = 500.0,
    pao2: float | None = 75.0,
    ck: float | None = 2000.0,
    mda5: str | None = "negative",
    ggo: bool | None = True,
    lower_consolidation: bool | None = False,
    dyspnea_day: int | None = 10,
    extra_conditions: Iterable[ConditionEntry] = (),
    extra_measurements: Iterable[Measurement] = (),
    extra_antibodies: Iterable[AntibodyResult] = (),
    medications: Iterable[MedicationEntry] = (),
) -> PatientRecord:
    """A DM/PM-ILD patient with onset 2026-07-01; defaults: A/S, complete, no poor-risk factor."""
    conditions = [cond("ild", ONSET), cond(myositis, day(-30))]
    if dyspnea_day is not None:
        conditions.append(cond("dyspnea_worsening", day(dyspnea_day)))
    if ggo is not None:
        conditions.append(cond("ct_ground_glass", day(12), ggo))
    if lower_consolidation is not None:
        conditions.append(cond("ct_lower_consolidation", day(12), lower_consolidation))
    values = {"ferritin": ferritin, "pao2": pao2, "creatine_kinase": ck}
    measurements = [meas(c, v, day(11)) for c, v in values.items() if v is not None]
    antibodies = [ab("anti_mda5", mda5, day(11))] if mda5 is not None else []
    return record(
        [*conditions, *extra_conditions],
        [*measurements, *extra_measurements],
        [*antibodies, *extra_antibodies],
        medications,
    )
