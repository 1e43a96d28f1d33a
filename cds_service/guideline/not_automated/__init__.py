"""Seed rules and anchors that no card applies, each with the reason a clinician reviewing the
service would need: a judgement the record cannot make, data the service does not read, or an
evidence figure no decision rests on. Declared here so that the catalog accounts for every
rule of ``shared/reference/seed-rules.md``; a rule that a card applies is declared beside
that card's code instead."""

from . import korean_guideline, myositis_reviews, tocilizumab_review

__all__ = ["korean_guideline", "myositis_reviews", "tocilizumab_review"]
