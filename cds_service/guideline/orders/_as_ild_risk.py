"""Private stand-in for guide1's DM/PM A/S-ILD poor-risk predicates (``guideline.dmpm``).

Replace with guide1's predicates once they are on main. Deliberately conservative: it answers
True only when the record states an acute/subacute course and at least one poor-risk factor;
otherwise None (cannot decide), never False-as-normal.

A/S-ILD (R068, narrowed): an active ``rp_ild_or_aip`` diagnosis, or an ILD diagnosed within
the last 3 months with a progression finding (``dyspnea_worsening``/``ct_ild_progression``)
in those 3 months. Poor-risk factors (R113 Figure 3 + Z20): ADM, anti-MDA5 positive, ferritin
>1,000 ng/mL, GGO plus lower consolidation, PaO₂ <60 mmHg, CK <500 U/L (latest values within
3 months).
"""

from __future__ import annotations

from datetime import timedelta

from fhir_mappings.record import PatientRecord

from ..findings import Fact
from . import common

MYOSITIS = frozenset(
    {"dermatomyositis", "polymyositis", "amyopathic_dm", "juvenile_dermatomyositis", "pm_dm_lung"}
)
RECENT = timedelta(days=90)


def is_acute_subacute(record: PatientRecord) -> bool | None:
    if not (common.has_condition(record, MYOSITIS) and common.has_condition(record, common.ILD)):
        return None
    if record.has_condition("rp_ild_or_aip"):
        return True
    since = record.today - RECENT
    ild = record.condition(*sorted(common.ILD), since=since)
    if ild is not None and record.has_condition(
        "dyspnea_worsening", "ct_ild_progression", since=since
    ):
        return True
    return None


def poor_risk_factors(record: PatientRecord) -> list[Fact]:
    out: list[Fact] = []
    adm = record.condition("amyopathic_dm")
    if adm is not None:
        out.append(Fact("amyopathic_dm", True, None, adm.when))
    mda5 = record.antibody("anti_mda5")
    if mda5 is not None and mda5.status == "positive":
        out.append(Fact("anti_mda5", "positive", None, mda5.when))
    for concept, op, cut, unit in (
        ("ferritin", ">", 1000.0, "ng/mL"),
        ("pao2", "<", 60.0, "mmHg"),
        ("creatine_kinase", "<", 500.0, "U/L"),
    ):
        m = record.latest(concept, within=RECENT)
        if (
            m is not None
            and m.value is not None
            and (m.value > cut if op == ">" else m.value < cut)
        ):
            out.append(Fact(concept, m.value, unit, m.when))
    ggo, cons = record.condition("ct_ground_glass"), record.condition("ct_lower_consolidation")
    if ggo is not None and cons is not None:
        out.append(Fact("ct_lower_consolidation", True, None, cons.when))
    return out
