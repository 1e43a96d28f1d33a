"""The builder's fast paths give exactly the records of its general path.

``_Builder.add_all`` reads the common Observation shape in one pass and hands anything else
to ``_Builder.add`` (the general path); ``_Builder.map_medication`` memoizes the mapping of
a MedicationRequest/Statement. Specification: for ANY input, the record built with them equals
the record built by the general path alone (every measurement, finding, study, antibody,
medication and warning, in the same order). Checked on a table of edge cases and on generated
Observations (hypothesis), for this patient and without a patient id.
"""

from __future__ import annotations

import copy
import dataclasses
import math
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fhir_mappings import builder
from fhir_mappings.builder import build_record
from fhir_mappings.medications import map_medication
from fhir_mappings.record import MedicationEntry, PatientRecord, StudyEntry
from fhir_mappings.terminology import Terminology, default_terminology

from .conftest import LOINC, PATIENT, RXNORM, SNOMED, SUBJECT, UCUM, cc, observation, quantity

TODAY = date(2026, 11, 20)
HPO = "http://human-phenotype-ontology.org"


class _GeneralOnly(builder._Builder):
    """The builder without its fast paths: every resource through ``add`` (every Observation
    through ``observation``), every medication mapped afresh."""

    def map_medication(
        self, resource: Any, weight: float | None, height: float | None
    ) -> list[MedicationEntry]:
        return map_medication(resource, self.medications, self.terms, weight, height)


def general(resources: list[Any], patient_id: str | None = PATIENT) -> PatientRecord:
    b = _GeneralOnly(TODAY, patient_id, default_terminology())
    for resource in resources:
        b.add(resource)
    return b.finish()


def same_records(resources: list[Any]) -> None:
    for patient_id in (PATIENT, None):
        fast = build_record(resources, TODAY, patient_id)
        again = build_record(resources, TODAY, patient_id)  # now from the warm caches
        slow = general(resources, patient_id)
        assert fast == slow, patient_id
        assert again == slow, patient_id
        assert repr(fast) == repr(slow)  # also -0.0 vs 0.0 and the order of every list


def ferritin(**kw: Any) -> dict[str, Any]:
    return observation("f", "2276-4", **kw)


def q(value: Any, unit: Any = "ng/mL", code: Any = "ng/mL", system: Any = UCUM) -> dict[str, Any]:
    out: dict[str, Any] = {"value": value}
    for key, item in (("unit", unit), ("code", code), ("system", system)):
        if item is not None:
            out[key] = item
    return out


EDGE_CASES: list[tuple[str, list[Any]]] = [
    ("common shape", [ferritin(valueQuantity=q(900.0))]),
    ("integer value", [ferritin(valueQuantity=q(900))]),
    ("boolean value", [ferritin(valueQuantity=q(True))]),
    ("string value", [ferritin(valueQuantity=q("900"))]),
    ("integer beyond float", [ferritin(valueQuantity=q(10**400))]),
    ("integer beyond 2**53", [ferritin(valueQuantity=q(2**53 + 1))]),
    ("NaN", [ferritin(valueQuantity=q(math.nan))]),
    ("infinity", [ferritin(valueQuantity=q(-math.inf))]),
    ("negative zero", [ferritin(valueQuantity=q(-0.0))]),
    ("overflow on conversion", [observation("h", "8302-2", valueQuantity=q(1e308, "m", "m"))]),
    ("unit converted", [ferritin(valueQuantity=q(2247, "pmol/L", "pmol/L"))]),
    ("unknown unit", [ferritin(valueQuantity=q(1.2, "mg/dL", "mg/dL"))]),
    ("no unit", [ferritin(valueQuantity=q(900, None, None, None))]),
    ("empty code, printed unit", [ferritin(valueQuantity=q(900, "ng/mL", ""))]),
    ("non-UCUM system", [ferritin(valueQuantity=q(900, "x", "ng/mL", "urn:local"))]),
    ("no system", [ferritin(valueQuantity=q(900, None, "ng/mL", None))]),
    ("unhashable unit", [ferritin(valueQuantity=q(900, ["ng/mL"], {"a": 1}))]),
    ("unhashable unit, code converts", [ferritin(valueQuantity=q(900, ["ng/mL"], "ng/mL"))]),
    ("unhashable system", [ferritin(valueQuantity=q(900, "ng/mL", "ng/mL", [UCUM]))]),
    ("unhashable date", [ferritin(valueQuantity=q(900), when=["2026-11-16"])]),
    ("unhashable status", [ferritin(valueQuantity=q(900), status=["final"])]),
    ("non-string unit", [ferritin(valueQuantity=q(900, 5, None))]),
    ("comparator", [ferritin(valueQuantity={**q(2000), "comparator": ">"})]),
    ("non-string comparator", [ferritin(valueQuantity={**q(2000), "comparator": 1})]),
    (
        "reference range",
        [
            ferritin(
                valueQuantity=q(900),
                referenceRange=[{"low": {"value": 30}, "high": {"value": 400, "unit": "ng/mL"}}],
            )
        ],
    ),
    (
        "interpretation",
        [
            ferritin(
                valueQuantity=q(900),
                interpretation=[cc("http://terminology.hl7.org/CodeSystem/v3-Obs", "H")],
            )
        ],
    ),
    ("valueString", [ferritin(valueString=">2000")]),
    ("dataAbsentReason", [ferritin(dataAbsentReason=cc("urn:x", "error"))]),
    ("no value", [ferritin()]),
    ("valueQuantity not an object", [ferritin(valueQuantity=[900])]),
    ("entered-in-error", [ferritin(valueQuantity=q(900), status="entered-in-error")]),
    ("cancelled", [ferritin(valueQuantity=q(900), status="cancelled")]),
    ("registered", [ferritin(valueQuantity=q(900), status="registered")]),
    ("preliminary", [ferritin(valueQuantity=q(900), status="preliminary")]),
    ("no status", [{**ferritin(valueQuantity=q(900)), "status": None}]),
    ("another patient", [ferritin(valueQuantity=q(900), subject={"reference": "Patient/x"})]),
    ("subject without reference", [ferritin(valueQuantity=q(900), subject={"display": "x"})]),
    ("empty subject, patient", [{**ferritin(valueQuantity=q(900)), "subject": {}}]),
    (
        "patient instead of subject",
        [{**ferritin(valueQuantity=q(900)), "subject": None, "patient": SUBJECT}],
    ),
    (
        "urn:uuid subject",
        [ferritin(valueQuantity=q(900), subject={"reference": f"urn:uuid:{PATIENT}"})],
    ),
    ("subject reference not a string", [ferritin(valueQuantity=q(900), subject={"reference": 1})]),
    ("partial date", [ferritin(valueQuantity=q(900), when="2026-03")]),
    ("invalid date", [ferritin(valueQuantity=q(900), when="2026-02-30")]),
    ("date with time zone", [ferritin(valueQuantity=q(900), when="2026-03-04T23:30:00-05:00")]),
    (
        "effectivePeriod only",
        [
            {
                **ferritin(valueQuantity=q(900)),
                "effectiveDateTime": None,
                "effectivePeriod": {"start": "2026-01-02"},
            }
        ],
    ),
    (
        "issued only",
        [
            {
                **ferritin(valueQuantity=q(900)),
                "effectiveDateTime": 5,
                "issued": "2026-01-02T10:00:00Z",
            }
        ],
    ),
    ("no id", [{k: v for k, v in ferritin(valueQuantity=q(900)).items() if k != "id"}]),
    ("integer id", [{**ferritin(valueQuantity=q(900)), "id": 7}]),
    ("duplicate id", [ferritin(valueQuantity=q(900)), ferritin(valueQuantity=q(100))]),
    (
        "two codings, one concept",
        [
            {
                **ferritin(valueQuantity=q(900)),
                "code": {
                    "coding": [cc(LOINC, "2276-4")["coding"][0], cc(LOINC, "20567-4")["coding"][0]]
                },
            }
        ],
    ),
    (
        "two codings, two concepts",
        [
            {
                **ferritin(valueQuantity=q(900)),
                "code": {
                    "coding": [cc(LOINC, "2276-4")["coding"][0], cc(LOINC, "2160-0")["coding"][0]]
                },
            }
        ],
    ),
    ("no coding", [{**ferritin(valueQuantity=q(900)), "code": {"text": "ferritin"}}]),
    (
        "coding not a list",
        [{**ferritin(valueQuantity=q(900)), "code": {"coding": {"code": "2276-4"}}}],
    ),
    ("coding not an object", [{**ferritin(valueQuantity=q(900)), "code": {"coding": ["2276-4"]}}]),
    (
        "code not a string",
        [{**ferritin(valueQuantity=q(900)), "code": {"coding": [{"system": LOINC, "code": 2276}]}}],
    ),
    ("code not an object", [{**ferritin(valueQuantity=q(900)), "code": "2276-4"}]),
    ("unknown code", [observation("u", "0000-0", valueQuantity=q(1.0))]),
    (
        "unknown code, no status",
        [{**observation("u", "0000-0", valueQuantity=q(1.0)), "status": None}],
    ),
    (
        "site alias system",
        [observation("f", "2276-4", system="urn:oid:2.16.840.1.113883.6.1", valueQuantity=q(900))],
    ),
    ("implied study", [observation("a", "1742-6", valueQuantity=q(30, "U/L", "U/L"))]),
    (
        "implied study, bad unit",
        [observation("a", "1742-6", valueQuantity=q(30, "IU/mL", "IU/mL"))],
    ),
    ("ratio unit", [observation("r", "19926-5", valueQuantity=q(0.7, "1", "1"))]),
    (
        "qualitative with a quantity",
        [observation("b", "42176-8", valueQuantity=q(80, "pg/mL", "pg/mL"))],
    ),
    (
        "qualitative coded",
        [observation("m", "82424-3", valueCodeableConcept=cc(SNOMED, "10828004"))],
    ),
    ("qualitative string", [observation("m", "82424-3", valueString="Positive 1:320")]),
    ("finding boolean", [observation("g", "HP:0025179", system=HPO, valueBoolean=True)]),
    ("finding false", [observation("g", "HP:0025179", system=HPO, valueBoolean=False)]),
    ("finding unreadable", [observation("g", "HP:0025179", system=HPO, valueString="maybe")]),
    (
        "consolidation, lower lobe",
        [observation("c", "95436008", system=SNOMED, bodySite={"text": "right lower lobe"})],
    ),
    ("study", [observation("s", "29252-4", code=cc(LOINC, "29252-4", "HRCT chest"))]),
    (
        "finding as a value",
        [observation("v", "0000-0", valueCodeableConcept=cc(SNOMED, "95436008"))],
    ),
    (
        "components",
        [
            observation(
                "p",
                "0000-0",
                component=[
                    {"code": cc(LOINC, "2276-4"), "valueQuantity": q(900)},
                    {"code": cc(LOINC, "19870-5"), "valueQuantity": q(2.1, "L", "L")},
                    "not a component",
                ],
            )
        ],
    ),
    ("empty component list", [ferritin(valueQuantity=q(900), component=[])]),
    ("not a dict resource", [["Observation"], None, 5, "Observation"]),
    (
        "PFT percent predicted derived",
        [
            observation("v1", "19870-5", valueQuantity=q(2.0, "L", "L")),
            observation("v2", "19869-3", valueQuantity=q(4.0, "L", "L")),
        ],
    ),
]


#: the fast path reads these elements with ``[]`` without checking their type first (any
#: JSON value but a dict raises there): each missing, and each a JSON value of every type
_READ_UNCHECKED: list[tuple[str, ...]] = [
    ("code",),
    ("code", "coding"),
    ("code", "coding", 0),
    ("code", "coding", 0, "system"),
    ("code", "coding", 0, "code"),
    ("status",),
    ("effectiveDateTime",),
    ("subject",),
    ("subject", "reference"),
    ("valueQuantity",),
    ("valueQuantity", "value"),
    ("valueQuantity", "code"),
    ("valueQuantity", "unit"),
    ("valueQuantity", "system"),
    ("id",),
]
_JSON_VALUES: list[Any] = [None, True, 0, 1.5, "", "x", [], ["x"], [{}], {}, {"x": 1}]
_MISSING = object()


def _with(path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    obs = copy.deepcopy(ferritin(valueQuantity=q(900.0)))  # (SUBJECT is shared)
    parent: Any = obs
    for step in path[:-1]:
        parent = parent[step]
    if value is _MISSING:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return obs


UNCHECKED_CASES: list[tuple[str, list[Any]]] = [
    (f"{'.'.join(map(str, path))}={value!r}", [_with(path, value)])
    for path in _READ_UNCHECKED
    for value in [_MISSING, *_JSON_VALUES]
]


@pytest.mark.parametrize(
    "resources", [c[1] for c in UNCHECKED_CASES], ids=[c[0] for c in UNCHECKED_CASES]
)
def test_elements_read_unchecked_give_equal_records(resources: list[Any]) -> None:
    same_records(resources)


@pytest.mark.parametrize("resources", [c[1] for c in EDGE_CASES], ids=[c[0] for c in EDGE_CASES])
def test_fast_paths_equal_the_general_path(resources: list[Any]) -> None:
    same_records(resources)


class _Recording(builder._Builder):
    """The builder, noting the resources its fast path hands to the general path."""

    def __init__(self) -> None:
        super().__init__(TODAY, PATIENT, default_terminology())
        self.general: list[Any] = []

    def add(self, resource: Any) -> None:
        self.general.append(resource)
        super().add(resource)


def test_the_common_shape_takes_the_fast_path() -> None:
    """Not a test that cannot fail: the common shape is read by the fast path itself."""
    b = _Recording()
    common = ferritin(valueQuantity=q(900.0))
    unread = observation("u", "0000-0", valueQuantity=q(1.0))
    coded = {**ferritin(valueCodeableConcept=cc(SNOMED, "1")), "id": "g"}
    cancelled = {**ferritin(valueQuantity=q(900), status="cancelled"), "id": "h"}
    b.add_all([common, unread, coded, cancelled, common])
    m = b.record.measurements["ferritin"][0]
    assert (m.value, m.unit, m.when, m.source_id) == (
        900.0,
        "ng/mL",
        date(2026, 11, 16),
        "Observation/f",
    )
    assert b.general == [coded, cancelled]
    assert not b.record.warnings


def test_fast_constructed_entries_have_every_field() -> None:
    assert list(builder._MEASUREMENT_FIELDS) == [
        f.name for f in dataclasses.fields(builder.Measurement)
    ]
    b = builder._Builder(TODAY, PATIENT, default_terminology())
    b.add_study("hrct_chest", TODAY, "Observation/s")
    assert b.record.studies == [
        StudyEntry("hrct_chest", TODAY, "Observation/s"),
        StudyEntry("ct_chest", TODAY, "Observation/s"),
    ]
    b.add_all([ferritin(valueQuantity=q(900.0))])
    (m,) = b.record.measurements["ferritin"]
    assert dataclasses.replace(m, value=1.0).value == 1.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.value = 2.0  # type: ignore[misc]


# ----------------------------------------------------------------- medications
def med(**kw: Any) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "id": "m",
        "status": "active",
        "intent": "order",
        "subject": SUBJECT,
        "authoredOn": "2026-10-01",
        "medicationCodeableConcept": cc(RXNORM, "42316", "tacrolimus"),
        "dosageInstruction": [
            {
                "timing": {"repeat": {"frequency": 2, "period": 1, "periodUnit": "d"}},
                "doseAndRate": [{"doseQuantity": {"value": 3, "unit": "mg"}}],
            }
        ],
    }
    resource.update(kw)
    return resource


def weight(value: float, rid: str = "w") -> dict[str, Any]:
    return observation(rid, "29463-7", when="2026-11-01", valueQuantity=quantity(value, "kg", "kg"))


class _DictSubclass(dict[str, Any]):
    """Not JSON: marshal refuses it (mapped without the medication cache)."""


MEDICATION_CASES: list[tuple[str, list[Any]]] = [
    ("request", [med()]),
    ("weight-based", [med(), weight(60.0)]),
    ("another weight", [med(), weight(80.0)]),
    (
        "mg/kg dose",
        [
            med(
                dosageInstruction=[
                    {
                        **med()["dosageInstruction"][0],
                        "doseAndRate": [{"doseQuantity": {"value": 0.1, "unit": "mg/kg"}}],
                    }
                ]
            ),
            weight(60.0),
        ],
    ),
    ("tuple instead of a list", [med(dosageInstruction=tuple(med()["dosageInstruction"]))]),
    (
        "float frequency",
        [
            med(
                dosageInstruction=[
                    {
                        **med()["dosageInstruction"][0],
                        "timing": {"repeat": {"frequency": 2.0, "period": 1}},
                    }
                ]
            )
        ],
    ),
    (
        "NaN dose",
        [
            med(
                dosageInstruction=[
                    {"doseAndRate": [{"doseQuantity": {"value": math.nan, "unit": "mg"}}]}
                ]
            )
        ],
    ),
    ("not marshallable", [med(note=[{"text": lambda: None}])]),
    ("a dict subclass", [_DictSubclass(med())]),
    (
        "boolean frequency",
        [
            med(
                dosageInstruction=[
                    {
                        **med()["dosageInstruction"][0],
                        "timing": {"repeat": {"frequency": True, "period": 1}},
                    }
                ]
            )
        ],
    ),
    (
        "negative zero dose",
        [
            med(
                dosageInstruction=[
                    {"doseAndRate": [{"doseQuantity": {"value": -0.0, "unit": "mg"}}]}
                ]
            )
        ],
    ),
    (
        "unreadable",
        [med(dosageInstruction=[{"doseAndRate": [{"doseQuantity": {"value": 3, "unit": 5}}]}])],
    ),
    (
        "Medication reference",
        [
            med(medicationCodeableConcept=None, medicationReference={"reference": "Medication/x"}),
            {"resourceType": "Medication", "id": "x", "code": cc(RXNORM, "42316")},
        ],
    ),
    (
        "statement",
        [{**med(), "resourceType": "MedicationStatement", "dosage": med()["dosageInstruction"]}],
    ),
]


@pytest.mark.parametrize(
    "resources", [c[1] for c in MEDICATION_CASES], ids=[c[0] for c in MEDICATION_CASES]
)
def test_memoized_medications_equal_fresh_mapping(resources: list[Any]) -> None:
    same_records(resources)


def test_medication_cache_tells_a_tuple_from_a_list() -> None:
    listed = med(
        dosageInstruction=[{"doseAndRate": [{"doseQuantity": {"value": 3, "unit": "mg"}}]}]
    )
    tupled = med(
        dosageInstruction=[{"doseAndRate": ({"doseQuantity": {"value": 3, "unit": "mg"}},)}]
    )
    first = build_record([listed], TODAY, PATIENT).medications[0]
    second = build_record([tupled], TODAY, PATIENT).medications[0]
    assert first.dose_mg == 3.0
    assert second.dose_mg is None  # a tuple is not a FHIR array: not read as a dose
    assert second == general([tupled]).medications[0]


def test_site_terminology_has_its_own_caches() -> None:
    site = Terminology.standard().with_site_maps({("urn:site", "FER"): ["ferritin"]}, "test")
    obs = observation("s", "FER", system="urn:site", valueQuantity=q(900))
    assert build_record([obs], TODAY, PATIENT).measurements == {}
    assert build_record([obs], TODAY, PATIENT, site).latest("ferritin") is not None


# ------------------------------------------------------------ generated inputs
_CODES = st.sampled_from(
    [
        (LOINC, "2276-4"),  # ferritin
        (LOINC, "1742-6"),  # ALT (implies a liver panel)
        (LOINC, "19870-5"),  # FVC (implies a PFT)
        (LOINC, "8302-2"),  # body height
        (LOINC, "42176-8"),  # beta-D-glucan (qualitative with a unit)
        (LOINC, "82424-3"),  # anti-MDA5 (qualitative)
        (LOINC, "29252-4"),  # CT chest (study)
        (SNOMED, "95436008"),  # consolidation (finding)
        (LOINC, "0000-0"),  # not read
        ("urn:oid:2.16.840.1.113883.6.1", "2276-4"),
        (LOINC, 2276),
    ]
)
_UNITS = st.sampled_from(
    ["ng/mL", "pmol/L", "U/L", "L", "mL", "m", "cm", "pg/mL", "", "x", None, 5, ["ng/mL"]]
)
_JSONISH = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**60), 2**60), st.floats(), st.text(max_size=4)
)
_NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**20), 10**20),
    st.booleans(),
    st.sampled_from(["12", None, 10**400]),
)


@st.composite
def _observations(draw: st.DrawFn) -> dict[str, Any]:
    obs: dict[str, Any] = {"resourceType": "Observation"}
    if draw(st.booleans()):
        obs["id"] = draw(st.sampled_from(["a", "b", "c", 1]))
    obs["status"] = draw(
        st.sampled_from(["final", "amended", "preliminary", "cancelled", "registered", None, 3])
    )
    n_codings = draw(st.integers(0, 3))
    codings: list[Any] = []
    for _ in range(n_codings):
        system, code = draw(_CODES)
        codings.append(
            {"system": system, "code": code, "display": draw(st.sampled_from(["HRCT", "x"]))}
        )
    obs["code"] = draw(
        st.sampled_from([{"coding": codings}, {"coding": codings, "text": "high resolution"}])
    )
    if draw(st.booleans()):
        obs["subject"] = draw(
            st.sampled_from(
                [SUBJECT, {"reference": "Patient/other"}, {}, {"reference": 5}, "Patient/pt-1"]
            )
        )
    if draw(st.booleans()):
        obs["patient"] = SUBJECT
    obs["effectiveDateTime"] = draw(
        st.sampled_from(
            ["2026-11-16", "2026-11-16T08:00:00Z", "2026-03", "2026-02-30", None, 20261116]
        )
    )
    if draw(st.booleans()):
        obs["issued"] = "2026-11-17T00:00:00Z"
    value_kind = draw(
        st.sampled_from(["quantity", "quantity", "quantity", "string", "cc", "bool", "none"])
    )
    if value_kind == "quantity":
        quantity_: dict[str, Any] = {"value": draw(_NUMBERS)}
        for key in ("unit", "code"):
            if draw(st.booleans()):
                quantity_[key] = draw(_UNITS)
        if draw(st.booleans()):
            quantity_["system"] = draw(st.sampled_from([UCUM, "urn:local", None, [UCUM]]))
        if draw(st.booleans()):
            quantity_["comparator"] = draw(st.sampled_from(["<", ">=", 1]))
        obs["valueQuantity"] = quantity_
    elif value_kind == "string":
        obs["valueString"] = draw(st.sampled_from(["Positive", "12", "negative"]))
    elif value_kind == "cc":
        obs["valueCodeableConcept"] = cc(
            SNOMED, draw(st.sampled_from(["10828004", "260385009", "95436008"]))
        )
    elif value_kind == "bool":
        obs["valueBoolean"] = draw(st.booleans())
    if draw(st.booleans()):
        obs["dataAbsentReason"] = {"text": "error"}
    if draw(st.booleans()):
        obs["referenceRange"] = [
            {"low": {"value": draw(_JSONISH)}, "high": {"value": 10.0, "unit": draw(_UNITS)}}
        ]
    if draw(st.booleans()):
        obs["interpretation"] = [
            {"coding": [{"code": draw(st.sampled_from(["H", "L", "N", "X"]))}]}
        ]
    if draw(st.booleans()):
        obs["component"] = [
            {"code": cc(LOINC, "2276-4"), "valueQuantity": {"value": 5, "unit": "ng/mL"}}
        ]
    if draw(st.booleans()):
        obs["bodySite"] = {"text": "left lower lobe"}
    return obs


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_observations(), min_size=1, max_size=4))
def test_generated_observations_give_equal_records(resources: list[dict[str, Any]]) -> None:
    same_records(resources)


def test_a_number_beyond_the_float_range_is_not_read_and_never_raises() -> None:
    """Found by the generated inputs: an integer beyond the float range used to raise
    OverflowError out of build_record (the whole call failed for one bad resource)."""
    huge = 10**400
    record = build_record(
        [
            ferritin(valueQuantity=q(huge)),
            observation("b", "42176-8", valueQuantity=q(huge, "pg/mL", "pg/mL")),
            observation("ok", "1742-6", valueQuantity=q(30, "U/L", "U/L")),
        ],
        TODAY,
        PATIENT,
    )
    (bad,) = record.uninterpretable("ferritin")
    assert (bad.value, bad.original_value, bad.reason) == (
        None,
        None,
        "quantity value out of range",
    )
    assert record.warnings == [("Observation/b", "a number beyond the floating-point range")]
    assert record.latest("alt") is not None  # the other results are still read


def test_full_caches_are_emptied_and_refilled(monkeypatch: pytest.MonkeyPatch) -> None:
    from fhir_mappings import fhir_read, units

    for module, name in (
        (builder, "_MAX_CACHED_ROWS"),
        (builder, "_MAX_CACHED_SELECTIONS"),
        (builder, "_MAX_CACHED_MEDICATIONS"),
        (fhir_read, "_MAX_CACHED_DATES"),
        (units, "_MAX_CACHED_FACTORS"),
    ):
        monkeypatch.setattr(module, name, 2)
    resources: list[Any] = [
        observation(f"o{i}", code, when=f"2026-0{i + 1}-1{i}", valueQuantity=q(v, u, u))
        for i, (code, v, u) in enumerate(
            [
                ("2276-4", 900, "ng/mL"),
                ("2276-4", 2247, "pmol/L"),
                ("1742-6", 30, "U/L"),
                ("19870-5", 2.1, "L"),
                ("8302-2", 1.7, "m"),
            ]
        )
    ] + [med(id=f"m{i}", authoredOn=f"2026-10-0{i + 1}") for i in range(4)]
    for _ in range(2):
        same_records(resources)
    assert len(fhir_read.DAYS_BY_TEXT) <= 2


def test_an_implied_hrct_is_also_a_ct_of_the_chest_on_both_paths() -> None:
    """The one quantity concept implying an HRCT (no standard code: a site's code)."""
    site = Terminology.standard().with_site_maps(
        {("urn:site", "EXT"): ["hrct_fibrosis_extent"]}, "test"
    )
    obs = observation("e", "EXT", system="urn:site", valueQuantity=q(20, "%", "%"))
    fast = build_record([obs], TODAY, PATIENT, site)
    b = _GeneralOnly(TODAY, PATIENT, site)
    b.add(obs)
    assert repr(fast) == repr(b.finish())
    assert [s.concept for s in fast.studies] == ["hrct_chest", "ct_chest"]
    assert fast.latest("hrct_fibrosis_extent") is not None


@pytest.mark.parametrize(
    ("first", "second"), [(1, True), (True, 1), (1, 1.0), (2.0, 2), (0.0, -0.0), (3, "3")]
)
def test_medication_cache_tells_equal_values_of_other_types_apart(first: Any, second: Any) -> None:
    """The cache key of a resource with ``first`` is never the key of one with ``second``
    (1 == True == 1.0 and 0.0 == -0.0 in Python, yet they are other JSON values)."""

    def with_value(value: Any) -> dict[str, Any]:
        dose = {"doseQuantity": {"value": value, "unit": "mg"}}
        timing = {"repeat": {"frequency": value, "period": 1, "periodUnit": "d"}}
        return med(dosageInstruction=[{"timing": timing, "doseAndRate": [dose]}])

    build_record([with_value(first)], TODAY, PATIENT)  # now in the cache
    second_record = build_record([with_value(second)], TODAY, PATIENT)
    assert repr(second_record) == repr(general([with_value(second)]))
