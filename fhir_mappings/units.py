"""Unit normalization: every quantitative concept to one canonical unit.

Why explicit factor tables and not a UCUM library: the conversions the rules need are few and
partly analyte-specific (ferritin pmol/L -> ng/mL needs ferritin's molar mass; DLCO
mL/min/mmHg -> mmol/min/kPa needs the molar gas volume; enzyme "IU/L" is the enzyme unit, not
UCUM's arbitrary ``[IU]``: for CK, aldolase, LDH, ALT and AST, "IU/L" and "[IU]/L" are read as
U/L, and for every other concept an IU unit is refused). A general UCUM engine cannot know
these, and would happily convert what must not be converted. A small table, each factor with
its source and an exact-value test, is easier to review. Units are matched on a normalized
spelling (UCUM code or the common printed forms: ``ug/L``, ``µg/L``, ``mcg/L``, ``mm[Hg]``,
``mmHg``, ``10^9/L``...).

A unit not in the concept's table is refused: ``convert_quantity()`` returns the reason and
the caller records the value as uninterpretable. Nothing is ever guessed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import lru_cache
from typing import NamedTuple

from .tables import UCUM, concept_rows

#: 1 kPa = 7.50062 mmHg (UCUM: m[Hg] = 133.3220 kPa; seed-rules Units section)
KPA_TO_MMHG = 7.50062
#: drug levels in nmol/L -> ng/mL by molar mass (g/mol = ng/nmol; 1 nmol/L = M/1000 ng/mL).
#: Molar masses: cyclosporine C62H111N11O12 1202.6 g/mol, tacrolimus C44H69NO12 804.0 g/mol
#: (standard chemistry, not in the seeds). Labs in the UK/EU report CsA in nmol/L.
CYCLOSPORINE_NG_ML_PER_NMOL_L = 1.2026
TACROLIMUS_NG_ML_PER_NMOL_L = 0.8040
#: ferritin pmol/L / 2.247 = ng/mL (seed-rules Units section)
FERRITIN_PMOL_PER_NG = 2.247
#: creatinine: mg/dL x 88.4 = umol/L (labunits 0.2.1, terminology.md)
CREATININE_UMOL_PER_MG_DL = 88.4
#: 1 ukat = 1 umol/s = 60 umol/min = 60 U (seed-rules: CK ukat/L x 60 = U/L)
UKAT_TO_U = 60.0
#: DLCO: 1 mmol/min/kPa = 22.414 mL (STPD molar gas volume) / 7.50062 mmHg = 2.98829
#: mL/min/mmHg. Derived from the molar volume of an ideal gas at STPD (22.414 L/mol) and the
#: UCUM kPa/mmHg factor; the ATS/ERS figure quoted in terminology.md (~2.986) agrees to 0.1 %.
DLCO_US_PER_SI = 22.414 / KPA_TO_MMHG


@lru_cache(maxsize=4096)
def normalize_unit(unit: str) -> str:
    """Spelling-insensitive key for a unit string (case, micro sign, mcg, spaces)."""
    u = unit.strip().replace("µ", "u").replace("μ", "u").replace(" ", "")
    u = u.lower().replace("mcg", "ug").replace("^", "*")
    if u.startswith("x10"):
        u = u[1:]
    return u.replace("10e", "10*")


_NG_ML = {"ng/ml": 1.0, "ug/l": 1.0}
#: Documented decision: for an ENZYME activity (CK, aldolase, LDH, ALT, AST) "IU/L" is read as
#: U/L. Labs print "IU/L" meaning the IUB enzyme unit (1 umol/min), which is UCUM "U"; some
#: send the UCUM code "[IU]/L" for the same result, and it is read the same way. UCUM's
#: arbitrary [IU] (WHO biological standards) has no conversion to anything, so for every
#: other concept "IU/L", "[IU]/L", "[IU]/mL"... are refused (value uninterpretable).
_ENZYME = {
    "u/l": 1.0,
    "iu/l": 1.0,
    "[iu]/l": 1.0,
    "ukat/l": UKAT_TO_U,
    "nkat/l": UKAT_TO_U / 1000.0,
}
_COUNT = {
    "10*9/l": 1.0,
    "10*3/ul": 1.0,
    "10*3/mm3": 1.0,
    "k/ul": 1.0,
    "/ul": 0.001,
    "/mm3": 0.001,
    "{cells}/ul": 0.001,
}
_PERCENT = {"%": 1.0}
_LITRE = {"l": 1.0, "ml": 0.001}
_PRESSURE = {"mm[hg]": 1.0, "mmhg": 1.0, "kpa": KPA_TO_MMHG}
_DLCO = {
    "mmol/min/kpa": 1.0,
    "ml/min/mm[hg]": 1.0 / DLCO_US_PER_SI,
    "ml/min/mmhg": 1.0 / DLCO_US_PER_SI,
}
_KCO = {
    "mmol/min/kpa/l": 1.0,
    "ml/min/mm[hg]/l": 1.0 / DLCO_US_PER_SI,
    "ml/min/mmhg/l": 1.0 / DLCO_US_PER_SI,
}

#: concept -> {normalized unit -> factor to the canonical unit}
FACTORS: dict[str, dict[str, float]] = {
    "ferritin": {**_NG_ML, "pmol/l": 1.0 / FERRITIN_PMOL_PER_NG},
    "surfactant_protein_d": dict(_NG_ML),
    "cyclosporine": {**_NG_ML, "nmol/l": CYCLOSPORINE_NG_ML_PER_NMOL_L},
    "cyclosporine_trough": {**_NG_ML, "nmol/l": CYCLOSPORINE_NG_ML_PER_NMOL_L},
    "cyclosporine_c2": {**_NG_ML, "nmol/l": CYCLOSPORINE_NG_ML_PER_NMOL_L},
    "cyclosporine_post_dose": {**_NG_ML, "nmol/l": CYCLOSPORINE_NG_ML_PER_NMOL_L},
    "tacrolimus": {**_NG_ML, "nmol/l": TACROLIMUS_NG_ML_PER_NMOL_L},
    "tacrolimus_trough": {**_NG_ML, "nmol/l": TACROLIMUS_NG_ML_PER_NMOL_L},
    "creatine_kinase": dict(_ENZYME),
    "aldolase": dict(_ENZYME),
    "ldh": dict(_ENZYME),
    "alt": dict(_ENZYME),
    "ast": dict(_ENZYME),
    "kl6": {"u/ml": 1.0, "[arb'u]/ml": 1.0, "ku/l": 1.0},
    "crp": {"mg/dl": 1.0, "mg/l": 0.1},
    "creatinine": {"mg/dl": 1.0, "umol/l": 1.0 / CREATININE_UMOL_PER_MG_DL},
    "egfr": {
        "ml/min/{1.73_m2}": 1.0,
        "ml/min/1.73m2": 1.0,
        "ml/min/1.73m*2": 1.0,
        "ml/min/{1.73m2}": 1.0,
    },
    "esr": {"mm/h": 1.0, "mm/hr": 1.0},
    "il6": {"pg/ml": 1.0, "ng/l": 1.0},
    "beta_d_glucan": {"pg/ml": 1.0, "ng/l": 1.0},
    "cmv_dna": {"{copies}/ml": 1.0, "copies/ml": 1.0},
    "wbc": dict(_COUNT),
    "neutrophils_abs": dict(_COUNT),
    "lymphocytes_abs": dict(_COUNT),
    "platelets": dict(_COUNT),
    "neutrophils_pct": dict(_PERCENT),
    "lymphocytes_pct": dict(_PERCENT),
    "hemoglobin": {"g/dl": 1.0, "g/l": 0.1},
    "fvc": dict(_LITRE),
    "fvc_predicted": dict(_LITRE),
    "vital_capacity": dict(_LITRE),
    "tlc": dict(_LITRE),
    "tlc_predicted": dict(_LITRE),
    "fev1": dict(_LITRE),
    "fvc_pct_pred": dict(_PERCENT),
    "vital_capacity_pct_pred": dict(_PERCENT),
    "dlco_pct_pred": dict(_PERCENT),
    "tlc_pct_pred": dict(_PERCENT),
    "fev1_pct_pred": dict(_PERCENT),
    "fev1_fvc": {"%": 1.0, "{ratio}": 100.0, "1": 100.0},
    "dlco": dict(_DLCO),
    "dlco_predicted": dict(_DLCO),
    "kco": dict(_KCO),
    "pao2": dict(_PRESSURE),
    "aa_gradient": dict(_PRESSURE),
    "spo2": dict(_PERCENT),
    "spo2_exercise": dict(_PERCENT),
    "sao2_calc": dict(_PERCENT),
    "six_min_walk_distance": {"m": 1.0},
    "hrct_fibrosis_extent": dict(_PERCENT),
    "body_weight": {"kg": 1.0, "g": 0.001, "[lb_av]": 0.45359237, "lb": 0.45359237},
    "body_height": {"cm": 1.0, "m": 100.0, "mm": 0.1, "[in_i]": 2.54, "in": 2.54},
}


def canonical_unit(concept: str) -> str | None:
    row = concept_rows().get(concept)
    return row.canonical_unit if row else None


class Converted(NamedTuple):
    """A value in its concept's canonical unit (a NamedTuple: one per lab value, and a tuple
    is built 3x faster than a frozen dataclass)."""

    value: float
    unit: str


def convert_quantity(concept: str, quantity: Mapping[str, object]) -> Converted | str:
    """Convert a FHIR Quantity; returns a reason string when it cannot be interpreted.

    The UCUM ``code`` is tried first (when the system is UCUM or absent), then the printed
    ``unit``; a non-string or empty one is ignored.
    """
    value = quantity.get("value")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "quantity has no numeric value"
    try:
        number = float(value)
    except OverflowError:  # an integer beyond the float range
        return "quantity value out of range"
    if not math.isfinite(number):
        return "quantity value is not a finite number"
    code, unit, system = quantity.get("code"), quantity.get("unit"), quantity.get("system")
    found = _quantity_factor(
        concept,
        code if isinstance(code, str) and code else None,
        unit if isinstance(unit, str) and unit else None,
        system is None or system == UCUM,
    )
    if isinstance(found, str):
        return found
    converted = number * found[0]
    if not math.isfinite(converted):
        return "quantity value out of range for its unit"
    return Converted(converted, found[1])


@lru_cache(maxsize=4096)  # records repeat the same few units thousands of times
def _quantity_factor(
    concept: str, code: str | None, unit: str | None, ucum_system: bool
) -> tuple[float, str] | str:
    """(factor, canonical unit) for a Quantity's code/unit, or the reason it cannot be
    converted."""
    candidates: list[str] = []
    if code is not None and ucum_system:
        candidates.append(code)
    if unit is not None:
        candidates.append(unit)
    if not candidates:
        return "quantity has no unit"
    target = canonical_unit(concept)
    table = FACTORS.get(concept, {})
    for candidate in candidates:
        factor = table.get(normalize_unit(candidate))
        if factor is not None and target is not None:
            return factor, target
    return f"unit {candidates[0]!r} cannot be converted to {target or '?'}"
