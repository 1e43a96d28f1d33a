"""The worker's GC policy (cds_service/worker_gc.py): collect between requests, not during."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from cds_service import worker_gc
from cds_service.cli import gunicorn_options


class _Node:
    """A container object for reference cycles."""

    def __init__(self) -> None:
        self.other: object = None


def _cycle() -> weakref.ref[_Node]:
    a, b = _Node(), _Node()
    a.other, b.other = b, a
    return weakref.ref(a)


@pytest.fixture
def worker_thresholds() -> Iterator[None]:
    before = gc.get_threshold()
    gc.collect()
    gc.set_threshold(*worker_gc.WORKER_GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def test_the_automatic_young_threshold_is_above_what_a_large_call_keeps_alive() -> None:
    young, middle, old = worker_gc.WORKER_GC_THRESHOLD
    # four threads, each in a 10,000-Observation call (~150,000 containers alive at its peak)
    assert young == worker_gc.AUTOMATIC_YOUNG_THRESHOLD >= 4 * 150_000
    assert young > worker_gc.COLLECT_AT_YOUNG
    assert (middle, old) == (20, 10)  # CPython's own


@pytest.mark.usefixtures("worker_thresholds")
def test_no_collection_below_the_between_request_mark() -> None:
    ref = _cycle()
    assert gc.get_count()[0] < worker_gc.COLLECT_AT_YOUNG
    assert worker_gc.collect_between_requests() is None
    assert ref() is not None  # the cycle is still there: nothing was collected
    gc.collect()
    assert ref() is None


@pytest.mark.usefixtures("worker_thresholds")
def test_a_collection_once_enough_containers_accumulated() -> None:
    ref = _cycle()
    kept = [[] for _ in range(worker_gc.COLLECT_AT_YOUNG)]  # containers alive: count rises
    assert gc.get_count()[0] >= worker_gc.COLLECT_AT_YOUNG  # the automatic one did not run
    assert worker_gc.collect_between_requests() == 0
    assert ref() is None  # the cycle was young: collected
    assert gc.get_count()[0] < 100
    assert worker_gc.collect_between_requests() is None  # and not again at once
    del kept


@pytest.mark.usefixtures("worker_thresholds")
def test_nothing_runs_while_the_collector_is_disabled() -> None:
    kept = [[] for _ in range(worker_gc.COLLECT_AT_YOUNG)]
    gc.disable()
    try:
        assert worker_gc.collect_between_requests() is None
        assert gc.get_count()[0] >= worker_gc.COLLECT_AT_YOUNG
    finally:
        gc.enable()
    del kept


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        ((50_000, 0, 0), 0),
        ((50_000, 20, 10), 0),  # at the thresholds: not yet (CPython collects above them)
        ((50_000, 21, 0), 1),
        ((50_000, 21, 10), 1),
        ((50_000, 0, 11), 2),
        ((50_000, 21, 11), 2),
    ],
)
def test_the_generation_collected_is_the_one_cpython_would_pick(
    count: tuple[int, int, int], expected: int
) -> None:
    assert worker_gc.generation_due(count, (1_000_000, 20, 10)) == expected


def test_gunicorn_runs_it_after_every_request() -> None:
    options = gunicorn_options("127.0.0.1", 8080, 2, 4)
    hook = options["post_request"]
    before = gc.get_threshold()
    try:
        gc.set_threshold(*worker_gc.WORKER_GC_THRESHOLD)
        ref = _cycle()
        kept = [[] for _ in range(worker_gc.COLLECT_AT_YOUNG)]
        hook(None, None, {}, None)
        assert ref() is None
        del kept
    finally:
        gc.set_threshold(*before)
