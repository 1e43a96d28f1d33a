"""Card topic codes of the public contract (``urn:ctd-ild-cds:card-topic``).

These codes are fixed by ``shared/design/contract.md``: EHRs and outside test suites rely on
them. A test checks this table against the contract.
"""

from __future__ import annotations

TOPIC_SYSTEM = "urn:ctd-ild-cds:card-topic"

PATIENT_VIEW_TOPICS: dict[str, str] = {
    "ild-ctd-workup": "ILD: connective tissue disease work-up incomplete",
    "ild-autoantibody-positive": "ILD with a CTD-associated autoantibody",
    "ipaf-criteria": "Interstitial pneumonia with autoimmune features (IPAF)",
    "sard-ild-screening": "ILD screening in connective tissue disease",
    "sard-ild-monitoring-due": "CTD-ILD monitoring due",
    "dmpm-ild-acute-subacute": "DM/PM-ILD: acute/subacute course",
    "dmpm-ild-poor-prognosis": "DM/PM-ILD: poor-prognosis factors",
    "dmpm-ild-risk-incomplete": "DM/PM-ILD: risk assessment incomplete",
    "dmpm-ild-chronic": "DM/PM-ILD: chronic course",
    "dmpm-ild-gc-resistance": "DM/PM-ILD: glucocorticoid resistance",
    "dmpm-ild-salvage": "DM/PM-ILD: salvage therapy",
    "kl6-rising": "KL-6 rising after treatment start",
    "dmpm-ild-activity-rising": "DM/PM-ILD: activity markers rising",
    "ssc-ild-treatment-indicated": "SSc-ILD: treatment indicated",
    "ssc-ild-decline": "SSc-ILD: lung function decline",
    "ssc-glucocorticoid-risk": "SSc: glucocorticoid and renal crisis risk",
    "ra-ild-management": "RA-ILD management",
    "ctd-ild-initial-treatment": "CTD-ILD: initial treatment",
    "ctd-ild-acute-exacerbation": "CTD-ILD: acute presentation",
    "pjp-prophylaxis": "Pneumocystis prophylaxis",
    "immunosuppression-monitoring": "Intensive immunosuppression monitoring",
    "cyclosporine-level": "Cyclosporine level",
    "cyclophosphamide-safety": "Cyclophosphamide safety",
    "progressive-pulmonary-fibrosis": "Progressive pulmonary fibrosis",
    "drug-induced-ild-caution": "Drug-induced ILD caution",
}

ORDER_TOPICS: dict[str, str] = {
    "order-ssc-glucocorticoid-dose": "Glucocorticoid dose in systemic sclerosis",
    "order-cyclophosphamide-bundle": "Cyclophosphamide order bundle",
    "order-pjp-prophylaxis": "Pneumocystis prophylaxis with intensive regimen",
    "order-as-ild-monotherapy": "A/S-ILD with poor-risk factors: initial combination",
    "order-leflunomide-ild": "Leflunomide in ILD",
    "order-cyclosporine-monitoring": "Cyclosporine order monitoring",
    "order-tocilizumab-regimen": "Tocilizumab regimen in CTD-ILD",
    "order-immunosuppressant-dose": "Immunosuppressant dose check",
}

ALL_TOPICS: dict[str, str] = {**PATIENT_VIEW_TOPICS, **ORDER_TOPICS}
