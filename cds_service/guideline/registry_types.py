"""The shapes of rule functions (kept apart so rule packages can import them freely)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from .findings import Finding

if TYPE_CHECKING:
    from fhir_mappings.orders import OrderSet
    from fhir_mappings.record import PatientRecord

    from .derived import Derived

#: a patient-view rule: the record (with its evaluation date ``record.today``) and the facts
#: several rules share (computed once by the registry) -> findings
PatientViewRule = Callable[["PatientRecord", "Derived"], Iterable[Finding]]
#: an order rule: the record and the draft orders (with the focus of order-select) -> findings
OrderRule = Callable[["PatientRecord", "OrderSet"], Iterable[Finding]]
