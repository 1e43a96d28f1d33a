"""Cards a clinician reads in ten seconds, over every card of every fixture (data sent as
prefetch; ``tests/data/test_card_text_fallback.py`` is the same over a FHIR server): short,
linked to their sources and to their rule on the service's own rules page, free of internal
ids, at most four per response."""

from __future__ import annotations

import pytest

from . import card_checks as check
from .fixture_cards import BASE_URL, prefetch_cards


@pytest.fixture(scope="module")
def cards(tmp_path_factory: pytest.TempPathFactory) -> check.Cards:
    return prefetch_cards(tmp_path_factory.mktemp("cards"))


def test_the_fixtures_give_cards(cards: check.Cards) -> None:
    assert len(check.all_cards(cards)) >= 40


def test_at_most_four_cards_per_response(cards: check.Cards) -> None:
    check.check_count(cards)


def test_short_summary_and_detail(cards: check.Cards) -> None:
    check.check_lengths(cards)


def test_no_internal_ids_in_card_text(cards: check.Cards) -> None:
    check.check_no_internal_ids(cards)


def test_every_card_links_names_its_source_and_has_facts(cards: check.Cards) -> None:
    check.check_links_and_source(cards, BASE_URL)


def test_the_id_patterns_can_fail() -> None:
    assert check.RULE_ID.search("see R068") and check.RULE_ID.search("B01 and Z7x") is not None
    assert check.CONCEPT_ID.search("on mycophenolate_mofetil")
    assert not check.CONCEPT_ID.search("KL-6 and anti-MDA5")
    assert check.FHIR_REFERENCE.search("MedicationRequest/request-123")
    assert not check.FHIR_REFERENCE.search("ACR/CHEST 2023")
