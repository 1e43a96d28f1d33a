"""Edge cases of reading an Observation (and the medication requests beside it) into the
record: each malformed, unusual or excluded shape gives the stated record, and no input
makes ``build_record`` raise. Checked on a table of cases, on every element of a ferritin
Observation set to every JSON type, and on generated Observations (hypothesis).
"""

from __future__ import annotations

import copy
import math
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fhir_mappings.builder import build_record
from fhir_mappings.record import PatientRecord
from fhir_mappings.terminology import Terminology

from .conftest import LOINC, PATIENT, RXNORM, SNOMED, SUBJECT, UCUM, cc, observation, quantity

TODAY = date(2026, 11, 20)
HPO = "http://human-phenotype-ontology.org"


def summary(record: PatientRecord) -> dict[str, Any]:
    """What the record holds, compactly: measurements (value, unit, date, why unreadable,
    then comparator, reference range and flag when set), antibody results, findings,
    studies, warnings and medications (concept, dose, daily dose, dose problem)."""
    out: dict[str, Any] = {}
    ms = {
        c: [
            (None if m.value is None else round(m.value, 6), m.unit, m.when.isoformat(), m.reason)
            + ((m.comparator,) if m.comparator else ())
            + (
                ((m.ref_low, m.ref_high),)
                if m.ref_low is not None or m.ref_high is not None
                else ()
            )
            + ((m.flag,) if m.flag else ())
            for m in v
        ]
        for c, v in record.measurements.items()
        if v
    }
    if ms:
        out["measurements"] = ms
    ab = {c: [(a.status, a.when.isoformat()) for a in v] for c, v in record.antibodies.items()}
    if ab:
        out["antibodies"] = ab
    if record.conditions:
        out["findings"] = [
            (c.concept, c.active, c.when.isoformat() if c.when else None) for c in record.conditions
        ]
    if record.studies:
        out["studies"] = [(s.concept, s.when.isoformat()) for s in record.studies]
    if record.warnings:
        out["warnings"] = record.warnings
    if record.medications:
        out["medications"] = [
            (m.concept, m.dose_mg, m.daily_dose_mg, m.dose_problem) for m in record.medications
        ]
    return out


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


EXPECTED: dict[str, dict[str, Any]] = dict(
    [
        ("common shape", {"measurements": {"ferritin": [(900.0, "ng/mL", "2026-11-16", None)]}}),
        ("integer value", {"measurements": {"ferritin": [(900.0, "ng/mL", "2026-11-16", None)]}}),
        (
            "boolean value",
            {
                "measurements": {
                    "ferritin": [(None, None, "2026-11-16", "quantity has no numeric value")]
                }
            },
        ),
        (
            "string value",
            {
                "measurements": {
                    "ferritin": [(None, None, "2026-11-16", "quantity has no numeric value")]
                }
            },
        ),
        (
            "integer beyond float",
            {
                "measurements": {
                    "ferritin": [(None, None, "2026-11-16", "quantity value out of range")]
                }
            },
        ),
        (
            "integer beyond 2**53",
            {"measurements": {"ferritin": [(9007199254740992.0, "ng/mL", "2026-11-16", None)]}},
        ),
        (
            "NaN",
            {
                "measurements": {
                    "ferritin": [
                        (None, None, "2026-11-16", "quantity value is not a finite number")
                    ]
                }
            },
        ),
        (
            "infinity",
            {
                "measurements": {
                    "ferritin": [
                        (None, None, "2026-11-16", "quantity value is not a finite number")
                    ]
                }
            },
        ),
        ("negative zero", {"measurements": {"ferritin": [(-0.0, "ng/mL", "2026-11-16", None)]}}),
        (
            "overflow on conversion",
            {
                "measurements": {
                    "body_height": [
                        (None, None, "2026-11-16", "quantity value out of range for its unit")
                    ]
                }
            },
        ),
        ("unit converted", {"measurements": {"ferritin": [(1000.0, "ng/mL", "2026-11-16", None)]}}),
        (
            "unknown unit",
            {
                "measurements": {
                    "ferritin": [
                        (None, None, "2026-11-16", "unit 'mg/dL' cannot be converted to ng/mL")
                    ]
                }
            },
        ),
        (
            "no unit",
            {"measurements": {"ferritin": [(None, None, "2026-11-16", "quantity has no unit")]}},
        ),
        (
            "empty code, printed unit",
            {"measurements": {"ferritin": [(900.0, "ng/mL", "2026-11-16", None)]}},
        ),
        (
            "non-UCUM system",
            {
                "measurements": {
                    "ferritin": [
                        (None, None, "2026-11-16", "unit 'x' cannot be converted to ng/mL")
                    ]
                }
            },
        ),
        ("no system", {"measurements": {"ferritin": [(900.0, "ng/mL", "2026-11-16", None)]}}),
        (
            "unhashable unit",
            {"measurements": {"ferritin": [(None, None, "2026-11-16", "quantity has no unit")]}},
        ),
        (
            "unhashable unit, code converts",
            {"measurements": {"ferritin": [(900.0, "ng/mL", "2026-11-16", None)]}},
        ),
        (
            "unhashable system",
            {"measurements": {"ferritin": [(900.0, "ng/mL", "2026-11-16", None)]}},
        ),
        (
            "unhashable date",
            {"warnings": [("Observation/f", "no effective date (effective[x] or issued)")]},
        ),
        ("unhashable status", {"warnings": [("Observation/f", "Observation.status missing")]}),
        (
            "non-string unit",
            {"measurements": {"ferritin": [(None, None, "2026-11-16", "quantity has no unit")]}},
        ),
        (
            "comparator",
            {"measurements": {"ferritin": [(2000.0, "ng/mL", "2026-11-16", None, ">")]}},
        ),
        (
            "non-string comparator",
            {"measurements": {"ferritin": [(2000.0, "ng/mL", "2026-11-16", None)]}},
        ),
        (
            "reference range",
            {"measurements": {"ferritin": [(900.0, "ng/mL", "2026-11-16", None, (30.0, 400.0))]}},
        ),
        (
            "interpretation",
            {"measurements": {"ferritin": [(900.0, "ng/mL", "2026-11-16", None, "high")]}},
        ),
        (
            "valueString",
            {"measurements": {"ferritin": [(None, None, "2026-11-16", "no valueQuantity")]}},
        ),
        ("dataAbsentReason", {}),
        (
            "no value",
            {"measurements": {"ferritin": [(None, None, "2026-11-16", "no valueQuantity")]}},
        ),
        (
            "valueQuantity not an object",
            {"measurements": {"ferritin": [(None, None, "2026-11-16", "no valueQuantity")]}},
        ),
        ("entered-in-error", {}),
        ("cancelled", {}),
        ("registered", {}),
        ("preliminary", {"measurements": {"ferritin": [(900.0, "ng/mL", "2026-11-16", None)]}}),
        ("no status", {"warnings": [("Observation/f", "Observation.status missing")]}),
        ("another patient", {"warnings": [("Observation/f", "belongs to another patient")]}),
        (
            "subject without reference",
            {"warnings": [("Observation/f", "no subject/patient reference")]},
        ),
        (
            "empty subject, patient",
            {"warnings": [("Observation/f", "no subject/patient reference")]},
        ),
        (
            "patient instead of subject",
            {"measurements": {"ferritin": [(900.0, "ng/mL", "2026-11-16", None)]}},
        ),
        (
            "urn:uuid subject",
            {"measurements": {"ferritin": [(900.0, "ng/mL", "2026-11-16", None)]}},
        ),
        (
            "subject reference not a string",
            {"warnings": [("Observation/f", "no subject/patient reference")]},
        ),
        (
            "partial date",
            {"warnings": [("Observation/f", "no effective date (effective[x] or issued)")]},
        ),
        (
            "invalid date",
            {"warnings": [("Observation/f", "no effective date (effective[x] or issued)")]},
        ),
        (
            "date with time zone",
            {"measurements": {"ferritin": [(900.0, "ng/mL", "2026-03-04", None)]}},
        ),
        (
            "effectivePeriod only",
            {"measurements": {"ferritin": [(900.0, "ng/mL", "2026-01-02", None)]}},
        ),
        ("issued only", {"measurements": {"ferritin": [(900.0, "ng/mL", "2026-01-02", None)]}}),
        ("no id", {"measurements": {"ferritin": [(900.0, "ng/mL", "2026-11-16", None)]}}),
        ("integer id", {"measurements": {"ferritin": [(900.0, "ng/mL", "2026-11-16", None)]}}),
        ("duplicate id", {"measurements": {"ferritin": [(900.0, "ng/mL", "2026-11-16", None)]}}),
        (
            "two codings, one concept",
            {"measurements": {"ferritin": [(900.0, "ng/mL", "2026-11-16", None)]}},
        ),
        (
            "two codings, two concepts",
            {
                "measurements": {
                    "creatinine": [
                        (None, None, "2026-11-16", "unit 'ng/mL' cannot be converted to mg/dL")
                    ],
                    "ferritin": [(900.0, "ng/mL", "2026-11-16", None)],
                }
            },
        ),
        ("no coding", {}),
        ("coding not a list", {}),
        ("coding not an object", {}),
        ("code not a string", {}),
        ("code not an object", {}),
        ("unknown code", {}),
        ("unknown code, no status", {}),
        (
            "site alias system",
            {"measurements": {"ferritin": [(900.0, "ng/mL", "2026-11-16", None)]}},
        ),
        (
            "implied study",
            {
                "measurements": {"alt": [(30.0, "U/L", "2026-11-16", None)]},
                "studies": [("liver_panel", "2026-11-16")],
            },
        ),
        (
            "implied study, bad unit",
            {
                "measurements": {
                    "alt": [(None, None, "2026-11-16", "unit 'IU/mL' cannot be converted to U/L")]
                },
                "studies": [("liver_panel", "2026-11-16")],
            },
        ),
        (
            "ratio unit",
            {
                "measurements": {"fev1_fvc": [(70.0, "%", "2026-11-16", None)]},
                "studies": [("pft", "2026-11-16")],
            },
        ),
        (
            "qualitative with a quantity",
            {
                "measurements": {"beta_d_glucan": [(80.0, "pg/mL", "2026-11-16", None)]},
                "antibodies": {"beta_d_glucan": [("unknown", "2026-11-16")]},
            },
        ),
        ("qualitative coded", {"antibodies": {"anti_mda5": [("positive", "2026-11-16")]}}),
        ("qualitative string", {"antibodies": {"anti_mda5": [("unknown", "2026-11-16")]}}),
        ("finding boolean", {"findings": [("ct_ground_glass", True, "2026-11-16")]}),
        ("finding false", {"findings": [("ct_ground_glass", False, "2026-11-16")]}),
        ("finding unreadable", {}),
        (
            "consolidation, lower lobe",
            {
                "findings": [
                    ("ct_consolidation", True, "2026-11-16"),
                    ("ct_lower_consolidation", True, "2026-11-16"),
                ]
            },
        ),
        ("study", {"studies": [("ct_chest", "2026-11-16"), ("hrct_chest", "2026-11-16")]}),
        ("finding as a value", {"findings": [("ct_consolidation", True, "2026-11-16")]}),
        (
            "components",
            {
                "measurements": {
                    "ferritin": [(900.0, "ng/mL", "2026-11-16", None)],
                    "fvc": [(2.1, "L", "2026-11-16", None)],
                },
                "studies": [("pft", "2026-11-16")],
            },
        ),
        (
            "empty component list",
            {"measurements": {"ferritin": [(900.0, "ng/mL", "2026-11-16", None)]}},
        ),
        ("not a dict resource", {}),
        (
            "PFT percent predicted derived",
            {
                "measurements": {"fvc": [(2.0, "L", "2026-11-16", None)]},
                "studies": [("pft", "2026-11-16")],
            },
        ),
        ("request", {"medications": [("tacrolimus", 3.0, 6.0, None)]}),
        (
            "weight-based",
            {
                "measurements": {"body_weight": [(60.0, "kg", "2026-11-01", None)]},
                "medications": [("tacrolimus", 3.0, 6.0, None)],
            },
        ),
        (
            "another weight",
            {
                "measurements": {"body_weight": [(80.0, "kg", "2026-11-01", None)]},
                "medications": [("tacrolimus", 3.0, 6.0, None)],
            },
        ),
        (
            "mg/kg dose",
            {
                "measurements": {"body_weight": [(60.0, "kg", "2026-11-01", None)]},
                "medications": [("tacrolimus", 6.0, 12.0, None)],
            },
        ),
        ("tuple instead of a list", {"medications": [("tacrolimus", 3.0, 6.0, None)]}),
        ("float frequency", {"medications": [("tacrolimus", 3.0, 6.0, None)]}),
        (
            "NaN dose",
            {
                "medications": [
                    ("tacrolimus", None, None, "dose quantity has no numeric value and unit")
                ]
            },
        ),
        ("a non-JSON value in a note", {"medications": [("tacrolimus", 3.0, 6.0, None)]}),
        ("a dict subclass", {"medications": [("tacrolimus", 3.0, 6.0, None)]}),
        (
            "boolean frequency",
            {"medications": [("tacrolimus", 3.0, None, "timing frequency/period not numeric")]},
        ),
        (
            "negative zero dose",
            {"medications": [("tacrolimus", None, None, "dose amount is not positive")]},
        ),
        (
            "unreadable",
            {
                "medications": [
                    ("tacrolimus", None, None, "dose quantity has no numeric value and unit")
                ]
            },
        ),
        ("Medication reference", {"medications": [("tacrolimus", 3.0, 6.0, None)]}),
        ("statement", {"medications": [("tacrolimus", 3.0, 6.0, None)]}),
    ]
)


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
    """Not JSON, but a Mapping: read like a dict."""


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
    ("a non-JSON value in a note", [med(note=[{"text": lambda: None}])]),
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
    site = Terminology.standard().with_site_maps(
        {("urn:site", "EXT"): ["hrct_fibrosis_extent"]}, "test"
    )
    obs = observation("e", "EXT", system="urn:site", valueQuantity=q(20, "%", "%"))
    fast = build_record([obs], TODAY, PATIENT, site)
    assert [s.concept for s in fast.studies] == ["hrct_chest", "ct_chest"]
    assert fast.latest("hrct_fibrosis_extent") is not None


@pytest.mark.parametrize(
    "resources", [c[1] for c in MEDICATION_CASES], ids=[c[0] for c in MEDICATION_CASES]
)
def test_medication_edge_cases(request: pytest.FixtureRequest, resources: list[Any]) -> None:
    name = request.node.callspec.id
    assert summary(build_record(resources, TODAY, PATIENT)) == EXPECTED[name]


def test_every_case_has_its_expectation() -> None:
    assert sorted(EXPECTED) == sorted(name for name, _ in EDGE_CASES + MEDICATION_CASES)
