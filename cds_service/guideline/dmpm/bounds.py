"""Arithmetic on values a lab may report as bounds (FHIR ``Quantity.comparator``).

A decrease or a ratio of two measurements is exact when both are exact. When one of them is
a bound (">1000", "<60") the result is a bound too, in the direction the bound pushes it, or
nothing at all when two bounds push in opposite directions; ``Threshold.decide`` then says
whether that bound settles a cut-off. No guess: an unsettled comparison stays "cannot decide".
"""

from __future__ import annotations

from fhir_mappings.record import Measurement

LOWER = (">", ">=")
UPPER = ("<", "<=")


def _bound(pushes: list[tuple[str, bool]]) -> tuple[bool, str | None]:
    """(usable, comparator) from the directions ('lower'/'upper', strict) of the inputs."""
    if not pushes:
        return True, None
    directions = {d for d, _ in pushes}
    if len(directions) > 1:
        return False, None
    strict = any(s for _, s in pushes)
    if directions == {"lower"}:
        return True, ">" if strict else ">="
    return True, "<" if strict else "<="


def _push(m: Measurement, same: bool) -> list[tuple[str, bool]]:
    """How ``m``'s bound moves a result that rises with ``m`` (same=True) or falls with it."""
    if m.comparator in LOWER:
        return [("lower" if same else "upper", m.comparator == ">")]
    if m.comparator in UPPER:
        return [("upper" if same else "lower", m.comparator == "<")]
    return []


def falls_by(earlier: Measurement, later: Measurement) -> tuple[bool, str | None]:
    """Bound of any result that rises with ``earlier`` and falls with ``later`` (a decrease
    ``earlier - later`` or a relative decrease): (usable, comparator)."""
    return _bound(_push(earlier, True) + _push(later, False))


def rises_by(earlier: Measurement, later: Measurement) -> tuple[bool, str | None]:
    """Bound of any result that rises with ``later`` and falls with ``earlier`` (a ratio
    ``later / earlier``): (usable, comparator)."""
    return _bound(_push(later, True) + _push(earlier, False))
