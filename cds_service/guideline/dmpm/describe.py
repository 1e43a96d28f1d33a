"""How patient facts and evidence read in card text (shared by the Guideline I packages).

Numbers go through ``evidence.fmt_number`` so a card never shows float noise; every fact
names its value, unit and date.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from fhir_mappings.record import AntibodyResult, ConditionEntry, Measurement

from ..evidence import Rule, cite, fmt_number
from ..findings import Fact

LABELS: dict[str, str] = {
    "ferritin": "ferritin",
    "pao2": "PaO2",
    "creatine_kinase": "CK",
    "kl6": "KL-6",
    "vital_capacity": "VC",
    "fvc": "FVC",
    "aldolase": "aldolase",
    "anti_mda5": "anti-MDA5",
    "anti_jo1": "anti-Jo-1",
    "anti_pl7": "anti-PL-7",
    "anti_pl12": "anti-PL-12",
    "anti_ej": "anti-EJ",
    "anti_oj": "anti-OJ",
    "anti_ks": "anti-KS",
    "anti_zo": "anti-Zo",
    "anti_ha": "anti-Ha",
    "dyspnea_worsening": "worsening dyspnea on exertion",
    "ct_ild_progression": "increase of parenchymal abnormality on HRCT",
    "ct_ground_glass": "ground-glass opacity on HRCT",
    "ct_lower_consolidation": "lower-zone consolidation on HRCT",
    "ct_consolidation": "consolidation on HRCT (site not given)",
}


def label(concept: str) -> str:
    return LABELS.get(concept, concept.replace("_", " "))


def day(d: date | None) -> str:
    return d.isoformat() if d else "date unknown"


def measurement_text(m: Measurement) -> str:
    """``ferritin 1,800 ng/mL (2026-11-16)``."""
    value = fmt_number(round(m.value, 2)) if m.value is not None else "?"
    unit = f" {m.unit}" if m.unit else ""
    return f"{label(m.concept)} {value}{unit} ({day(m.when)})"


def unreadable_text(m: Measurement) -> str:
    """An uninterpretable value, said as such (never as normal)."""
    original = f"{m.original_value}" if m.original_value is not None else "?"
    unit = f" {m.original_unit}" if m.original_unit else " (no unit)"
    why = f": {m.reason}" if m.reason else ""
    return f"{label(m.concept)} {original}{unit} ({day(m.when)}) could not be interpreted{why}"


def antibody_text(a: AntibodyResult) -> str:
    titre = f", titre 1:{fmt_number(a.titer)}" if a.titer else ""
    value = f", {fmt_number(a.value)} {a.unit or ''}".rstrip() if a.value is not None else ""
    return f"{label(a.concept)} {a.status}{titre}{value} ({day(a.when)})"


def condition_text(c: ConditionEntry) -> str:
    state = "present" if c.active else "absent"
    return f"{label(c.concept)}: {state} ({day(c.when)})"


def measurement_fact(m: Measurement) -> Fact:
    return Fact(m.concept, round(m.value, 2) if m.value is not None else None, m.unit, m.when)


def unreadable_fact(m: Measurement) -> Fact:
    return Fact(m.concept, None, None, m.when)


def antibody_fact(a: AntibodyResult) -> Fact:
    return Fact(a.concept, a.status, None, a.when)


def condition_fact(c: ConditionEntry) -> Fact:
    return Fact(c.concept, c.active, None, c.when)


def bullets(lines: Iterable[str]) -> str:
    return "\n".join(f"- {line}" for line in lines)


def sources_block(rules: Iterable[Rule]) -> str:
    """The evidence section of a card (``evidence.cite``)."""
    return cite(*rules)


def unique_facts(facts: Iterable[Fact]) -> tuple[Fact, ...]:
    return tuple(dict.fromkeys(facts))
