"""The "answers within 2 business days" filter in the URL and the form, and its thresholds."""

from __future__ import annotations

import numpy as np
import pytest

from core.search.form import form_values, query_fields
from core.search.params import query_from_params, query_to_params
from core.search.query import QueryError, SearchQuery, parse_query
from core.search.responsiveness import (
    card_text,
    explanation,
    ranking_share,
    responsive_mask,
)


def test_filter_round_trips_through_the_url_and_the_form() -> None:
    query = SearchQuery(needs=["security"], responsive=True)
    assert query_to_params(query) == {"needs": "security", "responsive": "1"}
    assert query_from_params({"needs": "security", "responsive": "1"}) == query
    values = form_values(query, prefix="find_")
    assert values["find_responsive"] is True
    assert parse_query(query_fields(values, prefix="find_")) == query
    with pytest.raises(QueryError, match="responsive: use 1 or 0"):
        query_from_params({"responsive": "often"})


def test_five_leads_and_half_in_time_make_a_responsive_partner() -> None:
    leads = np.array([5, 5, 4, 0, 10])
    within = np.array([3, 2, 4, 0, 5])
    assert responsive_mask(leads, within).tolist() == [True, False, False, False, True]
    assert ranking_share(leads, within).tolist() == [0.6, 0.4, 0.5, 0.5, 0.5]


def test_explanation_names_the_share_or_says_neutral() -> None:
    assert explanation(10, 9) == (
        "Answers 90 % of leads within 2 business days (10 leads in 12 months)."
    )
    assert "neutral" in explanation(4, 4)
    assert card_text(4, 4) == ""
    assert card_text(10, 9) == "answers 90 % of leads within 2 business days"
