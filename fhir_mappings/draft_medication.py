"""Adapter: one drafted MedicationRequest / ServiceRequest -> concepts, for the order checks.

This is the thin adapter the orders issue needs until the terminology issue's medication
mapping lands in ``fhir_mappings``: it produces the same ``MedicationEntry`` fields
(ingredient concept, route, dose per administration, doses per day, mg/day, prednisolone
equivalent) from a single resource. When the shared mapping lands, ``map_medication_request``
should delegate to it and keep only the lenient reading of sandbox shapes.

Codes: RxNorm ingredient codes (and the two TMP-SMX tablets) and LOINC order codes, from
``shared/reference/codes.csv`` (verified rows) plus the panel codes named in the comments.
Unit conversions follow the seed "Units" table: prednisolone-equivalent = prednisone x 1,
methylprednisolone x 1.25, dexamethasone x 5/0.75, hydrocortisone x 0.25.
"""

from __future__ import annotations

import math
import re
from datetime import date, timedelta
from typing import Any

from .record import MedicationEntry, PatientRecord

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
LOINC = "http://loinc.org"

# concept -> (RxNorm codes, name patterns). Order matters for names: specific before generic.
_DRUGS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "tmp_smx",
        ("10831", "198334", "198335"),
        (
            r"co-?trimoxazole",
            r"bactrim",
            r"septra",
            r"sulfamethoxazole\W+(?:\w+\W+){0,4}trimethoprim",
            r"trimethoprim\W+(?:\w+\W+){0,4}sulfamethoxazole",
            r"tmp[-/ ]?smx",
            r"smx[-/ ]?tmp",
        ),
    ),
    ("methylprednisolone", ("6902",), (r"methyl-?prednisolone",)),
    ("prednisolone", ("8638",), (r"prednisolone",)),
    ("prednisone", ("8640",), (r"prednisone",)),
    ("dexamethasone", ("3264",), (r"dexamethasone",)),
    ("hydrocortisone", ("5492",), (r"hydrocortisone",)),
    ("cyclophosphamide", ("3002",), (r"cyclophosphamide",)),
    ("cyclosporine", ("3008",), (r"cyclosporine?", r"ciclosporin")),
    ("tacrolimus", ("42316",), (r"tacrolimus",)),
    ("azathioprine", ("1256",), (r"azathioprine",)),
    ("mycophenolic_acid", ("7145",), (r"mycophenolic acid", r"mycophenolate sodium")),
    ("mycophenolate_mofetil", ("68149",), (r"mycophenolate(?: mofetil)?",)),
    ("leflunomide", ("27169",), (r"leflunomide",)),
    ("tocilizumab", ("612865",), (r"tocilizumab",)),
    ("rituximab", ("121191",), (r"rituximab",)),
    ("methotrexate", ("6851",), (r"methotrexate",)),
    ("tofacitinib", ("1357536",), (r"tofacitinib",)),
    ("baricitinib", ("2047232",), (r"baricitinib",)),
    ("mesna", ("44",), (r"mesna",)),
    ("atovaquone", ("60212",), (r"atovaquone",)),
    ("dapsone", ("3108",), (r"dapsone",)),
    ("pentamidine", ("7994",), (r"pentamidine",)),
    ("sulfamethoxazole", ("10180",), (r"sulfamethoxazole",)),
    ("trimethoprim", ("10829",), (r"trimethoprim",)),
)
_INGREDIENTS = {"tmp_smx": ("sulfamethoxazole", "trimethoprim")}

#: prednisolone-equivalent mg per mg of the glucocorticoid (seed Units table)
PRED_EQ_FACTOR: dict[str, float] = {
    "prednisone": 1.0,
    "prednisolone": 1.0,
    "methylprednisolone": 1.25,
    "dexamethasone": 5.0 / 0.75,
    "hydrocortisone": 0.25,
}

# ServiceRequest codes -> concept. Panels: LOINC 58410-2 CBC panel (automated count),
# 57021-8 CBC W Auto Differential panel, 69742-5 CBC W Differential panel, 24356-8
# Urinalysis complete panel, 24357-6 Urinalysis macro (dipstick) panel, 24325-3 Hepatic
# function panel; others are the verified rows of codes.csv.
_SERVICE_CODES: dict[str, str] = {
    "58410-2": "cbc_panel",
    "57021-8": "cbc_panel",
    "69742-5": "cbc_panel",
    "6690-2": "wbc",
    "26464-8": "wbc",
    "751-8": "neutrophils_abs",
    "718-7": "hemoglobin",
    "777-3": "platelets",
    "24356-8": "urinalysis_panel",
    "24357-6": "urinalysis_panel",
    "5794-3": "urine_blood",
    "24325-3": "liver_panel",
    "1742-6": "alt",
    "1920-8": "ast",
    "2160-0": "creatinine",
    "38483-4": "creatinine",
    "14682-9": "creatinine",
    "3520-4": "cyclosporine_level",
    "14978-1": "cyclosporine_level",
    "53573-2": "cyclosporine_c2",
    "77348-1": "tacrolimus_trough",
}
_SERVICE_TEXT: tuple[tuple[str, str], ...] = (
    (r"\bcbc\b|complete blood count|blood count|full blood count|hemogram|haemogram", "cbc_panel"),
    (r"urinalysis|urine analysis|\bua\b", "urinalysis_panel"),
    (r"hepatic function|liver function|liver panel|\blfts?\b", "liver_panel"),
    (r"creatinine", "creatinine"),
    (
        r"(?:cyclosporine?|ciclosporin)\b.*(?:level|trough|concentration)|"
        r"(?:level|trough|concentration).*(?:cyclosporine?|ciclosporin)",
        "cyclosporine_level",
    ),
)

_ROUTE_SNOMED = {
    "26643006": "oral",
    "47625008": "intravenous",
    "34206005": "subcutaneous",
    "78421000": "intramuscular",
}
_ROUTE_TEXT: tuple[tuple[str, str], ...] = (
    (r"subcut|\bs\.?c\.?\b|\bsq\b|\bsubq\b", "subcutaneous"),
    (r"intravenous|\bi\.?v\.?\b", "intravenous"),
    (r"intramuscular|\bi\.?m\.?\b", "intramuscular"),
    (r"\boral|by mouth|\bp\.?o\.?\b", "oral"),
)
# dose forms in an RxNorm display that fix the route
_FORM_ROUTE: tuple[tuple[str, str], ...] = (
    (r"\boral\b", "oral"),
    (r"prefilled syringe|auto-?injector|pen injector", "subcutaneous"),
)

_MASS_UNITS = {"mg": 1.0, "g": 1000.0, "ug": 0.001, "mcg": 0.001, "µg": 0.001}
_PER_KG_UNITS = {"mg/kg": 1.0, "g/kg": 1000.0}
_PER_M2_UNITS = {"mg/m2": 1.0, "mg/m^2": 1.0, "mg/m²": 1.0, "g/m2": 1000.0, "g/m²": 1000.0}
_COUNT_UNITS = {
    "tab",
    "tabs",
    "tablet",
    "tablets",
    "{tbl}",
    "{tablet}",
    "{tablets}",
    "cap",
    "caps",
    "capsule",
    "capsules",
    "{capsule}",
    "{cap}",
    "1",
    "{unit}",
}

_PERIOD_DAYS = {
    "s": 1 / 86400,
    "min": 1 / 1440,
    "h": 1 / 24,
    "d": 1.0,
    "wk": 7.0,
    "mo": 30.0,
    "a": 365.0,
}
# HL7 v3 GTSAbbreviation (timing.code): doses per day
_TIMING_CODES: dict[str, float] = {
    "QD": 1.0,
    "QDAY": 1.0,
    "DAILY": 1.0,
    "AM": 1.0,
    "PM": 1.0,
    "BID": 2.0,
    "TID": 3.0,
    "QID": 4.0,
    "Q4H": 6.0,
    "Q6H": 4.0,
    "Q8H": 3.0,
    "Q12H": 2.0,
    "QOD": 0.5,
    "WK": 1 / 7,
    "QWK": 1 / 7,
}


def _texts(concept: object) -> list[str]:
    """Display and text strings of a CodeableConcept (lenient: any dict)."""
    out: list[str] = []
    if not isinstance(concept, dict):
        return out
    for coding in concept.get("coding") or []:
        if isinstance(coding, dict) and isinstance(coding.get("display"), str):
            out.append(coding["display"])
    if isinstance(concept.get("text"), str):
        out.append(concept["text"])
    return out


def _codes(concept: object, system: str) -> list[str]:
    if not isinstance(concept, dict):
        return []
    return [
        str(c.get("code"))
        for c in concept.get("coding") or []
        if isinstance(c, dict) and c.get("system") == system and c.get("code") is not None
    ]


def drug_concept(medication: object) -> str | None:
    """The ingredient concept of a medication CodeableConcept (RxNorm code, then name)."""
    codes = set(_codes(medication, RXNORM))
    for concept, rx, _ in _DRUGS:
        if codes.intersection(rx):
            return concept
    text = " ".join(_texts(medication)).lower()
    for concept, _, patterns in _DRUGS:
        if any(re.search(rf"\b(?:{p})\b", text) for p in patterns):
            return concept
    return None


def _medication(resource: dict[str, Any]) -> object:
    med = resource.get("medicationCodeableConcept")
    if med is None and isinstance(resource.get("medicationReference"), dict):
        # a contained Medication or the reference's display
        ref = resource["medicationReference"]
        target = str(ref.get("reference", "")).lstrip("#")
        for contained in resource.get("contained") or []:
            if isinstance(contained, dict) and contained.get("id") == target:
                return contained.get("code")
        if isinstance(ref.get("display"), str):
            return {"text": ref["display"]}
    return med


def _first_dict(value: object) -> dict[str, Any] | None:
    if isinstance(value, dict):
        return value
    if isinstance(value, list):
        for item in value:
            if isinstance(item, dict):
                return item
    return None


def _route(dosage: dict[str, Any], medication: object) -> str | None:
    route = dosage.get("route")
    for code in _codes(route, "http://snomed.info/sct"):
        if code in _ROUTE_SNOMED:
            return _ROUTE_SNOMED[code]
    text = " ".join(_texts(route)).lower()
    for pattern, name in _ROUTE_TEXT:
        if text and re.search(pattern, text):
            return name
    form = " ".join(_texts(medication)).lower()
    for pattern, name in _FORM_ROUTE:
        if re.search(pattern, form):
            return name
    return None


def _strength_mg(medication: object) -> float | None:
    """Per-unit strength of a single-ingredient RxNorm SCD display ("Prednisone 5 MG Oral
    Tablet" -> 5.0); None when absent, ambiguous or a concentration (MG/ML)."""
    text = " ".join(_texts(medication))
    hits = re.findall(r"(\d+(?:\.\d+)?)\s*MG\b(?!\s*/)", text, flags=re.IGNORECASE)
    values = {float(h) for h in hits}
    return values.pop() if len(values) == 1 else None


def _doses_per_day(timing: object) -> tuple[float | None, float | None]:
    """(doses per day, days between doses when >= 1 day) from Timing; (None, None) if absent."""
    if not isinstance(timing, dict):
        return None, None
    repeat = timing.get("repeat")
    if isinstance(repeat, dict):
        period = repeat.get("period")
        unit = repeat.get("periodUnit")
        freq = repeat.get("frequency", 1)
        if isinstance(period, int | float) and period > 0 and unit in _PERIOD_DAYS:
            if not isinstance(freq, int | float) or freq <= 0:
                return None, None
            days = float(period) * _PERIOD_DAYS[str(unit)]
            per_day = float(freq) / days
            return per_day, (days / float(freq) if days / float(freq) >= 1 else None)
        times = repeat.get("timeOfDay")
        if isinstance(times, list) and times:
            return float(len(times)), 1.0 if len(times) == 1 else None
    code = timing.get("code")
    for c in (code.get("coding") or []) if isinstance(code, dict) else []:
        key = str(c.get("code", "")).upper() if isinstance(c, dict) else ""
        if key in _TIMING_CODES:
            per_day = _TIMING_CODES[key]
            return per_day, (1 / per_day if per_day <= 1 else None)
    return None, None


def _date(value: object) -> date | None:
    if isinstance(value, str) and len(value) >= 10:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _end(dosage: dict[str, Any], resource: dict[str, Any], start: date | None) -> date | None:
    timing = dosage.get("timing")
    repeat = timing.get("repeat") if isinstance(timing, dict) else None
    if isinstance(repeat, dict):
        bounds_period = repeat.get("boundsPeriod")
        if isinstance(bounds_period, dict) and _date(bounds_period.get("end")):
            return _date(bounds_period.get("end"))
        duration = repeat.get("boundsDuration")
        if isinstance(duration, dict) and start is not None:
            value, unit = duration.get("value"), duration.get("code") or duration.get("unit")
            if isinstance(value, int | float) and unit in _PERIOD_DAYS:
                return start + timedelta(days=float(value) * _PERIOD_DAYS[str(unit)])
    dispense = resource.get("dispenseRequest")
    if isinstance(dispense, dict) and isinstance(dispense.get("validityPeriod"), dict):
        return _date(dispense["validityPeriod"].get("end"))
    return None


def _dose_quantity(dosage: dict[str, Any]) -> tuple[dict[str, Any] | None, str | None]:
    """The dose Quantity (R4 doseAndRate or DSTU2-style doseQuantity) or a problem."""
    dose_and_rate = dosage.get("doseAndRate")
    candidates: list[Any] = []
    if isinstance(dose_and_rate, list):
        candidates = [d for d in dose_and_rate if isinstance(d, dict)]
    elif isinstance(dose_and_rate, dict):
        candidates = [dose_and_rate]
    candidates.append(dosage)
    for item in candidates:
        if isinstance(item.get("doseQuantity"), dict):
            return item["doseQuantity"], None
        if isinstance(item.get("doseRange"), dict):
            return None, "dose given as a range"
    return None, "no dose amount"


def _unit_key(quantity: dict[str, Any]) -> str:
    raw = quantity.get("code") or quantity.get("unit") or ""
    return str(raw).strip().lower().replace(" ", "")


def map_medication_request(
    resource: dict[str, Any], reference: str, record: PatientRecord | None
) -> tuple[MedicationEntry | None, str | None]:
    """One drafted MedicationRequest -> (entry, None); (None, reason) when unreadable;
    (None, None) for a drug none of the checks is about."""
    medication = _medication(resource)
    if not _texts(medication) and not _codes(medication, RXNORM):
        return None, "no medication chosen or coded"
    concept = drug_concept(medication)
    if concept is None:
        return None, None
    start = _date(resource.get("authoredOn"))
    base: dict[str, Any] = {
        "concept": concept,
        "status": resource.get("status") if isinstance(resource.get("status"), str) else "draft",
        "start": start,
        "ingredients": _INGREDIENTS.get(concept, (concept,)),
        "is_draft": True,
        "source_id": reference,
    }
    dosages = [d for d in resource.get("dosageInstruction") or [] if isinstance(d, dict)]
    if isinstance(resource.get("dosageInstruction"), dict):
        dosages = [resource["dosageInstruction"]]
    if not dosages:
        return MedicationEntry(**base, dose_problem="no dosage instruction"), None
    dosage = dosages[0]
    base["route"] = _route(dosage, medication)
    base["dose_text"] = dosage.get("text") if isinstance(dosage.get("text"), str) else None
    base["end"] = _end(dosage, resource, start or (record.today if record else None))
    if len(dosages) > 1:
        return MedicationEntry(**base, dose_problem="several dosage instructions"), None
    if dosage.get("asNeededBoolean") is True or dosage.get("asNeededCodeableConcept"):
        return MedicationEntry(**base, prn=True, dose_problem="as needed (PRN)"), None
    quantity, problem = _dose_quantity(dosage)
    per_day, period_days = _doses_per_day(dosage.get("timing"))
    base["doses_per_day"] = per_day
    base["period_days"] = period_days
    if quantity is None:
        return MedicationEntry(**base, dose_problem=problem), None
    value = quantity.get("value")
    if (
        not isinstance(value, int | float)
        or isinstance(value, bool)
        or not math.isfinite(value)
        or value <= 0
    ):
        return MedicationEntry(**base, dose_problem="dose amount missing or not a number"), None
    unit = _unit_key(quantity)
    dose_mg: float | None = None
    if unit in _MASS_UNITS:
        dose_mg = float(value) * _MASS_UNITS[unit]
    elif unit in _PER_KG_UNITS:
        base["dose_per_kg"] = float(value) * _PER_KG_UNITS[unit]
        weight = record.latest_weight_kg() if record else None
        if weight is None or weight.value is None:
            return MedicationEntry(**base, dose_problem="dose per kg and no body weight"), None
        dose_mg = base["dose_per_kg"] * weight.value
    elif unit in _PER_M2_UNITS:
        base["dose_per_m2"] = float(value) * _PER_M2_UNITS[unit]
        bsa = body_surface_area(record)
        if bsa is None:
            return MedicationEntry(**base, dose_problem="dose per m² and no weight/height"), None
        dose_mg = base["dose_per_m2"] * bsa
    elif unit in _COUNT_UNITS:
        strength = _strength_mg(medication)
        if strength is None:
            return MedicationEntry(
                **base, dose_problem="dose in units of the product and its strength is unknown"
            ), None
        dose_mg = float(value) * strength
    else:
        return MedicationEntry(
            **base, dose_problem=f"dose unit {quantity.get('unit') or unit!r} is not a mass"
        ), None
    base["dose_mg"] = dose_mg
    if per_day is None:
        return MedicationEntry(**base, dose_problem="no dosing frequency"), None
    daily = dose_mg * per_day
    base["daily_dose_mg"] = daily
    if concept in PRED_EQ_FACTOR:
        base["pred_eq_mg_per_day"] = daily * PRED_EQ_FACTOR[concept]
    return MedicationEntry(**base), None


def body_surface_area(record: PatientRecord | None) -> float | None:
    """Mosteller BSA (m²) from the latest weight (within a year) and height; None if missing."""
    if record is None:
        return None
    weight, height = record.latest_weight_kg(), record.latest_height_cm()
    if weight is None or height is None or weight.value is None or height.value is None:
        return None
    if weight.value <= 0 or height.value <= 0:
        return None
    return math.sqrt(height.value * weight.value / 3600.0)


def service_concept(resource: dict[str, Any]) -> tuple[str | None, str | None]:
    """(concept, text) of a drafted ServiceRequest: LOINC code first, then its text."""
    code = resource.get("code")
    texts = _texts(code)
    for c in _codes(code, LOINC):
        if c in _SERVICE_CODES:
            return _SERVICE_CODES[c], texts[0] if texts else None
    joined = " ".join(texts).lower()
    for pattern, concept in _SERVICE_TEXT:
        if joined and re.search(pattern, joined):
            return concept, texts[0]
    return None, texts[0] if texts else None
