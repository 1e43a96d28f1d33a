"""docs/data-access.md states the code's templates, limits and defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from cds_service.services import PATIENT_PREFETCH, SERVICES
from cds_service.settings import Settings

DOC = (Path(__file__).resolve().parents[2] / "docs" / "data-access.md").read_text()


@pytest.mark.parametrize("key", PATIENT_PREFETCH, ids=lambda k: k.key)
def test_every_template_is_documented_verbatim(key: object) -> None:
    assert f"`{key.key}`:\n\n```\n{key.query}\n```" in DOC  # type: ignore[attr-defined]


def test_all_services_share_the_documented_templates() -> None:
    assert all(s.prefetch == PATIENT_PREFETCH for s in SERVICES)


@pytest.mark.parametrize(
    ("variable", "field"),
    [
        ("CDS_FHIR_DEADLINE_MS", "fhir_deadline_ms"),
        ("CDS_FHIR_CONNECT_TIMEOUT_MS", "fhir_connect_timeout_ms"),
        ("CDS_FHIR_MAX_RETRIES", "fhir_max_retries"),
        ("CDS_FHIR_MAX_PAGES", "fhir_max_pages"),
        ("CDS_FHIR_MAX_RESOURCES", "fhir_max_resources"),
    ],
)
def test_settings_table_matches_defaults_and_env(variable: str, field: str) -> None:
    default = getattr(Settings(), field)
    assert f"| `{variable}` | {default} |" in DOC
    assert getattr(Settings.from_env({variable: "7"}), field) == 7
