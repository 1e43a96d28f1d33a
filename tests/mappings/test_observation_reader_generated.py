"""Generated Observations (hypothesis) never make ``build_record`` raise; numbers beyond the
float range and site-coded HRCT extent are read as stated."""

from __future__ import annotations

import math
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fhir_mappings.builder import build_record
from fhir_mappings.terminology import Terminology

from .conftest import LOINC, PATIENT, SNOMED, SUBJECT, UCUM, cc, observation
from .observation_cases import TODAY, ferritin, q

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
def test_generated_observations_never_raise(resources: list[dict[str, Any]]) -> None:
    """Any Observation gives a record: every value read is finite, in the canonical unit,
    and every uninterpretable value says why."""
    for patient_id in (PATIENT, None):
        record = build_record(resources, TODAY, patient_id)
        for series in record.measurements.values():
            for m in series:
                if m.interpretable:
                    assert m.value is not None and math.isfinite(m.value) and m.unit
                else:
                    assert m.value is None and m.reason


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


def test_an_implied_hrct_is_also_a_ct_of_the_chest() -> None:
    """The one quantity concept implying an HRCT (no standard code: a site's code)."""
    site = Terminology.standard().with_site_maps({("urn:site", "EXT"): ["hrct_fibrosis_extent"]})
    obs = observation("e", "EXT", system="urn:site", valueQuantity=q(20, "%", "%"))
    fast = build_record([obs], TODAY, PATIENT, site)
    assert [s.concept for s in fast.studies] == ["hrct_chest", "ct_chest"]
    assert fast.latest("hrct_fibrosis_extent") is not None
