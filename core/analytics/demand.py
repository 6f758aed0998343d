"""Anonymous searches kept as a demand signal for vendors' regional teams.

What is stored is deliberately coarse and holds no personal data: the needs, the level asked
for, the state of the place, its position rounded to 2 decimals (about 1 km, so a ZIP
centroid, never an address), the radius and how many partners were found. Keywords are not
stored: people type names and e-mail addresses into free-text boxes.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import CursorResult, Engine, delete, func
from sqlmodel import Session, col, select

from core.db import session_scope
from core.geo.places import Place
from core.models import SEARCH_KIND, DemandAttempt, SearchEvent, utc_now
from core.search.query import SearchQuery

COORDINATE_DECIMALS = 2
DEMAND_WINDOW = timedelta(hours=1)


KEEP_DEMAND_ATTEMPTS = timedelta(days=1)


def search_signature(query: SearchQuery) -> tuple[Any, ...]:
    """What makes two searches the same demand: paging, sorting and the view do not."""
    return (
        tuple(query.needs),
        query.min_level,
        query.evidence_only,
        (query.near or "").casefold(),
        query.radius_km,
        query.include_service_area,
        tuple(query.states),
        query.region,
        query.segment,
        query.vendor,
        (query.keyword or "").casefold(),
        query.responsive,
        tuple(query.industries),  # issue 13's filters: another filter is another search
        tuple(query.languages),
        query.delivery,
        query.accepting_only,
    )


def is_demand_signal(query: SearchQuery) -> bool:
    """A search that says what someone wants: at least one need or a place."""
    return bool(query.needs) or query.near is not None


def record_search_event(
    *,
    session: Session,
    query: SearchQuery,
    place: Place | None,
    result_count: int,
    at: datetime | None = None,
    kind: str = SEARCH_KIND,
) -> SearchEvent:
    """Store one anonymous search (``kind``: see SearchEvent). The caller commits
    (``session_scope``); the demand log is one of the few tables written without an audit
    event (core.unit_of_work)."""
    event = SearchEvent(
        at=at or utc_now(),
        needs=list(query.needs),
        min_level=int(query.min_level),
        state=place.state if place else None,
        latitude=round(place.latitude, COORDINATE_DECIMALS) if place else None,
        longitude=round(place.longitude, COORDINATE_DECIMALS) if place else None,
        radius_km=float(query.radius_km) if place else None,
        result_count=max(0, int(result_count)),
        kind=kind,
    )
    session.add(event)
    session.flush()
    return event


def demand_visitor_key(*, address: str | None, session_id: str) -> str:
    """The SHA-256 key of a visitor: its address when known, else its browser session."""
    who = f"ip:{address.strip().lower()}" if address and address.strip() else f"s:{session_id}"
    return hashlib.sha256(f"demand:{who}".encode()).hexdigest()


def record_demand(
    *,
    session: Session,
    query: SearchQuery,
    place: Place | None,
    result_count: int,
    visitor: str,
    limit: int,
    now: datetime | None = None,
    kind: str = SEARCH_KIND,
) -> SearchEvent | None:
    """Record a visitor's search as demand unless its key already recorded ``limit`` in the
    last hour (counted in the database, so reloads and new sessions reset nothing); None when
    over the limit. The caller commits (``session_scope``)."""
    now = now or utc_now()
    recent = session.exec(
        select(func.count()).where(
            col(DemandAttempt.visitor_key) == visitor,
            col(DemandAttempt.at) > now - DEMAND_WINDOW,
        )
    ).one()
    if int(recent) >= limit:
        return None
    session.add(DemandAttempt(visitor_key=visitor, at=now))
    return record_search_event(
        session=session, query=query, place=place, result_count=result_count, at=now, kind=kind
    )


def forget_old_demand_attempts(engine: Engine, now: datetime) -> int:
    """The worker's job: delete demand attempts older than a day (the limit reads one hour),
    so the table holds one day of hashed keys, not every visit since the start."""
    with session_scope(engine) as session:
        result = session.execute(
            delete(DemandAttempt).where(col(DemandAttempt.at) < now - KEEP_DEMAND_ATTEMPTS)
        )
    return result.rowcount if isinstance(result, CursorResult) else 0
