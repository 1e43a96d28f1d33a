"""Cards a clinician reads in ten seconds, over every card of every fixture (data sent as
prefetch; ``tests/data/test_card_text_fallback.py`` is the same over a FHIR server): short,
linked to their sources and to their rule on the service's own rules page, free of internal
ids, at most four per response."""

from __future__ import annotations

import pytest

from . import card_checks as check
from .fixture_cards import prefetch_cards


@pytest.fixture(scope="module")
def cards(tmp_path_factory: pytest.TempPathFactory) -> check.Cards:
    return prefetch_cards(tmp_path_factory.mktemp("cards"))


def test_the_fixtures_give_cards(cards: check.Cards) -> None:
    assert len(check.all_cards(cards)) >= 40


@pytest.mark.parametrize("name", list(check.CHECKS))
def test_card_text(cards: check.Cards, name: str) -> None:
    check.CHECKS[name](cards)


def test_the_id_patterns_can_fail() -> None:
    assert check.RULE_ID.search("see R068") and check.RULE_ID.search("B01 and Z7x") is not None
    assert check.CONCEPT_ID.search("on mycophenolate_mofetil")
    assert not check.CONCEPT_ID.search("KL-6 and anti-MDA5")
    assert check.FHIR_REFERENCE.search("MedicationRequest/request-123")
    assert not check.FHIR_REFERENCE.search("ACR/CHEST 2023")
