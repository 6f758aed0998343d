"""Sorting Find partners by verified rating (SQLite and PostgreSQL): the read index loads
each partner's average and count in bulk; hidden reviews do not count; the default ranking
is unchanged by reviews."""

from __future__ import annotations

from sqlalchemy import Engine

from core.audit import record_change
from core.db import session_scope
from core.models import ContactRequest, Lead, Review, utc_now
from core.search.query import SearchQuery
from core.search.ranking import search_directory
from tests.public_directory import AUSTIN, create_directory

DIRECTORY = {
    key: {"name": name, "zips": (AUSTIN,), "levels": {"security": 3}}
    for key, name in (("none", "No Reviews"), ("four", "Four Stars"), ("five", "Five Stars"),
                      ("hidden", "Hidden Five"), ("many", "Many Fours"))
}  # fmt: skip


def review(engine: Engine, partner_id: int, rating: int, *, hidden: bool = False) -> None:
    """A review row as the review service leaves it (its lead won), written directly."""
    request = ContactRequest(contact_name="Dana Lee", contact_email="d@example.com",
                             company_size="1-10", needs=["security"])  # fmt: skip
    with session_scope(engine) as session:
        lead = Lead(partner_id=partner_id, status="won", value_usd=1.0,
                    **request.model_dump(exclude={"needs"}), needs=["security"])  # fmt: skip
        session.add(lead)
        session.flush()
        session.add(Review(lead_id=lead.id or 0, partner_id=partner_id, rating=rating,
                           hidden_at=utc_now() if hidden else None))  # fmt: skip
        for kind in ("lead", "review"):
            record_change(session=session, actor=None, entity_type=kind, entity_id=0,
                          action="test", before={}, after={})  # fmt: skip


def test_rating_sort_puts_the_best_average_first_with_counts_and_default_unchanged(db_engine):
    ids = create_directory(db_engine, DIRECTORY)
    query = SearchQuery(needs=["security"], near=AUSTIN, radius_km=80)
    default_before = [r.partner_id for r in search_directory(engine=db_engine, query=query).results]
    review(db_engine, ids["four"], 4)
    review(db_engine, ids["five"], 5)
    review(db_engine, ids["hidden"], 5, hidden=True)
    for rating in (4, 4, 5):
        review(db_engine, ids["many"], rating)
    query.sort = "rating"
    results = search_directory(engine=db_engine, query=query).results
    order = [r.partner_id for r in results]
    assert order[:3] == [ids["five"], ids["many"], ids["four"]]
    assert set(order[3:]) == {ids["none"], ids["hidden"]}  # no visible review: last
    shown = {r.partner_id: (r.review_avg, r.review_count) for r in results}
    many_avg, many_count = shown[ids["many"]]
    assert many_count == 3 and many_avg is not None and abs(many_avg - 13 / 3) < 1e-3
    assert shown[ids["hidden"]] == (None, 0)
    query.sort = "best"
    after = search_directory(engine=db_engine, query=query).results
    default_after = [r.partner_id for r in after]
    assert default_after == default_before
