"""Small builders of PatientRecord for the diagnosis and DM/PM-ILD unit tests (no FHIR)."""

from __future__ import annotations

from datetime import date, timedelta

from fhir_mappings.record import (
    AntibodyResult,
    ConditionEntry,
    Measurement,
    MedicationEntry,
    PatientRecord,
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
}


def day(n: int, base: date = ONSET) -> date:
    return base + timedelta(days=n)


def cond(concept: str, when: date | None, active: bool = True) -> ConditionEntry:
    return ConditionEntry(concept, active, when)


def meas(concept: str, value: float, when: date) -> Measurement:
    return Measurement(concept, value, UNITS.get(concept), when)


def unreadable(concept: str, when: date, original: object, unit: str) -> Measurement:
    return Measurement(
        concept,
        None,
        None,
        when,
        interpretable=False,
        original_value=original,  # type: ignore[arg-type]
        original_unit=unit,
        reason="unknown unit",
    )


def ab(concept: str, status: str, when: date, titer: float | None = None) -> AntibodyResult:
    return AntibodyResult(concept, status, when, titer=titer)  # type: ignore[arg-type]


def med(
    concept: str, start: date, pred_eq: float | None = None, daily: float | None = None
) -> MedicationEntry:
    return MedicationEntry(
        concept, "active", start, daily_dose_mg=daily or pred_eq, pred_eq_mg_per_day=pred_eq
    )


def record(
    conditions: list[ConditionEntry] = (),  # type: ignore[assignment]
    measurements: list[Measurement] = (),  # type: ignore[assignment]
    antibodies: list[AntibodyResult] = (),  # type: ignore[assignment]
    medications: list[MedicationEntry] = (),  # type: ignore[assignment]
    today: date = TODAY,
) -> PatientRecord:
    ms: dict[str, list[Measurement]] = {}
    for m in measurements:
        ms.setdefault(m.concept, []).append(m)
    abs_: dict[str, list[AntibodyResult]] = {}
    for a in antibodies:
        abs_.setdefault(a.concept, []).append(a)
    return PatientRecord(
        today=today,
        patient_id="p1",
        conditions=list(conditions),
        measurements=ms,
        antibodies=abs_,
        medications=list(medications),
    )


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
    extra_conditions: list[ConditionEntry] = (),  # type: ignore[assignment]
    extra_measurements: list[Measurement] = (),  # type: ignore[assignment]
    extra_antibodies: list[AntibodyResult] = (),  # type: ignore[assignment]
    medications: list[MedicationEntry] = (),  # type: ignore[assignment]
) -> PatientRecord:
    """A DM/PM-ILD patient with onset 2026-07-01; defaults: A/S, complete, no poor-risk factor."""
    conditions = [cond("ild", ONSET), cond(myositis, day(-30))]
    if dyspnea_day is not None:
        conditions.append(cond("dyspnea_worsening", day(dyspnea_day)))
    if ggo is not None:
        conditions.append(cond("ct_ground_glass", day(12), ggo))
    if lower_consolidation is not None:
        conditions.append(cond("ct_lower_consolidation", day(12), lower_consolidation))
    measurements = []
    if ferritin is not None:
        measurements.append(meas("ferritin", ferritin, day(11)))
    if pao2 is not None:
        measurements.append(meas("pao2", pao2, day(11)))
    if ck is not None:
        measurements.append(meas("creatine_kinase", ck, day(11)))
    antibodies = [ab("anti_mda5", mda5, day(11))] if mda5 is not None else []
    return record(
        conditions + list(extra_conditions),
        measurements + list(extra_measurements),
        antibodies + list(extra_antibodies),
        list(medications),
    )
