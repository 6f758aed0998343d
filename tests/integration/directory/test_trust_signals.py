"""Issue 13 trust signals on SQLite and PostgreSQL: "verified" only for an administrator,
the partner's own save "confirmed current", expired certifications never evidence."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from core.db import session_scope
from core.directory.certifications import partner_certifications
from core.directory.profile_fields import parse_profile_form
from core.directory.profiles import load_profile_for_edit, save_profile
from core.directory.public_profile import load_public_profile
from core.evidence import CERT_EXPIRED, shown_status
from core.models import Partner
from core.search.index import build_read_index
from core.search.text import freshness_text
from tests.integration.worlds import World, build_profile_world
from tests.public_directory import build_sample_directory


@pytest.fixture
def world(db_engine: Engine) -> World:
    return build_profile_world(db_engine)


def _save_unchanged(world: World, actor) -> None:  # type: ignore[no-untyped-def]
    with session_scope(world.engine) as session:
        loaded = load_profile_for_edit(session=session, actor=actor, partner_id=world.a)
    with session_scope(world.engine) as session:
        save_profile(
            session=session,
            actor=actor,
            partner_id=world.a,
            expected_version=loaded.version,
            changes=parse_profile_form({"description": "Original description"}),
            loaded=loaded,
        )


def _public(engine: Engine, partner_id: int):  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        profile = load_public_profile(session=session, partner_id=partner_id, today=date.today())
    assert profile is not None
    return profile


def test_a_partners_own_save_is_confirmed_current_not_verified(world: World) -> None:
    _save_unchanged(world, world.partner_a)
    profile = _public(world.engine, world.a)
    assert profile.verified_at is None and profile.confirmed_at is not None
    now = datetime.now(UTC)
    text = freshness_text(
        profile.updated_at, profile.verified_at, now=now, confirmed_at=profile.confirmed_at
    )
    assert "confirmed current by the partner today" in text
    assert "verified today" not in text and "verified by an administrator today" not in text
    index = build_read_index(world.engine)
    row = index.rows_of([world.a])[0]
    assert index.verified_ts[row] != index.verified_ts[row]  # NaN: never verified
    assert index.freshness_ts[row] == index.confirmed_ts[row]  # freshness counts it


def test_an_administrators_save_is_a_verification(world: World) -> None:
    _save_unchanged(world, world.admin)
    with Session(world.engine) as session:
        partner = session.get(Partner, world.a)
        assert partner is not None and partner.verified_at is not None
        assert partner.confirmed_at is None
    profile = _public(world.engine, world.a)
    text = freshness_text(profile.updated_at, profile.verified_at, now=datetime.now(UTC))
    assert "verified by an administrator today" in text


def test_expired_certification_is_no_evidence_and_shown_expired_to_its_owner(
    db_engine: Engine,
) -> None:
    ids = build_sample_directory(db_engine, fillers=0)
    san_marcos = ids["san_marcos"]  # veeam-vmce approved but expired 30 days ago
    profile = _public(db_engine, san_marcos)
    assert profile.area("storage_backup").evidenced == 0
    (veeam,) = [c for v in profile.vendors for c in v.certifications if c.key == "veeam-vmce"]
    assert veeam.expired
    index = build_read_index(db_engine)
    row = index.rows_of([san_marcos])[0]
    assert index.evidenced[row, index.column("storage_backup")] == 0
    with Session(db_engine) as session:
        owners_list = partner_certifications(session=session, partner_id=san_marcos)
    shown = {
        c.certification_key: shown_status(c.status, c.expires_on, today=date.today())
        for c in owners_list
    }
    assert shown["veeam-vmce"] == CERT_EXPIRED
    assert shown["cisco-ccna"] == "approved"
    assert shown["fortinet-nse4"] == "pending"


def test_public_profile_counts_claims_backed_by_certifications(db_engine: Engine) -> None:
    ids = build_sample_directory(db_engine, fillers=0)
    # Security 3 (NSE 4 proves 2: not backed), storage 2 (VMCE proves 2: backed), financing
    # 2 (a catalogue certification could prove it; it holds none).
    assert _public(db_engine, ids["austin_secure"]).claims_backed == (1, 3)
    # Insurance is claimed but no catalogue certification can evidence it: not counted.
    assert _public(db_engine, ids["round_rock_claims"]).claims_backed == (0, 3)
    # Networking 3 (CCNA proves 2), security 2 (CCNA 1), storage 2 (its VMCE expired).
    assert _public(db_engine, ids["san_marcos"]).claims_backed == (0, 3)
