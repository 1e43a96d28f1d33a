"""RA-ILD management (KR R056-R061; ACR/CHEST 2023; Z7)."""

from __future__ import annotations

import pytest

from cds_service.guideline.ra.management import ra_ild_management

from .records import cond, meas, record


@pytest.mark.parametrize(
    ("peak", "latest", "fires"),
    [(80.0, 75.0, True), (80.0, 75.1, False)],  # FVC 5.0 / 4.9 points
)
def test_ra_ild_physiological_progression(peak, latest, fires):
    r = record(
        conditions=[cond("ra_lung", 700)],
        measurements=[meas("fvc_pct_pred", peak, 200), meas("fvc_pct_pred", latest, 10)],
    )
    assert bool(list(ra_ild_management(r))) is fires


def test_ra_ild_card_content_orders_acr_chest_first_and_labels_tc():
    r = record(
        conditions=[cond("rheumatoid_arthritis"), cond("ild"), cond("ct_ild_progression", 30)]
    )
    (f,) = ra_ild_management(r)
    assert f.topic == "ra-ild-management"
    acr = f.detail.index("ACR/CHEST 2023: **mycophenolate** (preferred by the panel)")
    tc = f.detail.index("Regional / expert opinion")
    assert acr < tc
    assert "against** abatacept" in f.detail
    assert {"R056", "B02", "B03"} <= set(f.rules)


@pytest.mark.parametrize(
    "conds",
    [
        [cond("ra_lung", 700)],  # stable: nothing recorded
        [cond("rheumatoid_arthritis"), cond("ct_ild_progression", 30)],  # no ILD
        [cond("ra_lung", 700), cond("dyspnea_worsening", 366)],  # outside 12 months
    ],
)
def test_ra_ild_silent(conds):
    assert list(ra_ild_management(record(conditions=conds))) == []
