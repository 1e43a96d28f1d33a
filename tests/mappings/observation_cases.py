"""Shared by the builder edge-case tests: Observation edge cases (``EDGE_CASES``) and a
compact ``summary`` of what a record holds."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from fhir_mappings.record import PatientRecord

from .conftest import LOINC, PATIENT, SNOMED, SUBJECT, UCUM, cc, observation

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
