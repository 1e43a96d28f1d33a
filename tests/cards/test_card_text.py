"""Cards a clinician reads in ten seconds, over every card of every fixture: short, linked to
their sources and to their rule on the service's own rules page, free of internal ids, at
most four per response."""

from __future__ import annotations

import re
import statistics
from pathlib import Path
from typing import Any

import pytest

from cds_service.guideline.catalog import catalog_html
from cds_service.guideline.evidence import CATALOG

from .fixture_cards import prefetch_cards

RULE_ID = re.compile(r"\b[RBZ]\d{2,3}\b")
CONCEPT_ID = re.compile(r"\b[a-z]+_[a-z_]+\b")
FHIR_REFERENCE = re.compile(
    r"\b(?:Patient|Condition|Observation|DiagnosticReport|MedicationRequest|"
    r"MedicationStatement|MedicationAdministration|Medication|ServiceRequest|Procedure|"
    r"Encounter|Practitioner|AllergyIntolerance|ImagingStudy|Bundle)/[A-Za-z0-9\-.]+"
)


@pytest.fixture(scope="module")
def cards(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, Any]]]:
    return prefetch_cards(tmp_path_factory.mktemp("cards"))


def _all(cards: dict[str, list[dict[str, Any]]]) -> list[tuple[str, dict[str, Any]]]:
    return [(name, c) for name, cs in cards.items() for c in cs]


def test_the_fixtures_give_cards(cards: dict[str, list[dict[str, Any]]]) -> None:
    assert len(_all(cards)) >= 40


def test_at_most_four_cards_per_response(cards: dict[str, list[dict[str, Any]]]) -> None:
    for name, cs in cards.items():
        assert len(cs) <= 4, name


def test_every_card_links_and_names_its_source(cards: dict[str, list[dict[str, Any]]]) -> None:
    for name, c in _all(cards):
        links = c.get("links") or []
        assert links and all(link["type"] == "absolute" for link in links), name
        assert all(link["url"].startswith(("https://", "http://")) for link in links), name
        source = c["source"]
        assert source["url"].startswith("http://localhost/rules#"), (name, source)
        assert source["label"] != "CTD-ILD CDS rules", name


def test_every_source_url_resolves_to_a_rule_anchor(
    cards: dict[str, list[dict[str, Any]]], tmp_path: Path
) -> None:
    page = catalog_html()
    anchors = set(re.findall(r'\bid="([^"]+)"', page))
    assert set(CATALOG) <= anchors
    for name, c in _all(cards):
        anchor = c["source"]["url"].split("#", 1)[1]
        assert anchor in anchors, (name, anchor)
        assert anchor in c["extension"]["ctd-ild-cds"]["rules"], name


def test_the_card_that_stands_for_more_says_so(cards: dict[str, list[dict[str, Any]]]) -> None:
    for name, cs in cards.items():
        for c in cs[:-1]:
            assert "**More findings:**" not in c["detail"], name
