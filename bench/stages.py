"""Where one typical patient-view call spends its CPU, stage by stage, in this process.

    python -m bench.stages [--reps N]

The stages in the order data flows: the body parsed (duplicate keys refused), the request
validated, the patient data resolved from the prefetch, the record built, the rules run, the
cards composed; then the whole call through Flask's test client (routing, headers, the
response and the issued-card row included). Each figure is the best of 9 timings of N calls,
so a busy machine inflates it less than a mean would. Compare runs of two commits made
minutes apart on the same machine, never figures from another day.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import timeit
from collections.abc import Callable
from datetime import date

from bench import workloads as wl

SERVICE = "ctd-ild-patient-view"


def best_ms(fn: Callable[[], object], reps: int) -> float:
    return min(timeit.repeat(fn, number=reps, repeat=9)) / reps * 1000


def stages(reps: int) -> dict[str, float]:
    """Milliseconds per call of each stage, and of the whole call."""
    os.environ.update(
        CDS_DEV="1",
        CDS_EVALUATION_DATE="2026-12-01",
        CDS_DATABASE_URL=f"sqlite:///{tempfile.mkdtemp()}/stages.db",
    )
    from cds_service import engine, patient_data
    from cds_service.api import create_app
    from cds_service.protocol import validate_request
    from cds_service.protocol.body import parse_json
    from cds_service.services import REGISTRY
    from cds_service.settings import Settings
    from fhir_mappings.builder import build_record
    from fhir_mappings.terminology import build_terminology

    settings = Settings.from_env()
    service = REGISTRY[SERVICE]
    raw = json.dumps(wl.hook_request(wl.typical_patient())).encode()
    body = parse_json(raw)
    data = patient_data.resolve(service, body, settings)
    terms = build_terminology(None)
    today = date(2026, 12, 1)
    evaluation = engine.evaluate_resources(service, data.resources, body["context"], today)
    client = create_app(settings).test_client()
    headers = {"Content-Type": "application/json"}
    out = {
        "parse the body": best_ms(lambda: parse_json(raw), reps),
        "validate the request": best_ms(lambda: validate_request(service, body), reps),
        "resolve the prefetch": best_ms(
            lambda: patient_data.resolve(service, body, settings), reps
        ),
        "build the record": best_ms(
            lambda: build_record(data.resources, today, wl.PATIENT_ID, terms), reps
        ),
        "build the record and run the rules": best_ms(
            lambda: engine.evaluate_resources(
                service, data.resources, body["context"], today, terminology=terms
            ),
            reps,
        ),
        "compose the cards": best_ms(lambda: engine.cards_for(service, evaluation), reps),
        "the whole call (Flask test client)": best_ms(
            lambda: client.post(f"/cds-services/{SERVICE}", data=raw, headers=headers), reps
        ),
    }
    return {k: round(v, 3) for k, v in out.items()}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--reps", type=int, default=50, help="calls per timing (default 50)")
    args = p.parse_args(argv)
    for stage, ms in stages(args.reps).items():
        print(f"{stage:38s} {ms:7.3f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
