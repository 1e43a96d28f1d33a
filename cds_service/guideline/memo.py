"""Compute a record's shared derived facts once per evaluation, not once per rule.

Several rules ask the same questions of the record (is this DM/PM-ILD, the DM/PM-ILD
assessment, the immunosuppressive regimen, the ILD entry...). ``registry`` runs every rule of
one call inside ``evaluation_scope(record)``; a function decorated with ``@per_evaluation``
then computes its answer for that record (and those arguments) once, and returns the same
object to every later caller in the scope.

Safe because rules are pure functions of a record that nothing changes while they run (the
record is the same object for the whole scope, checked by identity). Outside a scope (a rule
or helper called on its own, e.g. in unit tests, or on another record such as a projected
one for draft orders) the function simply runs. A cached answer is shared: callers must not
mutate it (the cached functions return frozen dataclasses, booleans, entries or None; the
DM/PM assessment is only read).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Concatenate, ParamSpec, TypeVar

from fhir_mappings.record import PatientRecord

P = ParamSpec("P")
R = TypeVar("R")

#: (the record being evaluated, (function, args) -> answer), or None outside a scope
_SCOPE: ContextVar[tuple[PatientRecord, dict[Hashable, object]] | None] = ContextVar(
    "guideline_evaluation_scope", default=None
)


@contextmanager
def evaluation_scope(record: PatientRecord) -> Iterator[None]:
    """While inside, ``@per_evaluation`` functions remember their answers for ``record``."""
    token = _SCOPE.set((record, {}))
    try:
        yield
    finally:
        _SCOPE.reset(token)


def per_evaluation(
    fn: Callable[Concatenate[PatientRecord, P], R],
) -> Callable[Concatenate[PatientRecord, P], R]:
    """Remember ``fn(record, *args)`` (hashable positional args) within an evaluation scope."""

    @functools.wraps(fn)
    def wrapper(record: PatientRecord, /, *args: P.args, **kwargs: P.kwargs) -> R:
        scope = _SCOPE.get()
        if scope is None or scope[0] is not record or kwargs:
            return fn(record, *args, **kwargs)
        answers = scope[1]
        key = (fn, args)
        try:
            return answers[key]  # type: ignore[return-value]
        except KeyError:
            answer = answers[key] = fn(record, *args, **kwargs)
            return answer

    return wrapper
