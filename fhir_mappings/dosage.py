"""FHIR R4 ``Dosage`` -> amount per administration, administrations per day, mg/day.

daily dose = dose x frequency / period (in days). A dose in mg/kg or mg/m2 is turned into mg
with the latest weight (and height, BSA by Mosteller: sqrt(cm x kg / 3600)). A dose in g or
ug is turned into mg; a dose in tablets only when the product's strength (mg per tablet) is
known from a Medication resource. PRN (``asNeeded``), a dose range, a missing timing, an
unknown unit or a dose amount that is zero or negative leave the daily dose unknown (``None``
with ``problem`` set): never zero.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeGuard

from .units import normalize_unit

MASS_TO_MG = {"mg": 1.0, "g": 1000.0, "ug": 0.001, "mcg": 0.001}
_PER_KG = frozenset({"mg/kg"})
_PER_M2 = frozenset({"mg/m2", "mg/m*2", "mg/m^2", "mg/m²", "mg/{m2}", "mg/[m2]"})
#: count units EHRs send for a solid dose, bare or as a UCUM annotation in any case
#: (``{pill}``, ``{Tablet}``, ``TAB``, ``{each}``): one unit of the product
_COUNT_WORDS = frozenset(
    {
        "pill",
        "pills",
        "tablet",
        "tablets",
        "tab",
        "tabs",
        "tbl",
        "capsule",
        "capsules",
        "cap",
        "caps",
        "each",
        "ea",
    }
)
_PERIOD_DAYS = {
    "s": 1 / 86400,
    "min": 1 / 1440,
    "h": 1 / 24,
    "d": 1.0,
    "wk": 7.0,
    "mo": 30.0,
    "a": 365.0,
}
#: HL7 v3 GTSAbbreviation timing codes -> administrations per day
_TIMING_CODES = {
    "QD": 1.0,
    "AM": 1.0,
    "PM": 1.0,
    "BED": 1.0,
    "BID": 2.0,
    "TID": 3.0,
    "QID": 4.0,
    "QOD": 0.5,
    "Q1H": 24.0,
    "Q2H": 12.0,
    "Q3H": 8.0,
    "Q4H": 6.0,
    "Q6H": 4.0,
    "Q8H": 3.0,
    "WK": 1 / 7,
    "MO": 1 / 30,
}
#: SNOMED CT route of administration codes (FHIR ValueSet route-codes, descendants of
#: 284009009; 448598008 'Cutaneous use' as in the Belgian medication IG's route ValueSet).
#: The values are the names ``MedicationEntry.route`` carries; the guideline treats topical,
#: cutaneous, inhalation, nasal, ophthalmic, otic and intra-articular as non-systemic.
_ROUTE_SNOMED = {
    "26643006": "oral",
    "47625008": "intravenous",
    "34206005": "subcutaneous",
    "78421000": "intramuscular",
    "6064005": "topical",
    "448598008": "cutaneous",
    "10547007": "otic",
    "12130007": "intra-articular",
}
#: route words in a route's text or display, checked in this order (first match wins):
#: systemic injections first ("subcutaneous" contains "cutaneous"), then the non-systemic
#: routes ("oral inhalation" is inhaled), oral last.
_ROUTE_WORDS: tuple[tuple[str, str], ...] = (
    (r"intraven", "intravenous"),
    (r"subcut", "subcutaneous"),
    (r"intramusc", "intramuscular"),
    (r"intra-?articular", "intra-articular"),
    (r"inhal|nebuli[sz]|respiratory tract|pulmonary", "inhalation"),
    (r"nasal|\bnose\b", "nasal"),
    (r"ophthalm|\beyes?\b|ocular|conjunctival", "ophthalmic"),
    (r"\botic\b|auricular|\bears?\b", "otic"),
    (r"topical", "topical"),
    (r"cutaneous|\bskin\b", "cutaneous"),
    (r"\boral\b|by mouth|\bmouth\b", "oral"),
)
_ROUTE_ABBR = {
    "po": "oral",
    "iv": "intravenous",
    "sc": "subcutaneous",
    "sq": "subcutaneous",
    "im": "intramuscular",
    "inh": "inhalation",
    "top": "topical",
    "oph": "ophthalmic",
}
#: dose forms in a product name that fix the route (RxNorm "... Oral Tablet", "... Ophthalmic
#: Suspension"); used only when the dosage names no route
_FORM_ROUTE: tuple[tuple[str, str], ...] = (
    (r"inhal|metered dose|dry powder|nebuli[sz]", "inhalation"),
    (r"nasal", "nasal"),
    (r"ophthalmic|eye drop", "ophthalmic"),
    (r"\botic\b|ear drop", "otic"),
    (r"topical|cream|ointment|lotion|\bgel\b|\bfoam\b|shampoo", "topical"),
    (r"prefilled syringe|auto-?injector|pen injector", "subcutaneous"),
    (r"\boral\b|\btablet\b|\bcapsule\b", "oral"),
)


#: the problem of a zero or negative dose amount (a typo or a placeholder, never a dose)
NOT_POSITIVE = "dose amount is not positive"


@dataclass(frozen=True)
class DoseResult:
    dose_mg: float | None = None
    doses_per_day: float | None = None
    period_days: float | None = None
    daily_dose_mg: float | None = None
    daily_dose_range_mg: tuple[float, float] | None = None
    dose_per_kg: float | None = None
    dose_per_m2: float | None = None
    prn: bool = False
    problem: str | None = None
    text: str | None = None
    route: str | None = None


def _number(x: object) -> TypeGuard[int | float]:
    """A JSON number that is finite (booleans are not numbers)."""
    if isinstance(x, bool):
        return False
    if isinstance(x, int):
        return abs(x) <= 2**64
    return isinstance(x, float) and math.isfinite(x)


def bsa_mosteller(height_cm: float, weight_kg: float) -> float:
    return math.sqrt(height_cm * weight_kg / 3600.0)


def route_of(dosage: Mapping[str, Any]) -> str | None:
    route = dosage.get("route")
    if not isinstance(route, (dict, Mapping)):
        return None
    texts: list[str] = []
    codings = route.get("coding")
    for coding in codings if isinstance(codings, list) else []:
        if isinstance(coding, (dict, Mapping)):
            if isinstance(coding.get("code"), str) and coding["code"] in _ROUTE_SNOMED:
                return _ROUTE_SNOMED[coding["code"]]
            for key in ("display", "code"):
                if isinstance(coding.get(key), str):
                    texts.append(coding[key])
    if isinstance(route.get("text"), str):
        texts.append(route["text"])
    for text in texts:
        low = text.strip().lower()
        if low in _ROUTE_ABBR:
            return _ROUTE_ABBR[low]
        for pattern, name in _ROUTE_WORDS:
            if re.search(pattern, low):
                return name
    return None


def route_from_form(texts: Sequence[str]) -> str | None:
    """The route a dose form in a product name fixes ("Oral Tablet" -> oral, "Ophthalmic
    Suspension" -> ophthalmic, "Prefilled Syringe" -> subcutaneous); None when none does."""
    form = " ".join(texts).lower()
    for pattern, name in _FORM_ROUTE:
        if re.search(pattern, form):
            return name
    return None


def _per_day(timing: Mapping[str, Any] | None) -> tuple[float | None, float | None, str | None]:
    """(administrations per day, period in days, problem)."""
    if not isinstance(timing, (dict, Mapping)):
        return None, None, "no timing"
    repeat = timing.get("repeat")
    if isinstance(repeat, (dict, Mapping)) and (
        repeat.get("period") is not None or repeat.get("frequency") is not None
    ):
        frequency = repeat.get("frequency", 1)
        period = repeat.get("period", 1)
        unit = repeat.get("periodUnit", "d")
        if not _number(frequency) or not _number(period):
            return None, None, "timing frequency/period not numeric"
        if not isinstance(unit, str) or unit not in _PERIOD_DAYS or period <= 0 or frequency <= 0:
            return None, None, f"timing period unit {unit!r} not usable"
        period_days = float(period) * _PERIOD_DAYS[unit]
        return float(frequency) / period_days, period_days, None
    if isinstance(repeat, (dict, Mapping)):
        when = repeat.get("when")
        times = repeat.get("timeOfDay")
        count = (
            len(when)
            if isinstance(when, list) and when
            else (len(times) if isinstance(times, list) and times else 0)
        )
        if count:
            return float(count), 1.0, None
    code = timing.get("code")
    if isinstance(code, (dict, Mapping)):
        codings: list[Any] = code["coding"] if isinstance(code.get("coding"), list) else []
        names = [c.get("code") for c in codings if isinstance(c, Mapping)]
        if isinstance(code.get("text"), str):
            names.append(code["text"].strip().upper())
        for name in names:
            if isinstance(name, str) and name in _TIMING_CODES:
                per_day = _TIMING_CODES[name]
                return per_day, (1.0 / per_day if per_day < 1 else 1.0), None
    return None, None, "timing has no frequency"


def _to_mg(
    value: float,
    unit: str,
    weight_kg: float | None,
    height_cm: float | None,
    strength_mg: float | None,
) -> tuple[float | None, float | None, float | None, str | None]:
    """(mg, mg/kg, mg/m2, problem) for one administration."""
    u = normalize_unit(unit)
    if u in MASS_TO_MG:
        return value * MASS_TO_MG[u], None, None, None
    if u in _PER_KG:
        if weight_kg is None:
            return None, value, None, "dose in mg/kg but no recent body weight"
        return value * weight_kg, value, None, None
    if u in _PER_M2:
        if weight_kg is None or height_cm is None:
            return None, None, value, "dose in mg/m2 but no recent weight and height"
        return value * bsa_mosteller(height_cm, weight_kg), None, value, None
    if u == "1" or u.strip("{}") in _COUNT_WORDS:
        if strength_mg is None:
            return None, None, None, f"dose in {unit!r} and the product strength is unknown"
        return value * strength_mg, None, None, None
    return None, None, None, f"dose unit {unit!r} is not a mass"


def _dose_quantity(
    dosage: Mapping[str, Any],
) -> tuple[Mapping[str, Any] | None, Mapping[str, Any] | None]:
    dose_and_rate = dosage.get("doseAndRate")
    for dr in dose_and_rate if isinstance(dose_and_rate, list) else []:
        if not isinstance(dr, (dict, Mapping)):
            continue
        if isinstance(dr.get("doseQuantity"), Mapping):
            return dr["doseQuantity"], None
        if isinstance(dr.get("doseRange"), Mapping):
            return None, dr["doseRange"]
    return None, None


def _unit_of(q: Mapping[str, Any]) -> str | None:
    for key in ("code", "unit"):
        if isinstance(q.get(key), str) and q[key].strip():
            return str(q[key])
    return None


def _one(
    dosage: Mapping[str, Any],
    weight_kg: float | None,
    height_cm: float | None,
    strength_mg: float | None,
) -> DoseResult:
    text = dosage.get("text") if isinstance(dosage.get("text"), str) else None
    route = route_of(dosage)
    if dosage.get("asNeededBoolean") is True or isinstance(
        dosage.get("asNeededCodeableConcept"), Mapping
    ):
        return DoseResult(prn=True, problem="as-needed (PRN) dosing", text=text, route=route)
    quantity, dose_range = _dose_quantity(dosage)
    per_day, period_days, timing_problem = _per_day(dosage.get("timing"))
    if dose_range is not None:
        low, high = dose_range.get("low"), dose_range.get("high")
        if not (isinstance(low, (dict, Mapping)) and isinstance(high, (dict, Mapping))):
            return DoseResult(problem="dose range without both limits", text=text, route=route)
        lo_u, hi_u = _unit_of(low), _unit_of(high)
        lo_v, hi_v = low.get("value"), high.get("value")
        if not (_number(lo_v) and _number(hi_v) and lo_u and hi_u):
            return DoseResult(problem="dose range not numeric", text=text, route=route)
        if not (lo_v > 0 and hi_v > 0):
            return DoseResult(problem=NOT_POSITIVE, text=text, route=route)
        if lo_v > hi_v:
            return DoseResult(problem="dose range low above high", text=text, route=route)
        lo = _to_mg(float(lo_v), lo_u, weight_kg, height_cm, strength_mg)[0]
        hi = _to_mg(float(hi_v), hi_u, weight_kg, height_cm, strength_mg)[0]
        if lo is not None and hi is not None and lo == hi:
            quantity = {"value": lo, "unit": "mg"}
        else:
            rng = None
            if lo is not None and hi is not None and per_day is not None:
                rng = (lo * per_day, hi * per_day)
                if not (math.isfinite(rng[0]) and math.isfinite(rng[1])):
                    rng = None
            return DoseResult(
                doses_per_day=per_day,
                period_days=period_days,
                daily_dose_range_mg=rng,
                problem="dose given as a range",
                text=text,
                route=route,
            )
    if quantity is None:
        return DoseResult(
            problem="no dose quantity",
            text=text,
            route=route,
            doses_per_day=per_day,
            period_days=period_days,
        )
    value, unit = quantity.get("value"), _unit_of(quantity)
    if not _number(value) or unit is None:
        return DoseResult(
            problem="dose quantity has no numeric value and unit", text=text, route=route
        )
    if not value > 0:  # also NaN
        return DoseResult(problem=NOT_POSITIVE, text=text, route=route)
    mg, per_kg, per_m2, problem = _to_mg(float(value), unit, weight_kg, height_cm, strength_mg)
    if mg is not None and per_kg is None and weight_kg:
        per_kg = mg / weight_kg
    if mg is not None and per_m2 is None and weight_kg and height_cm:
        per_m2 = mg / bsa_mosteller(height_cm, weight_kg)
    problem = problem or timing_problem
    daily = mg * per_day if (mg is not None and per_day is not None) else None
    if not all(x is None or math.isfinite(x) for x in (mg, per_kg, per_m2, daily)):
        return DoseResult(problem="dose out of range", text=text, route=route)
    return DoseResult(
        dose_mg=mg,
        doses_per_day=per_day,
        period_days=period_days,
        daily_dose_mg=daily if problem is None else None,
        dose_per_kg=per_kg,
        dose_per_m2=per_m2,
        problem=problem,
        text=text,
        route=route,
    )


def daily_dose(
    dosages: Sequence[Any] | None,
    weight_kg: float | None = None,
    height_cm: float | None = None,
    strength_mg: float | None = None,
) -> DoseResult:
    """Combine a MedicationRequest's ``dosageInstruction`` (or a statement's ``dosage``).

    Several concurrent dosages (no ``sequence`` or the same one, e.g. 20 mg morning + 10 mg
    evening) are summed; sequential ones (a taper) use the first step and say so.
    """
    items = [d for d in dosages or [] if isinstance(d, (dict, Mapping))]
    if not items:
        return DoseResult(problem="no dosage instruction")
    # an implausible weight or height is not used for per-kg / per-m2 doses
    weight_kg = weight_kg if _number(weight_kg) and weight_kg > 0 else None
    height_cm = height_cm if _number(height_cm) and height_cm > 0 else None
    strength_mg = strength_mg if _number(strength_mg) and strength_mg > 0 else None
    sequences = {d.get("sequence") if _number(d.get("sequence")) else None for d in items}
    if len(sequences) > 1:
        first = min((s for s in sequences if isinstance(s, int)), default=None)
        items = [d for d in items if d.get("sequence") == first] or items[:1]
    parts = [_one(d, weight_kg, height_cm, strength_mg) for d in items]
    if len(parts) == 1:
        return parts[0]
    route = next((p.route for p in parts if p.route), None)
    text = "; ".join(p.text for p in parts if p.text) or None
    problem = next((p.problem for p in parts if p.problem), None)
    if problem is not None or any(p.daily_dose_mg is None for p in parts):
        return DoseResult(
            prn=any(p.prn for p in parts),
            problem=problem or "unreadable part",
            text=text,
            route=route,
        )
    total = sum(p.daily_dose_mg for p in parts if p.daily_dose_mg is not None)
    if not math.isfinite(total):
        return DoseResult(problem="dose out of range", text=text, route=route)
    return DoseResult(
        daily_dose_mg=total,
        text=text,
        route=route,
        doses_per_day=sum(p.doses_per_day or 0.0 for p in parts),
    )
