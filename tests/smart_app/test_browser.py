"""End to end in headless Chromium: the EHR launch and the standalone launch against the test
EHR (Authlib authorization server) and sekmet-fhir; the plots hold the patient's values,
the guideline's threshold lines and the findings. Screenshots go to test-artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser import chromium

from .conftest import ARTIFACTS, SmartService
from .patients import COURSE, COURSE_NAME, SPARSE, SPARSE_NAME

pytestmark = [pytest.mark.e2e, pytest.mark.fhirserver]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    dialogs: list[str] = []
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    pg.dialogs = dialogs
    yield pg
    context.close()


def svg_text(page: Any, selector: str) -> str:
    return " ".join(page.locator(selector).all_text_contents())


def _shot(page: Any, name: str) -> None:
    """The full page, and its first screen (the README's screenshot is one of these)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / f"{name}-first-screen.png"))


def test_ehr_launch_timeline(smart_service: SmartService, page: Any) -> None:
    ehr = smart_service.ehr
    launch = ehr.new_launch(COURSE, "kl6-rising")
    page.goto(f"{smart_service.app_url}/launch?iss={ehr.fhir_base}&launch={launch}")
    page.wait_for_selector("#findings")
    _shot(page, "smart-ehr-launch")
    assert page.url == f"{smart_service.app_url}/#plot-kl6"
    assert COURSE_NAME in page.inner_text("#patient")
    # opened on the plot the card's appContext names
    assert "focus" in (page.get_attribute("#plot-kl6", "class") or "")
    # the patient's values, in the plot's data table
    ferritin = page.text_content("table[data-table=ferritin]") or ""
    for when, value in (("2026-10-20", "600"), ("2026-11-10", "1,250"), ("2026-11-19", "1,800")):
        assert when in ferritin and value in ferritin
    # ... and in the plots themselves (each dot's value, as pygal writes it)
    drawn = page.locator("#plot-ferritin svg desc.value").all_text_contents()
    assert {"2026-10-20: 600", "2026-11-10: 1250", "2026-11-19: 1800"} <= set(drawn)
    drawn = page.locator("#plot-fvc_pct svg desc.value").all_text_contents()
    assert {"2026-03-10: 85", "2026-11-18: 66"} <= set(drawn)
    drawn = page.locator("#plot-pao2 svg desc.value").all_text_contents()
    assert "2026-11-19: 58" in drawn
    # threshold lines drawn (labelled in the SVG) from the rules' Threshold objects
    ferritin_svg = svg_text(page, "#plot-ferritin svg")
    assert "threshold: >1,000 ng/mL: poor-risk factor" in ferritin_svg  # legend
    assert ">1,000 ng/mL" in page.locator("#plot-ferritin svg text.label").all_text_contents()
    assert "threshold: <60 mmHg: poor-risk factor" in svg_text(page, "#plot-pao2 svg")
    kl6 = svg_text(page, "#plot-kl6 svg")
    assert "ratio 1.7 x the value at treatment start (800), first 4 weeks" in kl6
    assert "x1.7 of start" in page.locator("#plot-kl6 svg text.label").all_text_contents()
    assert "1360" in (page.text_content("table[data-thresholds=kl6]") or "")
    fvc = svg_text(page, "#plot-fvc_pct svg")
    assert "10% below the 12-month high of 85" in fvc
    assert "5 points below the 12-month high" in fvc
    # treatment bars and the HRCT study on the same axis
    treatment = page.text_content("#plot-treatment") or ""
    assert "50 mg/day prednisolone-equivalent, 2026-11-01 to ongoing" in treatment
    assert "Cyclosporine" in treatment
    assert "Ground-glass opacity on HRCT" in treatment
    # findings beside the plots, each linking to its rule
    topics = page.eval_on_selector_all("li.finding", "els => els.map(e => e.dataset.topic)")
    assert "kl6-rising" in topics
    href = page.get_attribute("li.finding[data-topic=kl6-rising] a", "href")
    assert href == "/rules#R087"
    assert page.dialogs == []


def test_standalone_launch_empty_states_and_escaping(
    smart_service: SmartService, page: Any
) -> None:
    smart_service.ehr.standalone_patient = SPARSE
    page.goto(f"{smart_service.app_url}/launch")
    page.wait_for_selector("#findings")
    _shot(page, "smart-standalone-launch")
    # the name holding HTML is shown as text, never run or parsed
    assert SPARSE_NAME in page.inner_text("#patient")
    assert page.locator("#patient b").count() == 0
    assert page.dialogs == []
    for text in ("No DLCO on record.", "No KL-6 on record.", "No HRCT study on record."):
        assert text in page.inner_text("body")
    assert "321" in (page.text_content("table[data-table=ferritin]") or "")
    assert COURSE_NAME not in page.content()
