"""What every card of a response must be, as a clinician reads it (issue: cards read in ten
seconds): used over every fixture's cards, with the data sent as prefetch and fetched from a
FHIR server."""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable
from typing import Any

from cds_service.card_list import MAX_CARDS
from cds_service.guideline.catalog import catalog_html

RULE_ID = re.compile(r"\b[RBZ]\d{2,3}\b")
CONCEPT_ID = re.compile(r"\b[a-z]+_[a-z_]+\b")
FHIR_REFERENCE = re.compile(
    r"\b(?:Patient|Condition|Observation|DiagnosticReport|MedicationRequest|"
    r"MedicationStatement|MedicationAdministration|Medication|ServiceRequest|Procedure|"
    r"Encounter|Practitioner|AllergyIntolerance|ImagingStudy|Bundle)/[A-Za-z0-9\-.]+"
)
MAX_SUMMARY = 140
MAX_DETAIL = 1200
MAX_MEDIAN_DETAIL = 600
#: the service's base URL in the cards' rule links (the test client's)
BASE_URL = "http://localhost/"

Cards = dict[str, list[dict[str, Any]]]


def all_cards(cards: Cards) -> list[tuple[str, dict[str, Any]]]:
    return [(name, c) for name, cs in cards.items() for c in cs]


def where(name: str, card: dict[str, Any]) -> tuple[str, str]:
    return name, card["source"]["topic"]["code"]


def check_count(cards: Cards) -> None:
    for name, cs in cards.items():
        assert len(cs) <= MAX_CARDS, name
        for c in cs[:-1]:
            assert "**More findings:**" not in c["detail"], name


def check_lengths(cards: Cards) -> list[int]:
    lengths = []
    for name, c in all_cards(cards):
        assert len(c["summary"]) <= MAX_SUMMARY, (where(name, c), c["summary"])
        assert len(c.get("detail", "")) <= MAX_DETAIL, (where(name, c), len(c["detail"]))
        lengths.append(len(c.get("detail", "")))
    assert lengths and statistics.median(lengths) <= MAX_MEDIAN_DETAIL, sorted(lengths)
    return lengths


def check_no_internal_ids(cards: Cards) -> None:
    for name, c in all_cards(cards):
        for field in ("summary", "detail"):
            for pattern in (RULE_ID, CONCEPT_ID, FHIR_REFERENCE):
                hit = pattern.search(c.get(field, ""))
                assert hit is None, (where(name, c), field, hit.group(0) if hit else "")


def check_links_and_source(cards: Cards, base_url: str = BASE_URL) -> None:
    anchors = set(re.findall(r'\bid="([^"]+)"', catalog_html()))
    for name, c in all_cards(cards):
        links = c.get("links") or []
        assert links and all(link["type"] == "absolute" for link in links), where(name, c)
        assert all(link["url"].startswith(("https://", "http://")) for link in links)
        url = c["source"]["url"]
        assert url.startswith(f"{base_url.rstrip('/')}/rules#"), (where(name, c), url)
        anchor = url.split("#", 1)[1]
        assert anchor in anchors and anchor in c["extension"]["ctd-ild-cds"]["rules"]
        assert c["extension"]["ctd-ild-cds"].get("facts"), where(name, c)


#: the checks every response's cards pass, by name (a test each, with the cards sent as
#: prefetch and with the cards of the FHIR fallback)
CHECKS: dict[str, Callable[[Cards], object]] = {
    "at_most_four_cards_per_response": check_count,
    "short_summary_and_detail": check_lengths,
    "no_internal_ids_in_card_text": check_no_internal_ids,
    "every_card_links_names_its_source_and_has_facts": check_links_and_source,
}
