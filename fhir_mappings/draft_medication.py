"""Adapter: one drafted MedicationRequest / ServiceRequest -> concepts, for the order checks.

Drafted MedicationRequests are mapped by the record's own medication mapping
(``fhir_mappings.medications.map_medication`` with ``fhir_mappings.dosage``), so a draft and
the patient's active medication speak the same concepts and units. This module only adds
what drafts need on top:
- the lenient reading of the CDS Hooks Sandbox's shape (``doseQuantity`` directly on the
  dosage, ``category`` an object) by normalizing it to R4 first;
- a fallback for drugs the code tables do not know by that code (an ingredient name in the
  text, e.g. "Bactrim DS", or an ingredient RxCUI) and, when the product strength is
  unknown, the strength printed in a single-ingredient RxNorm name ("... 5 MG Oral Tablet");
- which basis the dose was ordered on (mg, mg/kg or mg/m²): only that per-kg/per-m² value is
  kept, so a check can tell "ordered at 30 mg/kg" from "1,500 mg that is also 21 mg/kg".

Codes: RxNorm ingredient codes and LOINC order codes, from ``data/codes.csv``
(verified rows) plus the panel codes named in the comments. Product (SCD/SBD) RxCUIs live in
``data/rxnorm_products.csv`` only, read by the shared medication mapping, so a product code
is recognised on patient-view and on draft orders alike.
Prednisolone-equivalent factors are the record's (``data/drugs.csv``, seed Units table).
"""

from __future__ import annotations

import copy
import re
from dataclasses import replace
from typing import Any

from .dosage import daily_dose, route_from_form
from .fhir_read import codings, items, parse_date
from .medications import dose_fields, map_medication
from .record import MedicationEntry, PatientRecord
from .tables import CONCEPT_SYSTEM, LOINC, RXNORM, drug_rows
from .terminology import Terminology, default_terminology

# concept -> (RxNorm codes, name patterns). Order matters for names: specific before generic.
_DRUGS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "tmp_smx",
        ("10831",),
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

_PER_KG_UNITS = {"mg/kg": 1.0, "g/kg": 1000.0}
_PER_M2_UNITS = {"mg/m2": 1.0, "mg/m^2": 1.0, "mg/m²": 1.0, "g/m2": 1000.0, "g/m²": 1000.0}


def _texts(concept: object) -> list[str]:
    """Display and text strings of a CodeableConcept, as written."""
    out = [c["display"] for c in codings(concept) if isinstance(c.get("display"), str)]
    if isinstance(concept, dict) and isinstance(concept.get("text"), str):
        out.append(concept["text"])
    return out


def _codes(concept: object, system: str) -> list[str]:
    return [
        str(c["code"])
        for c in codings(concept)
        if c.get("system") == system and c.get("code") is not None
    ]


def _any_code(concept: object) -> bool:
    return any(c.get("code") not in (None, "") for c in codings(concept))


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


def _strength_mg(medication: object) -> float | None:
    """Per-unit strength of a single-ingredient RxNorm SCD display ("Prednisone 5 MG Oral
    Tablet" -> 5.0); None when absent, ambiguous or a concentration (MG/ML)."""
    text = " ".join(_texts(medication))
    hits = re.findall(r"(\d+(?:\.\d+)?)\s*MG\b(?!\s*/)", text, flags=re.IGNORECASE)
    values = {float(h) for h in hits}
    return values.pop() if len(values) == 1 else None


def _dose_quantity(dosage: dict[str, Any]) -> dict[str, Any] | None:
    """The dose Quantity of a dosage normalized by ``_as_r4`` (its doseAndRate, else one left
    on the dosage itself); None for a dose range or no dose."""
    candidates = [d for d in items(dosage.get("doseAndRate")) if isinstance(d, dict)]
    for item in [*candidates, dosage]:
        quantity = item.get("doseQuantity")
        if isinstance(quantity, dict):
            return quantity
        if isinstance(item.get("doseRange"), dict):
            return None
    return None


def _unit_key(quantity: dict[str, Any]) -> str:
    raw = quantity.get("code") or quantity.get("unit") or ""
    return str(raw).strip().lower().replace(" ", "")


def _as_r4(resource: dict[str, Any]) -> dict[str, Any]:
    """A copy with the sandbox's dosage shape normalized (dose on the dosage -> doseAndRate;
    a single dosageInstruction object -> a list)."""
    out = copy.deepcopy(resource)
    dosages = out.get("dosageInstruction")
    if isinstance(dosages, dict):
        dosages = [dosages]
    fixed: list[Any] = []
    for dosage in dosages if isinstance(dosages, list) else []:
        if isinstance(dosage, dict):
            dosage = dict(dosage)
            if isinstance(dosage.get("doseAndRate"), dict):
                dosage["doseAndRate"] = [dosage["doseAndRate"]]
            for key in ("doseQuantity", "doseRange"):
                if key in dosage and not dosage.get("doseAndRate"):
                    dosage["doseAndRate"] = [{key: dosage.pop(key)}]
        fixed.append(dosage)
    out["dosageInstruction"] = fixed
    return out


def _ordered_basis(resource: dict[str, Any]) -> str | None:
    """ "kg", "m2" or "mass" for the first dosage's dose unit; None when unknown."""
    for dosage in resource.get("dosageInstruction") or []:
        quantity = _dose_quantity(dosage) if isinstance(dosage, dict) else None
        if quantity is not None:
            unit = _unit_key(quantity)
            if unit in _PER_KG_UNITS:
                return "kg"
            if unit in _PER_M2_UNITS:
                return "m2"
            return "mass"
    return None


def _size(record: PatientRecord | None) -> tuple[float | None, float | None]:
    if record is None:
        return None, None
    weight, height = record.latest_weight_kg(), record.latest_height_cm()
    return (
        weight.value if weight is not None else None,
        height.value if height is not None else None,
    )


def _fallback_entry(
    resource: dict[str, Any], concept: str, weight: float | None, height: float | None
) -> MedicationEntry:
    """A drug the code tables miss by this code: ingredient by name or product code, dose by
    the shared dosage reader."""
    medication = _medication(resource)
    dose = daily_dose(resource.get("dosageInstruction"), weight, height, _strength_mg(medication))
    row = drug_rows().get(concept)
    return MedicationEntry(
        concept=concept,
        status=str(resource.get("status") or "draft"),
        start=parse_date(resource.get("authoredOn")),
        ingredients=_INGREDIENTS.get(concept, (concept,)),
        route=dose.route,
        classes=row.classes if row is not None else frozenset(),
        **dose_fields(concept, dose),
    )


def _with_label_strength(
    entry: MedicationEntry, resource: dict[str, Any], weight: float | None, height: float | None
) -> MedicationEntry:
    """Re-read a dose given in tablets when the product strength is in the RxNorm name."""
    if entry.dose_problem is None or "strength is unknown" not in entry.dose_problem:
        return entry
    strength = _strength_mg(_medication(resource))
    if strength is None:
        return entry
    dose = daily_dose(resource.get("dosageInstruction"), weight, height, strength)
    return replace(entry, **dose_fields(entry.concept, dose))


def map_medication_request(
    resource: dict[str, Any],
    reference: str,
    record: PatientRecord | None,
    terminology: Terminology | None = None,
) -> tuple[list[MedicationEntry], str | None]:
    """One drafted MedicationRequest -> (entries, None) (one per ingredient concept; empty for
    a drug none of the checks is about) or ([], reason) when it cannot be read."""
    medication = _medication(resource)
    if not _texts(medication) and not _any_code(medication):
        return [], "no medication chosen or coded"
    normalized = _as_r4(resource)
    weight, height = _size(record)
    entries = map_medication(normalized, {}, terminology or default_terminology(), weight, height)
    if not entries:
        concept = drug_concept(medication)
        if concept is None:
            return [], None
        entries = [_fallback_entry(normalized, concept, weight, height)]
    basis = _ordered_basis(normalized)
    out: list[MedicationEntry] = []
    for entry in entries:
        entry = _with_label_strength(entry, normalized, weight, height)
        if basis == "kg":
            entry = replace(entry, dose_per_m2=None)
        elif basis == "m2":
            entry = replace(entry, dose_per_kg=None)
        if entry.route is None:  # the shared reader saw no route; the sandbox's display may
            entry = replace(entry, route=route_from_form(_texts(medication)))
        out.append(replace(entry, is_draft=True, source_id=reference))
    return out, None


def service_concept(resource: dict[str, Any]) -> tuple[str | None, str | None]:
    """(concept, text) of a drafted ServiceRequest: LOINC code first, then its text."""
    code = resource.get("code")
    texts = _texts(code)
    for c in _codes(code, CONCEPT_SYSTEM):  # the service's own suggested orders carry it
        return c, texts[0] if texts else None
    for c in _codes(code, LOINC):
        if c in _SERVICE_CODES:
            return _SERVICE_CODES[c], texts[0] if texts else None
    joined = " ".join(texts).lower()
    for pattern, concept in _SERVICE_TEXT:
        if joined and re.search(pattern, joined):
            return concept, texts[0]
    return None, texts[0] if texts else None
