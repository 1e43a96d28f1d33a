"""The DM/PM-ILD management algorithm (JP Figure 3, Table 1; Suzuki IVIG).

One module per recommendation; the shared classification is in ``assessment`` (myositis type,
A/S vs chronic course, subtype group, poor-risk factors).
"""

from __future__ import annotations

from ..registry_types import PatientViewRule
from .activity_rising import activity_rising
from .acute_subacute import acute_subacute
from .chronic import chronic
from .gc_resistance import gc_resistance
from .kl6_rising import kl6_rising
from .poor_prognosis import poor_prognosis
from .risk_incomplete import risk_incomplete
from .salvage import salvage

RULES: list[PatientViewRule] = [
    poor_prognosis,
    acute_subacute,
    risk_incomplete,
    chronic,
    gc_resistance,
    salvage,
    kl6_rising,
    activity_rising,
]
