"""The eviction rule of the mapping's caches (fhir_mappings/bounded_cache.py)."""

from __future__ import annotations

from fhir_mappings.bounded_cache import remember


def test_stores_and_returns_the_value_below_the_limit() -> None:
    cache: dict[str, int] = {"a": 1}
    assert remember(cache, "b", 2, limit=3) == 2
    assert cache == {"a": 1, "b": 2}


def test_a_full_cache_is_emptied_then_holds_the_new_key() -> None:
    cache = {"a": 1, "b": 2, "c": 3}
    assert remember(cache, "d", 4, limit=3) == 4
    assert cache == {"d": 4}


def test_one_below_the_limit_is_not_emptied() -> None:
    cache = {"a": 1, "b": 2}
    remember(cache, "c", 3, limit=3)
    assert cache == {"a": 1, "b": 2, "c": 3}


def test_none_is_a_value_like_any_other() -> None:
    cache: dict[str, object] = {}
    assert remember(cache, "x", None, limit=2) is None
    assert "x" in cache
