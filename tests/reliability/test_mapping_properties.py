"""Property-based tests of the mappings with generated FHIR-like input (hypothesis).

Input is what an EHR could send as JSON (64-bit integers, finite floats):
known and random codes and units, missing fields, extreme numbers, "NaN"/"inf" strings,
unicode, deep nesting and wrong types anywhere. The properties:

- no exception escapes ``build_record``, the unit conversion, the qualitative reading, the
  dosage parsing or ``map_draft_orders``;
- what cannot be interpreted is reported as such (``Measurement.interpretable`` False with a
  reason; ``MedicationEntry.dose_problem`` set), never turned into a confident value: every
  interpretable measurement is a finite number in the concept's canonical unit, every daily
  dose a finite non-negative number.

The default run is derandomized and bounded (``FAST``); ``pytest --long`` runs many more
random examples (``LONG``).
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fhir_mappings.builder import build_record
from fhir_mappings.dosage import daily_dose
from fhir_mappings.orders import map_draft_orders
from fhir_mappings.qualitative import interpret
from fhir_mappings.tables import code_rows, concept_rows
from fhir_mappings.units import FACTORS, canonical_unit, convert_quantity

FAST = settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
LONG = settings(
    max_examples=4000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
TODAY = date(2026, 11, 21)
PATIENT = "p1"
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
UCUM = "http://unitsofmeasure.org"

# ------------------------------------------------------------------ strategies
_ROWS = code_rows()
CODES = {
    system: sorted({r.code for r in _ROWS if r.system == system})
    for system in (LOINC, SNOMED, RXNORM, "http://hl7.org/fhir/sid/icd-10-cm")
}
QUANTITY_CONCEPTS = sorted(FACTORS)
KNOWN_UNITS = sorted({u for table in FACTORS.values() for u in table})

int64 = st.integers(min_value=-(2**63), max_value=2**64 - 1)
finite = st.floats(allow_nan=False, allow_infinity=False)
extreme = st.sampled_from([0, -0.0, 1e308, -1e308, 5e-324, 2**63 - 1, -(2**63), 1e-300, 1e300])
number_strings = st.sampled_from(
    [
        "NaN",
        "nan",
        "inf",
        "-inf",
        "Infinity",
        "1e999",
        "-1e999",
        "",
        " ",
        "12,5",
        "1.2.3",
        "0x10",
        "٣",
        "１２",
        "1_000",
        "５mg",
        "−5",
    ]
)
text = st.text(max_size=40)
numberish = st.one_of(int64, finite, extreme, number_strings, st.booleans(), st.none())
unit = st.one_of(
    st.sampled_from(KNOWN_UNITS),
    st.sampled_from(
        [
            "mg",
            "g",
            "ug",
            "mcg",
            "µg",
            "mg/kg",
            "mg/m2",
            "{titer}",
            "%",
            "1",
            "",
            " mg ",
            "MG/DL",
            "10*3/uL",
            "mmol/L",
            "kPa",
            "mm[Hg]",
            "U/L",
            "L",
            "mL",
        ]
    ),
    text,
)
json_leaf = st.one_of(st.none(), st.booleans(), int64, finite, text, number_strings)
json_value = st.recursive(
    json_leaf,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(text, inner, max_size=4)),
    max_leaves=20,
)
#: a wrong-typed value in place of a field (small: generation time matters)
wrong_type = st.recursive(
    json_leaf,
    lambda inner: st.one_of(st.lists(inner, max_size=2), st.dictionaries(text, inner, max_size=2)),
    max_leaves=4,
)


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """The value, a wrong-typed JSON value, or nothing (the key left out by ``fields``)."""
    return st.one_of(strategy, strategy, strategy, wrong_type, st.just(_MISSING))


_MISSING = object()


@st.composite
def fields(draw: st.DrawFn, **spec: st.SearchStrategy[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, strategy in spec.items():
        value = draw(maybe(strategy))
        if value is not _MISSING:
            out[key] = value
    return out


def coding(system: str) -> st.SearchStrategy[dict[str, Any]]:
    codes = CODES.get(system) or ["x"]
    return fields(
        system=st.just(system), code=st.one_of(st.sampled_from(codes), text), display=text
    )


def codeable(system: str) -> st.SearchStrategy[dict[str, Any]]:
    return fields(coding=st.lists(coding(system), max_size=3), text=text)


quantity = fields(
    value=numberish,
    unit=unit,
    code=unit,
    system=st.sampled_from([UCUM, "http://example.org/units", ""]),
    comparator=st.sampled_from(["<", "<=", ">=", ">", "ad", "≤"]),
)
dates = st.one_of(
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(str),
    st.sampled_from(
        [
            "2026",
            "2026-02",
            "2026-02-30",
            "2026-11-21T10:00:00Z",
            "20261121",
            "2026-11-21T25:61:00+14:00",
            "0000-00-00",
            "yesterday",
            "",
        ]
    ),
    text,
)
subject = st.one_of(
    st.just({"reference": f"Patient/{PATIENT}"}),
    st.just({"reference": "Patient/other"}),
    json_value,
)
status = st.sampled_from(
    [
        "final",
        "amended",
        "preliminary",
        "entered-in-error",
        "active",
        "completed",
        "stopped",
        "draft",
        "on-hold",
        "cancelled",
        "??",
    ]
)

observation = fields(
    resourceType=st.just("Observation"),
    id=text,
    status=status,
    subject=subject,
    code=codeable(LOINC),
    category=st.lists(codeable("http://terminology.hl7.org/CodeSystem/observation-category")),
    effectiveDateTime=dates,
    issued=dates,
    valueQuantity=quantity,
    valueString=st.one_of(
        text,
        number_strings,
        st.sampled_from(
            ["1:320", ">1:1280", "<1:40", "1:0", "1:-5", "positive", "Negative", "1:1e308"]
        ),
    ),
    valueCodeableConcept=codeable(SNOMED),
    valueBoolean=st.booleans(),
    valueRatio=fields(numerator=quantity, denominator=quantity),
    interpretation=st.lists(
        codeable("http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"), max_size=2
    ),
    referenceRange=st.lists(fields(low=quantity, high=quantity, text=text), max_size=2),
    component=st.lists(fields(code=codeable(LOINC), valueQuantity=quantity), max_size=3),
    dataAbsentReason=codeable("http://terminology.hl7.org/CodeSystem/data-absent-reason"),
)
condition = fields(
    resourceType=st.just("Condition"),
    id=text,
    subject=subject,
    code=st.one_of(codeable(SNOMED), codeable("http://hl7.org/fhir/sid/icd-10-cm")),
    clinicalStatus=codeable("http://terminology.hl7.org/CodeSystem/condition-clinical"),
    verificationStatus=codeable("http://terminology.hl7.org/CodeSystem/condition-ver-status"),
    onsetDateTime=dates,
    recordedDate=dates,
)
timing = fields(
    repeat=fields(
        frequency=numberish,
        frequencyMax=numberish,
        period=numberish,
        periodMax=numberish,
        periodUnit=st.sampled_from(["s", "min", "h", "d", "wk", "mo", "a", "", "day"]),
        count=numberish,
        boundsPeriod=fields(start=dates, end=dates),
    ),
    code=codeable("http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation"),
)
dosage = fields(
    sequence=numberish,
    text=st.one_of(text, st.sampled_from(["60 mg daily", "1 tab bid", "as needed", "5 mg/kg"])),
    timing=timing,
    asNeededBoolean=st.booleans(),
    route=codeable(SNOMED),
    doseAndRate=st.lists(
        fields(doseQuantity=quantity, doseRange=fields(low=quantity, high=quantity)), max_size=2
    ),
    maxDosePerPeriod=fields(numerator=quantity, denominator=quantity),
)
medication_request = fields(
    resourceType=st.sampled_from(["MedicationRequest", "MedicationStatement"]),
    id=text,
    status=status,
    intent=st.sampled_from(["order", "plan", "proposal"]),
    subject=subject,
    medicationCodeableConcept=codeable(RXNORM),
    authoredOn=dates,
    effectivePeriod=fields(start=dates, end=dates),
    dosageInstruction=st.lists(dosage, max_size=3),
    dosage=st.lists(dosage, max_size=3),
)
patient = fields(
    resourceType=st.just("Patient"),
    id=st.just(PATIENT),
    birthDate=dates,
    gender=st.sampled_from(["female", "male", "other", "unknown", "F"]),
)
resource = st.one_of(observation, observation, condition, medication_request, patient, json_value)


def deep(depth: int) -> Any:
    value: Any = {"value": 1, "unit": "mg"}
    for _ in range(depth):
        value = {"valueQuantity": value, "component": [value]}
    return value


# ------------------------------------------------------------------ properties
def _finite(x: float | None) -> bool:
    return x is None or (isinstance(x, float | int) and math.isfinite(x))


def _assert_a_dose_or_a_problem(
    what: Any,
    daily_mg: float | None,
    dose_mg: float | None,
    doses_per_day: float | None,
    daily_range_mg: tuple[float, float] | None,
    problem: str | None,
    prn: bool,
) -> None:
    """A parsed dose (of a medication entry or of daily_dose) is finite and not negative,
    or it is a range, or it says why there is none (or is as needed)."""
    assert _finite(daily_mg) and _finite(dose_mg) and _finite(doses_per_day), what
    if daily_mg is not None:
        assert daily_mg >= 0, what
    elif daily_range_mg is None:
        assert problem or prn, what


def check_record(resources: list[Any]) -> None:
    record = build_record(resources, today=TODAY, patient_id=PATIENT)
    for concept, series in record.measurements.items():
        for m in series:
            if m.interpretable:
                assert m.value is not None and math.isfinite(m.value), m
                assert m.unit == canonical_unit(concept), m
                assert _finite(m.ref_low) and _finite(m.ref_high), m
            else:
                assert m.value is None and m.reason, m
    for results in record.antibodies.values():
        for a in results:
            assert a.status in ("positive", "negative", "unknown")
            assert _finite(a.titer) and _finite(a.value), a
            if a.titer is not None:
                assert a.titer > 0, a
    for med in record.medications:
        assert _finite(med.pred_eq_mg_per_day), med
        _assert_a_dose_or_a_problem(
            med, med.daily_dose_mg, med.dose_mg, med.doses_per_day, med.daily_dose_range_mg,
            med.dose_problem, med.prn,
        )  # fmt: skip
        if med.daily_dose_range_mg is not None:
            low, high = med.daily_dose_range_mg
            assert math.isfinite(low) and math.isfinite(high) and 0 <= low <= high, med
    for ref, reason in record.warnings:
        assert isinstance(ref, str) and isinstance(reason, str)


@settings(FAST, max_examples=40)
@given(st.lists(resource, max_size=12))
def test_build_record_never_raises_nor_guesses(resources: list[Any]) -> None:
    check_record(resources)


@pytest.mark.long
@LONG
@given(st.lists(resource, max_size=30))
def test_build_record_never_raises_nor_guesses_long(resources: list[Any]) -> None:
    check_record(resources)


@pytest.mark.parametrize("depth", [10, 200])
def test_build_record_deeply_nested_values(depth: int) -> None:
    obs = {
        "resourceType": "Observation",
        "id": "o1",
        "status": "final",
        "subject": {"reference": f"Patient/{PATIENT}"},
        "code": {"coding": [{"system": LOINC, "code": CODES[LOINC][0]}]},
        "effectiveDateTime": "2026-11-01",
        **deep(depth),
    }
    check_record([obs])


def check_quantity(concept: str, q: Any) -> None:
    if not isinstance(q, dict):
        return
    result = convert_quantity(concept, q)
    if isinstance(result, str):
        assert result
    else:
        assert math.isfinite(result.value), (q, result)
        assert result.unit == canonical_unit(concept)


@FAST
@given(st.sampled_from(QUANTITY_CONCEPTS), quantity)
def test_unit_conversion_is_finite_or_refused(concept: str, q: Any) -> None:
    check_quantity(concept, q)


@pytest.mark.long
@LONG
@given(st.sampled_from(QUANTITY_CONCEPTS), quantity)
def test_unit_conversion_is_finite_or_refused_long(concept: str, q: Any) -> None:
    check_quantity(concept, q)


@pytest.mark.parametrize("concept", QUANTITY_CONCEPTS)
def test_largest_json_number_in_every_known_unit(concept: str) -> None:
    """1e308 times a conversion factor above 1 overflows to inf: refused, not 'inf'."""
    for u in FACTORS[concept]:
        check_quantity(concept, {"value": 1.7e308, "unit": u, "system": UCUM, "code": u})


@FAST
@given(observation)
def test_qualitative_reading_never_raises(obs: dict[str, Any]) -> None:
    q = interpret(obs)
    assert q.status in ("positive", "negative", "unknown")
    assert _finite(q.titer) and _finite(q.value)
    if q.status == "positive" and q.titer is not None:
        assert q.titer > 0


@FAST
@given(
    st.one_of(st.lists(dosage, max_size=3), json_value),
    st.one_of(st.none(), finite, extreme),
    st.one_of(st.none(), finite, extreme),
    st.one_of(st.none(), finite, extreme),
)
def test_dosage_parsing_is_a_number_or_a_problem(
    dosages: Any, weight: float | None, height: float | None, strength: float | None
) -> None:
    if not isinstance(dosages, list):
        dosages = [dosages]
    result = daily_dose(dosages, weight, height, strength)
    assert _finite(result.dose_per_kg), result
    _assert_a_dose_or_a_problem(
        result, result.daily_dose_mg, result.dose_mg, result.doses_per_day,
        result.daily_dose_range_mg, result.problem, result.prn,
    )  # fmt: skip


@FAST
@given(
    st.one_of(
        fields(
            resourceType=st.just("Bundle"),
            type=text,
            entry=st.lists(fields(resource=medication_request), max_size=5),
        ),
        json_value,
    ),
    st.one_of(st.none(), st.lists(text, max_size=3)),
)
def test_map_draft_orders_never_raises(drafts: Any, selections: list[str] | None) -> None:
    record = build_record([], today=TODAY, patient_id=PATIENT)
    order_set = map_draft_orders(drafts if isinstance(drafts, dict) else {}, selections, record)
    for med in order_set.medications:
        assert _finite(med.daily_dose_mg), med
        if med.daily_dose_mg is None and med.daily_dose_range_mg is None:
            assert med.dose_problem or med.prn, med


def test_the_strategies_reach_the_known_concepts() -> None:
    """The generators use the real code tables (a test that could not fail otherwise)."""
    assert len(CODES[LOINC]) > 50 and CODES[RXNORM]
    assert {"ferritin", "creatine_kinase"} <= set(QUANTITY_CONCEPTS) <= set(concept_rows())
