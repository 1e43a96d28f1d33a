"""Poor-risk factors of A/S DM/PM-ILD (JP Figure 3 and §Assessment of poor risk factors).

JP Figure 3 (R113): "1) ADM 2) a-MDA5 Ab (+) 3) Ferritin >1,000 ng/mL 4) HRCT: GGO + lower
consolidation 5) PaO2 <60 mm Hg — either of 1)–5)". JP §Assessment of poor risk factors
(R108): "ADM, positivity for anti-MDA5 Ab, low CK levels (<500 U), elevated ferritin levels,
and GGO plus lower consolidation on HRCT: the ILD is potentially fatal and refractory."
JP §Serum ferritin (R086, Gono): 6-month survival 29% with ferritin >1,500 vs 83% below.

When/Then: the union of the figure and the text (Z20), strict inequalities, any one factor
-> poor risk. A factor that cannot be assessed is *missing* (R140): it is named, and the
assessment never concludes "no poor-risk factors" while anything is missing.

Decisions left open by the source, taken here:
- Laboratory values count from 30 days before ILD onset to the evaluation date (the
  presentation and its course); older values are stale and the factor is missing. Ferritin:
  the highest value; PaO2: the lowest; CK: the highest (CK <500 U/L means CK never rose).
- PaO2 is compared after rounding to 0.1 mmHg (8.00 kPa = 60.0 mmHg is not <60).
- HRCT factor: present when ground-glass opacity and lower-zone consolidation are both
  recorded present; absent only when one of them is recorded absent; otherwise missing.
- A value with an unknown unit is missing, never normal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from fhir_mappings.record import ConditionEntry, Measurement, PatientRecord

from .. import evidence
from ..facts import antibody_fact, condition_fact, measurement_fact
from ..findings import Fact
from ..shared_rules import R113
from ..text import antibody_text, condition_text, label, measurement_text, unreadable_text
from .myositis import R064, TypeAnswer

RISK_TOPICS = ("dmpm-ild-poor-prognosis", "dmpm-ild-risk-incomplete", "dmpm-ild-acute-subacute")

R108 = evidence.rule(
    "R108",
    "JP",
    "§Assessment of poor risk factors for ILD and determination of subtypes",
    "ADM, anti-MDA5 positivity, low CK, elevated ferritin, or GGO plus lower consolidation on "
    "HRCT: the ILD is potentially fatal and refractory. PM or anti-ARS: low possibility of "
    "fatal progressive ILD.",
    figure="low CK levels (<500 U)",
    topics=RISK_TOPICS,
)
R140 = evidence.rule(
    "R140",
    "JP",
    "Figure 3; §Assessment of poor risk factors (derived)",
    "The risk assessment needs myositis type, anti-MDA5, ferritin, HRCT pattern, PaO2 and CK; "
    "if any is missing the assessment is incomplete and must not conclude 'no poor "
    "prognostic factors'.",
    topics=("dmpm-ild-risk-incomplete", "dmpm-ild-poor-prognosis"),
)
R086 = evidence.rule(
    "R086",
    "JP",
    "§Serum ferritin",
    "Ferritin (Gono): 6-month survival 29% with ferritin >1,500 ng/mL vs 83% with <1,500 ng/mL "
    "in DM A/S-ILD; ferritin is a predictive factor and an activity biomarker.",
    figure="29% (>1,500 ng/mL) vs 83% (<1,500 ng/mL) 6-month survival",
    topics=("dmpm-ild-poor-prognosis", "dmpm-ild-activity-rising"),
)

FERRITIN_HIGH = evidence.Threshold("ferritin", ">", 1000.0, "ng/mL", R113)
FERRITIN_VERY_HIGH = evidence.Threshold("ferritin", ">", 1500.0, "ng/mL", R086)
PAO2_LOW = evidence.Threshold("pao2", "<", 60.0, "mmHg", R113)
CK_LOW = evidence.Threshold("creatine_kinase", "<", 500.0, "U/L", R108)

LAB_LOOKBACK_BEFORE_ONSET = timedelta(days=30)


@dataclass
class Factor:
    key: str
    name: str  # "ferritin >1,000 ng/mL"
    present: bool | None
    evidence_text: str  # what the record shows, or why it is missing
    rules: tuple[str, ...]
    facts: list[Fact] = field(default_factory=list)
    measurement: Measurement | None = None  # the lab value judged, for lab factors


@dataclass
class RiskAssessment:
    factors: list[Factor]
    since: date

    @property
    def present(self) -> list[Factor]:
        return [f for f in self.factors if f.present is True]

    @property
    def missing(self) -> list[Factor]:
        return [f for f in self.factors if f.present is None]

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def facts(self) -> list[Fact]:
        return [x for f in self.factors for x in f.facts]

    def factor(self, key: str) -> Factor:
        return next(f for f in self.factors if f.key == key)

    @property
    def ferritin_very_high(self) -> Measurement | None:
        """The ferritin value when it is above the Gono cut-off (R086), else None."""
        m = self.factor("ferritin").measurement
        if m is not None and m.value is not None and FERRITIN_VERY_HIGH.holds(m.value):
            return m
        return None


def _missing_lab(record: PatientRecord, concept: str, since: date) -> str:
    unreadable = record.uninterpretable(concept, since=since)
    if unreadable:
        return "; ".join(unreadable_text(m) for m in unreadable)
    return f"no {label(concept)} result since {since.isoformat()}"


def _lab_factor(
    record: PatientRecord,
    key: str,
    threshold: evidence.Threshold,
    pick: str,
    since: date,
    rules: tuple[str, ...],
    rounding: int | None = None,
) -> Factor:
    name = f"{label(threshold.concept)} {threshold.text}"
    values = record.series(threshold.concept, since=since, until=record.today)
    if not values:
        missing = [measurement_fact(m) for m in record.uninterpretable(threshold.concept, since)]
        return Factor(
            key, name, None, _missing_lab(record, threshold.concept, since), rules, missing
        )
    chosen = (min if pick == "lowest" else max)(values, key=lambda m: m.value or 0.0)
    assert chosen.value is not None
    x = round(chosen.value, rounding) if rounding is not None else chosen.value
    present = threshold.holds(x)
    text = f"{pick} {measurement_text(chosen)}"
    return Factor(key, name, present, text, rules, [measurement_fact(chosen)], chosen)


def _latest_in(record: PatientRecord, concept: str, since: date) -> ConditionEntry | None:
    hits = [c for c in record.condition_entries(concept) if c.when is not None and c.when >= since]
    return hits[-1] if hits else None


def _hrct_factor(record: PatientRecord, since: date) -> Factor:
    name = "HRCT: GGO + lower consolidation"
    ggo = _latest_in(record, "ct_ground_glass", since)
    low = _latest_in(record, "ct_lower_consolidation", since)
    seen = [c for c in (ggo, low) if c is not None]
    facts = [condition_fact(c) for c in seen]
    text = "; ".join(condition_text(c) for c in seen)
    if ggo is not None and low is not None and ggo.active and low.active:
        return Factor("hrct", name, True, text, ("R113", "R108"), facts)
    if any(not c.active for c in seen):
        return Factor("hrct", name, False, text, ("R113", "R108"), facts)
    why = text + "; " if text else ""
    unsited = _latest_in(record, "ct_consolidation", since)
    if unsited is not None and unsited.active:
        why += "consolidation recorded without a lower-zone site; "
    why += f"ground-glass and lower-zone consolidation not both recorded since {since.isoformat()}"
    return Factor("hrct", name, None, why, ("R113", "R108"), facts)


def _adm_factor(kind: TypeAnswer) -> Factor:
    if kind.type is None:
        return Factor(
            "adm", "ADM", None, f"myositis type unknown ({kind.why_unknown})", ("R113", R064.id)
        )
    entry = kind.entry
    facts = [condition_fact(entry)] if entry else []
    return Factor("adm", "ADM", kind.type == "ADM", f"recorded type: {kind.type}", ("R113",), facts)


def _mda5_factor(record: PatientRecord) -> Factor:
    result = record.antibody("anti_mda5")
    name = "anti-MDA5 positive"
    if result is None:
        return Factor("mda5", name, None, "anti-MDA5 not tested", ("R113",))
    facts = [antibody_fact(result)]
    if result.status == "unknown":
        return Factor(
            "mda5",
            name,
            None,
            f"{antibody_text(result)}: result unreadable",
            ("R113",),
            facts,
        )
    return Factor(
        "mda5", name, result.status == "positive", antibody_text(result), ("R113",), facts
    )


def assess_risk(record: PatientRecord, kind: TypeAnswer, onset: date | None) -> RiskAssessment:
    """All six poor-risk factors, each present / absent / missing, with what was used."""
    since = (onset - LAB_LOOKBACK_BEFORE_ONSET) if onset else record.today - timedelta(days=90)
    factors = [
        _adm_factor(kind),
        _mda5_factor(record),
        _lab_factor(record, "ferritin", FERRITIN_HIGH, "highest", since, ("R113",)),
        _hrct_factor(record, since),
        _lab_factor(record, "pao2", PAO2_LOW, "lowest", since, ("R113",), rounding=1),
        _lab_factor(record, "ck", CK_LOW, "highest", since, ("R108",)),
    ]
    return RiskAssessment(factors, since)
