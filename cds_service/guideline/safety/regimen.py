"""How intense is the immunosuppression: glucocorticoid dose and the "intensive regimen".

Sources: EULAR 2022 (B15): consider PJP prophylaxis with prednisolone-equivalent >15-30
mg/day for >2-4 weeks, especially with other immunosuppressants; after a GC pulse. JP R111 /
derived R141: the A/S-ILD regimens (GC + CsA/TAC and/or CY) need TMP-SMX, beta-D-glucan, CMV
antigenemia, renal and hepatic monitoring.

Decisions (service definitions, documented in docs/card-policy.md)
- **Intensive regimen** = systemic GC at prednisolone-equivalent **>=15 mg/day** (the lower
  bound of B15's 15-30 band, as in the B15 service rule) **plus** a second immunosuppressant
  (CsA, TAC, CYC, mycophenolate, azathioprine, rituximab, JAK inhibitor; B15 list), **or** a
  GC **pulse** in the last 28 days.
- **Pulse** = a GC given at prednisolone-equivalent **>=250 mg/day** (EULAR 2002 GC
  nomenclature: "pulse" >=250 mg/day; methylprednisolone 200 mg = 250 mg pred-eq).
- B15's duration (>2-4 weeks) is not required: an active order's planned length is rarely in
  the record, and JP prescribes prophylaxis from the start of intensive therapy (R111).
- A GC whose dose cannot be read makes the question "cannot decide" unless the known doses
  already decide it; it is named in the card, never counted as zero.
- Patient view counts active (not draft) medications for the regimen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from fhir_mappings.record import MedicationEntry, PatientRecord

from .. import drug_classes
from ..evidence import Threshold, fmt_number
from ..shared_rules import B15
from ..text import label, medication_text

GC_INTENSIVE = Threshold("pred_eq_mg_per_day", ">=", 15.0, "mg/day", B15)
GC_PULSE = Threshold("pred_eq_mg_per_day", ">=", 250.0, "mg/day", B15)
PULSE_LOOKBACK = timedelta(days=28)

NON_SYSTEMIC_ROUTES = frozenset(
    {"topical", "cutaneous", "inhalation", "nasal", "ophthalmic", "otic", "intra-articular"}
)


def systemic(m: MedicationEntry) -> bool:
    return m.route not in NON_SYSTEMIC_ROUTES


@dataclass(frozen=True)
class GlucocorticoidDose:
    """Active systemic glucocorticoids: the sum of known prednisolone-equivalent doses and
    the entries whose dose could not be read."""

    known: tuple[MedicationEntry, ...]
    unknown: tuple[MedicationEntry, ...]

    @property
    def any(self) -> bool:
        return bool(self.known or self.unknown)

    @property
    def known_mg(self) -> float:
        return round(sum(m.pred_eq_mg_per_day or 0.0 for m in self.known), 6)

    def meets(self, threshold: Threshold) -> bool | None:
        """True when the known doses alone meet it; None when an unknown dose could."""
        if self.known and threshold.holds(self.known_mg):
            return True
        if self.unknown:
            return None
        return False

    def describe(self) -> list[str]:
        lines = [
            f"{medication_text(m)} = prednisolone-equivalent "
            f"{fmt_number(m.pred_eq_mg_per_day or 0.0)} mg/day"
            for m in self.known
        ]
        lines.extend(
            f"{label(m.concept)}: daily dose cannot be read ({m.dose_problem or 'dose missing'}) - "
            "cannot decide"
            for m in self.unknown
        )
        return lines


def glucocorticoid_dose(record: PatientRecord) -> GlucocorticoidDose:
    meds = [
        m
        for m in record.active_medications(drug_classes.GLUCOCORTICOIDS, include_drafts=False)
        if systemic(m)
    ]
    return GlucocorticoidDose(
        known=tuple(m for m in meds if m.pred_eq_mg_per_day is not None),
        unknown=tuple(m for m in meds if m.pred_eq_mg_per_day is None),
    )


def recent_pulse(record: PatientRecord) -> list[MedicationEntry]:
    """GC given at pulse dose (>=250 mg/day pred-eq) at any time in the last 28 days."""
    since = record.today - PULSE_LOOKBACK
    return [
        m
        for m in record.medications_since(drug_classes.GLUCOCORTICOIDS, since)
        if not m.is_draft
        and m.pred_eq_mg_per_day is not None
        and GC_PULSE.holds(m.pred_eq_mg_per_day)
        and (m.start is None or m.start <= record.today)
        and m.status not in {"cancelled", "entered-in-error", "draft"}
    ]


@dataclass(frozen=True)
class RegimenAssessment:
    intensive: bool | None  # None = cannot decide (a GC dose unreadable)
    reasons: tuple[str, ...]  # why (or why it cannot be decided)
    gc: GlucocorticoidDose
    partners: tuple[MedicationEntry, ...]


def assess_regimen(record: PatientRecord) -> RegimenAssessment:
    gc = glucocorticoid_dose(record)
    partners = tuple(
        record.active_medications(drug_classes.SECOND_IMMUNOSUPPRESSANTS, include_drafts=False)
    )
    pulses = tuple(recent_pulse(record))
    reasons: list[str] = []
    if pulses:
        reasons.append(
            f"glucocorticoid pulse in the last {PULSE_LOOKBACK.days} days ("
            + ", ".join(
                f"{label(p.concept)} {fmt_number(p.pred_eq_mg_per_day or 0.0)} mg/day pred-eq"
                for p in pulses
            )
            + ")"
        )
    gc_high = gc.meets(GC_INTENSIVE)
    partner_names = ", ".join(sorted({label(p.concept) for p in partners}))
    if partners and gc_high:
        reasons.append(
            f"prednisolone-equivalent {fmt_number(gc.known_mg)} mg/day "
            f"({GC_INTENSIVE.text}) with {partner_names}"
        )
    if reasons:
        return RegimenAssessment(True, tuple(reasons), gc, partners)
    if partners and gc_high is None:
        return RegimenAssessment(
            None,
            (
                f"{partner_names} with a glucocorticoid whose daily dose cannot be read: "
                f"whether the dose is {GC_INTENSIVE.text} cannot be decided",
            ),
            gc,
            partners,
        )
    return RegimenAssessment(False, (), gc, partners)
