"""Cyclosporine order: plausible dose, level targets, renal function
(topic ``order-cyclosporine-monitoring``).

Sources: JP §Cyclosporine: maintain the CsA concentration (R094); Kotani: C2 kept >1,000 ng/mL,
monitor trough and C2 (R095); IV CsA start 200 mg/day, adjusted to a trough of 200-250 ng/mL
(R096). KR §Treatment 1 prints "cyclosporine (500-750 mg/m² intravenously)" (R032), which
conflict note Z3 calls a transcription error (an IV cyclophosphamide pulse dose): never present
it as a cyclosporine dose, and alert on a cyclosporine order in that range. Z4: below 150 ng/mL
is sub-therapeutic in all contexts. JP R111: nephrotoxicity from CsA.

When cyclosporine is drafted (focused) for a patient with ILD or a CTD:
- dose ≥500 mg/m² per administration (the Z3 range and above, about five times the JP IV
  start of 200 mg/day) → **critical** (implausible dose: an IV cyclophosphamide pulse dose);
- per m² not computable (an order in mg without a recent weight and a height): the card says
  the ≥500 mg/m² check was not done (never silence), and as a fallback a single dose ≥750 mg
  (500 mg/m² at a small adult body surface area of 1.5 m²; a decision of this
  service, chosen low so that the fallback errs towards checking) → warning "check the order";
- no cyclosporine level and no serum creatinine drafted or resulted within 14 days → info, with
  ServiceRequests for the level (recommended) and creatinine;
- a dose that cannot be read → said in the card;
- cyclosporine already active and creatinine >=30% above its pre-treatment value (or above the
  laboratory's range with no pre-treatment value; ``safety.cni_renal``) → warning;
- plausible dose with level and creatinine planned → no card.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from fhir_mappings.record import MedicationEntry, PatientRecord

from ..compose import finding
from ..evidence import Threshold, rule
from ..findings import Finding, Indicator
from ..safety.cni_renal import RenalCheck, creatinine_check
from ..safety.cyclosporine_level import C2_TEXT, IV_TARGET, LEVEL_CONCEPTS, SUB_TEXT
from ..shared_rules import R094, R095, R096, R111
from ..suggestions.orders import lab_label, lab_suggestions
from ..text import number, threshold_text
from . import common
from .common import dose_text

if TYPE_CHECKING:
    from fhir_mappings.orders import OrderSet

TOPIC = "order-cyclosporine-monitoring"

R032 = rule(
    "R032",
    "KR",
    "§Treatment 1",
    "Possible add-on as printed: cyclosporine (500-750 mg/m² intravenously) and cyclophosphamide "
    "(2-3 mg/kg/day); the cyclosporine figure is implausible (an IV cyclophosphamide pulse dose).",
    "500-750 mg/m² (erratum, Z3); CYC 2-3 mg/kg/day",
    (TOPIC, "order-cyclophosphamide-bundle"),
)

IMPLAUSIBLE = Threshold("cyclosporine_dose", ">=", 500.0, "mg/m²", R032)
#: body surface area assumed for the fallback when it cannot be computed (a small adult)
FALLBACK_BSA_M2 = 1.5
#: the same limit as an absolute single dose at ``FALLBACK_BSA_M2`` (500 × 1.5 = 750 mg)
IMPLAUSIBLE_ABSOLUTE = Threshold(
    "cyclosporine_dose", ">=", IMPLAUSIBLE.value * FALLBACK_BSA_M2, "mg", R032
)

LEVEL_ORDERS = frozenset({"cyclosporine_level", "cyclosporine_trough", "cyclosporine_c2"})
CREATININE = frozenset({"creatinine"})


def _per_m2(m: MedicationEntry, record: PatientRecord) -> float | None:
    if m.dose_per_m2 is not None:
        return m.dose_per_m2
    bsa = common.bsa_m2(record)
    return m.dose_mg / bsa if m.dose_mg is not None and bsa else None


def _dose_problems(
    record: PatientRecord, drafts: list[MedicationEntry]
) -> tuple[list[str], list[str], bool]:
    """(implausible doses, doses not checked, judged only by the absolute fallback)."""
    implausible: list[str] = []
    unread: list[str] = []
    by_absolute = False
    for d in drafts:
        per_m2 = _per_m2(d, record)
        if per_m2 is not None:
            if IMPLAUSIBLE.holds(per_m2):
                implausible.append(f"{number(round(per_m2))} mg/m² per dose ({dose_text(d)})")
        elif d.dose_mg is not None:
            unread.append(
                "dose per m² not computable (no recent weight and height): the "
                f"{threshold_text(IMPLAUSIBLE)} implausible-dose check was not done"
            )
            if IMPLAUSIBLE_ABSOLUTE.holds(d.dose_mg):
                by_absolute = True
                implausible.append(
                    f"{number(round(d.dose_mg))} mg per dose "
                    f"({threshold_text(IMPLAUSIBLE_ABSOLUTE)}"
                    f" is {threshold_text(IMPLAUSIBLE)} at an assumed "
                    f"{number(FALLBACK_BSA_M2)} m²)"
                )
        if d.dose_problem is not None:
            unread.append(f"dose could not be checked ({d.dose_problem})")
    return implausible, unread, by_absolute


def _renal(record: PatientRecord) -> RenalCheck:
    active = record.active_medications(("cyclosporine",), include_drafts=False)
    return creatinine_check(record, active[0]) if active else RenalCheck()


def _summary(
    implausible: list[str],
    by_absolute: bool,
    unread: list[str],
    renal: RenalCheck,
    missing: list[str],
) -> str:
    if implausible and by_absolute and len(implausible) == 1:
        return (
            f"Cyclosporine single dose {threshold_text(IMPLAUSIBLE_ABSOLUTE)} (body surface area "
            "unknown) is implausible: check the order."
        )
    if implausible:
        return (
            f"Cyclosporine {implausible[0].split(' (')[0]}: implausible, about five times a usual"
            " dose (an IV cyclophosphamide pulse dose); correct the order."
        )
    if renal.problem:
        return f"Cyclosporine order with {renal.problem.split(' (')[0]}: review the dose."
    if unread:
        return "Cyclosporine order: the dose could not be checked; plan level and creatinine."
    return "Cyclosporine order: plan " + " and ".join(lab_label(c) for c in missing) + "."


def check(record: PatientRecord, orders: OrderSet) -> Iterator[Finding]:
    drafts = common.focused(orders, frozenset({"cyclosporine"}))
    if not drafts or not common.in_scope(record):
        return
    implausible, unread, by_absolute = _dose_problems(record, drafts)
    renal = _renal(record)
    has_level = common.planned_or_recent(record, orders, LEVEL_ORDERS, frozenset(LEVEL_CONCEPTS))
    has_creat = common.planned_or_recent(record, orders, CREATININE, CREATININE)
    missing = [
        c for c, ok in (("cyclosporine_trough", has_level), ("creatinine", has_creat)) if not ok
    ]
    if not (implausible or unread or missing or renal.problem):
        return
    if implausible and not (by_absolute and len(implausible) == 1):
        indicator = Indicator.CRITICAL
    elif implausible or renal.problem:
        indicator = Indicator.WARNING
    else:
        indicator = Indicator.INFO
    why = [f"Cyclosporine drafted: {dose_text(d)}" for d in drafts]
    why += [f"Implausible dose: {x}" for x in implausible] + unread + renal.lines
    if missing:
        why.append(
            f"Not drafted and no result in the last {common.RECENT_RESULT.days} days: "
            + ", ".join(lab_label(c) for c in missing)
        )
    body = [
        f"Targets: IV trough {IV_TARGET}; oral C2 {C2_TEXT} with trough monitoring; below "
        f"{SUB_TEXT[1:]} is sub-therapeutic. Watch renal function."
    ]
    if implausible:
        body.insert(
            0,
            f"A cyclosporine dose {threshold_text(IMPLAUSIBLE)} matches an IV cyclophosphamide "
            "pulse, misprinted as cyclosporine in one source; the IV cyclosporine regimen starts "
            "at 200 mg/day.",
        )
    suggestions = (
        lab_suggestions(missing, record.patient_id, "Cyclosporine monitoring", recommend_first=True)
        if record.patient_id is not None
        else []
    )
    yield finding(
        topic=TOPIC,
        indicator=indicator,
        summary=_summary(implausible, by_absolute, unread, renal, missing),
        why=why,
        body=body,
        rules=(R032, R094, R095, R096, *((R111,) if renal.lines else ())),
        facts=(*(common.dose_fact(d, record) for d in drafts), *renal.facts),
        suggestions=tuple(suggestions),
        selection_behavior="any" if suggestions else None,
        override_reasons=common.OVERRIDE_REASONS,
    )
