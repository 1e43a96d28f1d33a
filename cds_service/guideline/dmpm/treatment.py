"""What the patient is being treated with: glucocorticoid dose, calcineurin inhibitor, CY.

JP Table 1 footnote / Figure 1 legend (R090, R117) speak of "high-dose GC" without a number.

Decision left open by the source, taken here: high-dose GC = prednisolone-equivalent
>=0.5 mg/kg/day when a body weight of the past year is recorded, otherwise >=30 mg/day
(the common lower bound of "high-dose" in rheumatology practice; JP's own protocols use
about 1 mg/kg/day, so this choice errs towards judging GC resistance earlier).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fhir_mappings.record import MedicationEntry, PatientRecord

from .. import drug_classes, evidence
from ..data_gaps import MEDICATIONS, gap_text
from .myositis import is_dmpm_ild

GC_CONCEPTS = drug_classes.GLUCOCORTICOIDS
CNI_CONCEPTS = drug_classes.CALCINEURIN_INHIBITORS
CY_CONCEPTS = drug_classes.CYCLOPHOSPHAMIDE

R090 = evidence.rule(
    "R090",
    "JP",
    "Table 1 footnote; Figure 1 legend",
    "GC resistance: respiratory symptoms, PaO2 or CT abnormalities worsened within 2 weeks of "
    "starting GC, or were not improved within 4 weeks; additional CsA was administered.",
    figure="worsened within 2 weeks, or not improved within 4 weeks",
    topics=("dmpm-ild-gc-resistance",),
)

HIGH_DOSE_GC_PER_KG = evidence.Threshold("prednisolone_equivalent", ">=", 0.5, "mg/kg/day", R090)
HIGH_DOSE_GC_PER_DAY = evidence.Threshold("prednisolone_equivalent", ">=", 30.0, "mg/day", R090)


@dataclass(frozen=True)
class GcCourse:
    entry: MedicationEntry
    pred_eq_mg: float
    per_kg: float | None
    start: date

    @property
    def text(self) -> str:
        per_kg = f", {evidence.fmt_number(round(self.per_kg, 2))} mg/kg/day" if self.per_kg else ""
        return (
            f"{self.entry.concept} {evidence.fmt_number(round(self.pred_eq_mg, 1))} mg/day "
            f"prednisolone-equivalent{per_kg}, started {self.start.isoformat()}"
        )


def is_high_dose(pred_eq_mg: float, weight_kg: float | None) -> bool:
    if weight_kg:
        return HIGH_DOSE_GC_PER_KG.holds(round(pred_eq_mg / weight_kg, 3))
    return HIGH_DOSE_GC_PER_DAY.holds(pred_eq_mg)


def high_dose_gc(record: PatientRecord) -> GcCourse | None:
    """The current high-dose GC course (earliest start among active high-dose orders)."""
    weight = record.latest_weight_kg()
    kg = weight.value if weight is not None else None
    courses = [
        GcCourse(m, m.pred_eq_mg_per_day, m.pred_eq_mg_per_day / kg if kg else None, m.start)
        for m in record.active_medications(GC_CONCEPTS, include_drafts=False)
        if m.pred_eq_mg_per_day is not None
        and m.start is not None
        and is_high_dose(m.pred_eq_mg_per_day, kg)
    ]
    return min(courses, key=lambda c: c.start) if courses else None


def active(record: PatientRecord, concepts: frozenset[str]) -> list[MedicationEntry]:
    return record.active_medications(concepts, include_drafts=False)


def treated_dmpm_ild(record: PatientRecord) -> tuple[date, MedicationEntry] | None:
    """DM/PM-ILD on treatment: the start of the current ILD treatment (the earliest start among
    active high-dose GC, calcineurin inhibitor and cyclophosphamide orders), or None when the
    patient has no DM/PM-ILD or no current treatment."""
    if not is_dmpm_ild(record):
        return None
    entries: list[MedicationEntry] = [c.entry for c in [high_dose_gc(record)] if c is not None]
    entries += active(record, CNI_CONCEPTS | CY_CONCEPTS)
    dated = [m for m in entries if m.start is not None]
    if not dated:
        return None
    first = min(dated, key=lambda m: m.start or date.max)
    assert first.start is not None
    return first.start, first


def medication_gap(record: PatientRecord) -> str | None:
    """When the medication data could not be had in full: the sentence a card says instead of
    concluding "not given" or "treatment started on"; None when it was had."""
    gaps = record.missing_data(*MEDICATIONS)
    if not gaps:
        return None
    named = gap_text(gaps)
    return (
        f"**Medications not fully available** ({named}): what is already given, and when the "
        "current treatment started, cannot be decided from this record; the dates above come "
        "from the medications that could be read."
    )
