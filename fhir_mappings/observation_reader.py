"""Observation -> measurements, antibody results, findings and studies of the record.

One path for every Observation: select by code (resources naming no concept the service
reads are skipped unread), check the structure of the selected resource, then read each
concept of its code, of its ``valueCodeableConcept`` (a finding charted as the value) and of
its components.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from .build_state import Invalid, RecordBuilder
from .fhir_read import codings, effective_date, items, parse_date, ref_label
from .qualitative import interpret
from .record import AntibodyResult, Measurement
from .tables import FINDING_KINDS, ConceptRow
from .units import Converted, convert_quantity

_FLAG = {
    "H": "high",
    "HH": "high",
    "HU": "high",
    "L": "low",
    "LL": "low",
    "LU": "low",
    "N": "normal",
    "A": "abnormal",
    "AA": "abnormal",
}
#: lung-function volumes and the concept of their predicted value
PREDICTED_CONCEPT = {"fvc": "fvc_predicted", "dlco": "dlco_predicted", "tlc": "tlc_predicted"}


def read_observation(b: RecordBuilder, obs: Mapping[str, Any]) -> None:
    code = obs.get("code")
    code_concepts = b.terms.concepts_for_codeable(code)
    components: list[Any] = []
    comp_concepts: list[set[str]] = []
    value_findings: set[str] = set()
    value_cc = obs.get("valueCodeableConcept")
    if value_cc or "component" in obs:  # most results have neither: no work for them
        components = items(obs.get("component"))
        comp_concepts = [
            b.terms.concepts_for_codeable(c.get("code")) if isinstance(c, dict) else set()
            for c in components
        ]
        value_findings = {
            c
            for c in b.terms.concepts_for_codeable(value_cc)
            if c in b.concepts and b.concepts[c].kind in FINDING_KINDS
        }
    if not code_concepts and not value_findings and not any(comp_concepts):
        return  # not a concept the service reads: skipped unread
    if obs.get("status") == "registered":  # ordered, no result yet: pending
        if b.belongs(obs):
            ordered = effective_date(obs)
            b.add_pending(code_concepts | value_findings, ordered, "registered", ref_label(obs))
        return
    when = b.result_date(obs, "Observation")
    if when is None:
        return
    if not isinstance(code, dict):
        raise Invalid("Observation.code missing")
    source_id = ref_label(obs)
    for row in b.kinds(code_concepts):
        observation_value(b, row, obs, when, source_id)
    if value_findings and not any(b.concepts[c].kind in FINDING_KINDS for c in code_concepts):
        for concept in sorted(value_findings):
            b.add_finding(concept, True, when, "Observation", source_id, obs)
    for comp, concepts in zip(components, comp_concepts, strict=True):
        for row in b.kinds(concepts):
            observation_value(b, row, comp, when, source_id, parent=obs)


def observation_value(
    b: RecordBuilder,
    row: ConceptRow,
    obs: Mapping[str, Any],
    when: date,
    source_id: str,
    parent: Mapping[str, Any] | None = None,
) -> None:
    concept = row.concept_id
    if row.implies_study:
        b.add_study(row.implies_study, when, source_id)
    if row.kind == "quantity":
        add_measurement(b, concept, obs, when, source_id)
    elif row.kind == "qualitative":
        q = interpret(obs)
        final = (parent or obs).get("status") != "preliminary"
        b.record.antibodies.setdefault(concept, []).append(
            AntibodyResult(
                concept=concept,
                status=q.status,
                when=when,
                titer=q.titer,
                value=q.value,
                unit=q.unit,
                text=q.text,
                source_id=source_id,
                issued=parse_date((parent or obs).get("issued")),
                final=final,
            )
        )
        if not final:
            b.add_pending((concept,), when, "preliminary", source_id)
        if row.canonical_unit and isinstance(obs.get("valueQuantity"), dict):
            add_measurement(b, concept, obs, when, source_id)
    elif row.kind in FINDING_KINDS:
        q = interpret(obs)
        has_value = any(k.startswith("value") for k in obs)
        if has_value and q.status == "unknown":  # neither present nor absent: kept as unread
            b.record.unread_findings.append((concept, source_id))
            return
        present = q.status == "positive" if has_value else True
        b.add_finding(concept, present, when, "Observation", source_id, parent or obs)
    elif row.kind == "study":
        b.add_study(concept, when, source_id)
        b.hrct_from_text(concept, obs.get("code"), when, source_id)


def add_measurement(
    b: RecordBuilder, concept: str, obs: Mapping[str, Any], when: date, source_id: str
) -> None:
    quantity = obs.get("valueQuantity")
    series = b.record.measurements.setdefault(concept, [])
    if not isinstance(quantity, dict):
        if isinstance(obs.get("dataAbsentReason"), dict):
            return
        original = obs.get("valueString")
        series.append(
            unreadable(
                concept,
                when,
                "no valueQuantity",
                source_id,
                original if isinstance(original, str) else None,
            )
        )
        return
    result = convert_quantity(concept, quantity)
    raw_value = quantity.get("value")
    raw_unit = quantity.get("code") or quantity.get("unit")
    original_value = (
        _as_float(raw_value)
        if isinstance(raw_value, (int, float)) and not isinstance(raw_value, bool)
        else None
    )
    original_unit = raw_unit if isinstance(raw_unit, str) else None
    if isinstance(result, str):
        series.append(unreadable(concept, when, result, source_id, original_value, original_unit))
        return
    comparator = quantity.get("comparator")
    low, high = reference_range(concept, obs, original_unit)
    predicted = PREDICTED_CONCEPT.get(concept)
    if predicted is not None:
        value = predicted_value(concept, obs, original_unit)
        if value is not None:
            b.record.measurements.setdefault(predicted, []).append(
                Measurement(predicted, value, result.unit, when, source_id=source_id)
            )
    series.append(
        Measurement(
            concept,
            result.value,
            result.unit,
            when,
            original_value=original_value,
            original_unit=original_unit,
            source_id=source_id,
            comparator=comparator if isinstance(comparator, str) else None,
            ref_low=low,
            ref_high=high,
            flag=flag(obs),
        )
    )


def _bound(concept: str, q: Any, value_unit: str | None) -> float | None:
    """A reference-range bound in the concept's canonical unit (a bound without a unit is in
    the value's unit); None when absent or not convertible."""
    if not isinstance(q, dict):
        return None
    if not (q.get("code") or q.get("unit")) and value_unit:
        q = {**q, "unit": value_unit}
    conv = convert_quantity(concept, q)
    return conv.value if isinstance(conv, Converted) else None


def reference_range(
    concept: str, obs: Mapping[str, Any], value_unit: str | None
) -> tuple[float | None, float | None]:
    """The first reference range's low/high in the concept's canonical unit."""
    for rng in items(obs.get("referenceRange")):
        if isinstance(rng, dict):
            low, high = (_bound(concept, rng.get(key), value_unit) for key in ("low", "high"))
            return low, high
    return None, None


def predicted_value(concept: str, obs: Mapping[str, Any], value_unit: str | None) -> float | None:
    """The predicted value a lung-function result carries as a reference range whose text or
    type says "predicted" (one bound, or low = high), in the concept's canonical unit."""
    for rng in items(obs.get("referenceRange")):
        if not isinstance(rng, dict) or not _says_predicted(rng):
            continue
        bounds = [_bound(concept, rng.get(key), value_unit) for key in ("low", "high")]
        known = {b for b in bounds if b is not None}
        if len(known) == 1 and min(known) > 0:
            return min(known)
    return None


def _says_predicted(rng: Mapping[str, Any]) -> bool:
    texts = [rng.get("text")]
    kind = rng.get("type")
    if isinstance(kind, dict):
        texts.append(kind.get("text"))
        texts += [c.get(key) for c in codings(kind) for key in ("display", "code")]
    return any(isinstance(t, str) and "predicted" in t.lower() for t in texts)


def flag(obs: Mapping[str, Any]) -> str | None:
    """The lab's interpretation flag: "high", "low", "normal", "abnormal" or None."""
    for cc in items(obs.get("interpretation")):
        for coding in codings(cc):
            code = coding.get("code")
            if isinstance(code, str) and code in _FLAG:
                return _FLAG[code]
    return None


def _as_float(value: float) -> float | None:
    """float(value), or None for an integer beyond the float range (it would raise)."""
    try:
        return float(value)
    except OverflowError:
        return None


def unreadable(
    concept: str,
    when: date,
    reason: str,
    source_id: str,
    original_value: float | str | None = None,
    original_unit: str | None = None,
) -> Measurement:
    """A result kept as uninterpretable (with why), never guessed and never normal."""
    return Measurement(
        concept,
        None,
        None,
        when,
        interpretable=False,
        original_value=original_value,
        original_unit=original_unit,
        reason=reason,
        source_id=source_id,
    )
