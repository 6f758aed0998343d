"""Recording a visitor's search as anonymous demand (core.analytics.demand) from a page:
the same visitor key and per-hour limit as Find partners, and never an error for the
visitor — demand statistics must not cost anyone their search."""

from __future__ import annotations

import uuid

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from core.analytics.demand import demand_visitor_key, record_demand
from core.db import session_scope
from core.geo.places import Place
from core.search.query import SearchQuery
from core.settings import get_settings
from pages import get_engine
from pages.parts.contact import VISIT_KEY, visitor_address
from pages.parts.errors import database_unreachable


def record_visitor_demand(
    *, query: SearchQuery, place: Place | None, result_count: int, kind: str
) -> bool:
    """Record one demand event for this visitor (None-safe); False when the database failed,
    so the caller may try again on the next run."""
    if database_unreachable():  # known to be away: no connect timeout on a search
        return False
    try:
        visitor = demand_visitor_key(
            address=visitor_address(),
            session_id=st.session_state.setdefault(VISIT_KEY, uuid.uuid4().hex),
        )
        with session_scope(get_engine()) as session:  # at most N per address and hour
            record_demand(
                session=session,
                query=query,
                place=place,
                result_count=result_count,
                visitor=visitor,
                limit=get_settings().demand_events_per_hour,
                kind=kind,
            )
    except SQLAlchemyError:
        return False
    return True
