"""The program world with campaigns, funds and leads whose results are known by hand.

Composed on tests/integration/programs/program_world.py (Cisco = X with members A and B, A
sharing figures; Microsoft = Y). Rows are inserted directly (with an audited fixture event):
the write services for campaigns, funds and leads are built elsewhere. Every number a
program page shows can be worked out from the rows below:

Cisco campaign "spring-security" (SPRING): paid funds 2,000 to A + 1,000 to B + 500 to the
ended member = 3,500 (A's 3,000 approved-but-unpaid does not count). Its Cisco leads that
count: A won 10,000, A engaged, A qualified out after engaging, A new, B won 4,000, one
unassigned = 6 leads, 4 engaged, 2 won, 14,000 won -> ROI 4.0, 875 per engaged.
Leads that must never count for Cisco: the ended member's and the stranger's wins on the
same campaign, A's Microsoft win, A's directory win (all with values that would show).
Microsoft campaign "ms-cloud" paid A 9,999.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from core.confidentiality import active_member_ids
from core.db import session_scope
from core.models import (
    Campaign,
    FundRequest,
    Lead,
    LeadStatusChange,
    PartnerYearFigures,
    utc_now,
)
from tests.integration.programs.program_world import (
    YEAR,
    ProgramWorld,
    X,
    Y,
    audit_fixture,
    build_program_world,
    revenue_of,
)

# Values that identify a lead that must never be counted for Cisco, if they ever show up.
FORBIDDEN_WON = {"ended": 50_000.0, "stranger": 70_000.0, "microsoft": 80_000.0, "dir": 60_000.0}


@dataclass
class ResultsWorld(ProgramWorld):
    now: datetime
    spring: int  # Cisco campaign id
    ms_cloud: int  # Microsoft campaign id


def _campaign(session: Session, vendor: str, key: str, now: datetime) -> int:
    c = Campaign(
        vendor=vendor, key=key, name=f"{vendor} {key}", regions=["south"],
        target_needs=["security"], target_sizes=["11-50"], budget_usd=10_000.0,
        starts_on=(now - timedelta(days=60)).date(), ends_on=(now + timedelta(days=60)).date(),
        committed_usd=6_500.0,
    )  # fmt: skip
    session.add(c)
    session.flush()
    assert c.id is not None
    audit_fixture(session, "campaign", c.id)
    return c.id


def _fund(
    session: Session,
    campaign: int,
    vendor: str,
    pid: int,
    amount: float,
    status: str,
    now: datetime,
) -> None:
    paid = status == "paid"
    f = FundRequest(
        campaign_id=campaign, partner_id=pid, vendor=vendor, requested_by="vendor",
        activity="Webinar", amount_usd=amount, approved_usd=amount, status=status,
        claim_amount_usd=amount if paid else None, paid_usd=amount if paid else None,
        paid_at=now - timedelta(days=10) if paid else None,
    )  # fmt: skip
    session.add(f)
    session.flush()
    assert f.id is not None
    audit_fixture(session, "fund_request", f.id)


def _lead(
    session: Session,
    now: datetime,
    pid: int | None,
    vendor: str | None,
    status: str,
    *,
    campaign: int | None = None,
    value: float | None = None,
    size: str = "11-50",
    answered_after: timedelta | None = None,
    history: tuple[str, ...] = (),
) -> int:
    created = now - timedelta(days=30)
    engaged = status in ("engaged", "nurture", "won") or "engaged" in history
    # As core.programs.store keeps it: the vendor's lead counts while its holder is active.
    member = pid is None or vendor is None or pid in active_member_ids(session, vendor, [pid])
    lead = Lead(
        partner_id=pid, vendor_name=vendor, campaign_id=campaign,
        source="co_marketing" if vendor else "directory", contact_name="Customer",
        contact_email="c@example.com", company="Acme", company_size=size, needs=["security"],
        status=status, value_usd=value, created_at=created,
        first_response_at=created + answered_after if answered_after else None,
        engaged_at=created + timedelta(days=1) if engaged else None, vendor_member=member,
    )  # fmt: skip
    session.add(lead)
    session.flush()
    assert lead.id is not None
    before: str | None = None
    for step in history:
        session.add(LeadStatusChange(lead_id=lead.id, from_status=before, to_status=step,
                                     changed_at=created + timedelta(days=1)))  # fmt: skip
        before = step
    audit_fixture(session, "lead", lead.id)
    return lead.id


def build_results_world(engine: Engine) -> ResultsWorld:
    world = build_program_world(engine)
    now = utc_now()
    a, b = world.a, world.b
    with session_scope(engine) as s:
        for pid in world.by_situation.values():  # the year before: half, so growth is 100 %
            s.add(
                PartnerYearFigures(partner_id=pid, year=YEAR - 1, revenue_usd=revenue_of(pid) / 2)
            )
            audit_fixture(s, "partner", pid)
        spring = _campaign(s, X, "spring-security", now)
        ms_cloud = _campaign(s, Y, "ms-cloud", now)
        for pid, amount, status in (
            (a, 2_000.0, "paid"), (b, 1_000.0, "paid"), (world.ended, 500.0, "paid"),
            (a, 3_000.0, "approved"),
        ):  # fmt: skip
            _fund(s, spring, X, pid, amount, status, now)
        _fund(s, ms_cloud, Y, a, 9_999.0, "paid", now)
        hours = timedelta(hours=1)
        _lead(s, now, a, X, "won", campaign=spring, value=10_000.0, answered_after=2 * hours,
              history=("engaged", "won"))  # fmt: skip
        _lead(s, now, a, X, "engaged", campaign=spring, answered_after=10 * hours, size="1-10")
        _lead(s, now, a, X, "qualified_out", campaign=spring, answered_after=20 * 24 * hours,
              history=("engaged", "qualified_out"), size="1000+")  # fmt: skip
        _lead(s, now, a, X, "new", campaign=spring)
        _lead(s, now, a, X, "lost", answered_after=30 * hours,  # a referral: no campaign
              history=("engaged", "lost"))  # fmt: skip
        _lead(s, now, b, X, "won", campaign=spring, value=4_000.0, answered_after=4 * hours)
        _lead(s, now, None, X, "new", campaign=spring, size="51-200")
        _lead(s, now, world.ended, X, "won", campaign=spring, value=FORBIDDEN_WON["ended"])
        _lead(s, now, world.stranger, X, "won", campaign=spring, value=FORBIDDEN_WON["stranger"])
        _lead(s, now, a, Y, "won", campaign=ms_cloud, value=FORBIDDEN_WON["microsoft"])
        _lead(s, now, a, None, "won", value=FORBIDDEN_WON["dir"])
    return ResultsWorld(**vars(world), now=now, spring=spring, ms_cloud=ms_cloud)
