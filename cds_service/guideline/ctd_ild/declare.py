"""Declare a rule in the evidence catalog, tolerating an earlier declaration of the same id.

Guideline I and II both rest on a few shared rule ids (e.g. R111, R141). ``evidence.rule``
refuses a second declaration with different wording; the first declaration (in registry
import order) is kept as the catalog's text and this package's topics are added to it, so
cards of both packages cite one catalog entry.
"""

from __future__ import annotations

from dataclasses import replace

from ..evidence import CATALOG, Rule, rule


def declare(
    id: str,
    source: str,
    section: str,
    statement: str,
    figure: str = "",
    topics: tuple[str, ...] = (),
) -> Rule:
    old = CATALOG.get(id)
    if old is None or (old.source, old.section, old.statement, old.figure) == (
        source,
        section,
        statement,
        figure,
    ):
        return rule(id, source, section, statement, figure, topics)
    merged = replace(old, topics=tuple(dict.fromkeys(old.topics + topics)))
    CATALOG[id] = merged
    return merged
