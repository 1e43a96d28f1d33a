"""Qualitative results (antibodies, CMV, beta-D-glucan): positive / negative / unknown.

Read in this order, the first that answers wins:
1. ``valueCodeableConcept``: SNOMED CT qualifier values (Positive 10828004, Negative 260385009,
   Detected 260373001, Not detected 260415000, Reactive 11214006, Non-reactive 131194007;
   source: WHO DDCC / SMART Health Cards qualitative-result value set, listing all six;
   Present 52101004, Absent 2667000, Yes 373066001, No 373067005 for findings), HL7 v3
   ObservationInterpretation codes, or its text.
2. ``valueString``: "Positive", "neg", "detected", "1:320" (a titre), "<1:40".
3. ``valueBoolean``.
4. ``valueRatio`` (a titre 1:320 -> 320).
5. ``interpretation`` (HL7 v3 ObservationInterpretation: POS/NEG/DET/ND, H/HH/A/AA = positive,
   N = negative; L/LL and anything else = no answer).
6. a ``valueQuantity`` against ``referenceRange.high`` (above = positive, at or below =
   negative). Without a usable range the quantity gives no status.
Equivocal, indeterminate, borderline and unknown words give ``unknown``: never negative.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .fhir_read import codings, items
from .record import AntibodyStatus
from .tables import SNOMED

V3_INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"

SNOMED_STATUS: dict[str, AntibodyStatus] = {
    "10828004": "positive",
    "260373001": "positive",  # detected
    "11214006": "positive",  # reactive
    "260385009": "negative",
    "260415000": "negative",  # not detected
    "131194007": "negative",  # non-reactive
    "52101004": "positive",  # present (a finding charted as present/absent)
    "2667000": "negative",  # absent
    "373066001": "positive",  # yes
    "373067005": "negative",  # no
    "42425007": "unknown",  # equivocal
    "82334004": "unknown",  # indeterminate
    "419984006": "unknown",  # inconclusive
}

INTERPRETATION_STATUS: dict[str, AntibodyStatus] = {
    "POS": "positive",
    "DET": "positive",
    "H": "positive",
    "HH": "positive",
    "HU": "positive",
    "A": "positive",
    "AA": "positive",
    "NEG": "negative",
    "ND": "negative",
    "N": "negative",
    "IND": "unknown",
    "E": "unknown",  # equivocal
}

_POSITIVE_WORDS = frozenset(
    {
        "positive",
        "pos",
        "detected",
        "reactive",
        "present",
        "+",
        "weakly positive",
        "weak positive",
        "strongly positive",
        "strong positive",
        "yes",
    }
)
_NEGATIVE_WORDS = frozenset(
    {
        "negative",
        "neg",
        "not detected",
        "non-reactive",
        "nonreactive",
        "non reactive",
        "absent",
        "-",
        "none detected",
        "no",
    }
)
_TITER = re.compile(r"^\s*([<>]=?)?\s*1\s*:\s*(\d+(?:\.\d+)?)\s*$")


@dataclass(frozen=True)
class Qualitative:
    status: AntibodyStatus
    titer: float | None = None
    value: float | None = None
    unit: str | None = None
    text: str | None = None


def status_from_text(text: str) -> AntibodyStatus | None:
    word = text.strip().lower().rstrip(".")
    if word in _POSITIVE_WORDS:
        return "positive"
    if word in _NEGATIVE_WORDS:
        return "negative"
    if word in {"equivocal", "indeterminate", "borderline", "inconclusive", "unknown"}:
        return "unknown"
    return None


def parse_titer(text: str) -> tuple[float, str | None] | None:
    """ "1:320" -> (320.0, None); "<1:40" -> (40.0, "<")."""
    m = _TITER.match(text)
    if not m:
        return None
    return float(m.group(2)), m.group(1)


def _status_from_codeable(cc: Mapping[str, Any]) -> AntibodyStatus | None:
    for coding in codings(cc):
        code = coding.get("code")
        system = coding.get("system")
        if not isinstance(code, str):
            continue
        if system == SNOMED and code in SNOMED_STATUS:
            return SNOMED_STATUS[code]
        if system == V3_INTERPRETATION and code in INTERPRETATION_STATUS:
            return INTERPRETATION_STATUS[code]
    for text in [cc.get("text")] + [c.get("display") for c in codings(cc)]:
        if isinstance(text, str):
            status = status_from_text(text)
            if status is not None:
                return status
    return None


def _status_from_interpretation(obs: Mapping[str, Any]) -> AntibodyStatus | None:
    for cc in items(obs.get("interpretation")):
        if not isinstance(cc, (dict, Mapping)):
            continue
        for coding in codings(cc):
            code = coding.get("code")
            if isinstance(code, str) and code in INTERPRETATION_STATUS:
                return INTERPRETATION_STATUS[code]
        text = cc.get("text")
        if isinstance(text, str):
            status = status_from_text(text)
            if status is not None:
                return status
    return None


def _status_from_range(obs: Mapping[str, Any], value: float) -> AntibodyStatus | None:
    for rng in items(obs.get("referenceRange")):
        if not isinstance(rng, (dict, Mapping)):
            continue
        high = rng.get("high")
        if isinstance(high, (dict, Mapping)) and isinstance(high.get("value"), int | float):
            return "positive" if value > float(high["value"]) else "negative"
    return None


def interpret(obs: Mapping[str, Any]) -> Qualitative:
    """Interpret the value of an Observation (or an Observation.component)."""
    interp = _status_from_interpretation(obs)
    cc = obs.get("valueCodeableConcept")
    if isinstance(cc, (dict, Mapping)):
        status = _status_from_codeable(cc)
        text = cc.get("text") if isinstance(cc.get("text"), str) else None
        if status is None:
            status = interp
        return Qualitative(status or "unknown", text=text)
    string = obs.get("valueString")
    if isinstance(string, str):
        titer = parse_titer(string)
        if titer is not None:
            number, comparator = titer
            # "1:320" / ">1:1280": detected at that dilution; "<1:40": not detected at the
            # lowest dilution tested
            below = comparator is not None and comparator.startswith("<")
            status = interp or ("negative" if below else "positive")
            return Qualitative(status, titer=number, text=string)
        status = status_from_text(string) or interp or "unknown"
        return Qualitative(status, text=string)
    boolean = obs.get("valueBoolean")
    if isinstance(boolean, bool):
        return Qualitative("positive" if boolean else "negative")
    ratio = obs.get("valueRatio")
    if isinstance(ratio, (dict, Mapping)):
        numerator, denominator = ratio.get("numerator"), ratio.get("denominator")
        num = numerator.get("value") if isinstance(numerator, Mapping) else None
        den = denominator.get("value") if isinstance(denominator, Mapping) else None
        if isinstance(num, int | float) and isinstance(den, int | float) and num == 1 and den > 0:
            return Qualitative(interp or "positive", titer=float(den), text=f"1:{den:g}")
        return Qualitative(interp or "unknown")
    quantity = obs.get("valueQuantity")
    if (
        isinstance(quantity, (dict, Mapping))
        and isinstance(quantity.get("value"), int | float)
        and not isinstance(quantity.get("value"), bool)
    ):
        value = float(quantity["value"])
        unit = quantity.get("unit") or quantity.get("code")
        unit_s = unit if isinstance(unit, str) else None
        if unit_s is not None and unit_s.strip().lower() in {"{titer}", "titer"}:
            # a reciprocal titre: detected at 1:value, unless reported as below ("<40")
            below = str(quantity.get("comparator", "")).startswith("<")
            titre_status: AntibodyStatus = "negative" if below else "positive"
            if value <= 0:
                titre_status = "unknown"
            return Qualitative(
                interp or titre_status,
                titer=value,
                value=value,
                unit=unit_s,
            )
        status = interp or _status_from_range(obs, value)
        return Qualitative(status or "unknown", value=value, unit=unit_s)
    if interp is not None:
        return Qualitative(interp)
    return Qualitative("unknown")
