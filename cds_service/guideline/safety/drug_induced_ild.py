"""Drug-induced ILD caution: leflunomide (and gefitinib, bleomycin) in ILD (JP R115; KR R003;
conflict note Z6).

Recommendation: JP §Lessons learned: leflunomide causes fatal A/S-ILD at a high frequency
(1.2%) in Japan (not Korea or China); gefitinib and bleomycin ILD are also more frequent in
Japanese patients. KR R003: exclude drug-induced ILD before attributing ILD to the CTD. TC:
MTX and leflunomide not clearly associated with ILD onset, use with caution. ACR/CHEST 2023:
conditionally against leflunomide as ILD treatment.

When: ILD recorded and leflunomide, gefitinib or bleomycin active. Then: warning card
(a caution, not a hard stop: no delete action).
Decisions: ethnicity is not in the record; the 1.2% figure is quoted as Japanese data.
"""

from __future__ import annotations

from collections.abc import Iterator

from fhir_mappings.record import PatientRecord

from .. import drug_classes
from ..compose import finding
from ..derived import Derived
from ..diseases import ild_entry
from ..evidence import rule
from ..facts import medication_fact
from ..findings import Finding, Indicator
from ..shared_rules import B02, R115, R131
from ..text import condition_text, label

TOPIC = "drug-induced-ild-caution"

R003 = rule(
    "R003",
    "KR",
    "§Diagnosis 1-1)",
    "In a CTD patient who develops ILD, exclude drug-induced ILD and infection before "
    "attributing the ILD to the CTD",
    "",
    (TOPIC,),
)


def drug_induced_ild_caution(
    record: PatientRecord, derived: Derived | None = None
) -> Iterator[Finding]:
    ild = ild_entry(record)
    if ild is None:
        return
    drugs = record.active_medications(drug_classes.DRUG_INDUCED_ILD_CAUTION, include_drafts=False)
    if not drugs:
        return
    names = ", ".join(sorted({label(m.concept) for m in drugs}))
    lines = [condition_text(ild)]
    lines += [
        f"{label(m.concept)} active since {m.start.isoformat() if m.start else 'unknown date'}"
        for m in drugs
    ]
    rules = (R115, R003, R131, B02)
    yield finding(
        topic=TOPIC,
        indicator=Indicator.WARNING,
        summary=(
            f"ILD patient on {names}: drug-induced ILD caution; review the need "
            "for it (not a hard stop)."
        ),
        why=lines,
        body=(
            "Leflunomide caused fatal acute/subacute ILD in 1.2% of Japanese patients (not in "
            "Korea or China); gefitinib and bleomycin ILD were also more frequent in Japan. "
            "Elsewhere not clearly linked to ILD onset, but use with caution; ACR/CHEST 2023: "
            "conditionally against leflunomide as ILD treatment. Exclude drug-induced ILD before "
            "attributing the ILD to the connective tissue disease.",
        ),
        rules=rules,
        facts=tuple(medication_fact(m) for m in drugs),
        priority=35,
    )
