"""The evidence catalog: every rule listed with its source; cards cite catalogued rules."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

from cds_service.guideline import evaluate_patient_view
from cds_service.guideline.catalog import catalog_html, catalog_text
from cds_service.guideline.evidence import CATALOG, SOURCES, _short_section

from .records import ONSET, ab, cond, day, dm_as_ild, record

GUIDELINE = Path(__file__).resolve().parents[2] / "cds_service" / "guideline"
#: modules that read files (code tables, ConceptMaps, settings, the store) or talk to the
#: network: the guideline package imports none of them
IO_MODULES = (
    "fhir_mappings.tables",
    "fhir_mappings.terminology",
    "fhir_mappings.codesystem",
    "fhir_mappings.builder",
    "cds_service.settings",
    "cds_service.storage",
    "cds_service.fhir_client",
    "cds_service.patient_data",
    "flask",
    "requests",
    "sqlalchemy",
    "socket",
    "urllib.request",
)


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
                if f.topic in rule.topics:  # the card names the document and the section
                    assert SOURCES[rule.source].name in f.detail
                    assert _short_section(rule.section) in f.detail or "more sections" in f.detail


def _imported_by(*modules: str) -> set[str]:
    """The modules a fresh interpreter holds after importing ``modules``."""
    code = "import importlib, sys\n"
    code += "".join(f"importlib.import_module({m!r})\n" for m in modules)
    code += 'print("\\n".join(sys.modules))'
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(run.stdout.split())


def test_the_io_modules_named_exist() -> None:
    for name in IO_MODULES:
        assert importlib.util.find_spec(name) is not None, name


def test_guideline_package_imports_no_io_module() -> None:
    """The guideline (every rule package, the catalog) imports no module that reads files,
    talks to the network or a database."""
    imported = _imported_by("cds_service.guideline", "cds_service.guideline.catalog")
    assert "cds_service.guideline.registry" in imported
    assert not imported & set(IO_MODULES)


def test_the_io_guard_can_fail() -> None:
    """Importing the record builder pulls in the code tables: the check sees it."""
    assert {"fhir_mappings.tables", "fhir_mappings.terminology"} <= _imported_by(
        "fhir_mappings.builder"
    )


def test_guideline_source_opens_no_file() -> None:
    for path in GUIDELINE.rglob("*.py"):
        assert "open(" not in path.read_text(encoding="utf-8"), path
