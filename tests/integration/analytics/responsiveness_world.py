"""Hand-made leads with known response times around one weekend, for the responsiveness
summary tests (SQLite and PostgreSQL).

``NOW`` is Wednesday 25 November 2026, 12:00 UTC. Partner "steady" has the leads below; the
expected figures are worked out by hand in the comments.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from core.db import bump_data_version
from core.models import Lead, LeadFeedback, PartnerResponsiveness
from tests.public_directory import AUSTIN, ROUND_ROCK, SAN_MARCOS, create_directory

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # a Wednesday


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, 0, tzinfo=UTC)


# (arrived, hours to the first response or None, the customer's answer or None)
STEADY_LEADS = [
    (at(16, 10), 47.0, True),  # Monday: 48 h allowed -> within
    (at(17, 9), 50.0, False),  # Tuesday: 48 h allowed -> late
    (at(19, 10), 90.0, None),  # Thursday: 96 h (the weekend is skipped) -> within
    (at(20, 16), 97.0, None),  # Friday: 96 h -> late
    (at(21, 10), 85.0, None),  # Saturday 10:00: until Wednesday 00:00 = 86 h -> within
    (at(22, 20), 53.0, None),  # Sunday 20:00: until Wednesday 00:00 = 52 h -> late
    (at(9, 10), None, True),  # unanswered, 16 days old: counts, not answered
    (at(24, 10), None, None),  # unanswered, 26 hours old: too new to count
    (NOW - timedelta(days=400), 1.0, True),  # outside the 12 months
]
# leads 7; answered 6; within 3; median of 47 50 53 85 90 97 = (53 + 85) / 2 = 69
# customers asked 3 (leads 1, 2, 7), of whom 2 say they were contacted
STEADY = {"leads": 7, "answered": 6, "within": 3, "median": 69.0, "asked": 3, "contacted": 2}
FEW_LEADS = [(at(16, 10), 1.0, None), (at(17, 10), 2.0, None), (at(18, 10), 3.0, None)]


def add_leads(
    engine: Engine, partner_id: int, leads: list[tuple[datetime, float | None, bool | None]]
) -> list[int]:
    with Session(engine) as session:
        ids = []
        for arrived, hours, contacted in leads:
            lead = Lead(
                partner_id=partner_id,
                contact_name="Pat Customer",
                contact_email="pat@example.com",
                company_size="11-50",
                needs=["security"],
                created_at=arrived,
                updated_at=arrived,
                first_response_at=None if hours is None else arrived + timedelta(hours=hours),
            )
            session.add(lead)
            session.flush()
            if contacted is not None:
                session.add(LeadFeedback(lead_id=lead.id, contacted=contacted, answered_at=NOW))
            ids.append(int(lead.id or 0))
        session.commit()
    return ids


def responsiveness_world(engine: Engine) -> dict[str, int]:
    """steady (the leads above), few (3 leads), gone (a summary row but no lead any more)."""
    ids = create_directory(
        engine,
        {
            "steady": {
                "name": "Steady Answers",
                "zips": (AUSTIN,),
                "levels": {"security": 3},
            },
            "few": {"name": "Few Leads", "zips": (ROUND_ROCK,), "levels": {"security": 3}},
            "gone": {"name": "Gone Quiet", "zips": (SAN_MARCOS,), "levels": {"security": 3}},
        },
    )
    add_leads(engine, ids["steady"], STEADY_LEADS)
    add_leads(engine, ids["few"], FEW_LEADS)
    with Session(engine) as session:
        session.add(
            PartnerResponsiveness(
                partner_id=ids["gone"], leads=9, answered=9, computed_at=NOW - timedelta(days=2)
            )
        )
        bump_data_version(session, partner_ids=[ids["gone"]])
        session.commit()
    return ids
