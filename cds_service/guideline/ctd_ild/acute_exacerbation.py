"""Acute presentation of CTD-ILD (KR §Treatment 1, Table 3; R030-R034).

Recommendation (KR): the acute presentation is de novo acute interstitial pneumonia or an
acute exacerbation (R030). Table 3: exclude infection, pulmonary embolism, coronary artery
disease, de novo arrhythmia, pulmonary oedema, pneumothorax, recent surgery (especially lung
biopsy); broad-spectrum antibiotics for typical and atypical bacteria; test for and treat
*Pneumocystis* and other fungal infection according to immunosuppression risk; stop a drug
suspected of toxicity; methylprednisolone pulse 1 g daily x 3 days (R031: then oral
prednisolone 1 mg/kg/day). Mortality 83.3% despite treatment (R033).

When: CTD-ILD and an acute presentation: an active ``rp_ild_or_aip`` (rapidly progressive
ILD / acute interstitial pneumonia) dated in the last 90 days, or worse dyspnea **and** new
HRCT progression both dated in the last 30 days. Then: warning card with the KR Table 3
steps and a beta-D-glucan suggestion.

Decisions: the 30-day window follows the usual "acute" exacerbation time frame (<1 month);
in SSc the glucocorticoid pulse is not suggested (Z13: never suggest GC for SSc-ILD; renal
crisis risk, R051) and an expert decision is asked for instead. KR's add-on "cyclosporine
500-750 mg/m2" is an erratum (Z3: it is an IV cyclophosphamide pulse range) and is not shown.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from fhir_mappings.record import PatientRecord

from .. import drug_classes
from ..compose import finding
from ..derived import Derived
from ..diseases import CTD_CONCEPTS, CTD_NAMES, has_ctd_ild, ild_entry
from ..evidence import fmt_number, rule
from ..facts import condition_fact
from ..findings import Action, Fact, Finding, Indicator, Suggestion
from ..ssc.glucocorticoid_risk import GC_WARNING
from ..suggestions.labs import lab_request
from ..text import label, threshold_text

TOPIC = "ctd-ild-acute-exacerbation"

R030 = rule(
    "R030",
    "KR",
    "§Treatment 1",
    "The acute presentation of CTD-ILD is de novo acute interstitial pneumonia or an acute "
    "exacerbation of the underlying CTD",
    "",
    (TOPIC,),
)
R031 = rule(
    "R031",
    "KR",
    "§Treatment 1; Table 3",
    "Acute exacerbation: IV methylprednisolone 1 g/day for 3 days, then oral prednisolone "
    "1 mg/kg/day",
    "methylprednisolone 1 g x 3 days; prednisolone 1 mg/kg/day",
    (TOPIC,),
)
R033 = rule(
    "R033",
    "KR",
    "§Treatment 1",
    "Acute exacerbation often needs mechanical ventilation despite immunosuppression",
    "mortality 83.3%",
    (TOPIC,),
)
R034 = rule(
    "R034",
    "KR",
    "Table 3",
    "Acute presentation: exclude infection, pulmonary embolism, coronary artery disease, "
    "arrhythmia, pulmonary edema, pneumothorax, surgery; broad-spectrum antibiotics; test for "
    "Pneumocystis and fungi; stop a suspected drug; methylprednisolone pulse",
    "methylprednisolone 1 g daily x 3 days",
    (TOPIC,),
)

RPILD_WINDOW = timedelta(days=90)
ACUTE_WINDOW = timedelta(days=30)


def acute_presentation(record: PatientRecord) -> list[tuple[str, Fact]]:
    """The record entries that show an acute presentation (empty when none)."""
    today = record.today
    rp = record.condition("rp_ild_or_aip", since=today - RPILD_WINDOW)
    if rp is not None and rp.when is not None:
        return [
            (
                f"rapidly progressive ILD / acute interstitial pneumonia recorded "
                f"{rp.when.isoformat()}",
                condition_fact(rp),
            )
        ]
    dyspnea = record.condition("dyspnea_worsening", since=today - ACUTE_WINDOW)
    ct = record.condition("ct_ild_progression", since=today - ACUTE_WINDOW)
    if dyspnea is not None and ct is not None and dyspnea.when and ct.when:
        return [
            (
                f"worse dyspnea {dyspnea.when.isoformat()}",
                condition_fact(dyspnea),
            ),
            (
                f"HRCT progression {ct.when.isoformat()}",
                condition_fact(ct),
            ),
        ]
    return []


def ctd_ild_acute_exacerbation(
    record: PatientRecord, derived: Derived | None = None
) -> Iterator[Finding]:
    groups = [g for g in CTD_CONCEPTS if has_ctd_ild(record, g)]
    if not groups and not record.has_condition("ild_ctd"):
        return
    if ild_entry(record) is None:
        return
    evidence = acute_presentation(record)
    if not evidence:
        return
    ssc = "ssc" in groups
    suspects = record.active_medications(
        drug_classes.DRUG_INDUCED_ILD_CAUTION, include_drafts=False
    )
    steps = [
        "Exclude infection, embolism, heart disease, pneumothorax, recent surgery (Table 3).",
        "Antibiotics; test for *Pneumocystis* and fungi (beta-D-glucan).",
        "Stop a drug suspected of toxicity"
        + (
            ": " + ", ".join(sorted({label(m.concept) for m in suspects})) + " is active."
            if suspects
            else " (review recently started drugs)."
        ),
    ]
    if ssc:
        steps.append(
            "Systemic sclerosis: a glucocorticoid pulse is **not** suggested here (ACR/CHEST "
            "2023 strongly against; renal crisis risk at prednisolone "
            f"{threshold_text(GC_WARNING)}): decide with an SSc expert."
        )
    else:
        weight = record.latest_weight_kg()
        per_kg = (
            f" (= {fmt_number(round(weight.value))} mg/day for {fmt_number(weight.value)} kg)"
            if weight is not None and weight.value is not None
            else ""
        )
        steps.append(
            "Methylprednisolone pulse 1 g IV daily for 3 days (intravenous), then "
            f"prednisolone 1 mg/kg/day{per_kg}."
        )
    rules = (R030, R031, R033, R034)
    yield finding(
        topic=TOPIC,
        indicator=Indicator.WARNING,
        summary=(
            "Acute presentation of CTD-ILD: exclude infection and other causes, test for "
            "Pneumocystis, stop suspect drugs."
        ),
        why=[f"CTD: {', '.join(CTD_NAMES[g] for g in groups) or 'CTD-ILD'}"]
        + [text for text, _ in evidence],
        body=("Korean guideline: acute exacerbation mortality 83.3%.",),
        what_to_do=steps,
        rules=rules,
        facts=tuple(f for _, f in evidence),
        suggestions=(
            Suggestion(
                label="Order plasma beta-D-glucan (Pneumocystis / fungal screen)",
                actions=(
                    Action(
                        "create",
                        "Plasma (1,3)-beta-D-glucan",
                        lab_request(
                            "beta_d_glucan", record.patient_id, "Acute presentation of CTD-ILD"
                        ),
                    ),
                ),
            ),
        ),
        priority=5,
    )
