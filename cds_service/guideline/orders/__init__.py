"""Order checks at order-select and order-sign, one module per contract topic.

Each ``check(record, orders)`` reads the patient's record plus the draft orders (see
``common.regimen``: an active drug and the same drug drafted are one regimen) and looks only
at the drafts in focus (``context.selections`` at order-select, all drafts at order-sign).
"""

from __future__ import annotations

from ..registry_types import OrderRule
from . import (
    as_ild_monotherapy,
    cyclophosphamide_bundle,
    cyclosporine_monitoring,
    immunosuppressant_dose,
    leflunomide_ild,
    pjp_prophylaxis,
    ssc_glucocorticoid_dose,
    tocilizumab_regimen,
)

RULES: list[OrderRule] = [
    ssc_glucocorticoid_dose.check,
    as_ild_monotherapy.check,
    cyclophosphamide_bundle.check,
    cyclosporine_monitoring.check,
    pjp_prophylaxis.check,
    immunosuppressant_dose.check,
    leflunomide_ild.check,
    tocilizumab_regimen.check,
]
