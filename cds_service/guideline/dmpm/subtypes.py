"""Clinical subtype groups of DM/PM-ILD (JP Table 1, R089).

JP §Clinical subtypes, Table 1 "Subtypes of ILD associated with DM/PM":
A/S 1: a-MDA5 (+), ADM/DM — prognosis poor — GC + CsA + CY (IVIG, PMX-DHP);
A/S 2: a-MDA5 (−), DM (ADM) — fair (GC resistance) — GC + CsA (TAC)/CY;
A/S 3: a-MDA5 (−), PM — good — GC (CsA/CY/TAC/MMF);
Chronic 1: a-ARS (+), PM (DM) — good (frequent recurrence) — GC (CsA/CY/TAC/AZA/MMF);
Chronic 2: a-ARS (−), DM/PM — good; some patients positive for a-MDA5 — GC (same options).
Agents in parentheses are second-line or optional.

When/Then: course + antibody (+ myositis type for A/S without anti-MDA5) -> group.

Decisions left open by the source, taken here:
- Anti-ARS is positive when any of Jo-1, PL-7, PL-12, EJ, OJ, KS, Zo, Ha is positive or an
  anti-synthetase syndrome is recorded; negative only when all eight were tested negative
  (non-Jo-1 ARS are 20-30% of ARS-ILD, R077: anti-Jo-1 alone does not make "negative");
  otherwise unknown, and the card names the ARS antibodies not tested.
- An A/S patient with anti-MDA5 negative and unknown myositis type has no group (A/S 2 or 3).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fhir_mappings.record import PatientRecord

from .. import evidence
from ..diseases import ANTI_SYNTHETASE
from ..facts import antibody_fact, condition_fact
from ..findings import Fact
from ..text import antibody_text, day, label
from .course import CourseKind
from .myositis import TypeAnswer
from .readers import unavailable

R089 = evidence.rule(
    "R089",
    "JP",
    "§Clinical subtypes; Table 1",
    "Subtypes of DM/PM-ILD: A/S 1 a-MDA5(+) ADM/DM, A/S 2 a-MDA5(-) DM (ADM), A/S 3 "
    "a-MDA5(-) PM, Chronic 1 a-ARS(+) PM (DM), Chronic 2 a-ARS(-) DM/PM; prognosis and "
    "therapy per group.",
    figure="A/S 1 poor, GC + CsA + CY (IVIG, PMX-DHP); A/S 2 fair (GC-resistance), GC + CsA "
    "(TAC)/CY; A/S 3 good, GC (CsA/CY/TAC/MMF); Chronic 1 good (frequent recurrence), GC "
    "(CsA/CY/TAC/AZA/MMF); Chronic 2 good, GC (CsA/CY/TAC/AZA/MMF)",
    topics=("dmpm-ild-acute-subacute", "dmpm-ild-chronic", "dmpm-ild-poor-prognosis"),
)


@dataclass(frozen=True)
class Group:
    name: str
    definition: str
    prognosis: str
    therapy: str

    @property
    def text(self) -> str:
        return (
            f"JP Table 1 group **{self.name}** ({self.definition}): ILD prognosis "
            f"{self.prognosis}; therapy {self.therapy}"
        )


GROUPS: dict[str, Group] = {
    g.name: g
    for g in (
        Group("A/S 1", "a-MDA5 (+), ADM/DM", "poor", "GC + CsA + CY (IVIG, PMX-DHP)"),
        Group("A/S 2", "a-MDA5 (-), DM (ADM)", "fair (GC resistance)", "GC + CsA (TAC)/CY"),
        Group("A/S 3", "a-MDA5 (-), PM", "good", "GC (CsA/CY/TAC/MMF)"),
        Group(
            "Chronic 1",
            "a-ARS (+), PM (DM)",
            "good (frequent recurrence)",
            "GC (CsA/CY/TAC/AZA/MMF)",
        ),
        Group(
            "Chronic 2",
            "a-ARS (-), DM/PM; some patients a-MDA5 (+)",
            "good",
            "GC (CsA/CY/TAC/AZA/MMF)",
        ),
    )
}


@dataclass
class GroupAnswer:
    group: Group | None
    basis: list[str] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    why_unknown: str = ""


def anti_ars(record: PatientRecord) -> tuple[bool | None, list[str], list[Fact]]:
    """Anti-ARS positive / negative / unknown, with the results used (and, when unknown,
    which antibodies were not tested or could not be read)."""
    results = [r for c in ANTI_SYNTHETASE if (r := record.antibody(c)) is not None]
    texts = [antibody_text(r) for r in results]
    facts = [antibody_fact(r) for r in results]
    asys = record.condition("antisynthetase_syndrome")
    if any(r.status == "positive" for r in results):
        return True, texts, facts
    if asys is not None:
        return (
            True,
            [f"anti-synthetase syndrome recorded ({day(asys.when)})"],
            [condition_fact(asys)],
        )
    negative = {r.concept for r in results if r.status == "negative"}
    gaps = untested_ars(record, negative)
    if not gaps:
        return False, texts, facts
    return None, texts + gaps, facts


def untested_ars(record: PatientRecord, negative: set[str]) -> list[str]:
    """Why "anti-ARS negative" cannot be concluded: the ARS antibodies not tested negative,
    and the antibody data set when it could not be fetched; [] when all eight are negative."""
    out = []
    untested = [label(c) for c in ANTI_SYNTHETASE if c not in negative]
    if untested:
        out.append("not tested (or not readable): " + ", ".join(untested))
    return out + unavailable(record, ("antibodies", "labs"))


def subtype_group(record: PatientRecord, course: CourseKind, kind: TypeAnswer) -> GroupAnswer:
    if course == "acute_subacute":
        mda5 = record.antibody("anti_mda5")
        if mda5 is None or mda5.status == "unknown":
            return GroupAnswer(None, why_unknown="anti-MDA5 result missing (A/S 1 vs A/S 2/3)")
        basis = [antibody_text(mda5)]
        facts = [antibody_fact(mda5)]
        if mda5.status == "positive":
            return GroupAnswer(GROUPS["A/S 1"], basis, facts)
        if kind.type in ("DM", "ADM"):
            return GroupAnswer(GROUPS["A/S 2"], basis + [f"type {kind.type}"], facts)
        if kind.type == "PM":
            return GroupAnswer(GROUPS["A/S 3"], basis + ["type PM"], facts)
        return GroupAnswer(
            None, basis, facts, f"myositis type unknown (A/S 2 vs A/S 3): {kind.why_unknown}"
        )
    status, texts, facts = anti_ars(record)
    if status is True:
        return GroupAnswer(GROUPS["Chronic 1"], texts, facts)
    if status is False:
        return GroupAnswer(GROUPS["Chronic 2"], texts, facts)
    gaps = [t for t in texts if t.startswith("not tested") or " unavailable (" in t]
    why = "; ".join(gaps) or "anti-ARS antibodies not tested"
    return GroupAnswer(None, texts, facts, f"anti-ARS status unknown (Chronic 1 vs 2): {why}")
