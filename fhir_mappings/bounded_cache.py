"""The one eviction rule of the mapping's per-process caches (dates, unit factors, concept
rows, code plans, medication entries): a full cache is emptied and refilled with the keys in
use, so a long-running process keeps caching the current patients without growing. Readers
look a key up in the dict themselves (a dict lookup, no call on a hit); ``remember`` stores
a miss's answer."""

from __future__ import annotations

from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


def remember(cache: dict[K, V], key: K, value: V, limit: int) -> V:
    """Store ``value`` under ``key`` (emptying ``cache`` first when it holds ``limit``
    entries) and return it."""
    if len(cache) >= limit:
        cache.clear()
    cache[key] = value
    return value
