"""Card policy for SSc, RA, CTD-ILD and safety cards: a heavily treated patient gets a short,
ordered set of cards.

Policy (docs/card-policy.md): one card per topic (policy.select_and_order);
order by indicator, then priority (acute presentation 5 < PJP 8 < IS monitoring 9 <
cyclosporine 11 < cyclophosphamide 13 < ...); during an acute presentation the PFT
monitoring reminder and the PPF card are withheld.
"""

from __future__ import annotations

import re

from cds_service.guideline import registry
from cds_service.guideline.findings import Indicator
from cds_service.guideline.topics import PATIENT_VIEW_TOPICS
from tests.support import SSC_RA_CTD_ILD_SAFETY_TOPICS

from .records import ab, cond, meas, med, record


def dm_as_ild_on_triple_therapy():
    return record(
        conditions=[
            cond("dermatomyositis", 60),
            cond("amyopathic_dm", 60),
            cond("ild", 40),
            cond("rp_ild_or_aip", 30),
            cond("ct_reticular", 40),
            cond("dyspnea_worsening", 20),
            cond("ct_ild_progression", 10),
        ],
        antibodies=[ab("anti_mda5", "positive", 40)],
        measurements=[
            meas("fvc_pct_pred", 80.0, 200),
            meas("fvc_pct_pred", 62.0, 5),
            meas("cyclosporine_trough", 120.0, 2),
            meas("body_weight", 55.0, 5),
        ],
        medications=[
            med(
                "methylprednisolone",
                1250.0,
                status="completed",
                route="intravenous",
                start=25,
                end=23,
            ),
            med("prednisolone", 55.0, start=22),
            med("cyclosporine", route="intravenous", start=22),
            med("cyclophosphamide", route="intravenous", start=20),
        ],
    )


def test_ssc_ra_ctd_ild_safety_topics_are_contract_topics():
    assert set(PATIENT_VIEW_TOPICS) >= SSC_RA_CTD_ILD_SAFETY_TOPICS


def test_everything_patient_gets_short_ordered_set():
    findings = registry.evaluate_patient_view(dm_as_ild_on_triple_therapy())
    mine = [f for f in findings if f.topic in SSC_RA_CTD_ILD_SAFETY_TOPICS]
    assert [f.topic for f in mine] == [
        "ctd-ild-acute-exacerbation",
        "pjp-prophylaxis",
        "immunosuppression-monitoring",
        "cyclosporine-level",
        "cyclophosphamide-safety",
    ]
    assert len({f.topic for f in findings}) == len(findings)  # one card per topic
    ranks = [(f.indicator.rank, f.priority) for f in findings]
    assert ranks == sorted(ranks)
    assert all(f.indicator is Indicator.WARNING for f in mine)


def test_everything_patient_without_acute_presentation_shows_ppf_and_no_acute_card():
    r = dm_as_ild_on_triple_therapy()
    r.conditions = [c for c in r.conditions if c.concept != "rp_ild_or_aip"]
    r.conditions = [c for c in r.conditions if c.concept != "ct_ild_progression"]
    r.conditions.append(cond("ct_ild_progression", 60))
    topics = [
        f.topic
        for f in registry.evaluate_patient_view(r)
        if f.topic in SSC_RA_CTD_ILD_SAFETY_TOPICS
    ]
    assert "ctd-ild-acute-exacerbation" not in topics
    assert "progressive-pulmonary-fibrosis" in topics
    assert topics.index("pjp-prophylaxis") < topics.index("progressive-pulmonary-fibrosis")


def test_tmp_smx_active_removes_only_the_prophylaxis_card():
    r = dm_as_ild_on_triple_therapy()
    r.medications.append(med("tmp_smx", start=20))
    topics = {f.topic for f in registry.evaluate_patient_view(r)}
    assert "pjp-prophylaxis" not in topics
    assert "immunosuppression-monitoring" in topics


def test_every_finding_cites_catalog_rules():
    from cds_service.guideline.evidence import CATALOG

    for f in registry.evaluate_patient_view(dm_as_ild_on_triple_therapy()):
        assert f.rules and all(r in CATALOG for r in f.rules), f.topic
        assert len(f.summary) <= 139
        assert not re.search(r"<[A-Za-z/!]", f.detail)  # no raw HTML
