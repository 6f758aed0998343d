"""Anonymous searches recorded as demand signals, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from core.analytics.demand import is_demand_signal, record_search_event, search_signature
from core.db import session_scope
from core.geo.places import resolve_place
from core.models import SearchEvent
from core.search.query import SearchQuery


def stored(engine) -> list[SearchEvent]:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return list(session.exec(select(SearchEvent).order_by(SearchEvent.id)).all())


def test_a_search_is_stored_with_needs_area_and_result_count_only(db_engine):
    query = SearchQuery(needs=["cloud", "security"], near="78701", radius_km=50, min_level=3,
                        keyword="jane.doe@example.com")  # fmt: skip
    place = resolve_place("78701")
    with session_scope(db_engine) as session:
        record_search_event(session=session, query=query, place=place, result_count=7)
    (event,) = stored(db_engine)
    assert event.needs == ["security", "cloud"]  # taxonomy order, as the query keeps them
    assert (event.min_level, event.state, event.radius_km, event.result_count) == (3, "TX", 50, 7)
    assert event.latitude == round(place.latitude, 2) != place.latitude
    assert event.longitude == round(place.longitude, 2)
    assert "jane" not in repr(event.model_dump())
    assert event.at.utcoffset() == timedelta(0)  # aware UTC on SQLite and PostgreSQL alike


def test_a_search_without_a_place_keeps_no_position(db_engine):
    with session_scope(db_engine) as session:
        record_search_event(
            session=session, query=SearchQuery(needs=["iot"]), place=None, result_count=0
        )
    (event,) = stored(db_engine)
    assert (event.state, event.latitude, event.longitude, event.radius_km) == (None,) * 4
    assert event.result_count == 0


def test_a_rolled_back_search_leaves_no_event(db_engine):
    try:
        with session_scope(db_engine) as session:
            record_search_event(
                session=session, query=SearchQuery(needs=["iot"]), place=None, result_count=1
            )
            raise RuntimeError("the page failed after recording")
    except RuntimeError:
        pass
    assert stored(db_engine) == []


def test_paging_and_sorting_do_not_make_a_new_demand_signal():
    base = SearchQuery(needs=["security"], near="78701")
    assert search_signature(base) == search_signature(
        base.model_copy(update={"page": 3, "sort": "distance"})
    )
    assert search_signature(base) != search_signature(base.model_copy(update={"radius_km": 40}))
    assert is_demand_signal(base)
    assert not is_demand_signal(SearchQuery())
