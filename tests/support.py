"""Test helpers shared by every area: build CDS Hooks requests, call the live server, and
check responses against the response schema, the Inferno CRD card checks and cds-resp-1..6.

Names kept stable for the other areas' tests: ``request_for``, ``post_hook``,
``assert_valid_response``.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import requests

from cds_service.protocol import validator
from cds_service.services import REGISTRY

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
DEFAULT_USER = "Practitioner/example"
_RAW_HTML = re.compile(r"<(/?[A-Za-z][A-Za-z0-9-]*)(\s[^<>]*)?/?>|<!--")


def load_json(path: str | Path) -> Any:
    p = Path(path)
    if not p.is_absolute():
        p = FIXTURES / p
    return json.loads(p.read_text(encoding="utf-8"))


def _resources(bundle: dict[str, Any] | None) -> list[dict[str, Any]]:
    if not bundle:
        return []
    if bundle.get("resourceType") != "Bundle":
        return [bundle]
    return [e["resource"] for e in bundle.get("entry") or [] if isinstance(e.get("resource"), dict)]


def _query_type(query: str) -> tuple[str, bool]:
    """(resource type, is a read) of a prefetch template."""
    head = query.split("?", 1)[0]
    parts = head.split("/")
    return parts[0], len(parts) > 1 and "?" not in query


def _patient_id(resources: list[dict[str, Any]]) -> str:
    for r in resources:
        if r.get("resourceType") == "Patient" and r.get("id"):
            return str(r["id"])
    for r in resources:
        ref = (r.get("subject") or r.get("patient") or {}).get("reference", "")
        if ref.startswith("Patient/"):
            return str(ref.split("/", 1)[1])
    return "example-patient"


def prefetch_for(service_id: str, bundle: dict[str, Any] | None) -> dict[str, Any]:
    """Each resource of the patient Bundle in every prefetch key whose query targets its type
    (reads get the resource itself or null; searches get a searchset Bundle)."""
    resources = _resources(bundle)
    out: dict[str, Any] = {}
    for key in REGISTRY[service_id].prefetch:
        rtype, is_read = _query_type(key.query)
        matching = [r for r in resources if r.get("resourceType") == rtype]
        if is_read:
            out[key.key] = matching[0] if matching else None
        else:
            out[key.key] = {
                "resourceType": "Bundle",
                "type": "searchset",
                "total": len(matching),
                "entry": [{"fullUrl": f"urn:uuid:{uuid.uuid4()}", "resource": r} for r in matching],
            }
            if not matching:
                del out[key.key]["entry"]
    return out


def request_for(
    service_id: str,
    bundle: dict[str, Any] | None,
    draft_orders: dict[str, Any] | None = None,
    selections: list[str] | None = None,
    hook_instance: str | None = None,
) -> dict[str, Any]:
    """A valid CDS Hooks request for ``service_id`` about the patient in ``bundle``."""
    service = REGISTRY[service_id]
    resources = _resources(bundle)
    context: dict[str, Any] = {"userId": DEFAULT_USER, "patientId": _patient_id(resources)}
    if service.hook in ("order-select", "order-sign"):
        drafts = draft_orders or {"resourceType": "Bundle", "type": "collection", "entry": []}
        context["draftOrders"] = drafts
        if service.hook == "order-select":
            if selections is None:
                selections = [
                    f"{r['resourceType']}/{r['id']}" for r in _resources(drafts) if r.get("id")
                ]
            context["selections"] = selections
    return {
        "hook": service.hook,
        "hookInstance": hook_instance or str(uuid.uuid4()),
        "context": context,
        "prefetch": prefetch_for(service_id, bundle),
    }


def post_hook(
    base_url: str | Any, service_id: str, body: Any, headers: dict[str, str] | None = None
) -> requests.Response:
    """POST a hook call (``body`` a dict, or raw bytes/str sent as-is) to the live server.

    ``base_url`` may also be the server object itself (anything with ``.base_url``)."""
    base_url = getattr(base_url, "base_url", base_url)
    h = {"Content-Type": "application/json", **(headers or {})}
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return requests.post(f"{base_url}/cds-services/{service_id}", data=data, headers=h, timeout=30)


def fhir_authorization(token: str, subject: str = "ctd-ild-cds") -> dict[str, Any]:
    """A hook request's ``fhirAuthorization`` with a bearer ``token`` (patient read scope)."""
    return {
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": 300,
        "scope": "patient/*.read",
        "subject": subject,
    }


def fallback_request(
    fhir_server: str, patient_id: str, token: str | None = None, hook_instance: str | None = None
) -> dict[str, Any]:
    """A patient-view request without prefetch: the service fetches from ``fhir_server``
    (with ``token`` when given)."""
    body: dict[str, Any] = {
        "hook": "patient-view",
        "hookInstance": hook_instance or str(uuid.uuid4()),
        "context": {"userId": DEFAULT_USER, "patientId": patient_id},
        "fhirServer": fhir_server,
    }
    if token is not None:
        body["fhirAuthorization"] = fhir_authorization(token)
    return body


def post_hook_chunked(
    base_url: str | Any, service_id: str, raw: bytes, chunk_bytes: int
) -> requests.Response:
    """POST ``raw`` as a hook call with chunked transfer encoding (no Content-Length), in
    pieces of ``chunk_bytes``."""
    base_url = getattr(base_url, "base_url", base_url)

    def pieces() -> Iterator[bytes]:
        for i in range(0, len(raw), chunk_bytes):
            yield raw[i : i + chunk_bytes]

    return requests.post(
        f"{base_url}/cds-services/{service_id}",
        data=pieces(),
        headers={"Content-Type": "application/json"},
        timeout=30,
    )


def _inferno_card_checks(card: dict[str, Any], where: str) -> list[str]:
    """The Inferno CRD server suite's card checks (cards_validation.rb), less CRD-only ones."""
    errors: list[str] = []
    for field in ("summary", "indicator", "source"):
        if field not in card:
            errors.append(f"{where}: missing {field}")
    if len(card.get("summary", "")) >= 140:
        errors.append(f"{where}: summary is 140 characters or more")
    if card.get("indicator") not in ("info", "warning", "critical"):
        errors.append(f"{where}: indicator {card.get('indicator')!r}")
    if not isinstance(card.get("source"), dict) or not card["source"].get("label"):
        errors.append(f"{where}: source.label missing")
    if card.get("suggestions") and card.get("selectionBehavior") not in ("at-most-one", "any"):
        errors.append(f"{where}: selectionBehavior required with suggestions")
    for i, reason in enumerate(card.get("overrideReasons") or []):
        for field in ("code", "system", "display"):
            if not reason.get(field):
                errors.append(f"{where}.overrideReasons[{i}]: missing {field}")
    for i, link in enumerate(card.get("links") or []):
        for field in ("label", "type", "url"):
            if not link.get(field):
                errors.append(f"{where}.links[{i}]: missing {field}")
        if link.get("type") not in ("absolute", "smart"):
            errors.append(f"{where}.links[{i}]: type {link.get('type')!r}")
        if link.get("type") == "absolute" and "appContext" in link:
            errors.append(f"{where}.links[{i}]: appContext on an absolute link")
    for i, s in enumerate(card.get("suggestions") or []):
        if not s.get("label"):
            errors.append(f"{where}.suggestions[{i}]: missing label")
        actions = s.get("actions")
        if not isinstance(actions, list) or not actions:
            errors.append(f"{where}.suggestions[{i}]: actions must be a non-empty array")
            continue
        for j, a in enumerate(actions):
            at = f"{where}.suggestions[{i}].actions[{j}]"
            if a.get("type") not in ("create", "update", "delete"):
                errors.append(f"{at}: type {a.get('type')!r}")
            if not a.get("description"):
                errors.append(f"{at}: missing description (cds-resp-5)")
            if a.get("type") == "delete" and (not a.get("resourceId") or "resource" in a):
                errors.append(f"{at}: delete needs resourceId and no resource (cds-resp-2)")
            if a.get("type") in ("create", "update") and not isinstance(a.get("resource"), dict):
                errors.append(f"{at}: {a.get('type')} needs a resource")
    if card.get("selectionBehavior") == "at-most-one":
        recommended = sum(1 for s in card.get("suggestions") or [] if s.get("isRecommended"))
        if recommended > 1:
            errors.append(f"{where}: {recommended} recommended suggestions (cds-resp-1)")
    return errors


def _no_empty(value: Any, where: str, errors: list[str]) -> None:
    if value is None or value == "" or value == [] or value == {}:
        errors.append(f"{where}: null or empty value (CDS Hooks 2.0: omit it)")
    elif isinstance(value, dict):
        for k, v in value.items():
            _no_empty(v, f"{where}.{k}", errors)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _no_empty(v, f"{where}[{i}]", errors)


def assert_valid_response(body: Any) -> None:
    """Fail with every problem of a service response: the response schema, the Inferno card
    checks, invariants cds-resp-1..6, no null/empty fields, unique uuids, no raw HTML.

    ``body`` is the parsed JSON, or an HTTP response (then it must be 200 JSON)."""
    if isinstance(body, requests.Response):
        assert body.status_code == 200, f"HTTP {body.status_code}: {body.text[:2000]}"
        assert body.headers.get("Content-Type", "").startswith("application/json")
        body = body.json()
    errors = [
        f"$.{'.'.join(str(p) for p in e.absolute_path)}: {e.message}"
        for e in validator("response").iter_errors(body)
    ]
    cards = body.get("cards") if isinstance(body, dict) else None
    if not isinstance(cards, list):
        raise AssertionError(f"response has no cards array: {errors}")
    seen: set[str] = set()
    for i, card in enumerate(cards):
        where = f"$.cards[{i}]"
        errors.extend(_inferno_card_checks(card, where))
        _no_empty(card, where, errors)
        for text_field in ("summary", "detail"):
            if _RAW_HTML.search(str(card.get(text_field) or "")):
                errors.append(f"{where}.{text_field}: raw HTML")
        ids = [card.get("uuid")] + [s.get("uuid") for s in card.get("suggestions") or []]
        for u in ids:
            if not u:
                errors.append(f"{where}: a card or suggestion without uuid")
            elif u in seen:
                errors.append(f"{where}: uuid {u} used twice")
            else:
                seen.add(u)
    if errors:
        raise AssertionError("invalid CDS Hooks response:\n  " + "\n  ".join(errors))


#: the patient-view topics of SSc, RA, other CTD-ILD, PPF and immunosuppression safety
SSC_RA_CTD_ILD_SAFETY_TOPICS: frozenset[str] = frozenset(
    {
        "sard-ild-screening",
        "sard-ild-monitoring-due",
        "ssc-ild-treatment-indicated",
        "ssc-ild-decline",
        "ssc-glucocorticoid-risk",
        "ra-ild-management",
        "ctd-ild-initial-treatment",
        "ctd-ild-acute-exacerbation",
        "pjp-prophylaxis",
        "immunosuppression-monitoring",
        "cyclosporine-level",
        "cyclophosphamide-safety",
        "progressive-pulmonary-fibrosis",
        "drug-induced-ild-caution",
    }
)


def fixture_patient_bundles() -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """Every fixture holding a patient Bundle: (path under fixtures/, the Bundle, the whole
    file: an orders fixture also carries its ``draftOrders``)."""
    out = []
    for path in sorted(FIXTURES.rglob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            continue
        bundle = data.get("patient", data) if isinstance(data, dict) else None
        if isinstance(bundle, dict) and bundle.get("resourceType") == "Bundle":
            out.append((str(path.relative_to(FIXTURES)), bundle, data))
    return out


# ------------------------------------------------------------------ tiny loopback servers
Handler = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class Loopback:
    base_url: str
    requests_seen: list[str]


class _Server(ThreadingHTTPServer):
    request_queue_size = 64  # the default 5 drops parallel connects (SYN retry: 1 s)
    daemon_threads = True


@contextlib.contextmanager
def serving(handle: Handler) -> Iterator[Loopback]:
    """An HTTP server on a loopback port, in a thread, whose GET handler is ``handle``; its
    base URL ends in ``/fhir``. Stopped on leaving."""
    seen: list[str] = []

    class _H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802
            seen.append(self.path)
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                handle(self)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    httpd = _Server(("127.0.0.1", 0), _H)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield Loopback(f"http://127.0.0.1:{httpd.server_address[1]}/fhir", seen)
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def send_json(handler: BaseHTTPRequestHandler, status: int, body: bytes, **headers: str) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", "application/fhir+json")
    handler.send_header("Content-Length", str(len(body)))
    for k, v in headers.items():
        handler.send_header(k.replace("_", "-"), v)
    handler.end_headers()
    handler.wfile.write(body)
