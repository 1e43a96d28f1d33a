"""Unit conversions at exact values, and refusal of units that cannot be converted."""

from __future__ import annotations

import pytest

from fhir_mappings.units import FACTORS, Converted, convert_quantity

#: the enzyme activities whose "IU/L" is read as U/L (the documented decision in units.py)
ENZYME_CONCEPTS = frozenset({"creatine_kinase", "aldolase", "ldh", "alt", "ast"})


def convert(concept: str, value: float, unit: str) -> Converted | None:
    """A value with a printed unit through the product's Quantity conversion; None if refused."""
    result = convert_quantity(concept, {"value": value, "unit": unit})
    return result if isinstance(result, Converted) else None


@pytest.mark.parametrize(
    ("concept", "value", "unit", "expected", "canonical"),
    [
        # PaO2: kPa x 7.50062 = mmHg (60 mmHg = 8.00 kPa; 10 mmHg = 1.333 kPa)
        ("pao2", 8.0, "kPa", 60.00496, "mm[Hg]"),
        ("pao2", 1.333, "kPa", 9.99833, "mm[Hg]"),
        ("pao2", 60.0, "mm[Hg]", 60.0, "mm[Hg]"),
        ("pao2", 60.0, "mmHg", 60.0, "mm[Hg]"),
        # ferritin: ug/L = ng/mL; pmol/L / 2.247
        ("ferritin", 1000.0, "ng/mL", 1000.0, "ng/mL"),
        ("ferritin", 1000.0, "ug/L", 1000.0, "ng/mL"),
        ("ferritin", 1000.0, "µg/L", 1000.0, "ng/mL"),
        ("ferritin", 1000.0, "μg/L", 1000.0, "ng/mL"),  # Greek mu
        ("ferritin", 1000.0, "mcg/L", 1000.0, "ng/mL"),
        ("ferritin", 2247.0, "pmol/L", 1000.0, "ng/mL"),
        # CK: ukat/L x 60 = U/L
        ("creatine_kinase", 5.0, "ukat/L", 300.0, "U/L"),
        ("creatine_kinase", 5.0, "µkat/L", 300.0, "U/L"),
        ("creatine_kinase", 499.0, "U/L", 499.0, "U/L"),
        ("creatine_kinase", 250.0, "IU/L", 250.0, "U/L"),
        # CRP canonical mg/dL: mg/L / 10
        ("crp", 12.0, "mg/L", 1.2, "mg/dL"),
        ("crp", 1.2, "mg/dL", 1.2, "mg/dL"),
        # drug levels: ug/L = ng/mL
        ("cyclosporine", 250.0, "ug/L", 250.0, "ng/mL"),
        ("cyclosporine_c2", 1000.0, "µg/L", 1000.0, "ng/mL"),
        ("tacrolimus_trough", 8.0, "ng/mL", 8.0, "ng/mL"),
        # PFT
        ("fvc", 2100.0, "mL", 2.1, "L"),
        ("fvc", 2.1, "L", 2.1, "L"),
        ("fvc_pct_pred", 69.9, "%", 69.9, "%"),
        ("dlco", 7.5, "mmol/min/kPa", 7.5, "mmol/min/kPa"),
        ("dlco", 22.4126, "mL/min/mm[Hg]", 7.5, "mmol/min/kPa"),
        # others
        ("creatinine", 88.4, "umol/L", 1.0, "mg/dL"),
        ("platelets", 150.0, "10*3/uL", 150.0, "10*9/L"),
        ("platelets", 150.0, "10^9/L", 150.0, "10*9/L"),
        ("wbc", 4500.0, "/uL", 4.5, "10*9/L"),
        ("hemoglobin", 120.0, "g/L", 12.0, "g/dL"),
        ("kl6", 1450.0, "U/mL", 1450.0, "U/mL"),
        ("body_weight", 132.277, "[lb_av]", 60.0, "kg"),
        ("body_height", 1.65, "m", 165.0, "cm"),
    ],
)
def test_conversion_exact(
    concept: str, value: float, unit: str, expected: float, canonical: str
) -> None:
    result = convert(concept, value, unit)
    assert result is not None
    assert result.unit == canonical
    assert result.value == pytest.approx(expected, abs=1e-3)


def test_60_mmhg_is_8_00_kpa() -> None:
    result = convert("pao2", 8.00, "kPa")
    assert result is not None and round(result.value, 1) == 60.0
    assert round(60 / 7.50062, 2) == 8.00


@pytest.mark.parametrize(
    ("concept", "unit"),
    [
        ("ferritin", "mg/dL"),  # plausible-looking but wrong dimension: refused
        ("ferritin", "nmol/L"),  # no factor given in the seeds
        ("creatine_kinase", "ng/mL"),
        ("crp", "nmol/L"),
        ("pao2", "%"),
        ("cmv_dna", "[IU]/mL"),  # IU and copies do not convert
        ("fvc", "%"),  # % predicted is another concept
        ("kl6", "ng/mL"),
        ("ferritin", ""),
        ("ferritin", None),
        ("not_a_concept", "mg/dL"),
    ],
)
def test_unknown_unit_is_refused(concept: str, unit: str | None) -> None:
    assert convert(concept, 100.0, unit) is None


def test_quantity_prefers_ucum_code_then_printed_unit() -> None:
    result = convert_quantity(
        "ferritin",
        {"value": 500, "unit": "mcg/l", "code": "ug/L", "system": "http://unitsofmeasure.org"},
    )
    assert not isinstance(result, str) and result.value == 500.0
    fallback = convert_quantity("ferritin", {"value": 500, "unit": "ng/mL", "code": "xyz"})
    assert not isinstance(fallback, str) and fallback.value == 500.0


@pytest.mark.parametrize(
    ("quantity", "reason"),
    [
        ({"value": 500}, "no unit"),
        ({"unit": "ng/mL"}, "no numeric value"),
        ({"value": "500", "unit": "ng/mL"}, "no numeric value"),
        ({"value": True, "unit": "ng/mL"}, "no numeric value"),
        ({"value": 500, "unit": "mg/dL"}, "cannot be converted to ng/mL"),
    ],
)
def test_quantity_refusal_reasons(quantity: dict[str, object], reason: str) -> None:
    result = convert_quantity("ferritin", quantity)
    assert isinstance(result, str) and reason in result


# ----------------------------------------------------------- IU: enzymes only
IU_SPELLINGS = ["IU/L", "[IU]/L", "iu/l", "[iU]/L"]


@pytest.mark.parametrize("unit", IU_SPELLINGS)
@pytest.mark.parametrize("concept", sorted(ENZYME_CONCEPTS))
def test_iu_per_litre_is_the_enzyme_unit_for_enzymes(concept: str, unit: str) -> None:
    result = convert(concept, 250.0, unit)
    assert result is not None and (result.value, result.unit) == (250.0, "U/L")


NON_ENZYME = sorted(set(FACTORS) - ENZYME_CONCEPTS)


@pytest.mark.parametrize("unit", [*IU_SPELLINGS, "[IU]/mL", "IU/mL", "m[IU]/mL", "k[IU]/L"])
@pytest.mark.parametrize("concept", NON_ENZYME)
def test_iu_is_refused_for_every_other_concept(concept: str, unit: str) -> None:
    assert convert(concept, 1.0, unit) is None
    reason = convert_quantity(concept, {"value": 1.0, "unit": unit})
    assert isinstance(reason, str) and "cannot be converted" in reason


def test_enzyme_set_is_exactly_the_concepts_in_u_per_litre() -> None:
    assert {c for c, t in FACTORS.items() if "iu/l" in t or "[iu]/l" in t} == ENZYME_CONCEPTS


@pytest.mark.parametrize(
    ("concept", "value", "unit", "expected"),
    [
        # 1 nmol/L x 1202.6 g/mol = 1.2026 ng/mL (cyclosporine); 804.0 g/mol (tacrolimus)
        ("cyclosporine_trough", 200.0, "nmol/L", 240.52),
        ("cyclosporine_c2", 1000.0, "nmol/L", 1202.6),
        ("cyclosporine", 166.3, "nmol/L", 199.99),
        ("tacrolimus_trough", 10.0, "nmol/L", 8.04),
        ("cyclosporine_trough", 200.0, "ug/L", 200.0),
    ],
)
def test_drug_levels_in_nmol_per_litre(
    concept: str, value: float, unit: str, expected: float
) -> None:
    converted = convert(concept, value, unit)
    assert converted is not None and converted.unit == "ng/mL"
    assert converted.value == pytest.approx(expected, abs=0.01)


def test_ferritin_in_nmol_per_litre_is_refused() -> None:
    # molar conversion is per analyte: nmol/L is only known for the drug levels
    assert convert("ferritin", 2.0, "nmol/L") is None
