"""Salvage (IVIG, PMX-DHP) only after an adequate trial: a worsening dated at least 14 days
(a service choice) after the combination GC + CsA/TAC and/or CY was complete; "CsA and/or
CY" as the IVIG paper says. Charts with MedicationRequests, symptoms as Observations and HRCT
reports."""

from __future__ import annotations

from datetime import date

import pytest

from cds_service.guideline.dmpm.salvage import ADEQUATE_TRIAL

from .chart import Chart, cards, days

ONSET = date(2026, 9, 1)
START = date(2026, 9, 20)
TOPIC = "dmpm-ild-salvage"


def on_treatment(*agents: tuple[str, float, int]) -> Chart:
    chart = (
        Chart()
        .diagnosis("amyopathic_dm", days(-200, ONSET))
        .diagnosis("ild", ONSET)
        .sign("SX-DYSP-EXERT", days(10, ONSET))
        .antibody("anti_mda5", "positive", days(12, ONSET))
        .lab("ferritin", 1800, days(12, ONSET))
    )
    for drug, mg, start_day in agents:
        route = "oral" if drug == "prednisolone" else "intravenous"
        chart.medication(drug, mg, days(start_day, START), route=route)
    return chart


TRIPLE = (("prednisolone", 60, 0), ("cyclosporine", 200, 0), ("cyclophosphamide", 800, 1))


def test_no_salvage_the_day_after_triple_therapy_starts() -> None:
    """Defect 5: worse the day after the combination was complete is not a failed trial."""
    chart = on_treatment(*TRIPLE).sign("SX-DYSP-EXERT", days(2, START))
    assert TOPIC not in cards(chart, days(3, START))


@pytest.mark.parametrize(("after", "fires"), [(13, False), (14, True), (15, True)])
def test_worsening_counts_from_day_14_of_the_complete_combination(after: int, fires: bool) -> None:
    complete = days(1, START)  # cyclophosphamide, the last agent, started on day 1
    chart = on_treatment(*TRIPLE).hrct(days(after, complete), "CT-GGO", "CT-PROG")
    found = cards(chart, days(after + 1, complete))
    assert (TOPIC in found) is fires
    if fires:
        card = found[TOPIC]
        assert "adequate trial" in card.summary
        assert "≥14 days" in card.detail and "service choice" in card.detail
        assert "beta-D-glucan" in card.detail
        assert {"prednisolone", "cyclosporine", "cyclophosphamide"} <= {
            f.concept for f in card.facts
        }


@pytest.mark.parametrize(
    "agents",
    [
        (("prednisolone", 60, 0), ("cyclosporine", 200, 0)),
        (("prednisolone", 60, 0), ("tacrolimus", 3, 0)),
        (("prednisolone", 60, 0), ("cyclophosphamide", 800, 0)),
    ],
)
def test_csa_and_or_cy_as_the_ivig_paper_says(agents: tuple[tuple[str, float, int], ...]) -> None:
    chart = on_treatment(*agents).sign("SX-DYSP-EXERT", days(20, START))
    card = cards(chart, days(21, START))[TOPIC]
    assert "IVIG" in card.summary and "PMX-DHP" in card.summary


def test_glucocorticoid_alone_is_not_a_combination() -> None:
    chart = on_treatment(("prednisolone", 60, 0)).sign("SX-DYSP-EXERT", days(20, START))
    assert TOPIC not in cards(chart, days(21, START))


def test_the_trial_length_is_rendered_from_its_threshold() -> None:
    assert (ADEQUATE_TRIAL.op, ADEQUATE_TRIAL.value, ADEQUATE_TRIAL.unit) == (">=", 14.0, "days")
