"""The SMART app's render time after the callback, typical patient, loopback FHIR.

    python -m bench.smart_app [--launches N]

Starts sekmet-fhir loaded with the benchmark's typical patient (``bench.workloads``), the
test EHR of the app's tests (``tests/smart_app/ehr.py``: Authlib authorization server and a
FHIR gateway checking the token's patient) and ``cds-service serve`` (2 workers, dev mode,
the app configured). Runs N EHR launches; for each it times (1) the callback (token exchange
with PKCE, session stored) and (2) ``GET {app}/``, the page: the ten FHIR reads through the
gateway, the patient-view evaluation, the plots and the HTML. Target: the page within 1.5 s
of the callback. Prints the figures and writes them under ``smart_app`` in
``bench/results/latest.json``.
"""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

from bench import workloads as wl
from bench.run import DEFAULT_OUT, REPO, fhir_server, free_port, server, write_results
from tests.smart_app.ehr import Client, RunningEhr, TestEhr

TARGET_S = 1.5
CLIENT_ID = "ctd-ild-timeline-bench"


def _one_launch(ehr: TestEhr, app_url: str) -> tuple[float, float, int]:
    http = requests.Session()
    code = ehr.new_launch(wl.PATIENT_ID, "ssc-ild-decline")
    start = http.get(
        f"{app_url}/launch",
        params={"iss": ehr.fhir_base, "launch": code},
        allow_redirects=False,
        timeout=30,
    )
    back = http.get(start.headers["Location"], allow_redirects=False, timeout=30)
    t0 = time.perf_counter()
    done = http.get(back.headers["Location"], allow_redirects=False, timeout=30)
    t1 = time.perf_counter()
    page = http.get(f"{app_url}/", timeout=60)
    t2 = time.perf_counter()
    if done.status_code != 303 or page.status_code != 200:
        raise SystemExit(f"launch failed: callback {done.status_code}, page {page.status_code}")
    return t1 - t0, t2 - t1, len(page.content)


def run(launches: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-smart-") as d:
        tmp = Path(d)
        with fhir_server(tmp, wl.typical_patient()) as (fhir_base, _pid):
            ehr = TestEhr(upstream=fhir_base, upstream_token="unused")
            running = RunningEhr(ehr)
            port = free_port()
            app_url = f"http://127.0.0.1:{port}/app"
            ehr.clients[CLIENT_ID] = Client(CLIENT_ID, f"{app_url}/callback")
            env = {
                **os.environ,
                "PYTHONPATH": str(REPO),
                "CDS_DEV": "1",
                "CDS_LOG_LEVEL": "WARNING",
                "CDS_EVALUATION_DATE": wl.TODAY.isoformat(),
                "CDS_DATABASE_URL": f"sqlite:///{tmp / 'cds.sqlite3'}",
                "CDS_SMART_CLIENT_ID": CLIENT_ID,
                "CDS_SMART_APP_URL": app_url,
                "CDS_SMART_FHIR_SERVERS": ehr.fhir_base,
                "CDS_SMART_SESSION_SECRET": secrets.token_urlsafe(32),
            }
            cmd = [sys.executable, "-m", "cds_service.cli", "serve", "--dev"]
            cmd += ["--port", str(port), "--workers", "2"]
            try:
                with server(cmd, f"http://127.0.0.1:{port}/healthz", env, tmp / "cds.log"):
                    _one_launch(ehr, app_url)  # warm-up: imports, template, connections
                    runs = [_one_launch(ehr, app_url) for _ in range(launches)]
            finally:
                running.stop()
    callbacks = [r[0] for r in runs]
    pages = [r[1] for r in runs]
    return {
        "launches": launches,
        "resources": len(wl.typical_patient()),
        "callback_median_s": round(statistics.median(callbacks), 4),
        "page_median_s": round(statistics.median(pages), 4),
        "page_max_s": round(max(pages), 4),
        "callback_plus_page_max_s": round(max(c + p for c, p, _ in runs), 4),
        "page_bytes": runs[-1][2],
        "target_s": TARGET_S,
        "pass": max(c + p for c, p, _ in runs) <= TARGET_S,
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--launches", type=int, default=20)
    args = p.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the test EHR's request lines
    result = run(args.launches)
    for k, v in result.items():
        print(f"{k:28} {v}")
    write_results(DEFAULT_OUT, result, key="smart_app")


if __name__ == "__main__":
    main()
