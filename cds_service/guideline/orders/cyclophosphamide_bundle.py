"""Cyclophosphamide order bundle (topic ``order-cyclophosphamide-bundle``).

Sources: KR §Treatment 2-2) (R049): adverse effects are haematuria (haemorrhagic cystitis),
leukopenia, neutropenia, anaemia and pneumonia; "perform blood tests regularly"; "use mesna to
prevent hemorrhagic cystitis"; "long-term use is not recommended". Derived bundle R142 (mesna,
blood counts, urinalysis, liver tests, a finite course; SLS used 12 months). Doses: Z5 accepts
the seed ranges (oral 2-3 mg/kg/day, KR; IVCY 300-800 mg/m² q4w, JP R099; 10-30 mg/kg q3-4w,
JP R110) and flags oral >3 mg/kg/day, IV >800 mg/m² or >30 mg/kg. An IV order per m² is checked
against 800 mg/m², one per kg against 30 mg/kg; an order in mg is flagged when it is above
**either** (per m² >800 or per kg >30), with both values shown; one not computable is named.

When a cyclophosphamide order is drafted (focused), check against record + drafts:
- dose: oral mg/kg/day (needs a body weight within a year), IV mg/m² (weight and height) and
  mg/kg per administration; outside the seed range → warning; not checkable → said in the card;
- mesna active or drafted, and a blood count drafted or resulted within 14 days: missing → warning;
- urinalysis and liver tests (drafted or within 14 days) and a planned end date: missing → the
  "reduced" card, ``info``, naming only what is left;
- everything present and the dose inside the ranges → no card.
Suggestions: ServiceRequests for the missing labs (``any``; the blood count recommended).
Mesna is named, not ordered: its regimen depends on the CYC schedule, which the seeds do not give.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from fhir_mappings.record import MedicationEntry, PatientRecord

from ..data_gaps import gap_text
from ..evidence import Threshold, cite, fmt_number, rule
from ..facts import measurement_fact
from ..findings import Finding, Indicator, Suggestion
from ..shared_rules import R049, R110, R142
from ..suggestions.orders import lab_suggestions
from . import common
from .common import dose_text

if TYPE_CHECKING:
    from fhir_mappings.orders import OrderSet

TOPIC = "order-cyclophosphamide-bundle"

R099 = rule(
    "R099",
    "JP",
    "§Cyclophosphamide",
    "IV cyclophosphamide (Yamasaki): 300-800 mg/m², at least six times, every 4 weeks.",
    "300-800 mg/m² q4w",
    (TOPIC,),
)
R041 = rule(
    "R041",
    "KR",
    "§Treatment 2-1)",
    "Oral CYC 2 mg/kg/day improved FVC after 1 year in SSc-ILD (the only immunosuppressant "
    "tested in an RCT).",
    "2 mg/kg/day",
    (TOPIC,),
)

ORAL_MAX = Threshold("cyclophosphamide_oral_dose", ">", 3.0, "mg/kg/day", R041)
IV_MAX_M2 = Threshold("cyclophosphamide_iv_dose", ">", 800.0, "mg/m²", R099)
IV_MAX_KG = Threshold("cyclophosphamide_iv_dose", ">", 30.0, "mg/kg", R110)

BLOOD_COUNT_ORDERS = frozenset({"cbc_panel", "wbc", "neutrophils_abs", "hemoglobin", "platelets"})
BLOOD_COUNT_RESULTS = frozenset({"wbc", "neutrophils_abs", "hemoglobin", "platelets"})
URINALYSIS_ORDERS = frozenset({"urinalysis_panel", "urine_blood"})
URINALYSIS_RESULTS = frozenset({"urine_blood"})
LIVER_ORDERS = frozenset({"liver_panel", "alt", "ast"})
LIVER_RESULTS = frozenset({"alt", "ast"})


def _dose_problems(entry: MedicationEntry, record: PatientRecord) -> tuple[list[str], list[str]]:
    """(out-of-range texts, could-not-check texts) for one drafted CYC order."""
    weight, bsa = common.weight_kg(record), common.bsa_m2(record)
    out: list[str] = []
    unknown: list[str] = []
    if entry.route == "oral":
        if entry.daily_dose_mg is None:
            unknown.append(f"oral dose not readable ({entry.dose_problem})")
        elif weight is None:
            unknown.append("no body weight within a year to compute mg/kg/day")
        else:
            oral_kg = entry.daily_dose_mg / weight
            if ORAL_MAX.holds(oral_kg):
                out.append(
                    f"oral {fmt_number(round(oral_kg, 2))} mg/kg/day ({ORAL_MAX.text}; "
                    "seed range 2-3 mg/kg/day)"
                )
    elif entry.route == "intravenous":
        _iv_dose(entry, weight, bsa, out, unknown)
    else:
        unknown.append("route not given (oral and IV ranges differ)")
    return out, unknown


#: the IV ranges with the regimen each comes from (Z5: both seed-consistent, by context)
_IV_RANGES = (
    (IV_MAX_M2, "mg/m²", "R099 Yamasaki: 300-800 mg/m² every 4 weeks"),
    (IV_MAX_KG, "mg/kg", "R110 Kameda: 10-30 mg/kg every 3-4 weeks"),
)


def _iv_dose(
    entry: MedicationEntry,
    weight: float | None,
    bsa: float | None,
    out: list[str],
    unknown: list[str],
) -> None:
    """IV pulse dose. Ordered per m² → checked against 800 mg/m²; per kg → against 30 mg/kg.
    Ordered in mg → flagged when **either** per m² >800 **or** per kg >30 (a rule of "outside
    both" lets 2,000 mg at 1.82 m² = 1,099 mg/m² pass), both values shown; a value that cannot
    be computed is named (the check was partial)."""
    per_m2, per_kg = entry.dose_per_m2, entry.dose_per_kg
    # The draft mapping keeps only the ordered basis of a per-m² or per-kg order, and computes
    # both for an order in mg (when weight and height allow): per m² alone = ordered per m²;
    # per kg alone with a computable BSA = ordered per kg; otherwise an order in mg.
    if per_m2 is not None and per_kg is None:
        values: list[float | None] = [per_m2, None]
        ordered = "ordered per m²"
    elif per_kg is not None and per_m2 is None and bsa is not None:
        values = [None, per_kg]
        ordered = "ordered per kg"
    elif per_m2 is not None or per_kg is not None:
        values = [per_m2, per_kg]
        ordered = f"{fmt_number(round(entry.dose_mg or 0.0, 1))} mg per pulse"
        missing = {
            "mg/m²": "no recent weight and height for the body surface area",
            "mg/kg": "no body weight within a year",
        }
        for v, (t, unit_text, _) in zip(values, _IV_RANGES, strict=True):
            if v is None:
                unknown.append(
                    f"IV dose in {unit_text} not computable ({missing[unit_text]}): the "
                    f"{t.text} check was not done"
                )
    else:
        unknown.append(
            "IV dose per m² or per kg not computable "
            f"({entry.dose_problem or 'no recent weight and height'}): the "
            f"{IV_MAX_M2.text} / {IV_MAX_KG.text} checks were not done"
        )
        return
    checks = [
        (v, t, u, src) for v, (t, u, src) in zip(values, _IV_RANGES, strict=True) if v is not None
    ]
    if any(t.holds(v) for v, t, _, _ in checks):
        out.append(
            f"IV {ordered}: "
            + "; ".join(
                f"{fmt_number(round(v, 1))} {u}"
                + (f" (**{t.text}**)" if t.holds(v) else " (within range)")
                + f", {src}"
                for v, t, u, src in checks
            )
        )


def check(record: PatientRecord, orders: OrderSet) -> Iterator[Finding]:
    drafts = common.focused(orders, common.CYCLOPHOSPHAMIDE)
    if not drafts or not common.in_scope(record):
        return
    regimen = common.regimen(record, orders)
    out_of_range: list[str] = []
    not_checked: list[str] = []
    for d in drafts:
        o, u = _dose_problems(d, record)
        out_of_range += [f"{d.source_id}: {x}" for x in o]
        not_checked += [f"{d.source_id}: {x}" for x in u]
    has_mesna = bool(common.of_class(regimen, frozenset({"mesna"})))
    has_cbc = common.planned_or_recent(record, orders, BLOOD_COUNT_ORDERS, BLOOD_COUNT_RESULTS)
    has_ua = common.planned_or_recent(record, orders, URINALYSIS_ORDERS, URINALYSIS_RESULTS)
    has_liver = common.planned_or_recent(record, orders, LIVER_ORDERS, LIVER_RESULTS)
    finite = all(d.end is not None for d in drafts)
    gaps = common.medication_gaps(record)
    mesna = "mesna (haemorrhagic cystitis)"
    if gaps:  # an active mesna order may not be shown: say so, never "no mesna active"
        mesna += f"; not drafted, active orders could not be checked: {gap_text(gaps)}"
    essential = [x for x, ok in ((mesna, has_mesna), ("blood count", has_cbc)) if not ok]
    remaining = [
        x
        for x, ok in (
            ("urinalysis for haematuria", has_ua),
            ("liver tests", has_liver),
            ("a planned end date (finite course)", finite),
        )
        if not ok
    ]
    if not (out_of_range or not_checked or essential or remaining):
        return
    warning = bool(out_of_range or essential)
    if out_of_range:
        summary = "Cyclophosphamide dose outside the seed ranges: check the dose."
    elif essential:
        summary = (
            f"Cyclophosphamide order without {' or '.join(x.split(' (')[0] for x in essential)}."
        )
    elif not_checked:
        summary = "Cyclophosphamide order: the dose could not be checked against the seed ranges."
    else:
        summary = (
            "Cyclophosphamide order: add " + ", ".join(x.split(" (")[0] for x in remaining) + "."
        )
    facts = [common.dose_fact(d, record) for d in drafts]
    weight = record.latest("body_weight", within=common.WEIGHT_WINDOW)
    if weight is not None:
        facts.append(measurement_fact(weight))
    lines = [
        "Cyclophosphamide drafted: "
        + "; ".join(f"{d.source_id} {dose_text(d)}" for d in drafts)
        + "."
    ]
    if weight is not None and weight.value is not None:
        bsa = common.bsa_m2(record)
        lines.append(
            f"Body weight {fmt_number(round(weight.value, 1))} kg ({weight.when.isoformat()})"
            + (f"; body surface area {fmt_number(round(bsa, 2))} m² (Mosteller)" if bsa else "")
            + "."
        )
    if out_of_range:
        lines += ["", "**Dose outside the seed ranges (Z5):**", *[f"- {x}" for x in out_of_range]]
    if not_checked:
        lines += ["", "**Dose could not be checked:**", *[f"- {x}" for x in not_checked]]
    missing = essential + remaining
    if missing:
        lines += [
            "",
            "**Bundle items not active, drafted or resulted in the last 14 days (R049, R142):**",
            *[f"- {x}" for x in missing],
        ]
    lines += [
        "",
        "KR R049: perform blood tests regularly, use mesna to prevent haemorrhagic "
        "cystitis; long-term use is not recommended (bladder cancer and other malignancy).",
        "",
        cite(R049, R142, R041, R099, R110),
    ]
    suggestions = tuple(_suggestions(record, has_cbc, has_ua, has_liver))
    yield Finding(
        topic=TOPIC,
        indicator=Indicator.WARNING if warning else Indicator.INFO,
        summary=summary,
        detail="\n".join(lines),
        rules=(R049.id, R142.id, R041.id, R099.id, R110.id),
        facts=tuple(facts),
        suggestions=suggestions,
        selection_behavior="any" if suggestions else None,
        override_reasons=common.OVERRIDE_REASONS,
    )


def _suggestions(
    record: PatientRecord, has_cbc: bool, has_ua: bool, has_liver: bool
) -> list[Suggestion]:
    if record.patient_id is None:
        return []
    missing = [
        concept
        for concept, present in (
            ("cbc_panel", has_cbc),
            ("urinalysis_panel", has_ua),
            ("liver_panel", has_liver),
        )
        if not present
    ]
    return lab_suggestions(
        missing, record.patient_id, "cyclophosphamide monitoring, KR R049", recommend_first=True
    )
