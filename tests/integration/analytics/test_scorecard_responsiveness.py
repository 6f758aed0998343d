"""The vendor's member scorecard shows the public responsiveness figures (SQLite and
PostgreSQL): the same as the public profile, also for a member that shares no business
figures, and nothing below 5 leads."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session

from core.analytics.program_members import member_scorecard
from core.models import PartnerResponsiveness
from tests.integration.programs.program_results_world import build_results_world
from tests.integration.programs.program_world import X


def test_scorecard_shows_public_responsiveness_from_five_leads(db_engine: Engine) -> None:
    world = build_results_world(db_engine)
    with Session(db_engine) as session:
        session.add(
            PartnerResponsiveness(partner_id=world.a, leads=4, answered=4, median_response_hours=2)
        )
        session.add(
            PartnerResponsiveness(
                partner_id=world.b,
                leads=8,
                answered=6,
                within_two_business_days=4,
                median_response_hours=12.25,
            )
        )
        session.commit()
    with Session(db_engine) as session:
        frame = member_scorecard(session=session, viewer=world.roles["vendor"], vendor=X)
    rows = {row["partner_id"]: row for row in frame.to_dict("records")}
    # B shares no business figures with X, yet its public figures are there.
    assert rows[world.b]["revenue_usd"] is None
    b = rows[world.b]
    assert (
        b["all_leads_12_months"],
        b["answered_share"],
        b["answered_in_two_days_share"],
        b["all_leads_median_response_hours"],
    ) == (8, 0.75, 0.5, 12.2)
    a = rows[world.a]
    assert a["all_leads_12_months"] is None and a["answered_share"] is None
