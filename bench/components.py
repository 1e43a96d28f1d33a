"""In-process timings of the request stages, min of N (robust to a noisy neighbour).

    python -m bench.components        # prints JSON: ms per stage, typical and 10,000 Observations

No server and no load generator: for profiling work and before/after comparisons of one
stage. The process runs with a worker's GC set-up (``worker_gc.configure_worker_gc``). The
benchmark proper is ``python -m bench.run``.
"""

from __future__ import annotations

import json
import logging
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial

import orjson

from bench import workloads as wl
from cds_service import api, engine, feedback, patient_data
from cds_service.guideline import evaluate_patient_view
from cds_service.issued_cards import IssuedCardWriter
from cds_service.protocol import validate_request
from cds_service.services import REGISTRY
from cds_service.settings import Settings
from cds_service.storage import Storage
from cds_service.worker_gc import configure_worker_gc
from fhir_mappings.builder import build_record
from fhir_mappings.terminology import build_terminology


def _min_ms(fn: Callable[[], object], reps: int) -> float:
    fn()
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return round(best * 1000, 3)


def main() -> None:
    logging.disable(logging.WARNING)
    tmp = tempfile.mkdtemp(prefix="cds-components-")
    settings = Settings(
        dev=True,
        database_url=f"sqlite:///{tmp}/db.sqlite3",
        evaluation_date=wl.TODAY,
        max_body_bytes=64 << 20,
    )
    terms = build_terminology(None)
    service = REGISTRY["ctd-ild-patient-view"]
    storage = Storage(settings.database_url)
    storage.create_all()
    client = api.create_app(settings).test_client()
    writer = IssuedCardWriter(storage)
    out: dict[str, float] = {}
    configure_worker_gc()  # as in a gunicorn worker: frozen start-up heap, young threshold
    cases = (("typical", wl.typical_patient(), 60), ("obs_10000", wl.scaled_patient(10000), 5))
    for name, resources, reps in cases:
        body = wl.hook_request(resources)
        raw = orjson.dumps(body)
        data = patient_data.resolve(service, body, settings)

        def duplicate_check(raw: bytes = raw, body: object = body) -> None:
            if api.may_have_duplicate_keys(raw, body):
                json.loads(raw, object_pairs_hook=api._reject_duplicates)

        def mapping(res: list[dict[str, object]] = data.resources) -> object:
            return build_record(res, wl.TODAY, wl.PATIENT_ID, terms)

        evaluation = engine.evaluate_resources(
            service, data.resources, body["context"], wl.TODAY, None, terms
        )

        issued_cards = engine.cards_for(service, evaluation)

        def issued(cards: list[dict[str, object]] = issued_cards) -> None:
            fresh = [{**c, "uuid": str(uuid.uuid4())} for c in cards]  # new rows, as per call
            rows = feedback.issued_rows(service.id, fresh, datetime.now(UTC))
            feedback.write_issued_rows(storage, rows)

        def issued_put(
            cards: list[dict[str, object]] = issued_cards, writer: IssuedCardWriter = writer
        ) -> None:
            writer.submit(service.id, cards)  # the service's call path: a queue put

        def call(raw: bytes = raw) -> object:
            return client.post(
                "/cds-services/ctd-ild-patient-view", data=raw, content_type="application/json"
            )

        def call_closed(raw: bytes = raw) -> None:
            # and closed, as the WSGI server does after sending: runs the issued-card insert
            client.post(
                "/cds-services/ctd-ild-patient-view", data=raw, content_type="application/json"
            ).close()

        record = mapping()

        def rules(rec: object = record) -> object:
            return evaluate_patient_view(rec)  # type: ignore[arg-type]

        def cards(ev: engine.Evaluation = evaluation) -> object:
            return engine.cards_for(service, ev)

        def response_bytes(ev: engine.Evaluation = evaluation) -> object:
            return orjson.dumps({"cards": engine.cards_for(service, ev)})

        out[f"{name}: orjson.loads"] = _min_ms(partial(orjson.loads, raw), reps)
        out[f"{name}: duplicate-key check"] = _min_ms(duplicate_check, reps)
        out[f"{name}: request validation"] = _min_ms(partial(validate_request, service, body), reps)
        out[f"{name}: prefetch resolve"] = _min_ms(
            partial(patient_data.resolve, service, body, settings), reps
        )
        out[f"{name}: build_record"] = _min_ms(mapping, reps)
        out[f"{name}: rules"] = _min_ms(rules, reps)
        out[f"{name}: cards + orjson.dumps"] = _min_ms(response_bytes, reps)
        if name == "typical":
            out[f"{name}: record_issued queue put (call path)"] = _min_ms(issued_put, reps)
            writer.flush()
            # what the background writer does per batch (one call's cards when idle)
            out[f"{name}: record_issued write (background)"] = _min_ms(issued, reps)
        out[f"{name}: whole call to response (test client)"] = _min_ms(call, max(3, reps // 2))
        out[f"{name}: whole call incl. close (test client)"] = _min_ms(
            call_closed, max(3, reps // 2)
        )
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
