"""Edge cases of reading an Observation into the record: each malformed, unusual or excluded
shape gives the stated record, and no element set to any JSON type makes ``build_record``
raise or read another value. (Generated Observations: test_observation_reader_generated.py;
medication requests: test_builder_medications.py.)
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from fhir_mappings.builder import build_record

from .conftest import PATIENT, cc
from .observation_cases import EDGE_CASES, TODAY, ferritin, q, summary


def measured(value: float = 900.0, when: str = "2026-11-16") -> dict[str, Any]:
    """The ferritin read (in ng/mL)."""
    return {"measurements": {"ferritin": [(value, "ng/mL", when, None)]}}


def unreadable(reason: str) -> dict[str, Any]:
    """The ferritin kept as uninterpretable, with why."""
    return {"measurements": {"ferritin": [(None, None, "2026-11-16", reason)]}}


def warning(reason: str) -> dict[str, Any]:
    """The Observation dropped, with a warning."""
    return {"warnings": [("Observation/f", reason)]}


EXPECTED: dict[str, dict[str, Any]] = {
    **dict.fromkeys(
        [
            "common shape",
            "integer value",
            "empty code, printed unit",
            "no system",
            "unhashable unit, code converts",
            "unhashable system",
            "preliminary",
            "patient instead of subject",
            "urn:uuid subject",
            "no id",
            "integer id",
            "duplicate id",
            "two codings, one concept",
            "site alias system",
            "empty component list",
        ],
        measured(),
    ),
    **dict.fromkeys(["boolean value", "string value"], unreadable("quantity has no numeric value")),
    **dict.fromkeys(["NaN", "infinity"], unreadable("quantity value is not a finite number")),
    **dict.fromkeys(
        ["no unit", "unhashable unit", "non-string unit"], unreadable("quantity has no unit")
    ),
    **dict.fromkeys(
        ["unhashable date", "partial date", "invalid date"],
        warning("no effective date (effective[x] or issued)"),
    ),
    **dict.fromkeys(["unhashable status", "no status"], warning("Observation.status missing")),
    **dict.fromkeys(
        ["valueString", "no value", "valueQuantity not an object"], unreadable("no valueQuantity")
    ),
    **dict.fromkeys(
        [
            "dataAbsentReason",
            "entered-in-error",
            "cancelled",
            "registered",
            "no coding",
            "coding not a list",
            "coding not an object",
            "code not a string",
            "code not an object",
            "unknown code",
            "unknown code, no status",
            "finding unreadable",
            "not a dict resource",
        ],
        {},
    ),
    **dict.fromkeys(
        ["subject without reference", "empty subject, patient", "subject reference not a string"],
        warning("no subject/patient reference"),
    ),
    **dict.fromkeys(["effectivePeriod only", "issued only"], measured(when="2026-01-02")),
    "integer beyond float": unreadable("quantity value out of range"),
    "integer beyond 2**53": measured(9007199254740992.0),
    "negative zero": measured(-0.0),
    "overflow on conversion": {
        "measurements": {
            "body_height": [(None, None, "2026-11-16", "quantity value out of range for its unit")]
        }
    },
    "unit converted": measured(1000.0),
    "unknown unit": unreadable("unit 'mg/dL' cannot be converted to ng/mL"),
    "non-UCUM system": unreadable("unit 'x' cannot be converted to ng/mL"),
    "comparator": {"measurements": {"ferritin": [(2000.0, "ng/mL", "2026-11-16", None, ">")]}},
    "non-string comparator": measured(2000.0),
    "reference range": {
        "measurements": {"ferritin": [(900.0, "ng/mL", "2026-11-16", None, (30.0, 400.0))]}
    },
    "interpretation": {
        "measurements": {"ferritin": [(900.0, "ng/mL", "2026-11-16", None, "high")]}
    },
    "another patient": warning("belongs to another patient"),
    "date with time zone": measured(when="2026-03-04"),
    "two codings, two concepts": {
        "measurements": {
            "creatinine": [(None, None, "2026-11-16", "unit 'ng/mL' cannot be converted to mg/dL")],
            "ferritin": [(900.0, "ng/mL", "2026-11-16", None)],
        }
    },
    "implied study": {
        "measurements": {"alt": [(30.0, "U/L", "2026-11-16", None)]},
        "studies": [("liver_panel", "2026-11-16")],
    },
    "implied study, bad unit": {
        "measurements": {
            "alt": [(None, None, "2026-11-16", "unit 'IU/mL' cannot be converted to U/L")]
        },
        "studies": [("liver_panel", "2026-11-16")],
    },
    "ratio unit": {
        "measurements": {"fev1_fvc": [(70.0, "%", "2026-11-16", None)]},
        "studies": [("pft", "2026-11-16")],
    },
    "qualitative with a quantity": {
        "measurements": {"beta_d_glucan": [(80.0, "pg/mL", "2026-11-16", None)]},
        "antibodies": {"beta_d_glucan": [("unknown", "2026-11-16")]},
    },
    "qualitative coded": {"antibodies": {"anti_mda5": [("positive", "2026-11-16")]}},
    "qualitative string": {"antibodies": {"anti_mda5": [("unknown", "2026-11-16")]}},
    "finding boolean": {"findings": [("ct_ground_glass", True, "2026-11-16")]},
    "finding false": {"findings": [("ct_ground_glass", False, "2026-11-16")]},
    "consolidation, lower lobe": {
        "findings": [
            ("ct_consolidation", True, "2026-11-16"),
            ("ct_lower_consolidation", True, "2026-11-16"),
        ]
    },
    "study": {"studies": [("ct_chest", "2026-11-16"), ("hrct_chest", "2026-11-16")]},
    "finding as a value": {"findings": [("ct_consolidation", True, "2026-11-16")]},
    "components": {
        "measurements": {
            "ferritin": [(900.0, "ng/mL", "2026-11-16", None)],
            "fvc": [(2.1, "L", "2026-11-16", None)],
        },
        "studies": [("pft", "2026-11-16")],
    },
    "PFT percent predicted derived": {
        "measurements": {"fvc": [(2.0, "L", "2026-11-16", None)]},
        "studies": [("pft", "2026-11-16")],
    },
}


@pytest.mark.parametrize("resources", [c[1] for c in EDGE_CASES], ids=[c[0] for c in EDGE_CASES])
def test_observation_edge_cases(request: pytest.FixtureRequest, resources: list[Any]) -> None:
    name = request.node.callspec.id
    assert summary(build_record(resources, TODAY, PATIENT)) == EXPECTED[name]
    build_record(resources, TODAY, None)  # without a patient id: never raises either


#: every element of a ferritin Observation read by the builder: each missing, and each a
#: JSON value of every type
_ELEMENTS: list[tuple[str | int, ...]] = [
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
    ("referenceRange",),
    ("interpretation",),
]
_JSON_VALUES: list[Any] = [None, True, 0, 1.5, "", "x", [], ["x"], [{}], {}, {"x": 1}]
_MISSING = object()


def _with(path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    obs = copy.deepcopy(  # (SUBJECT is shared)
        ferritin(
            valueQuantity=q(900.0),
            referenceRange=[{"low": {"value": 30}, "high": {"value": 400, "unit": "ng/mL"}}],
            interpretation=[cc("http://terminology.hl7.org/CodeSystem/v3-Obs", "H")],
        )
    )
    parent: Any = obs
    for step in path[:-1]:
        parent = parent[step]
    if value is _MISSING:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return obs


MALFORMED_CASES: list[tuple[str, list[Any], float]] = [
    (
        f"{'.'.join(map(str, path))}={value!r}",
        [_with(path, value)],
        # the value read: 900, or the number written into valueQuantity.value
        float(value)
        if path == ("valueQuantity", "value") and type(value) in (int, float)
        else 900.0,
    )
    for path in _ELEMENTS
    for value in [_MISSING, *_JSON_VALUES]
]


@pytest.mark.parametrize(
    ("resources", "value"),
    [c[1:] for c in MALFORMED_CASES],
    ids=[c[0] for c in MALFORMED_CASES],
)
def test_a_malformed_element_never_raises_and_never_changes_a_value(
    resources: list[Any], value: float
) -> None:
    """The ferritin is read as its value in ng/mL, kept as uninterpretable with a reason, or
    dropped (with a warning when it was selected); it is never read as another value."""
    for patient_id in (PATIENT, None):
        record = build_record(resources, TODAY, patient_id)
        for m in record.measurements.get("ferritin", []):
            assert (m.value, m.unit) == (value, "ng/mL") or (not m.interpretable and m.reason)


def test_every_case_has_its_expectation() -> None:
    assert sorted(EXPECTED) == sorted(name for name, _ in EDGE_CASES)
