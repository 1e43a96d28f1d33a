"""MedicationRequest / MedicationStatement -> MedicationEntry (one per ingredient concept).

The ingredient is found, in order, from: RxNorm codings of ``medicationCodeableConcept`` that
are ingredients in the code table (or site maps); the RxNorm product table
(``rxnorm_products.csv``: SCD/SBD RxCUIs of systemic forms -> ingredient); a contained
or referenced ``Medication`` (its code, then ``ingredient[].itemCodeableConcept``); the text
fallback of ``drug_names.csv`` (drugs without a verified code, e.g. pirfenidone).
The daily dose and the route come from ``fhir_mappings.dosage`` (the dosage's route; when it
names none, the dose form in the product name or ``Medication.form``); glucocorticoids also get
prednisolone-equivalent mg/day (factors in ``drugs.csv``, from the seed-rules Units section).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from .dosage import MASS_TO_MG, DoseResult, daily_dose, route_from_form
from .fhir_read import codings, concept_texts, parse_date, ref_label
from .record import MedicationEntry
from .tables import RXNORM, drug_names, drug_rows, rxnorm_products
from .terminology import Terminology, normalize_system

_TMP_SMX = frozenset({"trimethoprim", "sulfamethoxazole"})


def _drug_concepts(concept: Any, terminology: Terminology) -> set[str]:
    drugs = drug_rows()
    found = {c for c in terminology.concepts_for_codeable(concept) if c in drugs}
    products = rxnorm_products()
    for coding in codings(concept):
        code = coding.get("code")
        is_rxnorm = normalize_system(coding.get("system")) == RXNORM
        if is_rxnorm and isinstance(code, str) and code.strip() in products:
            found.add(products[code.strip()])
    return found


def _text_concepts(concept: Any) -> set[str]:
    names = drug_names()
    found: set[str] = set()
    for text in concept_texts(concept):
        for word in re.findall(r"[a-z]+", text):
            if word in names:
                found.add(names[word])
    return found


def _strength_mg(
    medication: Mapping[str, Any], concept: str, terminology: Terminology
) -> float | None:
    """mg per unit (tablet) of ``concept`` in a Medication, from ``ingredient.strength``."""
    for ing in medication.get("ingredient") or []:
        if not isinstance(ing, (dict, Mapping)):
            continue
        if concept not in _drug_concepts(ing.get("itemCodeableConcept"), terminology):
            continue
        strength = ing.get("strength")
        if not isinstance(strength, (dict, Mapping)):
            return None
        num, den = strength.get("numerator"), strength.get("denominator")
        if not isinstance(num, (dict, Mapping)) or not isinstance(num.get("value"), int | float):
            return None
        unit = str(num.get("code") or num.get("unit") or "").lower()
        factor = MASS_TO_MG.get(unit)
        den_value = den.get("value", 1) if isinstance(den, (dict, Mapping)) else 1
        if factor is None or not isinstance(den_value, int | float) or den_value <= 0:
            return None
        return float(num["value"]) * factor / float(den_value)
    return None


def resolve_medication(
    resource: Mapping[str, Any], medications: Mapping[str, Mapping[str, Any]]
) -> Mapping[str, Any] | None:
    """The Medication a request/statement points to: contained ("#id") or "Medication/id"."""
    ref = resource.get("medicationReference")
    if not isinstance(ref, (dict, Mapping)) or not isinstance(ref.get("reference"), str):
        return None
    target = ref["reference"]
    if target.startswith("#"):
        for contained in resource.get("contained") or []:
            if (
                isinstance(contained, (dict, Mapping))
                and contained.get("id") == target[1:]
                and contained.get("resourceType") == "Medication"
            ):
                return contained
        return None
    med_id = target.split("/")[-1]
    return medications.get(med_id)


def ingredient_concepts(
    resource: Mapping[str, Any],
    medications: Mapping[str, Mapping[str, Any]],
    terminology: Terminology,
) -> tuple[set[str], Mapping[str, Any] | None]:
    med = resolve_medication(resource, medications)
    found = _drug_concepts(resource.get("medicationCodeableConcept"), terminology)
    if med is not None:
        found |= _drug_concepts(med.get("code"), terminology)
        if not found:
            for ing in med.get("ingredient") or []:
                if isinstance(ing, (dict, Mapping)):
                    found |= _drug_concepts(ing.get("itemCodeableConcept"), terminology)
    if not found:
        found = _text_concepts(resource.get("medicationCodeableConcept"))
        if med is not None:
            found |= _text_concepts(med.get("code"))
    if found >= _TMP_SMX:
        found = (found - _TMP_SMX) | {"tmp_smx"}
    return found, med


def _period(resource: Mapping[str, Any]) -> tuple[date | None, date | None]:
    start: date | None = None
    end: date | None = None
    if resource.get("resourceType") == "MedicationStatement":
        period = resource.get("effectivePeriod")
        if isinstance(period, (dict, Mapping)):
            start, end = parse_date(period.get("start")), parse_date(period.get("end"))
        start = (
            start
            or parse_date(resource.get("effectiveDateTime"))
            or parse_date(resource.get("dateAsserted"))
        )
        return start, end
    for dosage in resource.get("dosageInstruction") or []:
        timing = dosage.get("timing") if isinstance(dosage, (dict, Mapping)) else None
        repeat = timing.get("repeat") if isinstance(timing, (dict, Mapping)) else None
        bounds = repeat.get("boundsPeriod") if isinstance(repeat, (dict, Mapping)) else None
        if isinstance(bounds, (dict, Mapping)):
            start = start or parse_date(bounds.get("start"))
            end = end or parse_date(bounds.get("end"))
    validity = (resource.get("dispenseRequest") or {}).get("validityPeriod")
    if isinstance(validity, (dict, Mapping)):
        start = start or parse_date(validity.get("start"))
        end = end or parse_date(validity.get("end"))
    return start or parse_date(resource.get("authoredOn")), end


def map_medication(
    resource: Mapping[str, Any],
    medications: Mapping[str, Mapping[str, Any]],
    terminology: Terminology,
    weight_kg: float | None,
    height_cm: float | None,
) -> list[MedicationEntry]:
    """Entries for one MedicationRequest/MedicationStatement (empty when no known drug)."""
    concepts, med = ingredient_concepts(resource, medications, terminology)
    if not concepts:
        return []
    raw_status = resource.get("status")
    status = raw_status if isinstance(raw_status, str) else "unknown"
    start, end = _period(resource)
    dosages = (
        resource.get("dosageInstruction")
        if resource.get("resourceType") == "MedicationRequest"
        else resource.get("dosage")
    )
    drugs = drug_rows()
    form_texts = concept_texts(resource.get("medicationCodeableConcept"))
    if med is not None:
        form_texts += concept_texts(med.get("code")) + concept_texts(med.get("form"))
    entries = []
    for concept in sorted(concepts):
        strength = _strength_mg(med, concept, terminology) if med is not None else None
        dose = daily_dose(dosages, weight_kg, height_cm, strength)
        if len(concepts) > 1:
            dose = DoseResult(
                route=dose.route,
                text=dose.text,
                prn=dose.prn,
                problem="combination product: dose per ingredient unknown",
            )
        row = drugs.get(concept)
        entries.append(
            MedicationEntry(
                concept=concept,
                status=status,
                start=start,
                end=end,
                ingredients=tuple(sorted(concepts)),
                route=dose.route or route_from_form(form_texts),
                classes=row.classes if row else frozenset(),
                is_draft=status == "draft",
                source_id=ref_label(resource),
                **dose_fields(concept, dose),
            )
        )
    return entries


def dose_fields(concept: str, dose: DoseResult) -> dict[str, Any]:
    """The MedicationEntry fields read from the dosage (all but the route, which a product's
    dose form may give), with the prednisolone-equivalent dose of a glucocorticoid."""
    row = drug_rows().get(concept)
    factor = row.pred_eq_factor if row else None
    return {
        "dose_mg": dose.dose_mg,
        "doses_per_day": dose.doses_per_day,
        "period_days": dose.period_days,
        "daily_dose_mg": dose.daily_dose_mg,
        "daily_dose_range_mg": dose.daily_dose_range_mg,
        "dose_per_kg": dose.dose_per_kg,
        "dose_per_m2": dose.dose_per_m2,
        "pred_eq_mg_per_day": (
            dose.daily_dose_mg * factor if factor and dose.daily_dose_mg is not None else None
        ),
        "prn": dose.prn,
        "dose_problem": dose.problem,
        "dose_text": dose.text,
    }
