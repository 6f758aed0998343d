"""The public profile read model on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from core.directory.public_profile import PublicProfile, load_public_profile
from core.search.index import build_read_index
from tests.public_directory import SECRET_REVENUE, build_sample_directory


@pytest.fixture
def directory(db_engine: Engine) -> dict[str, int]:
    return build_sample_directory(db_engine, fillers=0)


def load(engine: Engine, partner_id: int, today: date | None = None) -> PublicProfile:
    with Session(engine) as session:
        profile = load_public_profile(
            session=session, partner_id=partner_id, today=today or date.today()
        )
    assert profile is not None
    return profile


def test_every_area_has_its_claimed_and_evidenced_level(db_engine, directory):
    profile = load(db_engine, directory["austin_secure"])
    assert len(profile.areas) == 17
    security = profile.area("security")
    assert (security.claimed, security.evidenced, security.flagged) == (3, 2, False)
    assert profile.area("networking").evidenced == 1  # from the Fortinet certification
    assert profile.area("storage_backup").evidenced == 2  # Veeam


def test_profile_evidence_agrees_with_the_search_index(db_engine, directory):
    index = build_read_index(db_engine)
    for partner_id in directory.values():
        profile = load(db_engine, partner_id)
        row = index.rows_of([partner_id])[0]
        assert [a.evidenced for a in profile.areas] == index.evidenced[row].tolist()
        assert [a.claimed for a in profile.areas] == index.claimed[row].tolist()


def test_claims_well_above_evidence_are_flagged(db_engine, directory):
    profile = load(db_engine, directory["round_rock_claims"])
    # Insurance is claimed too, but no certification in the catalogue can evidence it.
    assert {a.key for a in profile.flagged} == {"security", "storage_backup", "cloud"}
    assert profile.vendors == []


def test_certifications_are_grouped_by_vendor_with_what_they_evidence(db_engine, directory):
    profile = load(db_engine, directory["dallas_statewide"])
    assert [v.vendor for v in profile.vendors] == ["Dell", "Fortinet"]
    (fortinet_cert,) = profile.vendors[1].certifications
    assert fortinet_cert.evidences == {"security": 2, "networking": 1}
    assert not fortinet_cert.expired


def test_expired_certifications_are_marked_and_prove_nothing(db_engine, directory):
    profile = load(db_engine, directory["san_marcos"])
    veeam = next(v for v in profile.vendors if v.vendor == "Veeam").certifications[0]
    assert veeam.expired
    assert profile.area("storage_backup").evidenced == 0
    assert profile.valid_certification_count == 1  # only the Cisco one


def test_pending_certifications_are_not_public(db_engine, directory):
    profile = load(db_engine, directory["san_marcos"])
    assert "Fortinet" not in [v.vendor for v in profile.vendors]
    assert profile.area("security").evidenced == 1  # CCNA only, not the pending NSE 4


def test_a_certification_expiring_soon_is_marked(db_engine, directory):
    in_a_year = date.today() + timedelta(days=380)
    profile = load(db_engine, directory["dallas_statewide"], today=in_a_year)
    assert all(c.expires_soon for v in profile.vendors for c in v.certifications)


def test_business_services_show_the_ally_that_delivers_them(db_engine, directory):
    profile = load(db_engine, directory["austin_secure"])
    (financing,) = profile.services
    assert (financing.key, financing.ally_name) == ("financing", "Lone Star Leasing")
    direct = load(db_engine, directory["dallas_statewide"]).services
    assert [(s.key, s.ally_name) for s in direct] == [("financing", None)]


def test_locations_list_the_headquarters_first(db_engine, directory):
    profile = load(db_engine, directory["san_marcos"])
    assert [loc.zip_code for loc in profile.locations] == ["78666", "78702"]
    assert profile.headquarters is not None and profile.headquarters.is_headquarters
    assert profile.segments == ["1-10", "11-50"]


def test_service_area_and_freshness_are_public(db_engine, directory):
    dallas = load(db_engine, directory["dallas_statewide"])
    assert dallas.states_served == ["TX"]
    houston = load(db_engine, directory["houston_print"])
    assert houston.service_radius_km == 300
    secure = load(db_engine, directory["austin_secure"])
    assert secure.updated_at.tzinfo is UTC  # straight from the column, no repair on the way
    assert secure.verified_at is not None and secure.verified_at.tzinfo is UTC


def test_no_business_figure_or_lead_reaches_the_public_profile(db_engine, directory):
    profile = load(db_engine, directory["austin_secure"])
    dumped = repr(dataclasses.asdict(profile))
    assert str(int(SECRET_REVENUE)) not in dumped
    assert "Secret Customer" not in dumped
    assert not {"revenue_usd", "value_usd", "leads"} & {f.name for f in dataclasses.fields(profile)}


def test_an_unknown_partner_has_no_profile(db_engine, directory):
    with Session(db_engine) as session:
        assert load_public_profile(session=session, partner_id=10**9, today=date.today()) is None
