"""The facts several rules derive from the same record, computed once per evaluation.

``registry.derive`` computes them once and passes them, explicitly, to every patient-view
rule (``rule(record, derived)``). A rule called on its own (``derived`` None, as unit tests
do) computes what it needs itself, with the same functions: the answer is the same either
way (tests check it). Nothing is cached anywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .dmpm.assessment import DmpmAssessment
    from .safety.regimen import RegimenAssessment


@dataclass(frozen=True)
class Derived:
    #: the DM/PM-ILD assessment (type, course, subtype group, poor-risk factors), None when
    #: the patient has no DM/PM/ADM with ILD; read by the four DM/PM assessment topics
    dmpm: DmpmAssessment | None
    #: the immunosuppressive regimen and whether it is intensive; read by the safety topics
    regimen: RegimenAssessment
