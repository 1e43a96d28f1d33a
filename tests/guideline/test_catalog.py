"""The evidence catalog: every rule listed with its source; cards cite catalogued rules."""

from __future__ import annotations

import ast
from pathlib import Path

from cds_service.guideline import evaluate_patient_view
from cds_service.guideline.catalog import catalog_html, catalog_text
from cds_service.guideline.evidence import CATALOG, SOURCES

from .records import ONSET, ab, cond, day, dm_as_ild, record

GUIDELINE = Path(__file__).resolve().parents[2] / "cds_service" / "guideline"
FORBIDDEN = ("flask", "requests", "fhir_mappings.codes", "sqlalchemy", "urllib", "socket")


def test_every_rule_is_listed_with_its_source_and_figure() -> None:
    text = catalog_text()
    html = catalog_html()
    for r in CATALOG.values():
        assert r.id in text and SOURCES[r.source].citation in text
        assert r.id in html
        if r.figure:
            assert r.figure in text
    for rid in ("R068", "R087", "R089", "R090", "R113", "R124", "R140", "R144", "B07"):
        assert rid in CATALOG


def test_my_rules_have_topics_and_sections() -> None:
    for rid in ("R068", "R086", "R087", "R089", "R090", "R096", "R108", "R109", "R110", "R113"):
        r = CATALOG[rid]
        assert r.source == "JP" and r.section and r.topics


def test_cards_cite_only_catalogued_rules_with_document_and_section() -> None:
    recs = [
        dm_as_ild(mda5="positive"),
        dm_as_ild(ferritin=None),
        record(
            [cond("ild", ONSET), cond("ct_nsip_pattern", day(1))],
            [],
            [ab("anti_jo1", "positive", day(1))],
        ),
    ]
    for rec in recs:
        for f in evaluate_patient_view(rec):
            for rid in f.rules:
                assert rid in CATALOG, rid
                rule = CATALOG[rid]
                if f.topic in rule.topics:
                    assert rule.section in f.detail


def test_guideline_package_is_io_free() -> None:
    for path in GUIDELINE.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not name.lower().startswith(FORBIDDEN), f"{path}: imports {name}"
        assert "open(" not in path.read_text() or path.name == "catalog.py", path
