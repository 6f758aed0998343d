"""Responsiveness in search: the filter "answers within 2 business days" and the ranking part.

The figures come from the summary the worker keeps (core.analytics.responsiveness defines
it; the read index loads it). Kept here, not there, because the analytics package reads the
search index, so search may not import it back; analytics takes these thresholds from here.

* Nothing is judged on fewer than ``MIN_LEADS`` leads in the last 12 months.
* Filter: at least ``RESPONSIVE_SHARE`` (half) of those leads answered within two business
  days. Half, not more: a lead counts as missed when its customer was unreachable or the
  partner called without logging it, so a high bar would hide partners that do answer.
* Ranking: ``WEIGHT`` × the share answered within two business days — small next to the
  100 points of coverage, evidence, distance and freshness. With fewer than MIN_LEADS leads
  the part is neutral: half the weight, what a partner answering half its leads in time
  gets, so a newcomer is neither rewarded nor punished for having no record yet.
"""

from __future__ import annotations

import numpy as np

MIN_LEADS = 5
RESPONSIVE_SHARE = 0.5
WEIGHT = 5.0
NEUTRAL = 0.5  # the share a partner without enough leads is ranked as


def within_share(leads: np.ndarray, within: np.ndarray) -> np.ndarray:
    return np.divide(within, leads, out=np.zeros(leads.shape, dtype=np.float64), where=leads > 0)


def responsive_mask(leads: np.ndarray, within: np.ndarray) -> np.ndarray:
    return (leads >= MIN_LEADS) & (within_share(leads, within) >= RESPONSIVE_SHARE)


def ranking_share(leads: np.ndarray, within: np.ndarray) -> np.ndarray:
    """The share the ranking part multiplies WEIGHT by: the real one from MIN_LEADS leads."""
    return np.where(leads >= MIN_LEADS, within_share(leads, within), NEUTRAL)


def explanation(leads: int, within: int) -> str:
    if leads < MIN_LEADS:
        return (
            f"Fewer than {MIN_LEADS} leads in the last 12 months: responsiveness counts as neutral."
        )
    share = round(100 * within / leads)
    return f"Answers {share} % of leads within 2 business days ({leads} leads in 12 months)."


def card_text(leads: int, within: int) -> str:
    """The short fact on a result card; empty below MIN_LEADS leads."""
    if leads < MIN_LEADS:
        return ""
    return f"answers {round(100 * within / leads)} % of leads within 2 business days"
