"""Which rules run for which service, and the one place findings are selected and ordered."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import ctd_ild, diagnosis, dmpm, orders, ra, safety, ssc
from .derived import Derived
from .dmpm.assessment import assess
from .findings import Finding
from .policy import select_and_order
from .registry_types import OrderRule, PatientViewRule
from .safety.regimen import assess_regimen

if TYPE_CHECKING:
    from fhir_mappings.orders import OrderSet
    from fhir_mappings.record import PatientRecord

PATIENT_VIEW_RULES: list[PatientViewRule] = [
    *diagnosis.RULES,
    *dmpm.RULES,
    *ssc.RULES,
    *ra.RULES,
    *ctd_ild.RULES,
    *safety.RULES,
]
ORDER_RULES: list[OrderRule] = [*orders.RULES]


def derive(record: PatientRecord) -> Derived:
    return Derived(dmpm=assess(record), regimen=assess_regimen(record))


def evaluate_patient_view(record: PatientRecord) -> list[Finding]:
    derived = derive(record)
    findings: list[Finding] = []
    for rule_fn in PATIENT_VIEW_RULES:
        findings.extend(rule_fn(record, derived))
    return select_and_order(findings)


def evaluate_orders(record: PatientRecord, order_set: OrderSet) -> list[Finding]:
    findings: list[Finding] = []
    for rule_fn in ORDER_RULES:
        findings.extend(rule_fn(record, order_set))
    return select_and_order(findings)
