"""Cyclophosphamide order bundle (topic ``order-cyclophosphamide-bundle``).

Sources: KR §Treatment 2-2) (R049): adverse effects are haematuria (haemorrhagic cystitis),
leukopenia, neutropenia, anaemia and pneumonia; "perform blood tests regularly"; "use mesna to
prevent hemorrhagic cystitis"; "long-term use is not recommended". Derived bundle R142 (mesna,
blood counts, urinalysis, liver tests, a finite course; SLS used 12 months). Doses: Z5 accepts
the seed ranges (oral 2-3 mg/kg/day, KR §Treatment 1, R032; IVCY 300-800 mg/m² q4w, JP R099;
10-30 mg/kg q3-4w, JP R110) and flags oral >3 mg/kg/day, IV >800 mg/m² or >30 mg/kg. An IV
order per m² is checked against 800 mg/m², one per kg against 30 mg/kg; an order in mg is
flagged when it is above **either** (per m² >800 or per kg >30), with both values shown; one
not computable is named.

When a cyclophosphamide order is drafted (focused), check against record + drafts:
- dose: oral mg/kg/day (needs a body weight within a year), IV mg/m² (weight and height) and
  mg/kg per administration; outside the seed range → warning; not checkable → said in the card;
- mesna active or drafted for an **IV** order (KR R049: mesna against haemorrhagic cystitis
  belongs to the IV pulse regimen; an oral order is not asked for mesna, a route not given is
  asked "mesna if given IV"), and a blood count drafted or resulted within 14 days: missing →
  warning;
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

from ..compose import finding
from ..data_gaps import MEDICATIONS, gap_text
from ..evidence import Threshold, rule
from ..facts import measurement_fact
from ..findings import Finding, Indicator, Suggestion
from ..shared_rules import R049, R110, R142
from ..suggestions.orders import lab_suggestions
from ..text import number, threshold_text
from . import common
from .common import dose_text
from .cyclosporine_monitoring import R032

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

#: KR §Treatment 1 prints CYC 2-3 mg/kg/day as the acute add-on (R032; Z5): the 3 is the ceiling
ORAL_MAX = Threshold("cyclophosphamide_oral_dose", ">", 3.0, "mg/kg/day", R032)
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
                    f"oral {number(oral_kg)} mg/kg/day ({threshold_text(ORAL_MAX)}; usual "
                    "2-3 mg/kg/day)"
                )
    elif entry.route == "intravenous":
        _iv_dose(entry, bsa, out, unknown)
    else:
        unknown.append("route not given (oral and IV ranges differ)")
    return out, unknown


#: the IV ranges with the regimen each comes from (Z5: both seed-consistent, by context)
_IV_RANGES = (
    (IV_MAX_M2, "mg/m²", "300-800 mg/m² every 4 weeks (Yamasaki)"),
    (IV_MAX_KG, "mg/kg", "10-30 mg/kg every 3-4 weeks (Kameda)"),
)


def _iv_dose(
    entry: MedicationEntry,
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
        ordered = f"{number(entry.dose_mg or 0.0)} mg per pulse"
        missing = {
            "mg/m²": "no recent weight and height for the body surface area",
            "mg/kg": "no body weight within a year",
        }
        for v, (t, unit_text, _) in zip(values, _IV_RANGES, strict=True):
            if v is None:
                unknown.append(
                    f"IV dose in {unit_text} not computable ({missing[unit_text]}): the "
                    f"{threshold_text(t)} check was not done"
                )
    else:
        unknown.append(
            "IV dose per m² or per kg not computable "
            f"({entry.dose_problem or 'no recent weight and height'}): the "
            f"{threshold_text(IV_MAX_M2)} / {threshold_text(IV_MAX_KG)} checks were not done"
        )
        return
    checks = [
        (v, t, u, src) for v, (t, u, src) in zip(values, _IV_RANGES, strict=True) if v is not None
    ]
    if any(t.holds(v) for v, t, _, _ in checks):
        out.append(
            f"IV {ordered}: "
            + "; ".join(
                f"{number(round(v, 1))} {u}"
                + (f" (**{threshold_text(t)}**)" if t.holds(v) else " (within range)")
                + f", {src}"
                for v, t, u, src in checks
            )
        )


def _mesna_item(record: PatientRecord, drafts: list[MedicationEntry]) -> str | None:
    """The mesna bundle item for these drafts: IV orders need it, oral ones do not, a route not
    given is asked "if given IV"; None when no draft needs it."""
    routes = {d.route for d in drafts}
    if "intravenous" in routes:
        item = "mesna with the IV pulse (haemorrhagic cystitis)"
    elif routes - {"oral"}:
        item = "mesna if given IV (route not given)"
    else:
        return None
    gaps = record.missing_data(*MEDICATIONS)
    if gaps:  # an active mesna order may not be shown: say so, never "no mesna active"
        item += f"; not drafted, active orders could not be checked: {gap_text(gaps)}"
    return item


def _summary(
    out_of_range: list[str], essential: list[str], not_checked: list[str], remaining: list[str]
) -> str:
    if out_of_range:
        return "Cyclophosphamide dose outside the usual ranges: check the dose."
    if essential:
        names = " or ".join(x.split(" (")[0].replace(" with the IV pulse", "") for x in essential)
        return f"Cyclophosphamide order without {names}."
    if not_checked:
        return "Cyclophosphamide order: the dose could not be checked against the usual ranges."
    return "Cyclophosphamide order: add " + ", ".join(x.split(" (")[0] for x in remaining) + "."


def check(record: PatientRecord, orders: OrderSet) -> Iterator[Finding]:
    drafts = common.focused(orders, common.CYCLOPHOSPHAMIDE)
    if not drafts or not common.in_scope(record):
        return
    regimen = common.regimen(record, orders)
    out_of_range: list[str] = []
    not_checked: list[str] = []
    for d in drafts:
        o, u = _dose_problems(d, record)
        out_of_range += o
        not_checked += u
    mesna = _mesna_item(record, drafts)
    has_mesna = mesna is None or bool(common.of_class(regimen, frozenset({"mesna"})))
    has_cbc = common.planned_or_recent(record, orders, BLOOD_COUNT_ORDERS, BLOOD_COUNT_RESULTS)
    has_ua = common.planned_or_recent(record, orders, URINALYSIS_ORDERS, URINALYSIS_RESULTS)
    has_liver = common.planned_or_recent(record, orders, LIVER_ORDERS, LIVER_RESULTS)
    finite = all(d.end is not None for d in drafts)
    essential = [x for x, ok in ((mesna, has_mesna), ("blood count", has_cbc)) if x and not ok]
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
    facts = [common.dose_fact(d, record) for d in drafts]
    weight = record.latest_weight_kg()
    why = [f"Cyclophosphamide drafted: {dose_text(d)}" for d in drafts]
    if weight is not None and weight.value is not None:
        facts.append(measurement_fact(weight))
        bsa = common.bsa_m2(record)
        why.append(
            f"Body weight {number(weight.value)} kg ({weight.when.isoformat()})"
            + (f"; body surface area {number(bsa)} m²" if bsa else "")
        )
    why += [f"Dose outside the usual ranges: {x}" for x in out_of_range]
    why += [f"Dose not checked: {x}" for x in not_checked]
    missing = essential + remaining
    suggestions = tuple(_suggestions(record, has_cbc, has_ua, has_liver))
    yield finding(
        topic=TOPIC,
        indicator=Indicator.WARNING if (out_of_range or essential) else Indicator.INFO,
        summary=_summary(out_of_range, essential, not_checked, remaining),
        why=why,
        what_to_do=[f"Add {x}" for x in missing],
        notes=(
            "Blood tests regularly; mesna against haemorrhagic cystitis with IV pulses; no "
            "long-term use (bladder cancer and other malignancy).",
        ),
        rules=(R049, R142, R032, R099, R110, R041),
        facts=facts,
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
        missing, record.patient_id, "Cyclophosphamide monitoring", recommend_first=True
    )
