"""Cyclosporine order: plausible dose, level targets, renal function
(topic ``order-cyclosporine-monitoring``).

Sources: JP §Cyclosporine: maintain the CsA concentration (R094); Kotani: C2 kept >1,000 ng/mL,
monitor trough and C2 (R095); IV CsA start 200 mg/day, adjusted to a trough of 200-250 ng/mL
(R096). KR §Treatment 1 prints "cyclosporine (500-750 mg/m² intravenously)" (R032), which
conflict note Z3 calls a transcription error (an IV cyclophosphamide pulse dose): never present
it as a cyclosporine dose, and alert on a cyclosporine order in that range. Z4: below 150 ng/mL
is sub-therapeutic in all contexts. JP R111: nephrotoxicity from CsA.

When cyclosporine is drafted (focused) for a patient with ILD or a CTD:
- dose ≥500 mg/m² per administration (the Z3 range and above) → warning (implausible dose);
- per m² not computable (an order in mg without a recent weight and a height): the card says
  the ≥500 mg/m² check was not done (never silence), and as a fallback a single dose ≥750 mg
  (500 mg/m² at a small adult body surface area of 1.5 m²; a decision of this
  service, chosen low so that the fallback errs towards checking) → warning "check the order";
- no cyclosporine level and no serum creatinine drafted or resulted within 14 days → info, with
  ServiceRequests for the level (recommended) and creatinine;
- a dose that cannot be read → said in the card;
- plausible dose with level and creatinine planned → no card.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from fhir_mappings.record import MedicationEntry, PatientRecord

from ..evidence import Threshold, cite, fmt_number, rule
from ..findings import Finding, Indicator
from ..shared_rules import R094, R095, R096
from ..suggestions.orders import lab_label, lab_suggestions
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
    "500-750 mg/m² (erratum, Z3)",
    (TOPIC,),
)

IMPLAUSIBLE = Threshold("cyclosporine_dose", ">=", 500.0, "mg/m²", R032)
#: body surface area assumed for the fallback when it cannot be computed (a small adult)
FALLBACK_BSA_M2 = 1.5
#: the same limit as an absolute single dose at ``FALLBACK_BSA_M2`` (500 × 1.5 = 750 mg)
IMPLAUSIBLE_ABSOLUTE = Threshold(
    "cyclosporine_dose", ">=", IMPLAUSIBLE.value * FALLBACK_BSA_M2, "mg", R032
)

LEVEL_ORDERS = frozenset({"cyclosporine_level", "cyclosporine_trough", "cyclosporine_c2"})
LEVEL_RESULTS = frozenset(
    {"cyclosporine_trough", "cyclosporine_c2", "cyclosporine_post_dose", "cyclosporine"}
)
CREATININE = frozenset({"creatinine"})


def _per_m2(m: MedicationEntry, record: PatientRecord) -> float | None:
    if m.dose_per_m2 is not None:
        return m.dose_per_m2
    bsa = common.bsa_m2(record)
    return m.dose_mg / bsa if m.dose_mg is not None and bsa else None


def check(record: PatientRecord, orders: OrderSet) -> Iterator[Finding]:
    drafts = common.focused(orders, frozenset({"cyclosporine"}))
    if not drafts or not common.in_scope(record):
        return
    implausible: list[str] = []
    unread: list[str] = []
    by_absolute = False
    for d in drafts:
        per_m2 = _per_m2(d, record)
        if per_m2 is not None:
            if IMPLAUSIBLE.holds(per_m2):
                implausible.append(f"{d.source_id}: {fmt_number(round(per_m2))} mg/m² per dose")
        elif d.dose_mg is not None:
            unread.append(
                f"{d.source_id}: dose per m² not computable (no recent weight and height): the "
                f"{IMPLAUSIBLE.text} implausible-dose check was not done"
            )
            if IMPLAUSIBLE_ABSOLUTE.holds(d.dose_mg):
                by_absolute = True
                implausible.append(
                    f"{d.source_id}: {fmt_number(round(d.dose_mg))} mg per dose "
                    f"({IMPLAUSIBLE_ABSOLUTE.text}: {IMPLAUSIBLE.text} at an assumed "
                    f"{fmt_number(FALLBACK_BSA_M2)} m², the body surface area being unknown)"
                )
        if d.dose_problem is not None:
            unread.append(f"{d.source_id}: dose could not be checked ({d.dose_problem})")
    has_level = common.planned_or_recent(record, orders, LEVEL_ORDERS, LEVEL_RESULTS)
    has_creat = common.planned_or_recent(record, orders, CREATININE, CREATININE)
    missing = [
        c for c, ok in (("cyclosporine_trough", has_level), ("creatinine", has_creat)) if not ok
    ]
    if not (implausible or unread or missing):
        return
    if implausible and by_absolute and len(implausible) == 1:
        summary = (
            f"Cyclosporine single dose {IMPLAUSIBLE_ABSOLUTE.text} (body surface area unknown) "
            "is implausible: check the order."
        )
    elif implausible:
        summary = (
            "Cyclosporine dose ≥500 mg/m² is implausible (that is an IV cyclophosphamide "
            "pulse dose): check the order."
        )
    elif unread:
        summary = "Cyclosporine order: the dose could not be checked; plan level and creatinine."
    else:
        summary = "Cyclosporine order: plan " + " and ".join(lab_label(c) for c in missing) + "."
    lines = [
        "Cyclosporine drafted: " + "; ".join(f"{d.source_id} {dose_text(d)}" for d in drafts) + "."
    ]
    if implausible:
        lines += [
            "",
            f"**Implausible dose ({IMPLAUSIBLE.text}; check the order):**",
            *[f"- {x}" for x in implausible],
            "KR §Treatment 1 prints 500-750 mg/m² IV for cyclosporine; that figure is an IV "
            "cyclophosphamide pulse dose (Z3). The JP IV cyclosporine regimen starts at "
            "200 mg/day (R096).",
        ]
    if unread:
        lines += ["", *[f"- {x}" for x in unread]]
    if missing:
        lines += [
            "",
            "Not drafted and no result in the last 14 days: "
            + ", ".join(lab_label(c) for c in missing)
            + ".",
        ]
    lines += [
        "",
        "Targets (Z4): IV trough 200-250 ng/mL (R096); oral C2 >1,000 ng/mL with trough "
        "monitoring (R095); below 150 ng/mL is sub-therapeutic. Watch renal function "
        "(CsA nephrotoxicity, JP R111).",
        "",
        cite(R032, R094, R095, R096),
    ]
    suggestions = (
        lab_suggestions(
            missing,
            record.patient_id,
            "cyclosporine monitoring, JP R094-R096",
            recommend_first=True,
        )
        if record.patient_id is not None
        else []
    )
    yield Finding(
        topic=TOPIC,
        indicator=Indicator.WARNING if implausible else Indicator.INFO,
        summary=summary,
        detail="\n".join(lines),
        rules=(R032.id, R094.id, R095.id, R096.id),
        facts=tuple(common.dose_fact(d, record) for d in drafts),
        suggestions=tuple(suggestions),
        selection_behavior="any" if suggestions else None,
        override_reasons=common.OVERRIDE_REASONS,
    )
