"""Know your competencies (claimed vs evidenced, with the certifications that would back a
claim) and the gaps a partner could fill (unmet searches near it), SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from core.access import PermissionDenied
from core.analytics.competency_gaps import gaps_it_could_fill, know_your_competencies
from core.models import CERT_PENDING
from core.taxonomy import get_taxonomy
from tests.integration.analytics.standing_world import (
    NOW,
    add_certification,
    add_searches,
    standing_world,
)


def competencies(world, viewer=None):  # type: ignore[no-untyped-def]
    with Session(world.engine) as session:
        return know_your_competencies(
            session=session, viewer=viewer or world.partner_a, partner_id=world.a,
            today=NOW.date(),
        )  # fmt: skip


def test_claims_next_to_evidence_with_the_certifications_that_would_back_them(db_engine):
    world, _ = standing_world(db_engine)
    add_certification(db_engine, world.a, "cisco-ccna")  # networking 2, security 1
    add_certification(db_engine, world.a, "microsoft-sc-200", status=CERT_PENDING)  # security 2
    rows = {r.area_key: r for r in competencies(world)}
    # Over-claims first (security, cloud, in taxonomy order), then what evidence backs.
    assert [r.area_key for r in competencies(world)][-1] == "networking"
    assert (rows["networking"].claimed, rows["networking"].evidenced) == (2, 2)
    assert rows["networking"].suggestions == () and not rows["networking"].over_claim
    security, cloud = rows["security"], rows["cloud"]
    assert (security.claimed, security.evidenced, security.over_claim) == (2, 1, True)
    assert (cloud.claimed, cloud.evidenced, cloud.over_claim) == (1, 0, True)
    catalogue = get_taxonomy().certifications
    names = {c.name: c for c in catalogue.values()}
    for row, area in ((security, "security"), (cloud, "cloud")):
        assert 1 <= len(row.suggestions) <= 3
        levels = [s.level for s in row.suggestions]
        assert levels == sorted(levels) and min(levels) >= row.claimed
        assert all(names[s.name].evidences[area] == s.level for s in row.suggestions)
    # Held (CCNA) or waiting for review (SC-200): not suggested again.
    suggested = {s.name for row in rows.values() for s in row.suggestions}
    assert catalogue["cisco-ccna"].name not in suggested
    assert catalogue["microsoft-sc-200"].name not in suggested
    # The cheapest cloud step: a certification evidencing exactly foundational.
    assert cloud.suggestions[0].level == 1


def test_an_expired_certification_is_no_evidence(db_engine):
    world, _ = standing_world(db_engine)
    from datetime import date

    add_certification(db_engine, world.a, "cisco-ccna", expires_on=date(2026, 1, 31))
    rows = {r.area_key: r for r in competencies(world)}
    assert rows["networking"].evidenced == 0 and rows["networking"].over_claim
    # Expired: it may be renewed, so it is offered again.
    assert "Cisco Certified Network Associate (CCNA)" in {
        s.name for s in rows["networking"].suggestions
    }


def test_gaps_count_unmet_searches_in_its_service_area_last_quarter(db_engine):
    world, _ = standing_world(db_engine)
    add_searches(db_engine, needs=["cloud"], state="TX", count=37)
    add_searches(db_engine, needs=["security", "cloud"], state="TX", count=3, results=2)
    add_searches(db_engine, needs=["networking"], state="TX", count=2, results=1)
    # Not counted: enough results, another state, older than a quarter, an unclaimed area.
    add_searches(db_engine, needs=["cloud"], state="TX", count=5, results=3)
    add_searches(db_engine, needs=["cloud"], state="NY", count=4)
    add_searches(db_engine, needs=["cloud"], state="TX", count=6, days_ago=120)
    add_searches(db_engine, needs=["iot"], state="TX", count=9)
    with Session(db_engine) as session:
        gaps = gaps_it_could_fill(session=session, viewer=world.partner_a, partner_id=world.a,
                                  now=NOW)  # fmt: skip
    assert [(g.area_key, g.searches, g.claimed, g.next_level) for g in gaps] == [
        ("cloud", 40, 1, 2), ("security", 3, 2, 3), ("networking", 2, 2, 3),
    ]  # fmt: skip
    assert all(s.level >= g.next_level for g in gaps for s in g.suggestions)
    assert gaps[0].suggestions and gaps[0].suggestions[0].level == 2


def test_gaps_count_team_searches_that_needed_another_partner_and_say_how_many(db_engine):
    world, _ = standing_world(db_engine)
    add_searches(db_engine, needs=["cloud"], state="TX", count=25)
    # A team event's result_count counts teams, not partners: 5 teams is still unmet demand.
    add_searches(db_engine, needs=["cloud", "security"], state="TX", count=12, results=5,
                 kind="team")  # fmt: skip
    # Not counted: another state, older than a quarter.
    add_searches(db_engine, needs=["cloud"], state="NY", count=4, kind="team")
    add_searches(db_engine, needs=["cloud"], state="TX", count=6, days_ago=120, kind="team")
    with Session(db_engine) as session:
        gaps = gaps_it_could_fill(session=session, viewer=world.partner_a, partner_id=world.a,
                                  now=NOW)  # fmt: skip
    assert [(g.area_key, g.searches, g.team_searches) for g in gaps] == [
        ("cloud", 37, 12), ("security", 12, 12),
    ]  # fmt: skip


def test_a_state_it_serves_by_name_is_its_service_area_too(db_engine):
    world, _ = standing_world(db_engine)
    from core.models import Partner

    with Session(db_engine) as session:
        partner = session.get(Partner, world.a)
        partner.states_served = ["NY"]
        session.add(partner)
        session.commit()
    add_searches(db_engine, needs=["cloud"], state="NY", count=4)
    with Session(db_engine) as session:
        gaps = gaps_it_could_fill(session=session, viewer=world.admin, partner_id=world.a, now=NOW)
    assert [(g.area_key, g.searches) for g in gaps] == [("cloud", 4)]


def test_competencies_and_gaps_are_the_partners_and_admins_only(db_engine):
    world, _ = standing_world(db_engine)
    with Session(db_engine) as session:
        for viewer in (world.partner_b, world.vendor, None):
            with pytest.raises(PermissionDenied):
                know_your_competencies(session=session, viewer=viewer, partner_id=world.a,
                                       today=NOW.date())  # fmt: skip
            with pytest.raises(PermissionDenied):
                gaps_it_could_fill(session=session, viewer=viewer, partner_id=world.a, now=NOW)
    assert competencies(world, world.admin)


def test_a_claim_no_certification_can_evidence_is_never_an_over_claim(db_engine):
    world, _ = standing_world(db_engine)
    from core.models import PartnerCompetency

    with Session(db_engine) as session:
        session.add(PartnerCompetency(partner_id=world.a, area_key="insurance", claimed_level=2))
        session.commit()
    insurance = next(r for r in competencies(world) if r.area_key == "insurance")
    assert not insurance.evidenceable and not insurance.over_claim and not insurance.suggestions
