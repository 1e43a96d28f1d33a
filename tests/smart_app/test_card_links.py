"""Cards resting on a time course link to the app (type ``smart``, ``appContext`` = topic)
when the app is deployed; other cards, and services without the app, carry no such link."""

from __future__ import annotations

from typing import Any

import pytest

from bench.workloads import transaction
from cds_service.smart_app.card_links import add_smart_links
from cds_service.smart_app.timeline import TOPIC_PLOTS
from tests import fhir
from tests.support import assert_valid_response, post_hook, request_for

from .conftest import SmartService
from .patients import condition, course_bundle, observation

LAUNCH = "https://cds.example.org/app/launch"


def ssc_decline_bundle() -> dict[str, Any]:
    """SSc-ILD whose FVC fell from 80 to 68 % predicted (relative decline 15 %, >10 %)."""
    pid = "smart-ssc-1"
    resources = [
        fhir.patient(pid, birth_date="1965-01-01"),
        condition(pid, f"{pid}-ssc", "M34.9", "2020-03-01"),
        condition(pid, f"{pid}-ild", "J84.10", "2021-05-01"),
        observation(pid, f"{pid}-fvc-0", "fvc_pct", "2026-05-01", 80),
        observation(pid, f"{pid}-fvc-1", "fvc_pct", "2026-11-10", 68),
    ]
    return transaction(resources)


def _card(topic: str) -> dict[str, Any]:
    return {"summary": "s", "source": {"topic": {"code": topic}}}


def test_time_course_topics_get_the_smart_link() -> None:
    cards = [_card("kl6-rising"), _card("pjp-prophylaxis"), _card("ssc-ild-decline")]
    add_smart_links(cards, LAUNCH)
    assert cards[0]["links"] == [
        {
            "label": cards[0]["links"][0]["label"],
            "url": LAUNCH,
            "type": "smart",
            "appContext": "kl6-rising",
        }
    ]
    assert "links" not in cards[1]
    assert cards[2]["links"][0]["appContext"] == "ssc-ild-decline"


def test_every_time_course_topic_opens_a_plot_that_exists() -> None:
    plots = {"fvc_pct", "fvc_l", "dlco_pct", "kl6", "ferritin", "ck", "pao2", "treatment"}
    assert set(TOPIC_PLOTS.values()) <= plots
    for topic in (
        "ssc-ild-decline",
        "progressive-pulmonary-fibrosis",
        "kl6-rising",
        "dmpm-ild-activity-rising",
        "dmpm-ild-acute-subacute",
        "dmpm-ild-chronic",
        "dmpm-ild-gc-resistance",
        "sard-ild-monitoring-due",
    ):
        assert topic in TOPIC_PLOTS


@pytest.mark.e2e
@pytest.mark.fhirserver
def test_live_cards_link_to_the_deployed_app(smart_service: SmartService) -> None:
    body = request_for("ctd-ild-patient-view", ssc_decline_bundle())
    resp = post_hook(smart_service.server.base_url, "ctd-ild-patient-view", body)
    assert resp.status_code == 200, resp.text[:500]
    data = resp.json()
    assert_valid_response(data)
    by_topic = {c["source"]["topic"]["code"]: c for c in data["cards"]}
    assert "ssc-ild-decline" in by_topic, by_topic.keys()
    for topic, card in by_topic.items():
        smart = [link for link in card.get("links", []) if link["type"] == "smart"]
        if topic in TOPIC_PLOTS:
            assert smart == [
                {
                    "label": smart[0]["label"],
                    "url": f"{smart_service.app_url}/launch",
                    "type": "smart",
                    "appContext": topic,
                }
            ]
        else:
            assert smart == []


@pytest.mark.e2e
def test_no_smart_link_without_the_app(live_server: Any) -> None:
    body = request_for("ctd-ild-patient-view", course_bundle())
    data = post_hook(live_server, "ctd-ild-patient-view", body).json()
    assert data["cards"]
    assert all(link["type"] != "smart" for c in data["cards"] for link in c.get("links", []))
