"""How card text reads, for every guideline package: one module, one way.

- Summaries: ``clip`` (one sentence, at most 139 characters; CDS Hooks wants <140).
- Details: ``render`` lays out every card the same way (``compose.finding`` builds it):
  **Why** (the patient facts used, bullets; then a short explanation), **What to do**
  (bullets; then notes), **Not assessed** (only when something was), **Sources** (one short
  line per document, ``evidence.source_lines``). GitHub Markdown, bold and short lists only.
- Thresholds: ``threshold_text`` renders a ``Threshold`` (``>1,000 ng/mL``); card text never
  retypes a threshold's number.
- Patient values: ``measurement_text`` / ``antibody_text`` / ``condition_text`` /
  ``dose_text`` name the value, a clinician-facing unit (``DISPLAY_UNITS``: the record's UCUM
  ``mm[Hg]`` reads ``mmHg``) and an ISO date. Numbers go through ``evidence.fmt_number``
  (no float noise). Concepts read by ``label`` (``anti_mda5`` reads ``anti-MDA5``).

The facts in the card ``extension`` stay in canonical (UCUM) units: see ``facts``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from fhir_mappings.record import AntibodyResult, ConditionEntry, Measurement, MedicationEntry

from .evidence import Rule, Threshold, fmt_number
from .findings import Layout

SUMMARY_LIMIT = 139

#: canonical (UCUM) unit -> how a clinician reads it; units not listed read as they are
DISPLAY_UNITS: dict[str, str] = {
    "mm[Hg]": "mmHg",
    "10*9/L": "×10⁹/L",
    "10*3/uL": "×10³/µL",
    "10*6/uL": "×10⁶/µL",
    "ug/L": "µg/L",
    "ug/mL": "µg/mL",
    "umol/L": "µmol/L",
    "mL/min/{1.73_m2}": "mL/min/1.73 m²",
    "{copies}/mL": "copies/mL",
    "mg/d": "mg/day",
    "mg/kg/d": "mg/kg/day",
    "mg/m2": "mg/m²",
    "m2": "m²",
    "[iU]/mL": "IU/mL",
    "{ratio}": "",
    "1": "",
}

#: concept -> clinician-facing name; concepts not listed read with spaces for underscores
LABELS: dict[str, str] = {
    "pao2": "PaO2",
    "creatine_kinase": "CK",
    "ck": "CK",
    "kl6": "KL-6",
    "vital_capacity": "VC",
    "fvc": "FVC",
    "fvc_pct_pred": "FVC",
    "dlco": "DLCO",
    "dlco_pct_pred": "DLCO",
    "hrct_fibrosis_extent": "HRCT extent",
    "body_weight": "weight",
    "body_height": "height",
    "egfr": "eGFR",
    "alt": "ALT",
    "ast": "AST",
    "wbc": "white cells",
    "hemoglobin": "haemoglobin",
    "cmv_pp65": "CMV pp65 antigenemia",
    "cmv_pcr": "CMV PCR",
    "beta_d_glucan": "beta-D-glucan",
    "ana_presence": "ANA",
    "ana_titer": "ANA titre",
    "ana_pattern": "ANA pattern",
    "anti_mda5": "anti-MDA5",
    "anti_jo1": "anti-Jo-1",
    "anti_pl7": "anti-PL-7",
    "anti_pl12": "anti-PL-12",
    "anti_ej": "anti-EJ",
    "anti_oj": "anti-OJ",
    "anti_ks": "anti-KS",
    "anti_zo": "anti-Zo",
    "anti_ha": "anti-Ha",
    "anti_scl70": "anti-Scl-70",
    "anti_rnap3": "anti-RNA polymerase III",
    "anti_ro52": "anti-Ro52",
    "anti_pmscl": "anti-PM/Scl",
    "anti_ccp": "anti-CCP",
    "rf": "rheumatoid factor",
    "ild": "ILD",
    "ild_ctd": "ILD in connective tissue disease",
    "ipf": "IPF",
    "ipaf": "IPAF",
    "nsip": "NSIP",
    "uip": "UIP",
    "lip": "LIP",
    "ra_lung": "RA-ILD",
    "ssc_lung": "SSc-ILD",
    "pm_dm_lung": "DM/PM-ILD",
    "sjogren_lung": "Sjögren's disease ILD",
    "dyspnea_worsening": "worsening dyspnea on exertion",
    "ct_ild_progression": "increase of parenchymal abnormality on HRCT",
    "ct_ground_glass": "ground-glass opacity on HRCT",
    "ct_lower_consolidation": "lower-zone consolidation on HRCT",
    "ct_consolidation": "consolidation on HRCT (site not given)",
    "rp_ild_or_aip": "rapidly progressive ILD / acute interstitial pneumonia",
    "ssc_diffuse": "diffuse cutaneous SSc",
    "mechanics_hands": "mechanic's hands",
    "raynaud": "Raynaud's phenomenon",
    "tmp_smx": "TMP-SMX",
}


def label(concept: str, names: Mapping[str, str] = LABELS) -> str:
    """``names``: ``LABELS`` or another table of the kind (``data_gaps.DATASET_NAMES``)."""
    return names.get(concept, concept.replace("_", " "))


def unit(ucum: str | None) -> str:
    """The clinician-facing form of a canonical unit ("" for none or dimensionless)."""
    if not ucum:
        return ""
    return DISPLAY_UNITS.get(ucum, ucum)


def number(x: float) -> str:
    """A value for card text: at most two decimals, thousands separator, no float noise."""
    return fmt_number(round(x, 2))


def quantity(x: float | None, ucum: str | None) -> str:
    """``1,800 ng/mL``, ``68%``, ``7.2 ×10⁹/L``; ``?`` for a missing value."""
    shown = unit(ucum)
    value = number(x) if x is not None else "?"
    if not shown:
        return value
    return f"{value}{shown}" if shown == "%" else f"{value} {shown}"


def day(d: date | None) -> str:
    return d.isoformat() if d else "date unknown"


#: FHIR Quantity.comparator as shown on a card
COMPARATOR_TEXT = {"<": "<", "<=": "≤", ">=": "≥", ">": ">"}


def measured_quantity(m: Measurement) -> str:
    """The value with the lab's comparator when it gave a bound: ``>1,000 ng/mL``."""
    return COMPARATOR_TEXT.get(m.comparator or "", "") + quantity(m.value, m.unit)


def measurement_text(m: Measurement) -> str:
    """``ferritin 1,800 ng/mL (2026-11-16)``; a censored value keeps its comparator
    (``ferritin >1,000 ng/mL``)."""
    return f"{label(m.concept)} {measured_quantity(m)} ({day(m.when)})"


def unreadable_text(m: Measurement) -> str:
    """An uninterpretable value, said as such (never as normal)."""
    original = f"{m.original_value}" if m.original_value is not None else "?"
    shown = f" {m.original_unit}" if m.original_unit else " (no unit)"
    why = f": {m.reason}" if m.reason else ""
    return f"{label(m.concept)} {original}{shown} ({day(m.when)}) could not be interpreted{why}"


def antibody_text(a: AntibodyResult) -> str:
    """``anti-MDA5 positive, titre 1:320 (2026-11-02)``."""
    titre = f", titre 1:{fmt_number(a.titer)}" if a.titer else ""
    value = f", {quantity(a.value, a.unit)}" if a.value is not None else ""
    return f"{label(a.concept)} {a.status}{titre}{value} ({day(a.when)})"


def condition_text(c: ConditionEntry) -> str:
    """``worsening dyspnea on exertion: present (2026-10-01)``."""
    state = "present" if c.active else "absent"
    return f"{label(c.concept)}: {state} ({day(c.when)})"


def dose_text(entry: MedicationEntry) -> str:
    """A medication's dose: ``20 mg/day (oral)``, ``750 mg per dose``, or why it is unknown."""
    route = f" ({entry.route})" if entry.route else ""
    if entry.daily_dose_mg is not None:
        return f"{number(entry.daily_dose_mg)} mg/day{route}"
    if entry.dose_mg is not None:
        return f"{number(entry.dose_mg)} mg per dose{route}"
    return f"dose not readable ({entry.dose_problem or 'unknown'})"


def medication_text(entry: MedicationEntry) -> str:
    """``cyclophosphamide 500 mg per dose (intravenous), since 2026-11-01``: the ingredient
    once, the dose as computed from the order, the start date."""
    since = f"since {entry.start.isoformat()}" if entry.start else "start date unknown"
    return f"{label(entry.concept)} {dose_text(entry)}, {since}"


def bullets(lines: Iterable[str]) -> str:
    return "\n".join(f"- {line}" for line in lines)


def _section(title: str, subtitle: str | None) -> str:
    return f"**{title}:** {subtitle}" if subtitle else f"**{title}**"


def render(layout: Layout) -> str:
    """The one card layout, GitHub Markdown with short lists and bold only:

    ``**Why**`` (the patient facts used, bullets; then any explanation paragraphs),
    ``**What to do**`` (bullets; then notes), ``**Not assessed**`` (only when something was),
    ``**Sources**`` (one short line per document)."""
    parts: list[str] = []
    if layout.why or layout.why_title:
        parts += [_section("Why", layout.why_title), bullets(layout.why)]
    parts.extend(layout.body)
    if layout.what_to_do:
        parts += [_section("What to do", layout.what_to_do_title), bullets(layout.what_to_do)]
    parts.extend(layout.notes)
    if layout.not_assessed:
        parts += ["**Not assessed**", bullets(layout.not_assessed)]
    if layout.sources:
        parts += ["**Sources**", bullets(layout.sources)]
    return "\n\n".join(p for p in parts if p)


def threshold_text(t: Threshold, *, named: bool = False) -> str:
    """A threshold as card text, from the object that decides it: ``>1,000 ng/mL``,
    ``<60 mmHg``, ``≥15 mg/day``; ``named`` puts the concept first (``ferritin >1,000
    ng/mL``). Never retype a threshold's number in card text: render it with this."""
    shown = unit(t.unit)
    value = f"{COMPARATOR_TEXT[t.op]}{number(t.value)}"
    if shown:
        value += shown if shown.startswith("%") else f" {shown}"
    return f"{label(t.concept)} {value}" if named else value


def clip(summary: str) -> str:
    """Summaries are one sentence of at most 139 characters (CDS Hooks <140)."""
    if len(summary) <= SUMMARY_LIMIT:
        return summary
    return summary[: SUMMARY_LIMIT - 1].rstrip() + "…"


def steen_1998(rule: Rule, dose: str) -> str:
    """Steen 1998 (B12) as every card states it: a case-control odds ratio, never "times as
    likely". ``dose`` is the threshold text (e.g. ``≥15 mg/day``). E.g. ``Steen 1998
    (case-control study of 110 scleroderma renal crisis cases): prednisone ≥15 mg/day in
    the prior 6 months, odds ratio, OR 4.37 (95% CI 2.03-9.43)``."""
    figure = rule.figure.replace("OR ", "odds ratio, OR ", 1)
    return (
        f"{rule.source} (case-control study of 110 scleroderma renal crisis cases): "
        f"prednisone {dose} in the prior 6 months, {figure}"
    )
