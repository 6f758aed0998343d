"""Random directory writes through the real services, and a field-by-field comparison of a
delta-updated read index with a freshly built one (tests/integration/search/test_index_delta*)."""

from __future__ import annotations

import random
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Engine
from sqlmodel import select

from core.audit import record_change
from core.db import session_scope
from core.directory.profiles import load_profile_for_edit, save_profile
from core.directory.records import create_partner
from core.models import (
    AccountPublic,
    CertificationInput,
    LocationInput,
    Partner,
    PartnerCertification,
    PartnerCompetency,
    PartnerCreate,
    PartnerLocation,
    PartnerUpdate,
)
from core.partner_attributes import get_attributes
from core.search.deltas import ARROW_ROWS, ROW_ARRAYS
from core.search.query import SearchQuery
from core.search.ranking import search_index
from core.search.read_index import ReadIndex
from core.search.token_index import TokenIndex
from core.search.token_overlay import OverlaidTokens
from core.taxonomy import get_taxonomy

ZIPS = ("78701", "78702", "78664", "78666", "75201", "77002", "10001", "94103", "60601")
WORDS = ("backup", "cloud", "firewall", "veeam", "cisco", "voip", "wifi", "law", "clinic", "mesh")
CERTS = ("cisco-ccna", "fortinet-nse4", "veeam-vmce")


def random_profile(rng: random.Random) -> PartnerCreate:
    areas = get_taxonomy().area_keys
    today = date.today()
    return PartnerCreate(
        name=" ".join(rng.sample(WORDS, 2)).title() + f" {rng.randrange(1000)}",
        description=" ".join(rng.choices(WORDS, k=rng.randrange(0, 6))),
        locations=[
            LocationInput(zip_code=z, is_headquarters=i == 0)
            for i, z in enumerate(rng.sample(ZIPS, rng.randrange(0, 3)))
        ],
        competencies={a: rng.randrange(1, 4) for a in rng.sample(areas, rng.randrange(0, 4))},
        certifications=[
            CertificationInput(
                certification_key=key,
                obtained_on=today - timedelta(days=100),
                expires_on=today + timedelta(days=rng.choice((-10, 300))),
            )
            for key in rng.sample(CERTS, rng.randrange(0, 3))
        ],
        states_served=rng.sample(["TX", "NY", "CA", "IL"], rng.randrange(0, 3)),
        segments=rng.sample(list(get_taxonomy().segment_keys), rng.randrange(0, 2)),
    )


def create(engine: Engine, rng: random.Random) -> int:
    with session_scope(engine) as session:
        statuses = [rng.choice(("approved", "pending")) for _ in range(3)]
        return create_partner(
            session=session,
            partner=random_profile(rng),
            actor_label="test",
            certification_statuses=statuses,
        )


def save(engine: Engine, rng: random.Random, admin: AccountPublic, partner_id: int) -> None:
    """A profile save through the editor's service (bulk UPDATE + replaced child rows)."""
    fresh = random_profile(rng)
    fields: dict[str, Any] = {
        "description": fresh.description,
        "name": rng.choice((None, fresh.name)),
        # The editor needs at least one office.
        "locations": [LocationInput(zip_code=z) for z in rng.sample(ZIPS, rng.randrange(1, 3))],
        "competencies": rng.choice((None, fresh.competencies)),
        "states_served": fresh.states_served,
        "industries": rng.sample(list(get_attributes().industries), rng.randrange(0, 3)),
        "accepting_new_clients": rng.random() < 0.5,
    }
    changes = PartnerUpdate(**{k: v for k, v in fields.items() if v is not None})
    with session_scope(engine) as session:
        profile = load_profile_for_edit(session=session, actor=admin, partner_id=partner_id)
        save_profile(
            session=session,
            actor=admin,
            partner_id=partner_id,
            expected_version=profile.version,
            changes=changes,
        )


def orm_edit(engine: Engine, rng: random.Random, partner_id: int) -> None:
    """Objects changed through the ORM: a description, a level, a certification."""
    with session_scope(engine) as session:
        partner = session.get(Partner, partner_id)
        assert partner is not None
        partner.description = " ".join(rng.choices(WORDS, k=3))
        for competency in session.exec(
            select(PartnerCompetency).where(PartnerCompetency.partner_id == partner_id)
        ):
            competency.claimed_level = rng.randrange(1, 4)
        session.add(
            PartnerCertification(
                partner_id=partner_id,
                certification_key=rng.choice(CERTS),
                obtained_on=date.today(),
                expires_on=date.today() + timedelta(days=50),
                status="approved",
            )
        )
        record_change(
            session=session, actor=None, entity_type="partner", entity_id=partner_id,
            action="update", before={}, after={}, actor_label="test",
        )  # fmt: skip


def delete(engine: Engine, partner_id: int) -> None:
    with session_scope(engine) as session:
        for model in (PartnerLocation, PartnerCompetency, PartnerCertification):
            for row in session.exec(select(model).where(model.partner_id == partner_id)):
                session.delete(row)
        session.flush()
        partner = session.get(Partner, partner_id)
        assert partner is not None
        session.delete(partner)
        record_change(
            session=session, actor=None, entity_type="partner", entity_id=partner_id,
            action="delete", before={}, after={}, actor_label="test",
        )  # fmt: skip


def _locations(index: ReadIndex, row: int) -> list[tuple[Any, ...]]:
    at = np.flatnonzero(index.loc_row == row)
    assert index.loc_city is not None
    cities = index.loc_city.take(at).to_pylist() if at.size else []
    return [
        (index.loc_latitude[i], index.loc_longitude[i], int(index.loc_state[i]), city)
        for i, city in zip(at.tolist(), cities, strict=True)
    ]


def _keyword_ids(index: ReadIndex, word: str) -> list[int]:
    hits = index.token_index().match(word, size=index.size)
    assert hits is not None
    return sorted(index.partner_ids[hits & index.live].tolist())


def _vocabulary(tokens: TokenIndex | OverlaidTokens) -> list[str]:
    if isinstance(tokens, OverlaidTokens):
        return tokens.base.vocabulary + tokens.overlay.vocabulary
    return tokens.vocabulary


def assert_same_index(delta: ReadIndex, fresh: ReadIndex) -> None:
    """Every partner, field and keyword of `delta` (live rows) as `fresh` has them."""
    rows = np.flatnonzero(delta.live)
    assert delta.data_version == fresh.data_version
    for name in ROW_ARRAYS:
        np.testing.assert_array_equal(getattr(delta, name)[rows], getattr(fresh, name), name)
    for name in ARROW_ROWS:
        assert getattr(delta, name).take(rows).to_pylist() == getattr(fresh, name).to_pylist()
    for mine, theirs in zip(delta.strength, fresh.strength, strict=True):
        np.testing.assert_array_equal(mine[rows], theirs)
    np.testing.assert_array_equal(delta.hq_state[rows], fresh.hq_state)
    for position, row in enumerate(rows.tolist()):
        assert _locations(delta, row) == _locations(fresh, position)
    words = set(_vocabulary(delta.token_index())) | set(_vocabulary(fresh.token_index()))
    for word in sorted(w for w in words | {w[:2] for w in words} | {"zz"} if w.strip()):
        assert _keyword_ids(delta, word) == _keyword_ids(fresh, word), word


QUERIES = (
    SearchQuery(),
    SearchQuery(needs=["security"], min_level=2),
    SearchQuery(keyword="cloud back", page_size=200),
    SearchQuery(near="78701", radius_km=300, page_size=200),
    SearchQuery(vendor="Cisco", sort="name", page_size=200),
    SearchQuery(states=["TX"], include_service_area=True, near="77002", page_size=200),
)


def assert_same_searches(delta: ReadIndex, fresh: ReadIndex) -> None:
    now = datetime.now(UTC)
    for query in QUERIES:
        mine, theirs = search_index(delta, query, now=now), search_index(fresh, query, now=now)
        assert mine.total == theirs.total, query
        assert [asdict(r) for r in mine.results] == [asdict(r) for r in theirs.results], query
