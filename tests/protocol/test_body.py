"""The request body parser (duplicate keys refused while parsing, by name) and the pure
functions behind ``lru_cache`` (the same answer on every call, first or cached)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cds_service.api import create_app
from cds_service.cards import prune
from cds_service.errors import InvalidRequest
from cds_service.protocol.body import parse_json
from cds_service.settings import Settings
from fhir_mappings.fhir_read import parse_date
from fhir_mappings.terminology import Terminology
from fhir_mappings.units import Converted, convert_quantity


def _has_duplicates(raw: bytes) -> bool:
    try:
        parse_json(raw)
    except InvalidRequest as exc:
        assert "duplicate object key" in exc.issues[0][1]
        return True
    return False


CASES = [
    # (body, has a duplicate key)
    (b'{"a": 1, "b": "x:y:z", "c": {"d": "http://loinc.org|1-8"}}', False),
    (b'{"hook": "patient-view", "hook": "x"}', True),
    (b'{"context": {"patientId": "1", "patientId": "2"}}', True),
    (b'{"prefetch": {"labs": {"entry": [{"resource": {"value": 1, "value": 2}}]}}}', True),
    (b'{"a": [{"k": "t:1"}, {"k": "t:2", "k": "t:3"}]}', True),  # the dropped value had ':'
    (b'{"a": "\\u003a", "a": 1}', True),  # an escaped colon hides one colon from the count
    (b'{"a": "\\u003a\\u003A", "b": 1}', False),  # escapes alone: the exact check says no
    (b'{"a": "q\\"u:o\\\\te", "a": 1}', True),  # backslashes, no escaped colon
    (b'{"a": "q\\"u:o\\\\te", "b": 1}', False),
    (b'{"k:ey": 1, "k:ey": 2}', True),
    (b'{"k:ey": 1, "key": 2}', False),
    (b"[]", False),
    (b'{"a":1,"b":"x:y","c":[{"d":null}]}', False),  # compact
    (b'{"a":1,"a":1}', True),  # compact, duplicate: dumps differs, the counts decide
    (b'{"a":{"b":1,"b":1}}', True),
    (b'{\n  "a": 1,\n  "b": {"c": "d:e"}\n}', False),  # pretty-printed
    (b'{\n  "a": 1,\n  "b": {"c": "d:e", "c": "d:e"}\n}', True),
    (b'"just: a string"', False),
]


@pytest.mark.parametrize(("raw", "duplicate"), CASES)
def test_the_parser_refuses_every_duplicate_key(raw: bytes, duplicate: bool) -> None:
    assert _has_duplicates(raw) is duplicate
    if not duplicate:
        assert parse_json(raw) == json.loads(raw)


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        (b'{"hook": "patient-view", "hookInstance": "x", "context": {"patientId": "1", '
         b'"userId": "Practitioner/1", "patientId": "2"}}', 400),
        (b'\xff\xfe{}', 400),
    ],
)  # fmt: skip
def test_duplicates_nested_in_the_body_and_bad_utf8_are_400(
    tmp_path: Path, raw: bytes, status: int
) -> None:
    settings = Settings(dev=True, database_url=f"sqlite:///{tmp_path}/db.sqlite3")
    client = create_app(settings).test_client()
    resp = client.post(
        "/cds-services/ctd-ild-patient-view", data=raw, content_type="application/json"
    )
    assert resp.status_code == status
    text = resp.get_data(as_text=True)
    assert ("duplicate object key" in text) or ("not valid UTF-8 (byte 0)" in text)


def test_terminology_cache_hands_out_fresh_sets() -> None:
    terms = Terminology.standard()
    first = terms.concepts_for("http://loinc.org", "2276-4")
    assert first == {"ferritin"}
    first.add("not-a-concept")
    assert terms.concepts_for("http://loinc.org", "2276-4") == {"ferritin"}
    assert terms.concepts_for("urn:oid:2.16.840.1.113883.6.1", "2276-4") == {"ferritin"}
    assert terms.concepts_for("http://loinc.org", None) == set()


def test_site_maps_do_not_reuse_the_standard_cache() -> None:
    terms = Terminology.standard()
    assert terms.concepts_for("urn:site", "K6") == set()
    site = terms.with_site_maps({("urn:site", "K6"): ["kl6"]})
    assert site.concepts_for("urn:site", "K6") == {"kl6"}
    assert terms.concepts_for("urn:site", "K6") == set()


@pytest.mark.parametrize(
    ("value", "partial", "expected"),
    [
        ("2026-03-04T23:30:00-05:00", False, "2026-03-04"),
        ("2026-03", False, None),
        ("2026-03", True, "2026-03-01"),
        ("2026-02-30", False, None),
        (" 2026-01-02", False, "2026-01-02"),
    ],
)
def test_cached_date_parsing_is_unchanged(value: str, partial: bool, expected: str | None) -> None:
    for _ in range(2):  # the second answer comes from the cache
        got = parse_date(value, allow_partial=partial)
        assert (got.isoformat() if got else None) == expected


def test_cached_unit_factors_are_unchanged() -> None:
    for _ in range(2):
        got = convert_quantity("ferritin", {"value": 2247.0, "unit": "pmol/L"})
        assert isinstance(got, Converted)
        assert round(got.value, 6) == 1000.0 and got.unit == "ng/mL"
    assert isinstance(convert_quantity("ferritin", {"value": 1.0, "unit": "furlongs"}), str)
    assert isinstance(convert_quantity("ferritin", {"value": 1.0, "unit": ""}), str)


def test_workers_fork_from_a_frozen_heap() -> None:
    import gc

    from cds_service.cli import gunicorn_options

    hook = gunicorn_options("127.0.0.1", 8080, 2, 100)["pre_fork"]
    try:
        gc.unfreeze()
        assert gc.get_freeze_count() == 0
        hook(None, None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_measurement_init_keeps_the_dataclass_contract() -> None:
    import dataclasses
    from datetime import date

    from fhir_mappings.record import Measurement

    m = Measurement("ferritin", 500.0, "ng/mL", date(2026, 1, 1), flag="high")
    assert m == Measurement("ferritin", 500.0, "ng/mL", date(2026, 1, 1), True, flag="high")
    assert m != dataclasses.replace(m, value=501.0)
    assert (m.interpretable, m.reason, m.ref_high, m.flag) == (True, None, None, "high")
    assert dataclasses.asdict(m)["value"] == 500.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.value = 1.0  # type: ignore[misc]
    assert hash(m) == hash(Measurement("ferritin", 500.0, "ng/mL", date(2026, 1, 1), flag="high"))


class _Text(str):
    """A str subclass (as a str enum member is)."""


class _Items(list[Any]):
    pass


class _Object(dict[str, Any]):
    pass


def _reference_prune(value: Any) -> Any:
    """The specification of ``cards.prune``, written out longhand."""
    if isinstance(value, dict):
        out: dict[Any, Any] = {}
        for k, v in value.items():
            v = _reference_prune(v)
            if v is not None and v != "" and v != [] and v != {}:
                out[k] = v
        return out
    if isinstance(value, list | tuple):
        items: list[Any] = []
        for v in value:
            v = _reference_prune(v)
            if v is not None and v != "" and v != [] and v != {}:
                items.append(v)
        return items
    return value


_card_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-2, 2)
    | st.floats(allow_nan=False)
    | st.sampled_from(["", "x", " ", _Text(""), _Text("t")]),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(inner, max_size=3).map(tuple)
        | st.dictionaries(st.sampled_from(["a", "b", "c", ""]), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=400, derandomize=True, deadline=None)
@given(_card_values)
def test_prune_is_unchanged(value: Any) -> None:
    assert prune(value) == _reference_prune(value)
    assert type(prune(value)) is type(_reference_prune(value))


def test_the_call_keeps_no_reference_to_its_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import weakref

    from cds_service import engine
    from tests.support import request_for

    records: list[weakref.ref[Any]] = []
    real = engine.evaluate_resources

    def spy(*args: Any, **kwargs: Any) -> engine.Evaluation:
        evaluation = real(*args, **kwargs)
        records.append(weakref.ref(evaluation.record))
        return evaluation

    monkeypatch.setattr(engine, "evaluate_resources", spy)
    settings = Settings(dev=True, database_url=f"sqlite:///{tmp_path}/db.sqlite3")
    client = create_app(settings).test_client()
    pv = "ctd-ild-patient-view"
    resp = client.post(f"/cds-services/{pv}", json=request_for(pv, None))
    assert resp.status_code == 200
    resp.close()
    assert records[0]() is None  # freed by reference counting, not left to the collector
