"""The cds-service command without a server: evaluate, rules, feedback-report, arguments."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cds_service import cli
from tests.support import assert_valid_response, load_json

BUNDLE = {
    "resourceType": "Bundle",
    "type": "collection",
    "entry": [{"resource": {"resourceType": "Patient", "id": "p-1", "gender": "female"}}],
}


@pytest.fixture
def bundle_file(tmp_path: Path) -> Path:
    p = tmp_path / "bundle.json"
    p.write_text(json.dumps(BUNDLE))
    return p


@pytest.mark.parametrize("hook", ["patient-view", "order-select", "order-sign"])
def test_evaluate_prints_a_valid_response(
    hook: str, bundle_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    drafts = tmp_path / "drafts.json"
    drafts.write_text(
        json.dumps(load_json("requests/spec-order-sign-r4.json")["context"]["draftOrders"])
    )
    args = ["evaluate", str(bundle_file), "--hook", hook, "--date", "2026-11-21"]
    if hook != "patient-view":
        args += ["--draft-orders", str(drafts)]
    assert cli.main(args) == 0
    assert_valid_response(json.loads(capsys.readouterr().out))


def test_evaluate_rejects_a_non_fhir_file(tmp_path: Path) -> None:
    p = tmp_path / "x.json"
    p.write_text("[1, 2]")
    with pytest.raises(SystemExit):
        cli.main(["evaluate", str(p)])


def test_evaluate_rejects_unknown_hook(bundle_file: Path) -> None:
    with pytest.raises(SystemExit):
        cli.main(["evaluate", str(bundle_file), "--hook", "encounter-start"])


def test_rules_prints_the_catalog(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["rules"]) == 0
    assert capsys.readouterr().out.startswith("Sources:")


def test_feedback_report_on_a_fresh_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CDS_DATABASE_URL", f"sqlite:///{tmp_path / 'r.sqlite3'}")
    assert cli.main(["feedback-report"]) == 0
    assert "No cards issued" in capsys.readouterr().out


def test_serve_defaults() -> None:
    args = cli._parser().parse_args(["serve"])
    assert (args.host, args.port, args.dev, args.workers, args.connections) == (
        "127.0.0.1",
        8080,
        False,
        2,
        1000,
    )
