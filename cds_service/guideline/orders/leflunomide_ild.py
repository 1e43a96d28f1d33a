"""Leflunomide ordered for a patient with ILD (topic ``order-leflunomide-ild``).

Sources: JP §Lessons learned (R115): "leflunomide causes fatal A/S-ILD at a high frequency
(1.2%) in Japan", not in Korea or China. TC §2 (R131): MTX and leflunomide are "not clearly
associated with ILD onset, but use them with caution". Conflict note Z6: ACR/CHEST 2023
conditionally recommends against leflunomide as ILD treatment; show a caution, not a hard stop.

When leflunomide is drafted (focused) and the patient has an active ILD diagnosis → warning
(a caution), citing the 1.2% figure for Japanese patients and the TC counterpoint.

Suggestion: ``delete`` of the draft (resourceId only), not marked recommended. Removing the
draft is a legitimate one-click answer to this caution (ACR/CHEST conditionally against; JP
reports fatal ILD), but Z6 says caution, not a stop, and the seeds disagree (R131), so the
choice stays with the clinician; the override reasons record a decision to go ahead.
Left open: the patient's ancestry is not in the record, so the Japanese figure is stated, not
applied.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from fhir_mappings.record import PatientRecord

from ..compose import finding
from ..facts import condition_fact
from ..findings import Finding, Indicator, Suggestion
from ..shared_rules import B02, R115, R131
from ..suggestions.orders import delete_draft
from . import common

if TYPE_CHECKING:
    from fhir_mappings.orders import OrderSet

TOPIC = "order-leflunomide-ild"


#: how an ILD diagnosis concept reads in card text
_ILD_NAMES = {
    "ild": "interstitial lung disease",
    "ild_ctd": "ILD due to connective tissue disease",
    "ra_lung": "rheumatoid lung disease",
    "ssc_lung": "lung disease with systemic sclerosis",
    "pm_dm_lung": "lung disease with DM/PM",
    "sjogren_lung": "lung disease with Sjögren's disease",
    "rp_ild_or_aip": "acute interstitial pneumonia",
}


def check(record: PatientRecord, orders: OrderSet) -> Iterator[Finding]:
    drafts = common.focused(orders, frozenset({"leflunomide"}))
    ild = record.condition(*common.ILD)
    if not drafts or ild is None:
        return
    suggestions = tuple(
        Suggestion(
            label="Remove the leflunomide draft",
            actions=(delete_draft(d.source_id, "Remove the drafted leflunomide order"),),
            is_recommended=False,
        )
        for d in drafts
        if d.source_id is not None and d.source_id in orders.resources
    )[:1]
    since = f" since {ild.when.isoformat()}" if ild.when else ""
    yield finding(
        topic=TOPIC,
        indicator=Indicator.WARNING,
        summary=(
            "Leflunomide ordered in a patient with ILD: caution, it caused fatal acute/subacute "
            "ILD in 1.2% of Japanese patients."
        ),
        why=[
            f"{_ILD_NAMES.get(ild.concept, ild.concept.replace('_', ' ')).capitalize()}{since}",
            *(f"Leflunomide drafted: {common.dose_text(d)}" for d in drafts),
        ],
        body=(
            "Fatal acute/subacute ILD in **1.2%** of Japanese patients (not seen in Korea or "
            "China); elsewhere not clearly linked to ILD onset, but use with caution. ACR/CHEST "
            "2023: conditionally against it as ILD treatment. A caution, not a contraindication.",
        ),
        rules=(R115, R131, B02),
        facts=(condition_fact(ild), *(common.dose_fact(d, record) for d in drafts)),
        suggestions=suggestions,
        selection_behavior="at-most-one" if suggestions else None,
        override_reasons=common.OVERRIDE_REASONS,
    )
