"""One place per rule: every rule id is declared once (``evidence.rule`` refuses a second
declaration, even an identical one), and every rule a finding cites is in the catalog."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

from cds_service.guideline import catalog  # noqa: F401  - fills the catalog
from cds_service.guideline.evidence import CATALOG, rule

from .fixture_findings import fixture_findings

GUIDELINE = Path(__file__).resolve().parents[2] / "cds_service" / "guideline"


def _declarations() -> dict[str, list[str]]:
    """Rule id -> the places (file:line) that call ``rule(...)``/``evidence.rule(...)``."""
    places: dict[str, list[str]] = defaultdict(list)
    for path in sorted(GUIDELINE.rglob("*.py")):
        if path.relative_to(GUIDELINE).as_posix() == "not_automated/declare.py":
            continue  # the helper's own ``rule(id, ...)``; its callers are counted
        tree = ast.parse(path.read_text(encoding="utf-8"))
        # ``_kr = partial(not_automated, "KR")``: calls of ``_kr`` declare too
        declaring = {"rule", "declare"} | {
            target.id
            for node in ast.walk(tree)
            if isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Call)
            and getattr(node.value.func, "id", "") == "partial"
            and getattr(node.value.args[0], "id", "") == "not_automated"
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in declaring and node.args:
                first = node.args[0]
                assert isinstance(first, ast.Constant), f"{path}:{node.lineno}: rule id not literal"
                places[str(first.value)].append(f"{path.relative_to(GUIDELINE)}:{node.lineno}")
    return places


def test_every_rule_id_is_declared_in_exactly_one_place() -> None:
    places = _declarations()
    twice = {rid: where for rid, where in places.items() if len(where) > 1}
    assert not twice, twice
    assert set(places) == set(CATALOG)


def test_no_tolerant_declare_helper_remains() -> None:
    for path in GUIDELINE.rglob("*.py"):
        assert "def declare(" not in path.read_text(encoding="utf-8"), path


@pytest.mark.parametrize("identical", [True, False])
def test_a_second_declaration_is_refused(identical: bool) -> None:
    old = CATALOG["R113"]
    statement = old.statement if identical else old.statement + " (reworded)"
    with pytest.raises(ValueError, match="already declared"):
        rule(old.id, old.source, old.section, statement, old.figure, old.topics)
    assert CATALOG["R113"] is old


def test_a_new_rule_with_an_unknown_source_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown source"):
        rule("R999", "no such source", "§1", "statement")
    assert "R999" not in CATALOG


@pytest.mark.parametrize("name", sorted(fixture_findings()))
def test_every_cited_rule_is_catalogued_and_applies_to_the_topic(name: str) -> None:
    for f in fixture_findings()[name]:
        assert f.rules, f.topic
        for rid in f.rules:
            assert rid in CATALOG, (name, f.topic, rid)
        assert any(f.topic in CATALOG[rid].topics for rid in f.rules), (name, f.topic)
