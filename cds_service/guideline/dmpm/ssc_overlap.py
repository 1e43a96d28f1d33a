"""DM/PM-ILD in a patient who also has systemic sclerosis (overlap, e.g. scleromyositis with
anti-PM/Scl): the glucocorticoid caveat every DM/PM card carries.

KR §Treatment 2-2) (R051): "High-dose steroid is not recommended in SSc because renal crisis
can develop rapidly if the daily prednisolone dose is over 10 mg." Steen 1998 (B12,
case-control, 110 SRC): prednisone >=15 mg/day in the prior 6 months, OR 4.37 (95% CI
2.03-9.43). ACR/CHEST 2023 (B02): strong recommendation against glucocorticoids for SSc-ILD.
Conflict note Z13: never *suggest* GC for SSc-ILD.

When/Then: an active SSc diagnosis -> every DM/PM-ILD card that names a glucocorticoid
regimen keeps the JP regimen text, never as an imperative "start GC", and carries the caveat
below.

Decisions left open: whether a GC is used in the overlap is the clinician's decision with an
SSc expert; the service does not choose.
"""

from __future__ import annotations

from fhir_mappings.record import PatientRecord

from ..diseases import has_ctd
from ..evidence import Rule
from ..shared_rules import B02, B12, R051

SSC_RULES: tuple[Rule, ...] = (R051, B12, B02)

CAVEAT = (
    "**SSc overlap: glucocorticoid caution.** A prednisolone-equivalent dose >10 mg/day risks "
    "scleroderma renal crisis (KR R051; Steen 1998, case-control: >=15 mg/day, OR 4.37, 95% "
    "CI 2.03-9.43), and ACR/CHEST 2023 recommends strongly against glucocorticoids for "
    "SSc-ILD. Decide any glucocorticoid with an SSc expert; monitor blood pressure and "
    "creatinine."
)


def ssc_overlap(record: PatientRecord) -> bool:
    return has_ctd(record, "ssc")
