"""The one way a rule no card applies is declared, and the reason most of them share."""

from __future__ import annotations

from ..evidence import rule

POPULATION = (
    "A population figure: it describes groups of patients, not the patient in the record, so "
    "no card decision or text rests on it."
)


def not_automated(
    source: str, id: str, section: str, statement: str, why: str, figure: str = ""
) -> None:
    """Declare a rule (as printed in ``source``) with ``why`` no card applies it."""
    rule(id, source, section, statement, figure, not_automated=why)
