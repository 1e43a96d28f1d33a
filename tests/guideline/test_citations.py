"""Each caution cites the source that says it: leflunomide from the Japanese review (its 1.2%
figure), the tocilizumab review's leflunomide sentence as its own rule; the Pneumocystis cards
from the monitoring section that names TMP-SMX, never a cyclosporine trough source; the oral
cyclophosphamide ceiling of 3 mg/kg/day from the Korean add-on range (2-3 mg/kg/day), not from
the SLS dose of 2 mg/kg/day."""

from __future__ import annotations

from cds_service.guideline.evidence import CATALOG
from cds_service.guideline.orders.cyclophosphamide_bundle import ORAL_MAX
from tests.orders.builders import service_request

from .chart import active_med, condition, lab, of_topic, order_sign, patient_view, sandbox_draft

RA_ILD = [condition("rheumatoid_arthritis", 3000), condition("ild", 700)]


def _first_source(detail: str) -> str:
    return detail.split("**Sources**")[1].strip().splitlines()[0]


def test_leflunomide_cautions_rest_on_the_japanese_review() -> None:
    draft = sandbox_draft("lef", "27169", "leflunomide", 20)
    (order_card,) = of_topic(order_sign(RA_ILD, [draft]), "order-leflunomide-ild")
    active = active_med("lef-a", "27169", "leflunomide", 20, days_ago=200)
    (pv_card,) = of_topic(patient_view(*RA_ILD, active), "drug-induced-ild-caution")
    for card in (order_card, pv_card):
        assert card.rules[0] == "R115"
        assert _first_source(card.detail).startswith(
            "- Japanese DM/PM-ILD review (2014), §Lessons learned"
        )
        assert "1.2%" in card.detail
        assert "R131" in card.rules  # the tocilizumab review's sentence, as its own rule
    assert CATALOG["R115"].source == "JP" and "1.2%" in CATALOG["R115"].figure
    assert CATALOG["R131"].source == "TC" and CATALOG["R131"].section == "§2"
    assert "leflunomide" in CATALOG["R131"].statement


def test_pneumocystis_cards_do_not_cite_a_cyclosporine_trough_source() -> None:
    weight = lab("29463-7", 60, "kg", 10)
    pred = active_med("pred", "8638", "prednisolone", 30, days_ago=30)
    csa = active_med("csa", "3008", "cyclosporine", 100, days_ago=30, frequency=2)
    dm_ild = [condition("dermatomyositis", 300), condition("ild", 200), weight]
    (pv_card,) = of_topic(patient_view(*dm_ild, pred, csa), "pjp-prophylaxis")
    draft = sandbox_draft("csa-d", "3008", "cyclosporine", 100, frequency=2)
    labs = [service_request("lvl", "cyclosporine_level"), service_request("cr", "creatinine")]
    (order_card,) = of_topic(order_sign([*dm_ild, pred], [draft, *labs]), "order-pjp-prophylaxis")
    for card in (pv_card, order_card):
        assert card.rules[0] == "R111"
        assert not {"R094", "R095", "R096"} & set(card.rules)
        for rid in card.rules:
            assert "trough" not in CATALOG[rid].figure, rid
        assert "trough" not in card.detail
    assert "TMP-SMX for Pneumocystis" in CATALOG["R111"].statement


def test_oral_cyclophosphamide_ceiling_cites_the_korean_add_on_range() -> None:
    assert ORAL_MAX.rule.id == "R032" and ORAL_MAX.value == 3.0
    assert "2-3 mg/kg/day" in CATALOG["R032"].figure
    assert CATALOG["R041"].figure == "2 mg/kg/day"
    ssc = [
        condition("systemic_sclerosis", 2000),
        condition("ild", 900),
        lab("29463-7", 70, "kg", 10),
    ]
    draft = sandbox_draft("cyc", "3002", "cyclophosphamide", 211)  # 3.01 mg/kg/day
    (card,) = of_topic(order_sign(ssc, [draft]), "order-cyclophosphamide-bundle")
    assert "R032" in card.rules
    assert "oral 3.01 mg/kg/day (>3 mg/kg/day; usual 2-3 mg/kg/day)" in card.detail
