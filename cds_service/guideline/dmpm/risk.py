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
- A value with an unknown unit is missing, never normal; so is a value reported as a bound
  (FHIR ``Quantity.comparator``, e.g. ferritin ">1000" is above 1,000 and meets ">1,000";
  PaO2 "<65" cannot decide "<60") that cannot settle the threshold, and a data set the
  service could not fetch. Each is named, unless the readable values already settle the
  factor (a ferritin >1,000 ng/mL stays present whatever else is unreadable).
- Anti-MDA5: the latest readable result decides; a newer unreadable one makes the factor
  missing (unless the latest readable one is positive). A result from before the lab window
  still counts, with its date shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Literal

from fhir_mappings.hrct import latest_hrct, pending_hrct
from fhir_mappings.pending import pending_results
from fhir_mappings.record import ConditionEntry, Measurement, PatientRecord

from .. import evidence
from ..facts import (
    ABSENT,
    PENDING,
    PRESENT,
    antibody_fact,
    condition_fact,
    measurement_fact,
    pending_fact,
)
from ..findings import Fact
from ..shared_rules import R113
from ..text import (
    antibody_text,
    condition_text,
    day,
    label,
    measured_quantity,
    measurement_text,
    threshold_text,
    unreadable_text,
)
from .myositis import R064, TypeAnswer
from .readers import unavailable
from .subtypes import anti_ars

RISK_TOPICS = (
    "dmpm-ild-poor-prognosis",
    "dmpm-ild-risk-incomplete",
    "dmpm-ild-acute-subacute",
    "order-as-ild-monotherapy",
)

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
#: "raised CK" when the lab gives no reference range or flag (a service choice: a CK at or
#: above the text's "low CK" cut-off is not the normal muscle enzymes amyopathic DM requires)
CK_RAISED_WITHOUT_RANGE = evidence.Threshold("creatine_kinase", ">=", 500.0, "U/L", R064)

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
    #: False when the factor does not apply to this patient (CK <500 in PM / anti-ARS)
    applies: bool = True

    @property
    def short(self) -> str:
        """The factor as a summary names it: ``anti-MDA5+``, ``ferritin 1,800 ng/mL``."""
        m = self.measurement
        if m is not None and self.key in ("ferritin", "pao2", "ck"):
            return f"{label(m.concept)} {measured_quantity(m)}"
        return SHORT_NAMES.get(self.key, self.name)

    @property
    def line(self) -> str:
        """``ferritin >1,000 ng/mL: 1,800 ng/mL (2026-11-16)``: the factor and what the record
        shows (a lab factor: the value that decided, with its date)."""
        m = self.measurement
        if m is not None:
            return f"{self.name}: {measurement_text(m)}"
        if self.evidence_text.startswith(f"{self.name} (") and ";" not in self.evidence_text:
            return self.evidence_text  # "anti-MDA5 positive (2026-11-12)" says it all
        return f"{self.name}: {self.evidence_text}"

    @property
    def absent_short(self) -> str:
        """The factor assessed absent, briefly: ``anti-MDA5 negative``, ``ferritin 300
        ng/mL``."""
        if self.measurement is not None:
            return self.short
        if self.key == "mda5":
            return self.evidence_text  # dated: an old negative says so
        return ABSENT_NAMES.get(self.key, f"no {self.name}")


SHORT_NAMES = {"adm": "ADM", "mda5": "anti-MDA5+", "hrct": "GGO + lower consolidation"}
ABSENT_NAMES = {
    "adm": "not ADM",
    "hrct": "HRCT without GGO + lower consolidation",
}


def absent_line(factors: list[Factor]) -> str:
    """One line for the factors assessed absent (those that apply)."""
    shown = [f.absent_short for f in factors if f.present is False and f.applies]
    return "Assessed, not present: " + ", ".join(shown) if shown else ""


@dataclass
class RiskAssessment:
    factors: list[Factor]
    since: date
    #: contradictory inputs to resolve (e.g. "ADM and PM both recorded"); a factor that
    #: depends on one is unresolved (``present`` None) and any escalation is conditional
    contradictions: list[str] = field(default_factory=list)
    #: the management each resolution would lead to (the escalation, stated conditionally)
    conditional: list[str] = field(default_factory=list)

    @property
    def present(self) -> list[Factor]:
        return [f for f in self.factors if f.present is True]

    @property
    def missing(self) -> list[Factor]:
        return [f for f in self.factors if f.present is None]

    @property
    def not_applicable(self) -> list[Factor]:
        return [f for f in self.factors if not f.applies]

    @property
    def facts(self) -> list[Fact]:
        return [x for f in self.factors for x in f.facts]

    def factor(self, key: str) -> Factor:
        return next(f for f in self.factors if f.key == key)

    @property
    def ferritin_very_high(self) -> Measurement | None:
        """The ferritin value when it is above the Gono cut-off (R086), else None."""
        m = self.factor("ferritin").measurement
        if (
            m is not None
            and m.value is not None
            and FERRITIN_VERY_HIGH.decide(m.value, m.comparator)
        ):
            return m
        return None


#: where each factor's data comes from (prefetch keys, ``PatientRecord.missing_data``)
LAB_DATA = ("labs",)
PAO2_DATA = ("labs", "respiratory")
ANTIBODY_DATA = ("antibodies", "labs")
IMAGING_DATA = ("imaging", "imaging_reports")


def _lab_factor(
    record: PatientRecord,
    key: str,
    threshold: evidence.Threshold,
    pick: Literal["highest", "lowest"],
    since: date,
    rules: tuple[str, ...],
    *,
    every_value: bool = False,
    rounding: int | None = None,
    datasets: tuple[str, ...] = LAB_DATA,
) -> Factor:
    """One laboratory factor from every value of the window.

    ``every_value=False`` (ferritin, PaO2): present when any value meets the threshold.
    ``every_value=True`` (CK <500: CK never rose): present when every value meets it, absent
    as soon as one does not. A value reported as a bound (">1000") is judged with
    ``Threshold.decide``. Unless the readable values already settle the factor, a value that
    cannot decide (a bound on the wrong side, an unknown unit) or an unavailable data set
    makes the factor missing, and the card names it (never "normal").
    """
    concept = threshold.concept
    name = threshold_text(threshold, named=True)
    values = record.series(concept, since=since, until=record.today)
    unreadable = [m for m in record.uninterpretable(concept, since) if m.when <= record.today]
    judged: list[tuple[Measurement, bool | None]] = []
    for m in values:
        assert m.value is not None
        x = round(m.value, rounding) if rounding is not None else m.value
        judged.append((m, threshold.decide(x, m.comparator)))
    extreme = min if pick == "lowest" else max
    settles = not every_value  # the answer one value settles: present (any) / absent (every)
    settling = [m for m, d in judged if d is settles]
    if settling:
        chosen = extreme(settling, key=lambda m: m.value or 0.0)
        text = f"{pick} {measurement_text(chosen)}" if not every_value else measurement_text(chosen)
        return Factor(key, name, settles, text, rules, [measurement_fact(chosen)], chosen)
    gaps = [
        f"{measurement_text(m)} is a reported bound that cannot decide {threshold.text}"
        for m, d in judged
        if d is None
    ]
    gaps += [unreadable_text(m) for m in unreadable]
    gaps += unavailable(record, datasets)
    chosen_or_none = extreme(values, key=lambda m: m.value or 0.0) if values else None
    facts = [measurement_fact(m) for m in ([chosen_or_none] if chosen_or_none else [])]
    facts += [measurement_fact(m) for m, d in judged if d is None]
    facts += [measurement_fact(m) for m in unreadable]
    if not values and not unreadable:
        gaps.insert(0, f"no {label(concept)} result since {since.isoformat()}")
    if gaps:
        shown = [f"{pick} {measurement_text(chosen_or_none)}"] if chosen_or_none else []
        return Factor(key, name, None, "; ".join(shown + gaps), rules, facts)
    assert chosen_or_none is not None
    return Factor(
        key,
        name,
        not settles,
        f"{pick} {measurement_text(chosen_or_none)}",
        rules,
        facts,
        chosen_or_none,
    )


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
        dates = sorted({day(c.when) for c in (ggo, low)})
        coded = f"both coded ({', '.join(dates)})"
        return Factor("hrct", name, True, coded, ("R113", "R108"), facts)
    study = latest_hrct(record, since=since)  # the latest final report: complete for its study
    unsited_only = study is not None and (
        study.shows("ct_consolidation") and not study.shows("ct_lower_consolidation")
    )
    read = study is not None and all(
        study.shows(c) is not None for c in ("ct_ground_glass", "ct_lower_consolidation")
    )
    if study is not None and read and not unsited_only and not record.missing_data(*IMAGING_DATA):
        both = bool(study.shows("ct_ground_glass") and study.shows("ct_lower_consolidation"))
        study_facts = [
            Fact(c, PRESENT if study.shows(c) else ABSENT, None, study.when)
            for c in ("ct_ground_glass", "ct_lower_consolidation")
        ]
        return Factor("hrct", name, both, study.describe(), ("R113", "R108"), study_facts)
    gaps = unavailable(record, IMAGING_DATA)
    gaps += [f"{s.describe()}" for s in pending_hrct(record) if s.when >= since]
    if study is not None and not read:
        gaps.append(study.describe())
    facts += [
        Fact("hrct_chest", PENDING, None, s.when) for s in pending_hrct(record) if s.when >= since
    ]
    if any(not c.active for c in seen) and not gaps:
        return Factor("hrct", name, False, text, ("R113", "R108"), facts)
    why = text + "; " if text else ""
    why += "".join(f"{g}; " for g in gaps)
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
    text = "recorded" if kind.type == "ADM" else f"type recorded: {kind.type}"
    return Factor("adm", "ADM", kind.type == "ADM", text, ("R113",), facts)


def _mda5_factor(record: PatientRecord, since: date) -> Factor:
    """Anti-MDA5 from every result on record: the latest readable status decides, unless a
    newer result is unreadable (then missing, unless the latest readable one is positive)
    or the antibody data could not be had (then a negative cannot be concluded)."""
    name = "anti-MDA5 positive"
    results = [r for r in record.antibody_results("anti_mda5") if r.when <= record.today]
    gaps = unavailable(record, ANTIBODY_DATA)
    if not results:
        return Factor("mda5", name, None, "; ".join(["anti-MDA5 not tested"] + gaps), ("R113",))
    counted = record.antibody("anti_mda5")  # any positive of the episode counts
    latest_known = counted if counted is not None and counted.status != "unknown" else None
    discordant = record.discordant_results("anti_mda5")
    pending = pending_results(record, "anti_mda5")
    newer_unreadable = [
        r
        for r in results
        if r.status == "unknown" and (latest_known is None or r.when >= latest_known.when)
    ]
    facts = [antibody_fact(r) for r in ([latest_known] if latest_known else []) + newer_unreadable]
    facts += [antibody_fact(r) for r in discordant if r is not latest_known]
    facts += [pending_fact(p) for p in pending]
    shown = [antibody_text(latest_known)] if latest_known else []
    if latest_known is not None and latest_known.when < since:
        shown[0] += f" (before this ILD's window, which starts {since.isoformat()})"
    if discordant:
        shown.append(
            "discordant results: "
            + ", ".join(antibody_text(r) for r in discordant)
            + " (any positive counts; confirm with a repeat test)"
        )
    shown += [f"anti-MDA5 pending (ordered {day(p.ordered)})" for p in pending if p.ordered]
    if latest_known is not None and latest_known.status == "positive":
        return Factor("mda5", name, True, "; ".join(shown), ("R113",), facts)
    gaps = [f"{antibody_text(r)}: result unreadable" for r in newer_unreadable] + gaps
    if gaps or pending:
        return Factor("mda5", name, None, "; ".join(shown + gaps), ("R113",), facts)
    return Factor("mda5", name, False, "; ".join(shown), ("R113",), facts)


def is_raised(m: Measurement) -> bool:
    """Above the lab's upper reference limit (or flagged high); a CK without a range or flag:
    at or above ``CK_RAISED_WITHOUT_RANGE``."""
    above = m.above_range()
    if above is not None:
        return above
    return m.concept == "creatine_kinase" and (
        m.value is not None and CK_RAISED_WITHOUT_RANGE.decide(m.value, m.comparator) is True
    )


def _ck_raised(record: PatientRecord, since: date) -> Measurement | None:
    """The highest raised CK of the window."""
    ck = [
        m for m in record.series("creatine_kinase", since=since, until=record.today) if is_raised(m)
    ]
    return max(ck, key=lambda m: m.value or 0.0) if ck else None


ESCALATION = "JP Figure 3 calls for initial GC + IV CsA + IVCY"


def _contradictions(
    kind: TypeAnswer, ck_high: Measurement | None, ars: bool | None, mda5: Factor
) -> tuple[list[str], list[str]]:
    """(contradictions, what each resolution leads to)."""
    out: list[str] = []
    then: list[str] = []
    if kind.contradiction:
        ck = f", {measurement_text(ck_high)}" if ck_high is not None else ""
        out.append(f"{kind.contradiction}{ck}")
        first = kind.recorded[0] if kind.recorded else "DM"
        if first == "ADM":
            then.append(f"if ADM is confirmed, {ESCALATION} (ADM is a poor-risk factor)")
        else:
            then.append("if DM, the branch is GC + CsA or IVCY")
        then.append("if PM, GC alone, unless another poor-risk factor is found")
    if kind.type == "ADM" and ck_high is not None:
        out.append(
            f"ADM recorded with a raised {measurement_text(ck_high)}: amyopathic DM means no "
            "muscle-enzyme abnormality"
        )
        then.append(f"if ADM is confirmed despite the raised CK, {ESCALATION}")
    if ars is True and mda5.present is True:
        out.append("anti-MDA5 and an anti-synthetase (anti-ARS) antibody both positive")
        then.append(f"if anti-MDA5 is confirmed, {ESCALATION}")
    return out, then


def _resolve(factor: Factor, why: str) -> Factor:
    """A factor that depends on a contradictory input: unresolved, with the reason."""
    if factor.present is not True:
        return factor
    return replace(
        factor, present=None, evidence_text=f"{factor.evidence_text}; counts only if {why}"
    )


def _ck_factor(
    record: PatientRecord, kind: TypeAnswer, ars: bool | None, conflict: bool, since: date
) -> Factor:
    """CK <500 U/L: a factor in DM/ADM only (Z20). In PM or an anti-ARS-positive patient it
    does not apply (R108, second sentence); with the type unknown or contradictory, a low CK
    counts only once the type is DM/ADM."""
    factor = _lab_factor(record, "ck", CK_LOW, "highest", since, ("R108",), every_value=True)
    if not conflict and (kind.type == "PM" or ars is True):
        who = "PM" if kind.type == "PM" else "anti-ARS positive"
        why = (
            f"not a factor here ({who}): with PM or anti-ARS positivity the possibility of "
            "fatal progressive ILD is low; low CK marks DM with low CK elevation"
        )
        return replace(factor, present=False, evidence_text=why, applies=False)
    if kind.type in ("DM", "ADM") and not conflict:
        return factor
    return _resolve(factor, "the myositis is DM or ADM")


def assess_risk(record: PatientRecord, kind: TypeAnswer, onset: date | None) -> RiskAssessment:
    """All six poor-risk factors, each present / absent / missing (or unresolved by a
    contradiction), with what was used; CK <500 only where it applies."""
    since = (onset - LAB_LOOKBACK_BEFORE_ONSET) if onset else record.today - timedelta(days=90)
    ars, _, _ = anti_ars(record)
    mda5 = _mda5_factor(record, since)
    ck_high = _ck_raised(record, since)
    contradictions, conditional = _contradictions(kind, ck_high, ars, mda5)
    antibody_conflict = ars is True and mda5.present is True
    adm = _adm_factor(kind)
    if kind.type == "ADM" and ck_high is not None:
        adm = _resolve(adm, "ADM is confirmed despite the raised CK")
    if antibody_conflict:
        mda5 = _resolve(mda5, "anti-MDA5 is confirmed (anti-ARS also positive)")
    factors = [
        adm,
        mda5,
        _lab_factor(record, "ferritin", FERRITIN_HIGH, "highest", since, ("R113",)),
        _hrct_factor(record, since),
        _lab_factor(
            record, "pao2", PAO2_LOW, "lowest", since, ("R113",), rounding=1, datasets=PAO2_DATA
        ),
        _ck_factor(record, kind, ars, antibody_conflict or bool(kind.contradiction), since),
    ]
    return RiskAssessment(factors, since, contradictions, conditional)
